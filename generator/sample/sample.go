// Package sample writes realistic landed change files for the three
// sources trueup reconciles: Debezium change events from the application's
// PostgreSQL accounts table, Salesforce Account change events (CDC), and
// Stripe customer.* events. The files are NDJSON, as the producers land
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
// customer seconds to hours later. Then trials end, the weekly dunning run
// (09:00 UTC) makes customers delinquent in the same second and they recover
// or go unpaid, plans are upgraded, seats change, sales ops reassign owners
// in the CRM, billing contacts change, accounts are paused, canceled and
// deleted. Each system sees these changes its own way:
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
//
// Source-record keys follow the producers: the Salesforce record id is only
// in ChangeEventHeader.recordIds (change event bodies carry no Id field).
package sample

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
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
	Fields   map[string]string // canonical field name -> path inside the record document (dotted, e.g. "metadata.plan_tier")
	Table    string            // debezium: "public.accounts"; Object for salesforce ("Account") / stripe ("customer")
}

// Options controls the size and the randomness of the sample.
type Options struct {
	Customers int       // app accounts; 0 means DefaultCustomers
	Seed      int64     // seeds every random choice
	Start     time.Time // logical start of event times; zero means 2026-01-01T00:00:00Z
}

// Summary reports what Write wrote.
type Summary struct {
	// Files are the written files relative to the output directory, with
	// forward slashes, sorted ("app/accounts/0001.json").
	Files []string
	// Events counts the distinct well-formed events per source name;
	// redelivered copies and malformed lines are not counted.
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
	if opt.Customers == 0 {
		opt.Customers = DefaultCustomers
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	opt.Start = opt.Start.UTC()
	if err := validate(sources); err != nil {
		return Summary{}, err
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
