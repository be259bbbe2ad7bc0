package sample

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// obj is a JSON object that keeps its keys in insertion order, so documents
// come out in the field order their producer uses and byte-identical for a
// seed (encoding/json would sort map keys and escape '&', '<', '>').
type obj struct {
	keys []string
	vals []any
}

func newObj() *obj { return &obj{} }

// set replaces the value of k in place or appends k.
func (o *obj) set(k string, v any) *obj {
	for i, kk := range o.keys {
		if kk == k {
			o.vals[i] = v
			return o
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// add appends k without looking for it: for building objects whose keys
// are known to be distinct.
func (o *obj) add(k string, v any) *obj {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

func (o *obj) get(k string) (any, bool) {
	for i, kk := range o.keys {
		if kk == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

func (o *obj) has(k string) bool {
	_, ok := o.get(k)
	return ok
}

func (o *obj) clone() *obj {
	c := &obj{keys: slices.Clone(o.keys), vals: make([]any, len(o.vals))}
	for i, v := range o.vals {
		if sub, ok := v.(*obj); ok {
			c.vals[i] = sub.clone()
		} else {
			c.vals[i] = v
		}
	}
	return c
}

// setPath sets a dotted path ("metadata.plan_tier"), creating objects on the
// way.
func setPath(o *obj, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		child, _ := o.get(p)
		sub, ok := child.(*obj)
		if !ok {
			sub = newObj()
			o.set(p, sub)
		}
		o = sub
	}
	o.set(parts[len(parts)-1], v)
}

// getPath reads a dotted path; ok is false when any step is missing.
func getPath(o *obj, path string) (any, bool) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		child, _ := o.get(p)
		sub, ok := child.(*obj)
		if !ok {
			return nil, false
		}
		o = sub
	}
	return o.get(parts[len(parts)-1])
}

// lookup reads a dotted path through objects and lists, a numeric step
// indexing a list ("items.data.0.price"); ok is false when a step is missing.
func lookup(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case *obj:
			var ok bool
			if v, ok = x.get(p); !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// settable reports whether setPath can create path in o without replacing
// a value that is not an object.
func settable(o *obj, path string) bool {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		child, ok := o.get(p)
		if !ok {
			return true
		}
		sub, isObj := child.(*obj)
		if !isObj {
			return false
		}
		o = sub
	}
	return true
}

// stripeOrder returns a deep copy of v with the keys of every object the
// way the Stripe API prints them: "id" and "object" first, then the other
// attributes alphabetically; lists keep their order.
func stripeOrder(v any) any {
	switch x := v.(type) {
	case *obj:
		c := newObj()
		for _, k := range []string{"id", "object"} {
			if e, ok := x.get(k); ok {
				c.set(k, stripeOrder(e))
			}
		}
		rest := make([]int, 0, len(x.keys))
		for i, k := range x.keys {
			if k != "id" && k != "object" {
				rest = append(rest, i)
			}
		}
		slices.SortFunc(rest, func(a, b int) int { return strings.Compare(x.keys[a], x.keys[b]) })
		for _, i := range rest {
			c.set(x.keys[i], stripeOrder(x.vals[i]))
		}
		return c
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripeOrder(e)
		}
		return out
	}
	return v
}

// nullExcept returns a copy of o with every leaf set to null except the
// leaf at keep: the shape of a Debezium "before" under REPLICA IDENTITY
// DEFAULT, where only the primary key is known.
func nullExcept(o *obj, keep string) *obj {
	c := newObj()
	for i, k := range o.keys {
		if sub, ok := o.vals[i].(*obj); ok {
			prefix := k + "."
			if strings.HasPrefix(keep, prefix) {
				c.set(k, nullExcept(sub, strings.TrimPrefix(keep, prefix)))
			} else {
				c.set(k, nullExcept(sub, "\x00"))
			}
			continue
		}
		if k == keep {
			c.set(k, o.vals[i])
		} else {
			c.set(k, nil)
		}
	}
	return c
}

// sortedObj returns a deep copy with keys in byte order, except that the keys
// named in first lead (Stripe prints "id" and "object" first, then the
// attributes alphabetically).
func sortedObj(o *obj, first ...string) *obj {
	c := newObj()
	for _, f := range first {
		if v, ok := o.get(f); ok {
			c.set(f, v)
		}
	}
	rest := make([]int, 0, len(o.keys))
	for i, k := range o.keys {
		if !slices.Contains(first, k) {
			rest = append(rest, i)
		}
	}
	slices.SortFunc(rest, func(a, b int) int { return strings.Compare(o.keys[a], o.keys[b]) })
	for _, i := range rest {
		v := o.vals[i]
		if sub, ok := v.(*obj); ok {
			v = sortedObj(sub)
		}
		c.set(o.keys[i], v)
	}
	return c
}

// diffPrev returns, for every key whose value differs between old and new,
// the old value (null when the key was absent), recursing into objects so
// only changed nested keys appear: the shape of Stripe's
// data.previous_attributes.
func diffPrev(old, cur *obj) *obj {
	d := newObj()
	seen := map[string]bool{}
	visit := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		ov, oOK := old.get(k)
		nv, nOK := cur.get(k)
		oo, oIsObj := ov.(*obj)
		no, nIsObj := nv.(*obj)
		if oIsObj && nIsObj {
			if sub := diffPrev(oo, no); len(sub.keys) > 0 {
				d.set(k, sub)
			}
			return
		}
		if oOK && nOK && sameJSON(ov, nv) {
			return
		}
		if !oOK {
			ov = nil
		}
		d.set(k, ov)
	}
	for _, k := range cur.keys {
		visit(k)
	}
	for _, k := range old.keys {
		visit(k)
	}
	return d
}

// changedKeys lists the top-level keys (in new-then-old order) whose value
// differs between old and cur, a key missing on one side counting as null.
func changedKeys(old, cur *obj) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range []*obj{cur, old} {
		for _, k := range o.keys {
			if seen[k] {
				continue
			}
			seen[k] = true
			ov, _ := old.get(k)
			nv, _ := cur.get(k)
			if !bytes.Equal(encodeValue(ov), encodeValue(nv)) {
				out = append(out, k)
			}
		}
	}
	return out
}

// sameJSON reports whether a and b encode to the same JSON, comparing
// shared objects, strings and lists directly before encoding.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case *obj:
		if y, ok := b.(*obj); ok && (x == y || (slices.Equal(x.keys, y.keys) && sameJSONs(x.vals, y.vals))) {
			return true
		}
	case []any:
		if y, ok := b.([]any); ok && sameJSONs(x, y) {
			return true
		}
	}
	return bytes.Equal(encodeValue(a), encodeValue(b))
}

func sameJSONs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameJSON(a[i], b[i]) {
			return false
		}
	}
	return true
}

func encodeValue(v any) []byte {
	var b bytes.Buffer
	encode(&b, v)
	return b.Bytes()
}

// encode writes v as compact JSON. Only the types the generator builds are
// accepted; anything else is a programming error.
func encode(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case string:
		quote(b, x)
	case []string:
		encodeArray(b, x, quote)
	case []any:
		encodeArray(b, x, encode)
	case *obj:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			quote(b, k)
			b.WriteByte(':')
			encode(b, x.vals[i])
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("sample: cannot encode %T", v))
	}
}

// encodeArray writes xs as a JSON array, each element as enc writes it.
func encodeArray[T any](b *bytes.Buffer, xs []T, enc func(*bytes.Buffer, T)) {
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		enc(b, x)
	}
	b.WriteByte(']')
}

func quote(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			// A run of bytes that need no escape, written at once.
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] != '"' && s[j] != '\\' {
				j++
			}
			b.WriteString(s[i:j])
			i = j - 1
			continue
		}
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

func line(v *obj) []byte { return encodeValue(v) }
