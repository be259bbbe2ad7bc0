// Package sample writes realistic landed change files for the three
// sources trueup reconciles: Debezium change events from the application's
// PostgreSQL accounts table, Salesforce Account change events (CDC), and
// Stripe customer.* events with, when the source declares a subscription
// child, the customer.subscription.* events of the same webhook endpoint.
// The files are NDJSON, as the producers land
// them, with the producers' quirks (snapshots, TOAST placeholders, partial
// updates, merged and gap events, same-second ties, out-of-order delivery,
// redeliveries, torn and garbage lines) and with the three systems
// disagreeing the way they do in practice.
//
// Output is a pure function of the sources and Options: the same seed gives
// byte-identical files, and no wall clock is read.
//
// # Scenario
//
// Options.Customers app accounts live over four weeks from Options.Start.
// A fifth of them (at least one) existed when the Debezium connector started
// and arrive as snapshot reads; the rest sign up over the first three weeks.
// The app is the system of record for new accounts: the CRM sync creates the
// Salesforce Account minutes to hours later, the app creates the Stripe
// customer seconds to hours later. Then trials end (converted, canceled, or
// paused for want of a card and resumed later), the weekly dunning run
// (09:00 UTC) makes customers past due in the same second and they recover
// or go unpaid, plans are upgraded, seats change, sales ops reassign owners
// in the CRM, billing contacts change, accounts are paused, canceled and
// deleted, and some customers subscribe again days after billing canceled
// them. Each system sees these changes its own way:
//
//   - app: applies its own changes at once, misses about one billing
//     webhook in ten, copies a third of CRM edits in a nightly job; some
//     emails are typed with capitals or are placeholders ("n/a").
//   - crm: reps copy app and billing changes by hand, late or never; title
//     case picklists ("Past Due", "Cancelled", legacy "Pro"/"Business", a
//     retired "frozen"); emails with stray spaces, other contacts or "jane at
//     example.com"; legal suffixes on names; cleared fields; prospects and a
//     keyed-in duplicate without the App_Account_Id__c link.
//   - billing: the billing mailbox instead of the person, names in capitals,
//     metadata that lags plan and seat changes, customers created by hand
//     without metadata.account_id (one is linked later).
//   - billing subscriptions (a "subscription" child): the volume feed, with
//     more events than the customer.* ones. Each paying customer gets a
//     subscription (price lookup keys starter_monthly, starter_annual,
//     growth_monthly, growth_annual, enterprise_annual; quantity = seats)
//     seconds after the customer, or an hour after it when finance created
//     the customer by hand. Billing changes appear at once
//     (customer.subscription.updated with previous_attributes;
//     trial_will_end three days before a trial ends; paused and resumed for
//     a trial that ended without a card; deleted, status canceled and
//     ended_at set, when canceled, often scheduled days ahead with cancel_at).
//     App changes arrive seconds later and never for the hand-made
//     customers: price changes on upgrades, quantities, cancellations, a new
//     subscription when a canceled customer comes back. Stripe adds its own:
//     renewals, accounts older than the window migrated with a future
//     billing cycle anchor, the app tagging metadata.account_id in a second
//     call, new cards, coupons, a copy created by mistake and canceled
//     minutes later, a switch to annual billing through a new subscription
//     that is incomplete and then incomplete_expired after 23 hours (at least
//     one) or replaces the old one. A pause of an active account is a paused
//     collection in Stripe: the status stays active. The customer's
//     delinquent flag follows its subscriptions (past_due or unpaid).
//
// Source-record keys follow the producers: the Salesforce record id is only
// in ChangeEventHeader.recordIds (change event bodies carry no Id field).
//
// # Bulk volume
//
// Options.Mode ModeState and ModeBatch write the same formats at the
// volumes benchmarks need (a state of millions of customers, a batch of
// millions of events on it), streamed file by file and in parallel, with a
// simpler world: see bulk.go.
package sample

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Formats understood by Write.
const (
	FormatDebezium      = "debezium"
	FormatSalesforceCDC = "salesforce_cdc"
	FormatStripeEvents  = "stripe_events"
)

// DefaultCustomers is used when Options.Customers is 0.
const DefaultCustomers = 50

// filesPerSource is how many landed files each feed is split into.
const filesPerSource = 3

// Source describes one feed to write, decoupled from the spec package.
type Source struct {
	Name     string            // "app", "crm", "billing"
	Format   string            // "debezium" | "salesforce_cdc" | "stripe_events"
	Landing  string            // folder below the output dir, e.g. "app/accounts"
	Key      string            // path of the record key inside the record document, e.g. "id", "Id"
	Customer string            // path of the customer link inside the record document, e.g. "id", "App_Account_Id__c", "metadata.account_id"
	Fields   map[string]string // canonical field name -> path inside the record document (dotted, e.g. "metadata.seats")
	Table    string            // debezium: "public.accounts"; Object for salesforce ("Account") / stripe ("customer")

	// Children are entities the source's events also carry. Only
	// stripe_events sources have them, and the only child object written
	// is "subscription": its customer.subscription.* events land in the
	// same files as the customer.* events (one webhook endpoint). A source
	// without children is written as before.
	Children []Child
	// ChildFields maps the canonical fields derived from a child, instead
	// of from the record itself, to the child and the path in the child's
	// document (e.g. "plan_tier" -> {subscription,
	// items.data.0.price.lookup_key}). A field is in Fields or in
	// ChildFields, not both. Paths that are attributes of the Stripe
	// subscription are written as Stripe does anyway; other paths get the
	// subscription's status (billing_status), tier (plan_tier) or quantity
	// (seats).
	ChildFields map[string]ChildPath
}

// Child is an entity that belongs to a source record.
type Child struct {
	Name   string // the spec's name, e.g. "subscription"
	Object string // Stripe object type; "subscription" is the one generated
	Key    string // path of the child's key in its document; "" means "id"
	Parent string // path of the parent record's key in the child's document; "" means "customer"
}

// ChildPath locates a canonical field in a child's document.
type ChildPath struct {
	Child string // a Child.Name of the same source
	Path  string // dotted; a numeric step indexes a list ("items.data.0.price.lookup_key")
}

// Options controls the size and the randomness of the sample.
type Options struct {
	Customers int       // app accounts (of the state, in ModeBatch); 0 means DefaultCustomers
	Seed      int64     // seeds every random choice
	Start     time.Time // logical start of event times; zero means 2026-01-01T00:00:00Z

	// Mode is ModeWorld (the life-cycle world, the zero value), ModeState
	// or ModeBatch (bulk volume; see bulk.go). The fields below apply to
	// the bulk modes only.
	Mode string
	// EventsPerCustomer is a state's average number of events per
	// customer over all sources, creations included (at least one per
	// record: four for the company spec); 0 means DefaultEventsPerCustomer.
	EventsPerCustomer float64
	// HeavyEvents, when > 0, is the number of events of a state's first
	// customer (acct_00000001): one long history.
	HeavyEvents int
	// Events is the number of lines of a batch, redeliveries included.
	Events int
	// BatchCustomers, when > 0, puts a batch's events on the state's first
	// BatchCustomers customers only.
	BatchCustomers int
	// LateShare is the share of a batch's events whose event time is
	// older than every other event of their customer.
	LateShare float64
	// LateWithin, when > 0, puts the late events within this long before
	// the batch instead: among their customer's latest events, as late
	// data is when a producer redelivers (at most the state's four weeks).
	LateWithin time.Duration
	// DuplicateShare is the share of a batch's lines that redeliver an
	// earlier event of the batch (the same event id).
	DuplicateShare float64
	// ConflictRate is the share of the values a source asserts that differ
	// from the customer's truth, so that sources disagree.
	ConflictRate float64
}

// Summary reports what Write wrote.
type Summary struct {
	// Files are the written files relative to the output directory, with
	// forward slashes, sorted ("app/accounts/0001.json").
	Files []string
	// Events counts the distinct well-formed events per source name;
	// redelivered copies and malformed lines are not counted. For a source
	// with children the count includes the children's events written to
	// its files (customer.* plus customer.subscription.* for billing).
	Events map[string]int
	// Malformed counts the lines that are not valid JSON (one per source:
	// a torn line, whose complete copy follows it, or a line of garbage).
	Malformed int
	// Duplicates counts the extra copies of events delivered again: Stripe
	// redeliveries and Salesforce replays are byte-identical; Debezium
	// re-emissions after a connector restart differ only in the top-level
	// ts_ms/ts_us/ts_ns.
	Duplicates int
}

// ErrInvalidSource is wrapped by the errors Write returns for a Source or
// Options it cannot use.
var ErrInvalidSource = errors.New("invalid sample source")

// feed is one source's files before malformed lines are added.
type feed struct {
	files  [][][]byte
	events int
	dups   int
}

// Write generates the sample and writes each source's files to
// <dir>/<Landing>/0001.json, 0002.json, ... (NDJSON, one event per line,
// LF-terminated). Existing files of the same names are replaced; other
// files are left alone.
func Write(dir string, sources []Source, opt Options) (Summary, error) {
	if opt.Customers < 0 {
		return Summary{}, fmt.Errorf("sample: customers %d: %w", opt.Customers, ErrInvalidSource)
	}
	if err := opt.validateBulk(); err != nil {
		return Summary{}, err
	}
	opt = opt.withDefaults()
	if err := validate(sources); err != nil {
		return Summary{}, err
	}
	if opt.Mode != ModeWorld {
		return writeBulk(dir, sources, opt)
	}
	w := newWorld(sources, opt)
	sum := Summary{Events: map[string]int{}}
	for j, s := range sources {
		var f *feed
		switch s.Format {
		case FormatDebezium:
			f = w.debeziumFeed(s)
		case FormatSalesforceCDC:
			f = w.salesforceFeed(s)
		case FormatStripeEvents:
			f = w.stripeFeed(s)
		}
		sum.Malformed += addMalformed(f, w.rng(nameHash(s.Name), 1<<48), j)
		sum.Events[s.Name] = f.events
		sum.Duplicates += f.dups
		for i, lines := range f.files {
			name := fmt.Sprintf("%04d.json", i+1)
			folder := filepath.Join(dir, filepath.FromSlash(s.Landing))
			if err := os.MkdirAll(folder, 0o755); err != nil {
				return Summary{}, fmt.Errorf("sample: write %s: %w", s.Name, err)
			}
			var b bytes.Buffer
			for _, l := range lines {
				b.Write(l)
				b.WriteByte('\n')
			}
			if err := os.WriteFile(filepath.Join(folder, name), b.Bytes(), 0o644); err != nil {
				return Summary{}, fmt.Errorf("sample: write %s: %w", s.Name, err)
			}
			sum.Files = append(sum.Files, path.Join(s.Landing, name))
		}
	}
	slices.Sort(sum.Files)
	return sum, nil
}

// validateBulk checks the bulk options: known mode, shares in [0, 1], no
// bulk option in the world mode.
func (opt Options) validateBulk() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("sample: %s: %w", fmt.Sprintf(format, args...), ErrInvalidSource)
	}
	switch opt.Mode {
	case ModeWorld:
		if opt.EventsPerCustomer != 0 || opt.HeavyEvents != 0 || opt.Events != 0 || opt.BatchCustomers != 0 ||
			opt.LateShare != 0 || opt.DuplicateShare != 0 || opt.ConflictRate != 0 {
			return bad("events per customer, heavy events, events, batch customers and the late, duplicate and conflict shares apply to the state and batch modes only")
		}
		return nil
	case ModeState, ModeBatch:
	default:
		return bad("mode %q: want %q, %q or %q", opt.Mode, "world", ModeState, ModeBatch)
	}
	for _, x := range []struct {
		name string
		v    float64
	}{{"late share", opt.LateShare}, {"duplicate share", opt.DuplicateShare}, {"conflict rate", opt.ConflictRate}} {
		if !(x.v >= 0 && x.v <= 1) {
			return bad("%s %g: want a share between 0 and 1", x.name, x.v)
		}
	}
	switch {
	case !(opt.EventsPerCustomer >= 0) || math.IsInf(opt.EventsPerCustomer, 0):
		return bad("events per customer %g: want 0 or more", opt.EventsPerCustomer)
	case opt.HeavyEvents < 0:
		return bad("heavy events %d: want 0 or more", opt.HeavyEvents)
	case opt.Events < 0:
		return bad("events %d: want 0 or more", opt.Events)
	case opt.BatchCustomers < 0:
		return bad("batch customers %d: want 0 or more", opt.BatchCustomers)
	case opt.LateWithin < 0 || opt.LateWithin > window:
		return bad("late within %s: want at most %s", opt.LateWithin, time.Duration(window))
	case opt.LateWithin != 0 && opt.LateShare == 0:
		return bad("late within %s: needs a late share", opt.LateWithin)
	case opt.Mode == ModeState && (opt.Events != 0 || opt.BatchCustomers != 0 || opt.LateShare != 0 || opt.DuplicateShare != 0):
		return bad("events, batch customers and the late and duplicate shares apply to a batch, not a state")
	case opt.Mode == ModeBatch && (opt.EventsPerCustomer != 0 || opt.HeavyEvents != 0):
		return bad("events per customer and heavy events apply to a state, not a batch")
	}
	return nil
}

// withDefaults fills in the zero Customers and Start.
func (opt Options) withDefaults() Options {
	if opt.Customers == 0 {
		opt.Customers = DefaultCustomers
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	opt.Start = opt.Start.UTC()
	return opt
}

func validate(sources []Source) error {
	names, landings := map[string]bool{}, map[string]bool{}
	for i, s := range sources {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("sample: source %d %q: %s: %w", i, s.Name, fmt.Sprintf(format, args...), ErrInvalidSource)
		}
		switch {
		case s.Name == "":
			return bad("empty name")
		case names[s.Name]:
			return bad("duplicate name")
		case s.Format != FormatDebezium && s.Format != FormatSalesforceCDC && s.Format != FormatStripeEvents:
			return bad("unknown format %q", s.Format)
		case s.Landing == "" || !filepath.IsLocal(filepath.FromSlash(s.Landing)):
			return bad("landing %q is not a relative folder", s.Landing)
		case landings[path.Clean(s.Landing)]:
			return bad("landing %q is used twice", s.Landing)
		case !validPath(s.Key):
			return bad("key path %q", s.Key)
		case s.Customer != "" && !validPath(s.Customer):
			return bad("customer path %q", s.Customer)
		}
		for _, f := range slices.Sorted(maps.Keys(s.Fields)) {
			if f == "" || !validPath(s.Fields[f]) {
				return bad("field %q path %q", f, s.Fields[f])
			}
		}
		children := map[string]bool{}
		objects := map[string]bool{}
		for j, c := range s.Children {
			switch {
			case s.Format != FormatStripeEvents:
				return bad("children are written for %s sources only", FormatStripeEvents)
			case c.Name == "" || children[c.Name]:
				return bad("child %d name %q is empty or used twice", j, c.Name)
			case c.Object != "subscription":
				return bad("child %q object %q: only subscription is generated", c.Name, c.Object)
			case objects[c.Object]:
				return bad("child %q: object %q is declared twice", c.Name, c.Object)
			case c.Key != "" && !validPath(c.Key):
				return bad("child %q key path %q", c.Name, c.Key)
			case c.Parent != "" && !validPath(c.Parent):
				return bad("child %q parent path %q", c.Name, c.Parent)
			}
			children[c.Name], objects[c.Object] = true, true
		}
		for _, f := range slices.Sorted(maps.Keys(s.ChildFields)) {
			cp := s.ChildFields[f]
			switch _, both := s.Fields[f]; {
			case f == "" || !validPath(cp.Path):
				return bad("child field %q path %q", f, cp.Path)
			case !children[cp.Child]:
				return bad("field %q names unknown child %q", f, cp.Child)
			case both:
				return bad("field %q is mapped on the record and on child %q", f, cp.Child)
			}
		}
		names[s.Name], landings[path.Clean(s.Landing)] = true, true
	}
	return nil
}

func validPath(p string) bool {
	if p == "" {
		return false
	}
	return !slices.Contains(strings.Split(p, "."), "")
}

// restartedFeed is the feed of evs in filesPerSource files, written by a
// consumer that restarted after the first file: the second file begins
// again with the first's last k events (fewer when it has fewer), as again
// writes them; render writes each event in its own file.
func restartedFeed[E any](evs []E, k int, render func(E) []byte, again func(tail []E) [][]byte) *feed {
	f := &feed{events: len(evs)}
	chunks := split(evs, filesPerSource)
	for i, ch := range chunks {
		var lines [][]byte
		if i == 1 {
			prev := chunks[0]
			tail := prev[len(prev)-min(k, len(prev)):]
			lines = append(lines, again(tail)...)
			f.dups += len(tail)
		}
		for _, e := range ch {
			lines = append(lines, render(e))
		}
		f.files = append(f.files, lines)
	}
	return f
}

// split cuts xs into up to n consecutive parts of near-equal size, none
// empty (one empty part when xs is empty).
func split[T any](xs []T, n int) [][]T {
	n = max(1, min(n, len(xs)))
	out := make([][]T, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, xs[i*len(xs)/n:(i+1)*len(xs)/n])
	}
	return out
}
