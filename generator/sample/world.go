package sample

import (
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// knownFields are the canonical fields the generator models, in the order
// their columns and payload fields are written.
var knownFields = []string{"email", "company_name", "billing_status", "plan_tier", "account_owner", "seats"}

var (
	plans    = []string{"free", "starter", "growth", "enterprise"}
	statuses = []string{"trialing", "active", "past_due", "canceled", "unpaid", "paused", "incomplete", "incomplete_expired"}
)

const (
	day = 24 * time.Hour
	// window is how long after Options.Start events are generated.
	window = 28 * day
	// signupWindow is when new accounts are created in the app.
	signupWindow = 21 * day
	// identitySwitch is when the DBA runs ALTER TABLE ... REPLICA IDENTITY
	// FULL: before it, updates carry no "before" and deletes only the key.
	identitySwitch = 14 * day
)

// Change origins: the system where a change to the truth happens first.
const (
	originApp     = "app"
	originBilling = "billing"
	originCRM     = "crm"
)

// customer is one real-world account: the truth the three systems reflect,
// each with its own lag, omissions and typing habits.
type customer struct {
	idx         int
	acct        string
	r           *rand.Rand
	snapshot    bool // existed before the Debezium connector started
	created     time.Time
	tmin        time.Time // earliest time of a change after creation
	first, last string
	company     string
	domain      string
	init        map[string]any // canonical values at creation
	changes     []change       // in time order
	cancelT     time.Time
	deleted     time.Time // the app row is deleted (zero: never)
	longNotes   bool      // notes is large enough to be TOASTed
	forceToast  bool
}

// change is a change of the truth: canonical field -> new value.
type change struct {
	t      time.Time
	origin string
	vals   map[string]any
}

// prospect is a CRM account that has no app account.
type prospect struct {
	company, domain, first, last string
}

type world struct {
	seed            uint64
	start, end      time.Time
	switchT         time.Time
	fields          []string
	custs           []*customer
	prospects       []*prospect
	reps            []rep
	integrationUser string
	opsUser         string
	billingRuns     []time.Time
	// pausedTrial and wonBack record that some customer's trial ended
	// paused and was resumed, and that some customer came back after a
	// cancellation, so the first candidate is forced when none has yet.
	pausedTrial bool
	wonBack     bool
}

const (
	streamWorld = iota + 1
	streamTruth
	streamProspect
	streamLife // later additions to a customer's life, kept off streamTruth
)

// rng returns an independent PCG stream; stream and sub select it, so the
// same customer gets the same data whatever the number of customers.
func (w *world) rng(stream, sub uint64) *rand.Rand {
	return rand.New(rand.NewPCG(w.seed^(stream*0x9E3779B97F4A7C15), sub*0xD1B54A32D192ED03+stream))
}

// sinceStart is t, or, when t is before the sample's start, a time between
// a minute and within after the start: a record the sources create later
// than its customer, but not before the sample begins.
func (w *world) sinceStart(r *rand.Rand, t time.Time, within time.Duration) time.Time {
	if t.Before(w.start) {
		return w.start.Add(between(r, time.Minute, within))
	}
	return t
}

func nameHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64() | 1<<40
}

func newWorld(sources []Source, opt Options) *world {
	w := &world{
		seed:    uint64(opt.Seed),
		start:   opt.Start,
		end:     opt.Start.Add(window),
		switchT: opt.Start.Add(identitySwitch),
	}
	w.fields = worldFields(sources)

	g := w.rng(streamWorld, 0)
	for i, n := range repNames {
		w.reps = append(w.reps, rep{
			name:   title(n[0]) + " " + title(n[1]),
			email:  n[0] + "." + n[1] + "@ledgerloop.io",
			sfUser: sfID("005", "Dn", 40000+uint64(i)*7919+uint64(g.IntN(7000))),
		})
	}
	w.integrationUser = sfID("005", "Dn", 9000+uint64(g.IntN(900)))
	w.opsUser = sfID("005", "Dn", 12000+uint64(g.IntN(900)))
	// Stripe retries failed invoices in batches: a weekly dunning run at
	// 09:00 UTC, so many customers turn delinquent in the same second.
	first := time.Date(w.start.Year(), w.start.Month(), w.start.Day(), 9, 0, 0, 0, time.UTC).Add(2 * day)
	for t := first; t.Before(w.end); t = t.Add(7 * day) {
		w.billingRuns = append(w.billingRuns, t)
	}

	namer := &companyNamer{used: map[string]bool{}}
	n := opt.Customers
	snapshots := max(1, n/5)
	if n >= 2 && snapshots >= n {
		snapshots = n - 1
	}
	for i := 0; i < n; i++ {
		r := w.rng(streamTruth, uint64(i))
		c := &customer{idx: i, acct: acctID(i + 1), r: r}
		c.company, c.domain = namer.next(r)
		c.first, c.last = pick(r, firstNames), pick(r, lastNames)
		if i < snapshots {
			c.snapshot = true
			c.created = w.start.Add(-between(r, 5*time.Minute, 12*time.Hour)).Truncate(time.Microsecond)
		} else {
			c.created = w.start.Add(between(r, 30*time.Minute, signupWindow)).Truncate(time.Microsecond)
		}
		c.tmin = maxTime(c.created, w.start).Add(30 * time.Minute)
		c.longNotes = chance(r, 0.08)
		w.custs = append(w.custs, c)
	}
	for i := 0; i < 1+n/20; i++ {
		r := w.rng(streamProspect, uint64(i))
		p := &prospect{first: pick(r, firstNames), last: pick(r, lastNames)}
		p.company, p.domain = namer.next(r)
		w.prospects = append(w.prospects, p)
	}
	w.chooseDeletes(g)
	w.chooseToast(g)
	for _, c := range w.custs {
		w.initTruth(c)
		w.genChanges(c)
	}
	return w
}

// worldFields are the known fields, then the other fields the sources map,
// sorted.
func worldFields(sources []Source) []string {
	fields := slices.Clone(knownFields)
	var extra []string
	for _, s := range sources {
		for f := range s.Fields {
			if !slices.Contains(fields, f) && !slices.Contains(extra, f) {
				extra = append(extra, f)
			}
		}
		for f := range s.ChildFields {
			if !slices.Contains(fields, f) && !slices.Contains(extra, f) {
				extra = append(extra, f)
			}
		}
	}
	slices.Sort(extra)
	return append(fields, extra...)
}

func acctID(n int) string {
	const digits = "0123456789"
	b := []byte("acct_000000")
	for i := len(b) - 1; i >= 5 && n > 0; i-- {
		b[i] = digits[n%10]
		n /= 10
	}
	return string(b)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// chooseDeletes picks the accounts whose app rows are deleted: about 6% at
// random, plus, with at least four customers, one before and one after the
// switch to REPLICA IDENTITY FULL so both delete shapes occur.
func (w *world) chooseDeletes(g *rand.Rand) {
	for _, c := range w.custs {
		lo, hi := c.tmin.Add(day), w.end.Add(-5*day)
		if chance(c.r, 0.06) && lo.Before(hi) {
			c.cancelT = timeIn(c.r, lo, hi)
			c.deleted = c.cancelT.Add(between(c.r, day, 4*day))
		}
	}
	if len(w.custs) < 4 {
		return
	}
	var before, after bool
	for _, c := range w.custs {
		if !c.deleted.IsZero() {
			before = before || c.deleted.Before(w.switchT)
			after = after || !c.deleted.Before(w.switchT)
		}
	}
	if !before {
		if c := w.pickCustomer(g, func(c *customer) bool {
			return c.deleted.IsZero() && c.tmin.Before(w.switchT.Add(-4*day))
		}); c != nil {
			c.cancelT = timeIn(g, c.tmin.Add(12*time.Hour), w.switchT.Add(-3*day))
			c.deleted = c.cancelT.Add(between(g, 12*time.Hour, 2*day))
		}
	}
	if !after {
		if c := w.pickCustomer(g, func(c *customer) bool {
			return c.deleted.IsZero() && c.tmin.Before(w.end.Add(-7*day))
		}); c != nil {
			c.cancelT = timeIn(g, maxTime(c.tmin, w.switchT).Add(12*time.Hour), w.end.Add(-4*day))
			c.deleted = c.cancelT.Add(between(g, day, 2*day))
		}
	}
}

// chooseToast makes sure at least one account with a TOASTed notes column
// is updated while the table still has REPLICA IDENTITY DEFAULT, so the
// Debezium placeholder appears.
func (w *world) chooseToast(g *rand.Rand) {
	c := w.pickCustomer(g, func(c *customer) bool {
		return c.tmin.Before(w.switchT.Add(-3*day)) && (c.deleted.IsZero() || c.deleted.After(w.switchT))
	})
	if c != nil {
		c.longNotes, c.forceToast = true, true
	}
}

// pickCustomer picks uniformly among the customers that satisfy ok.
func (w *world) pickCustomer(g *rand.Rand, ok func(*customer) bool) *customer {
	var cands []*customer
	for _, c := range w.custs {
		if ok(c) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return pick(g, cands)
}

func weighted(r *rand.Rand, xs []string, ws []int) string {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := r.IntN(total)
	for i, w := range ws {
		if n < w {
			return xs[i]
		}
		n -= w
	}
	return xs[len(xs)-1]
}

func seatsFor(r *rand.Rand, plan string) int {
	switch plan {
	case "free":
		return 1 + r.IntN(3)
	case "starter":
		return 2 + r.IntN(9)
	case "growth":
		return 5 + r.IntN(56)
	default:
		return 50 + r.IntN(351)
	}
}

func (w *world) initTruth(c *customer) {
	r := c.r
	plan := weighted(r, plans, []int{15, 45, 32, 8})
	status := "active"
	if plan != "free" {
		status = weighted(r, []string{"trialing", "active", "incomplete"}, []int{60, 30, 10})
	}
	c.init = map[string]any{
		"email":          c.first + "." + c.last + "@" + c.domain,
		"company_name":   c.company,
		"billing_status": status,
		"plan_tier":      plan,
		"account_owner":  pick(r, w.reps).email,
		"seats":          seatsFor(r, plan),
	}
	for _, f := range w.fields[len(knownFields):] {
		c.init[f] = plausible(r, f, c)
	}
}

// genChanges writes the customer's life over the window as a list of truth
// changes: trials ending, failed payments at the weekly dunning run and
// their recovery, upgrades, seat changes, owner reassignments in the CRM,
// billing-contact changes, renames, pauses and cancellations.
func (w *world) genChanges(c *customer) {
	r := c.r
	type story struct {
		t      time.Time
		origin string
		f      func(cur map[string]any) map[string]any
	}
	var ss []story
	add := func(t time.Time, origin string, f func(cur map[string]any) map[string]any) {
		ss = append(ss, story{maxTime(t, c.tmin).Truncate(time.Microsecond), origin, f})
	}
	anyTime := func() time.Time { return timeIn(r, c.tmin, w.end) }
	setStatus := func(from []string, to string) func(map[string]any) map[string]any {
		return func(cur map[string]any) map[string]any {
			if from != nil && !slices.Contains(from, cur["billing_status"].(string)) {
				return nil
			}
			return map[string]any{"billing_status": to}
		}
	}
	lr := w.rng(streamLife, uint64(c.idx))
	switch c.init["billing_status"] {
	case "trialing":
		// The trial converts, is canceled, or ends without a card: Stripe
		// then pauses the subscription until the customer adds one.
		end := c.created.Add(14 * day)
		trialEnd := maxTime(end, c.tmin)
		canPause := c.cancelT.IsZero() && trialEnd.Add(2*day).Before(w.end)
		switch p := r.Float64(); {
		case p < 0.2:
			add(end, originBilling, setStatus([]string{"trialing"}, "canceled"))
		case p < 0.3 || (canPause && !w.pausedTrial):
			add(end, originBilling, setStatus([]string{"trialing"}, "paused"))
			if !w.pausedTrial || chance(lr, 0.6) {
				resume := trialEnd.Add(between(lr, 6*time.Hour, min(6*day, w.end.Sub(trialEnd)-time.Hour)))
				add(resume, originBilling, setStatus([]string{"paused"}, "active"))
			} else if chance(lr, 0.5) {
				add(trialEnd.Add(between(lr, 5*day, 10*day)), originBilling, setStatus([]string{"paused"}, "canceled"))
			}
		default:
			add(end, originBilling, setStatus([]string{"trialing"}, "active"))
		}
	case "incomplete":
		add(c.created.Add(23*time.Hour), originBilling, setStatus([]string{"incomplete"}, pick(r, []string{"active", "incomplete_expired"})))
	}
	if chance(r, 0.22) {
		var runs []time.Time
		for _, t := range w.billingRuns {
			if t.After(c.tmin.Add(day)) {
				runs = append(runs, t)
			}
		}
		if len(runs) > 0 {
			t := pick(r, runs).Add(between(r, 0, 1500*time.Millisecond))
			add(t, originBilling, setStatus([]string{"active"}, "past_due"))
			rec := t.Add(between(r, 2*day, 6*day))
			if chance(r, 0.65) {
				add(rec, originBilling, setStatus([]string{"past_due"}, "active"))
			} else {
				add(rec, originBilling, setStatus([]string{"past_due"}, "unpaid"))
				if chance(r, 0.5) {
					add(rec.Add(between(r, 3*day, 7*day)), originBilling, setStatus([]string{"unpaid"}, "canceled"))
				}
			}
		}
	}
	if chance(r, 0.25) {
		add(anyTime(), originApp, func(cur map[string]any) map[string]any {
			i := slices.Index(plans, cur["plan_tier"].(string))
			if i < 0 || i == len(plans)-1 {
				return nil
			}
			next := plans[i+1]
			return map[string]any{"plan_tier": next, "seats": max(cur["seats"].(int)+1+r.IntN(10), seatsFor(r, next))}
		})
	}
	seatsChange := func(cur map[string]any) map[string]any {
		d := 1 + r.IntN(5)
		if chance(r, 0.35) {
			d = -d
		}
		return map[string]any{"seats": max(1, cur["seats"].(int)+d)}
	}
	if chance(r, 0.35) {
		for range 1 + r.IntN(2) {
			add(anyTime(), originApp, seatsChange)
		}
	}
	if c.forceToast {
		add(timeIn(r, c.tmin, w.switchT.Add(-time.Hour)), originApp, seatsChange)
	}
	if chance(r, 0.3) {
		add(anyTime(), originCRM, func(cur map[string]any) map[string]any {
			for {
				if e := pick(r, w.reps).email; e != cur["account_owner"] {
					return map[string]any{"account_owner": e}
				}
			}
		})
	}
	if chance(r, 0.12) {
		add(anyTime(), originApp, func(cur map[string]any) map[string]any {
			e := pick(r, billingMailboxes) + "@" + c.domain
			if chance(r, 0.5) {
				e = pick(r, firstNames) + "." + pick(r, lastNames) + "@" + c.domain
			}
			return map[string]any{"email": e}
		})
	}
	if chance(r, 0.05) {
		add(anyTime(), originCRM, func(cur map[string]any) map[string]any {
			return map[string]any{"company_name": c.company + " " + pick(r, qualifiers)}
		})
	}
	if chance(r, 0.04) {
		t := anyTime()
		add(t, originBilling, setStatus([]string{"active"}, "paused"))
		add(t.Add(between(r, 3*day, 10*day)), originBilling, setStatus([]string{"paused"}, "active"))
	}
	if !c.cancelT.IsZero() {
		add(c.cancelT, originApp, setStatus(nil, "canceled"))
	} else if chance(r, 0.05) {
		add(anyTime(), originBilling, setStatus([]string{"active", "past_due", "paused", "trialing"}, "canceled"))
	}

	slices.SortStableFunc(ss, func(a, b story) int { return a.t.Compare(b.t) })
	cur := maps.Clone(c.init)
	for _, s := range ss {
		if s.t.After(w.end) || (!c.deleted.IsZero() && !s.t.Before(c.deleted)) {
			continue
		}
		ch := change{t: s.t, origin: s.origin, vals: map[string]any{}}
		for k, v := range s.f(cur) {
			if cur[k] != v {
				ch.vals[k] = v
				cur[k] = v
			}
		}
		if len(ch.vals) > 0 {
			c.changes = append(c.changes, ch)
		}
		if ch.vals["billing_status"] == "active" && c.init["billing_status"] == "trialing" {
			// A trial that ended paused and is resumed?
			for i := len(c.changes) - 2; i >= 0; i-- {
				if v, ok := c.changes[i].vals["billing_status"]; ok {
					w.pausedTrial = w.pausedTrial || (v == "paused" && c.changes[i].origin == originBilling && s.origin == originBilling)
					break
				}
			}
		}
	}
	w.winBack(c, lr)
}

// winBack lets some customers whose subscription was canceled or expired
// by billing subscribe again in the app days later (the first candidate
// always does when no customer has yet).
func (w *world) winBack(c *customer, lr *rand.Rand) {
	if !c.cancelT.IsZero() {
		return // the account is canceled and deleted by the app
	}
	for i := len(c.changes) - 1; i >= 0; i-- {
		ch := c.changes[i]
		v, ok := ch.vals["billing_status"]
		if !ok {
			continue
		}
		if ch.origin != originBilling || (v != "canceled" && v != "incomplete_expired") {
			return
		}
		t := ch.t.Add(between(lr, day, 7*day))
		if !t.Before(w.end.Add(-time.Hour)) || !(chance(lr, 0.4) || !w.wonBack) {
			return
		}
		w.wonBack = true
		back := change{t: t, origin: originApp, vals: map[string]any{"billing_status": "active"}}
		at := slices.IndexFunc(c.changes, func(x change) bool { return x.t.After(t) })
		if at < 0 {
			at = len(c.changes)
		}
		c.changes = slices.Insert(c.changes, at, back)
		return
	}
}

// truthAt is the customer's canonical state at t.
func (c *customer) truthAt(t time.Time) map[string]any {
	cur := maps.Clone(c.init)
	for _, ch := range c.changes {
		if ch.t.After(t) {
			break
		}
		maps.Copy(cur, ch.vals)
	}
	return cur
}

// sortedKeys returns the keys of m in the world's field order.
func (w *world) sortedKeys(m map[string]any) []string {
	var out []string
	for _, f := range w.fields {
		if _, ok := m[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

func isDelinquent(status any) bool {
	s, _ := status.(string)
	return s == "past_due" || s == "unpaid"
}
