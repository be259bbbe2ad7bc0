package local

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/spec"
)

// testRecord is one source record of a rule test: the customer it links
// to and the values it asserts, each at its event time.
type testRecord struct {
	src      *spec.Source
	key      string
	customer string
	values   []*spec.TestValue
}

// eventWriter writes a rule test's records as their producers would land
// them: one JSON event a line, in the source's format. seq numbers every
// event (LSNs, commit numbers, replay ids, event ids), so ties of event time
// end in the order the events are written.
type eventWriter struct {
	seq   int
	lines map[string][]string // source name -> lines
}

func (w *eventWriter) next() int { w.seq++; return w.seq }

func (w *eventWriter) emit(src string, doc map[string]any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	w.lines[src] = append(w.lines[src], string(b))
	return nil
}

// emitMoments writes one event a moment of r's source: event builds the
// i-th from its moment m and its sequence number n.
func (w *eventWriter) emitMoments(r *testRecord, ms []moment, event func(i int, m moment, n int) map[string]any) error {
	for i, m := range ms {
		if err := w.emit(r.src.Name, event(i, m, w.next())); err != nil {
			return err
		}
	}
	return nil
}

// jsonValue is a test value as the source's JSON writes it.
func jsonValue(v *spec.TestValue) any {
	if v.Value == nil {
		return nil
	}
	switch v.Kind {
	case "number":
		return json.Number(*v.Value)
	case "boolean":
		return *v.Value == "true"
	}
	return *v.Value
}

// setPath sets a dotted path of a document, creating objects on the way,
// and arrays where a segment is an index (items.data.0.price).
func setPath(doc map[string]any, path []string, v any) {
	doc[path[0]] = setIn(doc[path[0]], path[1:], v)
}

func setIn(node any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	if n, err := strconv.Atoi(path[0]); err == nil && n >= 0 && n < 100 {
		arr, _ := node.([]any)
		for len(arr) <= n {
			arr = append(arr, nil)
		}
		arr[n] = setIn(arr[n], path[1:], v)
		return arr
	}
	m, ok := node.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	m[path[0]] = setIn(m[path[0]], path[1:], v)
	return m
}

// moment is the values of a record asserted at one event time.
type moment struct {
	at     time.Time
	values []*spec.TestValue
}

// moments groups values by event time, earliest first.
func moments(values []*spec.TestValue) []moment {
	var out []moment
	for _, v := range values {
		i := sort.Search(len(out), func(i int) bool { return !out[i].at.Before(v.At) })
		if i < len(out) && out[i].at.Equal(v.At) {
			out[i].values = append(out[i].values, v)
			continue
		}
		out = append(out, moment{})
		copy(out[i+1:], out[i:])
		out[i] = moment{at: v.At, values: []*spec.TestValue{v}}
	}
	return out
}

// record writes the events of one record.
func (w *eventWriter) record(r *testRecord) error {
	own, children := r.values, map[string][]*spec.TestValue{}
	var childNames []string
	if len(r.src.Children) > 0 {
		own = nil
		for _, v := range r.values {
			if m := r.src.Mapping(v.Field); m != nil && m.Child != "" {
				if _, ok := children[m.Child]; !ok {
					childNames = append(childNames, m.Child)
				}
				children[m.Child] = append(children[m.Child], v)
				continue
			}
			own = append(own, v)
		}
	}
	ms := moments(own)
	if len(ms) == 0 {
		// The record exists (the parent of its children) and asserts
		// nothing of the test's fields: it comes first.
		first := r.values[0].At
		for _, v := range r.values {
			if v.At.Before(first) {
				first = v.At
			}
		}
		ms = []moment{{at: first}}
	}
	var err error
	switch r.src.Format {
	case spec.FormatDebezium:
		err = w.debezium(r, ms)
	case spec.FormatWal2JSON:
		err = w.wal2json(r, ms)
	case spec.FormatSalesforceCDC:
		err = w.salesforce(r, ms)
	case spec.FormatStripeEvents:
		err = w.stripe(r, ms)
	default:
		err = fmt.Errorf("format %q", r.src.Format)
	}
	if err != nil {
		return err
	}
	for _, name := range childNames {
		if err := w.stripeChild(r, r.src.Child(name), moments(children[name])); err != nil {
			return err
		}
	}
	return nil
}

// row is the table row of a CDC record at moment m: its key, its customer
// and the values the moment sets.
func (r *testRecord) row(m moment) map[string]any {
	row := map[string]any{}
	setPath(row, r.src.Key, r.key)
	setPath(row, r.src.Customer, r.customer)
	for _, v := range m.values {
		setPath(row, r.src.Mapping(v.Field).Path, jsonValue(v))
	}
	return row
}

func (w *eventWriter) debezium(r *testRecord, ms []moment) error {
	schema, table, _ := strings.Cut(r.src.Table, ".")
	return w.emitMoments(r, ms, func(i int, m moment, n int) map[string]any {
		op := "c"
		if i > 0 {
			op = "u"
		}
		ms := m.at.UnixMilli()
		return map[string]any{
			"before": nil, "after": r.row(m), "op": op, "ts_ms": ms,
			"source": map[string]any{"ts_ms": ms, "lsn": n, "txId": n, "db": "trueup_test", "schema": schema, "table": table, "snapshot": "false"},
		}
	})
}

func (w *eventWriter) wal2json(r *testRecord, ms []moment) error {
	schema, table, _ := strings.Cut(r.src.Table, ".")
	return w.emitMoments(r, ms, func(i int, m moment, n int) map[string]any {
		row := r.row(m)
		names := make([]string, 0, len(row))
		for c := range row {
			names = append(names, c)
		}
		sort.Strings(names)
		var cols []map[string]any
		for _, c := range names {
			typ := "text"
			switch row[c].(type) {
			case json.Number:
				typ = "numeric"
			case bool:
				typ = "boolean"
			case map[string]any:
				typ = "jsonb"
			}
			cols = append(cols, map[string]any{"name": c, "type": typ, "value": row[c]})
		}
		doc := map[string]any{
			"action": "I", "xid": n, "lsn": fmt.Sprintf("0/%X", n), "schema": schema, "table": table, "columns": cols,
			"timestamp": m.at.UTC().Format("2006-01-02 15:04:05.000000") + "+00",
		}
		if i > 0 {
			doc["action"] = "U"
			doc["identity"] = []map[string]any{{"name": r.src.Key[0], "type": "text", "value": r.key}}
		}
		return doc
	})
}

func (w *eventWriter) salesforce(r *testRecord, ms []moment) error {
	return w.emitMoments(r, ms, func(i int, m moment, n int) map[string]any {
		payload := map[string]any{}
		changed, nulled := []string{}, []string{}
		if i == 0 {
			setPath(payload, r.src.Customer, r.customer)
		}
		for _, v := range m.values {
			path := r.src.Mapping(v.Field).Path
			setPath(payload, path, jsonValue(v))
			if v.Value == nil {
				nulled = append(nulled, strings.Join(path, "."))
			} else {
				changed = append(changed, strings.Join(path, "."))
			}
		}
		change := "CREATE"
		if i > 0 {
			change = "UPDATE"
		} else {
			changed, nulled = []string{}, []string{}
		}
		payload["ChangeEventHeader"] = map[string]any{
			"entityName": r.src.Object, "recordIds": []string{r.key}, "changeType": change, "changeOrigin": "trueup test",
			"transactionKey": fmt.Sprintf("trueup-test-%06d", n), "sequenceNumber": 1, "commitTimestamp": m.at.UnixMilli(),
			"commitNumber": n, "commitUser": "005000000000000", "changedFields": changed, "nulledFields": nulled, "diffFields": []string{},
		}
		return map[string]any{"payload": payload, "event": map[string]any{"replayId": n}}
	})
}

// stripe writes snapshots: every event carries the whole object as it is
// then (an absent key is null).
func (w *eventWriter) stripe(r *testRecord, ms []moment) error {
	obj := map[string]any{"object": r.src.Object}
	setPath(obj, r.src.Key, r.key)
	setPath(obj, r.src.Customer, r.customer)
	return w.snapshots(r, obj, r.src.Object, ms)
}

// stripeChild writes the snapshots of the record's one child (its
// subscription), created at the first of its values' times.
func (w *eventWriter) stripeChild(r *testRecord, c *spec.Child, ms []moment) error {
	obj := map[string]any{"object": c.Object}
	setPath(obj, c.Key, fmt.Sprintf("%s_%s", c.Name, r.key))
	setPath(obj, c.Parent, r.key)
	if c.Latest != nil {
		setPath(obj, c.Latest, ms[0].at.Unix())
	}
	return w.snapshots(r, obj, r.src.Object+"."+c.Object, ms)
}

// snapshots writes the Stripe events of obj, typ.created then typ.updated,
// each moment setting its values on obj first.
func (w *eventWriter) snapshots(r *testRecord, obj map[string]any, typ string, ms []moment) error {
	return w.emitMoments(r, ms, func(i int, m moment, n int) map[string]any {
		for _, v := range m.values {
			setPath(obj, r.src.Mapping(v.Field).Path, jsonValue(v))
		}
		ev := typ + ".created"
		if i > 0 {
			ev = typ + ".updated"
		}
		return stripeEvent(n, ev, m.at, clone(obj))
	})
}

func stripeEvent(n int, typ string, at time.Time, obj map[string]any) map[string]any {
	return map[string]any{"id": fmt.Sprintf("evt_trueuptest%06d", n), "object": "event", "type": typ, "created": at.Unix(),
		"livemode": false, "data": map[string]any{"object": obj}}
}

// clone copies a document deeply, so that later events do not change it.
func clone(doc map[string]any) map[string]any {
	return cloneValue(doc).(map[string]any)
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
