package sample

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Bulk volume: the state and batch modes.
//
// The life-cycle world (ModeWorld) plays every customer's four weeks in
// memory, which is what makes it realistic and what keeps it to some
// thousands of customers. The bulk modes write the same producer formats
// (Debezium change events, Salesforce Account change events, Stripe
// customer.* and customer.subscription.* events) at the volumes a
// benchmark needs, streaming each file through a buffered writer, with
// fewer quirks:
//
//   - every customer has one record in each source (an app account, a
//     Salesforce Account linked through the customer-link field, a Stripe
//     customer with metadata.account_id and one subscription); no
//     prospects, unlinked or duplicate records, deletes, gaps, snapshots,
//     TOAST placeholders or malformed lines;
//   - the truth of a field changes at most once a week; a source asserts
//     the truth of the week of its event time, except that with
//     Options.ConflictRate it asserts a value of its own for that week
//     (another contact, a legal suffix, a stale status, another plan,
//     owner or seat count). Values the sources agree on are equal after the
//     spec's normalization (Salesforce picklists in title case);
//   - Debezium updates carry no "before" (REPLICA IDENTITY DEFAULT);
//     Salesforce updates carry one or two changed fields; Stripe updates
//     carry the full object and the previous values of the mapped
//     attributes (of a subscription: plan, quantity, status) as
//     previous_attributes;
//   - state files are grouped by customer (each customer's events in
//     commit order), not by commit time across customers.
//
// A state (ModeState) is Options.Customers customers created in the first
// day after Options.Start, with updates until four weeks after it. A batch
// (ModeBatch) is Options.Events lines on the customers of the state of the
// same Customers, Seed and Start (the same ids and keys): their event times
// lie in the five minutes after the state's last hour, except for a share
// of late events (Options.LateShare) whose event time lies in the four
// weeks before Options.Start, older than every other event of their
// customer; a share of the lines (Options.DuplicateShare) are redeliveries
// of an earlier event of the batch (the same event id: byte-identical for
// Stripe and Salesforce, a later top-level ts_ms for Debezium).
//
// Every event is a pure function of the options and its position, so files
// are written in parallel and nothing but one file's buffer is held.

// Modes of Write.
const (
	ModeWorld = ""      // the life-cycle world of a few thousand customers
	ModeState = "state" // bulk: a state of Customers customers
	ModeBatch = "batch" // bulk: a batch of Events lines on that state
)

// DefaultEventsPerCustomer is the state's average when
// Options.EventsPerCustomer is 0.
const DefaultEventsPerCustomer = 6

const (
	bulkLinesPerFile = 50_000
	bulkWeek         = 7 * day
	batchWindow      = 5 * time.Minute
	// bulkEpochBefore is how long before Options.Start the epoch of
	// sequences derived from time lies: before every bulk event time,
	// late ones included, so that they stay positive.
	bulkEpochBefore = 60 * day
)

// RNG streams of the bulk modes, apart from the world's.
const (
	streamBulkID = iota + 101
	streamBulkPlan
	streamBulkValue
	streamBulkRedelivery
)

// Bulk event kinds: one per record type a source carries.
const (
	kindRow = iota // debezium
	kindAccount
	kindCustomer
	kindSubscription
)

// kindWeight is each kind's share of the updates, close to the world's
// mix (the subscription feed is the volume feed).
var kindWeight = [...]float64{kindRow: 26, kindAccount: 22, kindCustomer: 17, kindSubscription: 35}

// BatchStart is when a bulk batch's current events begin for a state
// starting at start (zero: the default start).
func BatchStart(start time.Time) time.Time {
	if start.IsZero() {
		start = Options{}.withDefaults().Start
	}
	return start.UTC().Add(window + time.Hour)
}

type bulkSource struct {
	s     Source
	i     int
	kinds []int
	sub   *subFeed
	// weight is the source's share of all updates.
	weight float64
}

type bulk struct {
	w       *world
	opt     Options
	sources []*bulkSource
	kinds   []int // every kind of every source
	total   float64
	epochUs int64
	// batchKey separates batches of different options on the same state.
	batchKey uint64
	repUsers []string
}

// bulkID is a customer's identity in every source: a pure function of the
// seed and its index, the same in a state and in its batches.
type bulkID struct {
	idx                        int
	acct, cus, sfid, sub, item string
	first, last, company       string
	domain, prefix, interval   string
	created                    time.Time
}

func newBulk(sources []Source, opt Options) *bulk {
	w := &world{seed: uint64(opt.Seed), start: opt.Start, end: opt.Start.Add(window), fields: worldFields(sources)}
	b := &bulk{w: w, opt: opt, epochUs: opt.Start.Add(-bulkEpochBefore).UnixMicro(), repUsers: bulkRepUsers()}
	for i, s := range sources {
		bs := &bulkSource{s: s, i: i}
		switch s.Format {
		case FormatDebezium:
			bs.kinds = []int{kindRow}
		case FormatSalesforceCDC:
			bs.kinds = []int{kindAccount}
		case FormatStripeEvents:
			bs.kinds = []int{kindCustomer}
			for _, ch := range s.Children {
				if ch.Object == "subscription" {
					h := nameHash(s.Name)
					bs.sub = &subFeed{s: s, child: ch, cat: w.newCatalog(w.rng(h, 1<<44))}
					bs.kinds = append(bs.kinds, kindSubscription)
				}
			}
		}
		for _, k := range bs.kinds {
			bs.weight += kindWeight[k]
		}
		b.total += bs.weight
		b.kinds = append(b.kinds, bs.kinds...)
		b.sources = append(b.sources, bs)
	}
	key := fmt.Sprintf("%d|%d|%g|%g|%g", opt.Events, opt.BatchCustomers, opt.LateShare, opt.DuplicateShare, opt.ConflictRate)
	if opt.LateWithin > 0 {
		key += "|" + opt.LateWithin.String()
	}
	b.batchKey = nameHash(key)
	return b
}

// mix hashes its arguments into 64 uniform bits (splitmix64 steps).
func mix(xs ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, x := range xs {
		h ^= x + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h ^= h >> 30
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 27
		h *= 0x94D049BB133111EB
		h ^= h >> 31
	}
	return h
}

func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

func (b *bulk) ident(i int) *bulkID {
	r := b.w.rng(streamBulkID, uint64(i))
	id := &bulkID{idx: i, acct: "acct_" + fmt.Sprintf("%08d", i+1)}
	id.cus = "cus_" + alnum(r, 14)
	id.sfid = sfID("001", "Dn", 3_000_000+uint64(i)*37)
	id.sub = "sub_1" + alnum(r, 23)
	id.item = "si_" + alnum(r, 14)
	id.prefix = hexUpper(r, 8)
	id.first, id.last = pick(r, firstNames), pick(r, lastNames)
	id.company = pick(r, companyHeads) + " " + pick(r, companyTails) + " " + strconv.FormatInt(int64(i+1), 36)
	id.domain = domainOf(id.company, pick(r, tlds))
	id.created = b.opt.Start.Add(between(r, time.Minute, day)).Truncate(time.Millisecond)
	id.interval = "month"
	if chance(r, 0.3) {
		id.interval = "year"
	}
	return id
}

// week is the truth version in force at t.
func (b *bulk) week(t time.Time) int64 {
	return int64(math.Floor(float64(t.Sub(b.opt.Start)) / float64(bulkWeek)))
}

// fieldChange reports whether the truth of field changes in week wk.
func (b *bulk) fieldChange(id *bulkID, f string, wk int64) bool {
	p := 0.1
	switch f {
	case "billing_status":
		p = 0.25
	case "seats":
		p = 0.3
	case "company_name":
		p = 0.03
	}
	return unit(mix(b.w.seed, streamBulkValue, uint64(id.idx), nameHash(f), uint64(wk))) < p
}

// truth is a field's true value in week wk: the base value, or the value
// the last change at or before wk set.
func (b *bulk) truth(id *bulkID, f string, wk int64) any {
	changed := int64(math.MinInt64)
	for k := wk; k >= -5; k-- {
		if b.fieldChange(id, f, k) {
			changed = k
			break
		}
	}
	r := b.w.rng(streamBulkValue, uint64(id.idx)<<8^nameHash(f)^uint64(changed))
	switch f {
	case "email":
		if changed == math.MinInt64 {
			return id.first + "." + id.last + "@" + id.domain
		}
		return pick(r, firstNames) + "." + pick(r, lastNames) + "@" + id.domain
	case "company_name":
		if changed == math.MinInt64 {
			return id.company
		}
		return id.company + " " + pick(r, qualifiers)
	case "billing_status":
		if changed == math.MinInt64 {
			return weighted(r, []string{"trialing", "active"}, []int{30, 70})
		}
		return weighted(r, statuses, []int{5, 60, 12, 8, 4, 4, 4, 3})
	case "plan_tier":
		return weighted(r, plans[1:], []int{50, 38, 12})
	case "account_owner":
		return pick(r, repNames)[0] + "." + pick(r, repNames)[1] + "@ledgerloop.io"
	case "seats":
		return 1 + r.IntN(120)
	}
	return plausible(r, f, &customer{company: id.company, domain: id.domain})
}

// asserted is the value a source asserts for a field in week wk: the truth,
// or with the conflict rate a value of its own.
func (b *bulk) asserted(id *bulkID, src int, f string, wk int64) any {
	v := b.truth(id, f, wk)
	h := mix(b.w.seed, streamBulkValue+1, uint64(id.idx), nameHash(f), uint64(wk), uint64(src))
	if unit(h) >= b.opt.ConflictRate {
		return v
	}
	n := int(h & 0xffff)
	switch f {
	case "email":
		return billingMailboxes[n%len(billingMailboxes)] + "@" + id.domain
	case "company_name":
		return v.(string) + legalSuffix[n%len(legalSuffix)]
	case "billing_status":
		return statuses[(slices.Index(statuses, v.(string))+1+n%3)%len(statuses)]
	case "plan_tier":
		return plans[1+(slices.Index(plans, v.(string))+n%2)%3]
	case "account_owner":
		rn := repNames[n%len(repNames)]
		return rn[0] + "." + rn[1] + "@ledgerloop.io"
	case "seats":
		return v.(int) + 1 + n%5
	}
	return v
}

// values are the source's asserted values of every world field in week wk.
func (b *bulk) values(id *bulkID, src int, wk int64) map[string]any {
	m := make(map[string]any, len(b.w.fields))
	for _, f := range b.w.fields {
		m[f] = b.asserted(id, src, f, wk)
	}
	return m
}

// bulkUp is one update of a state customer.
type bulkUp struct {
	t    time.Time
	kind int
}

// statePlan is the customer's updates after its creations, in time order.
func (b *bulk) statePlan(id *bulkID) []bulkUp {
	r := b.w.rng(streamBulkPlan, uint64(id.idx))
	avg := b.opt.EventsPerCustomer
	if avg == 0 {
		avg = DefaultEventsPerCustomer
	}
	extra := max(0, avg-float64(len(b.kinds)))
	n := int(math.Floor(2*extra*r.Float64() + r.Float64()))
	if id.idx == 0 && b.opt.HeavyEvents > 0 {
		n = max(0, b.opt.HeavyEvents-len(b.kinds))
	}
	lo, hi := id.created.Add(time.Hour), b.opt.Start.Add(window)
	ups := make([]bulkUp, n)
	for i := range ups {
		ups[i] = bulkUp{t: timeIn(r, lo, hi).Truncate(time.Microsecond), kind: b.pickKind(r.Float64(), b.kinds)}
	}
	slices.SortStableFunc(ups, func(a, b bulkUp) int { return a.t.Compare(b.t) })
	return ups
}

// pickKind chooses among kinds by weight, u uniform in [0, 1).
func (b *bulk) pickKind(u float64, kinds []int) int {
	var total float64
	for _, k := range kinds {
		total += kindWeight[k]
	}
	u *= total
	for _, k := range kinds {
		if u < kindWeight[k] {
			return k
		}
		u -= kindWeight[k]
	}
	return kinds[len(kinds)-1]
}

// bulkFile is one file to write: a range of customers (state) or of the
// source's batch lines.
type bulkFile struct {
	src    *bulkSource
	name   string
	lo, hi int
}

func (b *bulk) files() []bulkFile {
	var out []bulkFile
	for _, bs := range b.sources {
		if b.opt.Mode == ModeState {
			avg := b.opt.EventsPerCustomer
			if avg == 0 {
				avg = DefaultEventsPerCustomer
			}
			perCust := float64(len(bs.kinds)) + max(0, avg-float64(len(b.kinds)))*bs.weight/b.total
			step := max(1, int(bulkLinesPerFile/perCust))
			for lo, k := 0, 1; lo < b.opt.Customers; lo, k = lo+step, k+1 {
				out = append(out, bulkFile{bs, fmt.Sprintf("state-%05d.json", k), lo, min(lo+step, b.opt.Customers)})
			}
			continue
		}
		n := b.batchLines(bs)
		tag := fmt.Sprintf("%08x", uint32(b.batchKey^b.batchKey>>32))
		for lo, k := 0, 1; lo < n || k == 1; lo, k = lo+bulkLinesPerFile, k+1 {
			out = append(out, bulkFile{bs, fmt.Sprintf("batch-%s-%05d.json", tag, k), lo, min(lo+bulkLinesPerFile, n)})
		}
	}
	return out
}

// batchLines is the source's share of the batch's lines.
func (b *bulk) batchLines(bs *bulkSource) int {
	var before float64
	for _, o := range b.sources[:bs.i] {
		before += o.weight
	}
	lo := int(math.Round(float64(b.opt.Events) * before / b.total))
	hi := int(math.Round(float64(b.opt.Events) * (before + bs.weight) / b.total))
	return hi - lo
}

type fileResult struct {
	events, dups int
	err          error
}

// writeBulk writes a state or a batch; see the comment at the top of the
// file.
func writeBulk(dir string, sources []Source, opt Options) (Summary, error) {
	b := newBulk(sources, opt)
	files := b.files()
	results := make([]fileResult, len(files))
	for _, f := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(f.src.s.Landing)), 0o755); err != nil {
			return Summary{}, fmt.Errorf("sample: write %s: %w", f.src.s.Name, err)
		}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = b.writeFile(dir, files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	sum := Summary{Events: map[string]int{}}
	for _, s := range sources {
		sum.Events[s.Name] = 0
	}
	for i, f := range files {
		if err := results[i].err; err != nil {
			return Summary{}, fmt.Errorf("sample: write %s: %w", path.Join(f.src.s.Landing, f.name), err)
		}
		sum.Events[f.src.s.Name] += results[i].events
		sum.Duplicates += results[i].dups
		sum.Files = append(sum.Files, path.Join(f.src.s.Landing, f.name))
	}
	slices.Sort(sum.Files)
	return sum, nil
}

func (b *bulk) writeFile(dir string, f bulkFile) (res fileResult) {
	fh, err := os.Create(filepath.Join(dir, filepath.FromSlash(f.src.s.Landing), f.name))
	if err != nil {
		return fileResult{err: err}
	}
	bw := bufio.NewWriterSize(fh, 1<<20)
	var buf bytes.Buffer
	emit := func(o *obj) {
		buf.Reset()
		encode(&buf, o)
		buf.WriteByte('\n')
		bw.Write(buf.Bytes())
	}
	if b.opt.Mode == ModeState {
		for i := f.lo; i < f.hi; i++ {
			res.events += b.stateEvents(f.src, b.ident(i), emit)
		}
	} else {
		res.events, res.dups = b.batchEvents(f.src, f.lo, f.hi, emit)
	}
	if err := bw.Flush(); err != nil {
		fh.Close()
		return fileResult{err: err}
	}
	if err := fh.Close(); err != nil {
		return fileResult{err: err}
	}
	return res
}

// stateEvents writes one customer's events of one source: the creations,
// then the source's updates from the customer's plan.
func (b *bulk) stateEvents(bs *bulkSource, id *bulkID, emit func(*obj)) int {
	n := 0
	for _, k := range bs.kinds {
		t := id.created
		if k == kindAccount {
			t = t.Add(5 * time.Minute)
		} else if k == kindCustomer || k == kindSubscription {
			t = t.Add(time.Minute + time.Duration(k-kindCustomer)*time.Second)
		}
		emit(b.event(bs, id, k, t, true, uint64(n), false))
		n++
	}
	for _, u := range b.statePlan(id) {
		if slices.Contains(bs.kinds, u.kind) {
			emit(b.event(bs, id, u.kind, u.t, false, uint64(n), false))
			n++
		}
	}
	return n
}

// batchLine is the event at line j of a source's batch.
type batchLine struct {
	cust int
	kind int
	t    time.Time
	disc uint64
}

func (b *bulk) batchLineAt(bs *bulkSource, j, n int) batchLine {
	r := b.w.rng(b.batchKey^nameHash(bs.s.Name), uint64(j))
	custs := b.opt.Customers
	if b.opt.BatchCustomers > 0 {
		custs = min(custs, b.opt.BatchCustomers)
	}
	bl := batchLine{cust: r.IntN(custs), kind: b.pickKind(r.Float64(), bs.kinds), disc: uint64(j)}
	switch {
	case !chance(r, b.opt.LateShare):
		off := time.Duration(int64(batchWindow) * int64(j) / int64(max(n, 1)))
		bl.t = BatchStart(b.opt.Start).Add(off + between(r, 0, 999*time.Millisecond)).Truncate(time.Microsecond)
	case b.opt.LateWithin > 0:
		bl.t = BatchStart(b.opt.Start).Add(-between(r, time.Minute, b.opt.LateWithin)).Truncate(time.Microsecond)
	default:
		bl.t = b.opt.Start.Add(-between(r, time.Hour, window)).Truncate(time.Microsecond)
	}
	return bl
}

// batchEvents writes lines [lo, hi) of the source's batch.
func (b *bulk) batchEvents(bs *bulkSource, lo, hi int, emit func(*obj)) (events, dups int) {
	n := b.batchLines(bs)
	for j := lo; j < hi; j++ {
		orig, redelivered := j, false
		for orig > 0 {
			r := b.w.rng(b.batchKey^nameHash(bs.s.Name)^streamBulkRedelivery, uint64(orig))
			if !chance(r, b.opt.DuplicateShare) {
				break
			}
			orig, redelivered = orig-1-r.IntN(min(orig, 500)), true
		}
		bl := b.batchLineAt(bs, orig, n)
		emit(b.event(bs, b.ident(bl.cust), bl.kind, bl.t, false, 1<<20+bl.disc, redelivered))
		if redelivered {
			dups++
		} else {
			events++
		}
	}
	return events, dups
}

// event renders one event of a kind at t; disc tells apart events of the
// same record at the same instant.
func (b *bulk) event(bs *bulkSource, id *bulkID, kind int, t time.Time, create bool, disc uint64, redelivered bool) *obj {
	wk := b.week(t)
	r := b.w.rng(mix(b.w.seed, uint64(id.idx), uint64(kind), disc, uint64(t.UnixMicro())), 7)
	switch kind {
	case kindRow:
		return b.debeziumEvent(bs, id, t, create, disc, redelivered, wk, r)
	case kindAccount:
		return b.salesforceEvent(bs, id, t, create, disc, wk, r)
	case kindCustomer:
		return b.stripeEvent(bs, id, t, create, "customer", wk, r)
	default:
		return b.stripeEvent(bs, id, t, create, "subscription", wk, r)
	}
}

func (b *bulk) debeziumEvent(bs *bulkSource, id *bulkID, t time.Time, create bool, disc uint64, redelivered bool, wk int64, r *rand.Rand) *obj {
	s := bs.s
	c := &customer{acct: id.acct, created: id.created}
	st := &appState{vals: b.values(id, bs.i, wk), updated: t.Add(-time.Duration(1+r.IntN(4000)) * time.Microsecond)}
	if create {
		st.updated = id.created
	}
	schema, table := "public", s.Name
	if s.Table != "" {
		table = s.Table
		if i := lastDot(s.Table); i >= 0 {
			schema, table = s.Table[:i], s.Table[i+1:]
		}
	}
	tsUs := t.UnixMicro()
	lsn := (tsUs-b.epochUs)*16 + int64(disc%16)
	txID := 700000 + (tsUs-b.epochUs)/1000
	source := newObj().
		add("version", debeziumVersion).
		add("connector", "postgresql").
		add("name", s.Name).
		add("ts_ms", tsUs/1000).
		add("snapshot", "false").
		add("db", s.Name).
		add("sequence", fmt.Sprintf(`["%d","%d"]`, lsn-64-int64(disc%64), lsn)).
		add("ts_us", tsUs).
		add("ts_ns", tsUs*1000).
		add("schema", schema).
		add("table", table).
		add("txId", txID).
		add("lsn", lsn).
		add("xmin", nil)
	op := "u"
	if create {
		op = "c"
	}
	top := tsUs + 20_000 + r.Int64N(1_500_000)
	if redelivered {
		top += int64(3 * time.Minute / time.Microsecond)
	}
	return newObj().
		add("before", nil).
		add("after", b.w.appRow(s, c, st)).
		add("source", source).
		add("op", op).
		add("ts_ms", top/1000).
		add("ts_us", top).
		add("ts_ns", top*1000).
		add("transaction", nil)
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// crmPresent is how Salesforce shows an agreed value: picklists in title
// case, as the spec's normalization maps them back.
func crmPresent(f string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch f {
	case "billing_status":
		switch s {
		case "past_due":
			return "Past Due"
		case "canceled":
			return "Cancelled"
		case "incomplete_expired":
			return s
		}
		return title(s)
	case "plan_tier":
		return title(s)
	}
	return v
}

func (b *bulk) salesforceEvent(bs *bulkSource, id *bulkID, t time.Time, create bool, disc uint64, wk int64, r *rand.Rand) *obj {
	s := bs.s
	vals := b.values(id, bs.i, wk)
	for f, v := range vals {
		vals[f] = crmPresent(f, v)
	}
	rec := &crmRec{vals: vals, link: id.acct, typ: "Customer"}
	ms := t.UnixMilli()
	user := b.repUsers[r.IntN(len(b.repUsers))]
	var body *obj
	changed, nulled := []string{}, []string{}
	kind := "CREATE"
	if create {
		body = b.w.crmDoc(s, rec)
		body.set("CreatedDate", ms).set("CreatedById", user).set("LastModifiedDate", ms).set("LastModifiedById", user)
	} else {
		kind = "UPDATE"
		cur := b.w.crmDoc(s, rec)
		body = newObj()
		for range 1 + r.IntN(2) {
			f := b.w.fields[r.IntN(len(b.w.fields))]
			p := s.Fields[f]
			if p == "" {
				continue
			}
			top := p
			if i := indexDot(p); i >= 0 {
				top = p[:i]
			}
			if body.has(top) {
				continue
			}
			changed, nulled = putCurrent(body, cur, top, changed, nulled)
		}
		body.add("LastModifiedDate", ms)
		changed = append(changed, "LastModifiedDate")
	}
	entity := s.Table
	if entity == "" {
		entity = "Account"
	}
	rel := ms - b.epochUs/1000
	header := newObj().
		add("entityName", entity).
		add("recordIds", []string{id.sfid}).
		add("changeType", kind).
		add("changeOrigin", sfOriginUI).
		add("transactionKey", uuid(r)).
		add("sequenceNumber", 1).
		add("commitTimestamp", ms).
		add("commitNumber", int64(10_700_000_000_000)+rel*1024+int64(disc%1024)).
		add("commitUser", user).
		add("changedFields", changed).
		add("nulledFields", nulled).
		add("diffFields", []string{})
	payload := newObj().add("ChangeEventHeader", header)
	for i, k := range body.keys {
		payload.set(k, body.vals[i])
	}
	return newObj().
		add("schema", "bulkSchemaId00000000000").
		add("payload", payload).
		add("event", newObj().add("replayId", rel*1024+int64(disc%1024)))
}

func indexDot(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// bulkRepUsers are the Salesforce users of the sales reps.
func bulkRepUsers() []string {
	out := make([]string, len(repNames))
	for i := range repNames {
		out[i] = sfID("005", "Dn", 40000+uint64(i)*7919)
	}
	return out
}

// stripePrev is a customer's previous_attributes: the old value of every
// mapped attribute whose value changed (null where it was absent), in the
// API's order.
func (b *bulk) stripePrev(s Source, old, cur map[string]any) *obj {
	prev := newObj()
	for _, f := range b.w.fields {
		p := s.Fields[f]
		if p == "" {
			continue
		}
		ov, _ := fieldValue(s.Format, p, old[f])
		nv, _ := fieldValue(s.Format, p, cur[f])
		if !sameJSON(ov, nv) {
			setPath(prev, p, ov)
		}
	}
	if len(prev.keys) == 0 {
		prev.add("metadata", newObj())
	}
	return stripeOrder(prev).(*obj)
}

func (b *bulk) stripeEvent(bs *bulkSource, id *bulkID, t time.Time, create bool, object string, wk int64, r *rand.Rand) *obj {
	s := bs.s
	t = t.Truncate(time.Second)
	created := id.created.Add(time.Minute).Truncate(time.Second)
	cusAt := func(vals map[string]any) *stripeCus {
		return &stripeCus{id: id.cus, c: &customer{acct: id.acct}, created: created, vals: vals,
			linked: true, prefix: id.prefix, currency: "usd", alive: true}
	}
	data := newObj()
	typ := "customer." + map[bool]string{true: "created", false: "updated"}[create]
	vals := b.values(id, bs.i, wk)
	if object == "customer" {
		sc := cusAt(vals)
		data.add("object", b.w.stripeObject(s, sc))
		if !create {
			data.add("previous_attributes", b.stripePrev(s, b.values(id, bs.i, wk-1), vals))
		}
	} else {
		typ = "customer.subscription." + map[bool]string{true: "created", false: "updated"}[create]
		subOf := func(vals map[string]any) *stripeSub {
			status, _ := vals["billing_status"].(string)
			tier, _ := vals["plan_tier"].(string)
			interval := id.interval
			if tier == "enterprise" {
				interval = "year"
			}
			p := bs.sub.cat.price(tier, interval)
			if p == nil {
				p = bs.sub.cat.prices[0]
			}
			seats, _ := vals["seats"].(int)
			sub := &stripeSub{id: id.sub, itemID: id.item, created: created.Add(time.Second), status: status, price: p, qty: max(1, seats),
				anchor: created, periodStart: created, periodEnd: p.next(created), latestInvoice: "in_1" + id.sub[5:], account: id.acct}
			if status == "trialing" {
				sub.trialStart, sub.trialEnd = created, created.Add(14*day)
			}
			if status == "canceled" || status == "incomplete_expired" {
				sub.canceledAt, sub.endedAt = t, t
			}
			return sub
		}
		cur := subOf(vals)
		m := &subSim{feed: bs.sub, sc: cusAt(vals)}
		data.add("object", m.render(cur))
		if !create {
			// The attributes the trueup fields read, in the API's order;
			// the other attributes that change with them (items, trial and
			// cancellation times) are left out.
			old := subOf(b.values(id, bs.i, wk-1))
			prev := newObj()
			if old.price != cur.price {
				prev.add("plan", old.price.plan)
			}
			if old.qty != cur.qty {
				prev.add("quantity", old.qty)
			}
			if old.status != cur.status {
				prev.add("status", old.status)
			}
			if len(prev.keys) == 0 {
				prev.add("metadata", newObj())
			}
			data.add("previous_attributes", prev)
		}
	}
	var key any
	if chance(r, 0.6) {
		key = uuid(r)
	}
	return newObj().
		add("id", "evt_1"+alnum(r, 23)).
		add("object", "event").
		add("api_version", stripeAPIVersion).
		add("created", t.Unix()).
		add("data", data).
		add("livemode", false).
		add("pending_webhooks", 1).
		add("request", newObj().add("id", "req_"+alnum(r, 14)).add("idempotency_key", key)).
		add("type", typ)
}
