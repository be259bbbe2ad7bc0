package jsonkeys

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// reference walks the document with encoding/json's tokenizer: a second,
// independent reading of the same question.
func reference(s string) (dup, ok bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	type level struct {
		obj  bool
		keys map[string]bool
		key  bool // the next token of this object is a key
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false, len(stack) == 0
		}
		if err != nil {
			return false, false
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if k, isStr := tok.(string); isStr {
				if top.keys[k] {
					return true, true
				}
				top.keys[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &level{obj: true, keys: map[string]bool{}, key: true})
		case json.Delim('['):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if top != nil && top.obj {
				top.key = true
			}
		}
	}
}

var cases = []struct {
	doc string
	dup bool
}{
	{`{}`, false},
	{`{"a":1,"b":2}`, false},
	{`{"a":1,"a":2}`, true},
	{`{"a":{"b":1,"b":1}}`, true},
	{`{"a":{"b":1},"c":{"b":1}}`, false},
	{`[{"x":1,"x":2}]`, true},
	{`[{"x":1},{"x":2}]`, false},
	{`{"a":"a","b":"a"}`, false},
	{`{"a":1,"\u0061":2}`, true},
	{`{"a\"b":1,"a\"b":2}`, true},
	{`{"a\\":1,"a":2}`, false},
	{`{"k":["a","a"],"l":{"m":[{"n":1,"n":2}]}}`, true},
	{` { "a" : [ 1 , { "b" : "}" } ] , "c" : "{\"a\":1,\"a\":1}" } `, false},
	{`"a"`, false},
	{`[1,2,"a","a"]`, false},
}

func TestDuplicate(t *testing.T) {
	for _, c := range cases {
		if got := Duplicate(c.doc); got != c.dup {
			t.Errorf("Duplicate(%s) = %v, want %v", c.doc, got, c.dup)
		}
		if ref, ok := reference(c.doc); !ok || ref != c.dup {
			t.Errorf("reference(%s) = %v (valid %v), want %v", c.doc, ref, ok, c.dup)
		}
	}
	var many strings.Builder
	many.WriteString("{")
	for i := 0; i < 100; i++ {
		many.WriteString(`"k` + strings.Repeat("x", i) + `":1,`)
	}
	many.WriteString(`"kxxxxx":2}`)
	if !Duplicate(many.String()) {
		t.Errorf("a repeat among 100 keys is missed")
	}
}

// FuzzDuplicate: on every valid JSON text, Duplicate agrees with the
// tokenizer's reading; on any text it returns.
func FuzzDuplicate(f *testing.F) {
	for _, c := range cases {
		f.Add(c.doc)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Duplicate(s)
		if !json.Valid([]byte(s)) {
			return
		}
		if ref, ok := reference(s); ok && ref != got {
			t.Errorf("Duplicate(%q) = %v, tokenizer says %v", s, got, ref)
		}
	})
}
