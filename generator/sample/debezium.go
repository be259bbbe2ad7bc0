package sample

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

const (
	debeziumVersion  = "2.7.0.Final"
	toastPlaceholder = "__debezium_unavailable_value"
)

// appState is one row of the application table.
type appState struct {
	vals    map[string]any
	notes   any // nil or string
	updated time.Time
}

type appOp struct {
	t        time.Time
	kind     byte // 'r' snapshot read, 'c', 'u', 'd'
	c        *customer
	vals     map[string]any
	notes    any
	notesSet bool
	ord      int
}

// dbzEvent is a change event before its top-level (processing) timestamp is
// rendered, so a redelivery after a connector restart can be written with a
// new one.
type dbzEvent struct {
	before, after any
	op            string
	source        *obj
	topUs         int64
}

func (e dbzEvent) render(topUs int64) []byte {
	o := newObj().
		set("before", e.before).
		set("after", e.after).
		set("source", e.source).
		set("op", e.op).
		set("ts_ms", topUs/1000).
		set("ts_us", topUs).
		set("ts_ns", topUs*1000).
		set("transaction", nil)
	return line(o)
}

// debeziumFeed writes the application database as Debezium's PostgreSQL
// connector emits it: an initial snapshot (op "r") of the accounts that
// existed when the connector started, then one transaction per change.
// The table runs with REPLICA IDENTITY DEFAULT for the first two weeks
// (updates without "before", deletes with only the key, unchanged TOASTed
// notes as the placeholder) and FULL afterwards. The connector restarts
// once, re-emitting the last events of the first file (same source
// position, later ts_ms) at the start of the second.
func (w *world) debeziumFeed(s Source) *feed {
	h := nameHash(s.Name)
	g := w.rng(h, 0)
	var ops []appOp
	push := func(op appOp) {
		op.ord = len(ops)
		ops = append(ops, op)
	}
	snap := 0
	for _, c := range w.custs {
		r := w.rng(h, uint64(c.idx)+1)
		vals := map[string]any{}
		for _, f := range w.fields {
			vals[f] = appValue(r, f, c.init[f])
		}
		op := appOp{t: c.created, kind: 'c', c: c, vals: vals, notes: appNotes(r, c), notesSet: true}
		if c.snapshot {
			op.t, op.kind = w.start.Add(time.Duration(snap)*3*time.Millisecond+time.Duration(r.IntN(900))*time.Microsecond), 'r'
			snap++
		}
		push(op)
		for _, ch := range c.changes {
			t := ch.t
			vals := maps.Clone(ch.vals)
			switch ch.origin {
			case originApp:
				if e, ok := vals["email"].(string); ok && chance(r, 0.1) {
					vals["email"] = typedEmail(e)
				}
			case originBilling:
				// The app learns billing changes from Stripe webhooks and
				// misses some of them.
				if !chance(r, 0.9) {
					continue
				}
				t = t.Add(between(r, 2*time.Second, 10*time.Minute))
			case originCRM:
				// A nightly job copies some CRM edits back at 02:00 UTC.
				if !chance(r, 0.35) {
					continue
				}
				next := time.Date(t.Year(), t.Month(), t.Day(), 2, 0, 0, 0, time.UTC).Add(day)
				t = next.Add(between(r, 0, 20*time.Minute))
			}
			if t.After(w.end) || (!c.deleted.IsZero() && !t.Before(c.deleted)) {
				continue
			}
			push(appOp{t: t, kind: 'u', c: c, vals: vals})
		}
		if chance(r, 0.1) {
			t := timeIn(r, c.tmin, w.end)
			if c.deleted.IsZero() || t.Before(c.deleted) {
				push(appOp{t: t, kind: 'u', c: c, notes: appNotes(r, c), notesSet: true})
			}
		}
		if !c.cancelT.IsZero() && !c.cancelT.After(w.end) {
			// The app cancels the account itself before deleting it, whether
			// or not it saw the billing change.
			push(appOp{t: c.cancelT, kind: 'u', c: c, vals: map[string]any{"billing_status": "canceled"}})
		}
		if !c.deleted.IsZero() && !c.deleted.After(w.end) {
			push(appOp{t: c.deleted, kind: 'd', c: c})
		}
	}
	slices.SortStableFunc(ops, func(a, b appOp) int { return a.t.Compare(b.t) })

	schema, table := "public", s.Name
	if s.Table != "" {
		table = s.Table
		if i := strings.LastIndexByte(s.Table, '.'); i >= 0 {
			schema, table = s.Table[:i], s.Table[i+1:]
		}
	}
	source := func(tsUs int64, snapshot, sequence string, txID, lsn int64) *obj {
		return newObj().
			set("version", debeziumVersion).
			set("connector", "postgresql").
			set("name", s.Name).
			set("ts_ms", tsUs/1000).
			set("snapshot", snapshot).
			set("db", s.Name).
			set("sequence", sequence).
			set("ts_us", tsUs).
			set("ts_ns", tsUs*1000).
			set("schema", schema).
			set("table", table).
			set("txId", txID).
			set("lsn", lsn).
			set("xmin", nil)
	}

	states := make([]*appState, len(w.custs))
	snapLSN := int64(0x2_3000_0000) + g.Int64N(1<<28)
	snapTx := 780000 + g.Int64N(100000)
	txID, prevCommit := snapTx, snapLSN
	var last time.Time
	var evs []dbzEvent
	snapSeen := 0
	for _, op := range ops {
		c := op.c
		st := states[c.idx]
		t := op.t
		if !t.After(last) {
			t = last.Add(time.Microsecond)
		}
		var ev dbzEvent
		switch op.kind {
		case 'r', 'c':
			st = &appState{vals: op.vals, notes: op.notes, updated: c.created}
			states[c.idx] = st
			ev.after = w.appRow(s, c, st)
			ev.op = string(op.kind)
		case 'u':
			if st == nil {
				continue
			}
			old := w.appRow(s, c, st)
			next := &appState{vals: maps.Clone(st.vals), notes: st.notes}
			for k, v := range op.vals {
				next.vals[k] = v
			}
			if op.notesSet {
				next.notes = op.notes
			}
			next.updated = t.Add(-between(g, 100*time.Microsecond, 5*time.Millisecond))
			after := w.appRow(s, c, next)
			if maps.Equal(next.vals, st.vals) && next.notes == st.notes {
				continue
			}
			states[c.idx] = next
			if t.Before(w.switchT) {
				if c.longNotes && !op.notesSet && next.notes != nil {
					after.set("notes", toastPlaceholder)
				}
			} else {
				ev.before = old
			}
			ev.after = after
			ev.op = "u"
		case 'd':
			if st == nil {
				continue
			}
			old := w.appRow(s, c, st)
			if t.Before(w.switchT) {
				ev.before = nullExcept(old, s.Key)
			} else {
				ev.before = old
			}
			ev.op = "d"
			states[c.idx] = nil
		}
		last = t
		tsUs := t.UnixMicro()
		if op.kind == 'r' {
			snapSeen++
			flag := "true"
			switch {
			case snapSeen == snap:
				flag = "last"
			case snapSeen == 1:
				flag = "first"
			}
			ev.source = source(tsUs, flag, fmt.Sprintf(`[null,"%d"]`, snapLSN), snapTx, snapLSN)
			ev.topUs = tsUs + int64(between(g, 5*time.Millisecond, 60*time.Millisecond)/time.Microsecond)
		} else {
			txID += 1 + g.Int64N(40)
			lsn := prevCommit + 64 + g.Int64N(6000)
			ev.source = source(tsUs, "false", fmt.Sprintf(`["%d","%d"]`, prevCommit, lsn), txID, lsn)
			prevCommit = lsn + 48 + g.Int64N(64)
			ev.topUs = tsUs + int64(between(g, 20*time.Millisecond, 1500*time.Millisecond)/time.Microsecond)
		}
		evs = append(evs, ev)
	}

	// Restart: the offsets of the last events of the first file were not
	// committed, so they come again, with the time they are read again.
	return restartedFeed(evs, 3, func(e dbzEvent) []byte { return e.render(e.topUs) }, func(tail []dbzEvent) [][]byte {
		var lines [][]byte
		restart := tail[len(tail)-1].topUs + int64(between(g, 2*time.Minute, 10*time.Minute)/time.Microsecond)
		for j, e := range tail {
			lines = append(lines, e.render(restart+int64(j)*1000+g.Int64N(1000)))
		}
		return lines
	})
}

// setFields sets on o, at each mapped field's path in s, the field's value
// in vals as the source's format writes it.
func (w *world) setFields(o *obj, s Source, vals map[string]any) {
	for _, f := range w.fields {
		p := s.Fields[f]
		if p == "" {
			continue
		}
		if v, ok := fieldValue(s.Format, p, vals[f]); ok {
			setPath(o, p, v)
		}
	}
}

// appRow renders a row of the accounts table: key, customer link, the
// mapped columns in field order, then notes and the timestamps (Debezium
// writes timestamp columns as microseconds since the epoch).
func (w *world) appRow(s Source, c *customer, st *appState) *obj {
	o := newObj()
	setPath(o, s.Key, c.acct)
	if s.Customer != "" {
		setPath(o, s.Customer, c.acct)
	}
	w.setFields(o, s, st.vals)
	for _, kv := range []struct {
		k string
		v any
	}{{"notes", st.notes}, {"created_at", c.created.UnixMicro()}, {"updated_at", st.updated.UnixMicro()}} {
		if !o.has(kv.k) {
			o.set(kv.k, kv.v)
		}
	}
	return o
}

// appNotes is the free-text notes column: usually empty or a sentence,
// kilobytes of account history for the accounts whose value PostgreSQL
// stores out of line (TOAST).
func appNotes(r interface{ IntN(int) int }, c *customer) any {
	if !c.longNotes {
		if r.IntN(10) < 6 {
			return nil
		}
		return noteSentences[r.IntN(len(noteSentences))]
	}
	var b strings.Builder
	for i := 0; b.Len() < 2600; i++ {
		fmt.Fprintf(&b, "[%s #%d] %s ", c.acct, i+1, noteSentences[r.IntN(len(noteSentences))])
	}
	return strings.TrimSpace(b.String())
}
