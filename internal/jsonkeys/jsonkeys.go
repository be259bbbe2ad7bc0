// Package jsonkeys finds a repeated key in any object of a JSON text, as
// Snowflake's PARSE_JSON rejects such a document
// (https://docs.snowflake.com/en/sql-reference/functions/parse_json):
// DuckDB's parser keeps the first of repeated keys without a word, so the
// local pipeline asks this package instead.
package jsonkeys

import (
	"encoding/json"
	"strings"
	"sync"
)

// linearKeys is the number of keys of an object compared one by one
// before they go into a map.
const linearKeys = 32

// level is an open object or array: an object's keys are keys[from:] of
// the scan.
type level struct {
	object bool
	from   int
	set    map[string]struct{}
}

// scan is the state of one call, pooled: a line allocates nothing.
type scan struct {
	levels []level
	keys   []string
}

var scans = sync.Pool{New: func() any { return &scan{} }}

// add records key in the innermost object and reports whether it was
// there already.
func (sc *scan) add(key string) bool {
	l := &sc.levels[len(sc.levels)-1]
	if l.set != nil {
		if _, ok := l.set[key]; ok {
			return true
		}
		l.set[key] = struct{}{}
		return false
	}
	for _, k := range sc.keys[l.from:] {
		if k == key {
			return true
		}
	}
	sc.keys = append(sc.keys, key)
	if len(sc.keys)-l.from > linearKeys {
		l.set = make(map[string]struct{}, 2*linearKeys)
		for _, k := range sc.keys[l.from:] {
			l.set[k] = struct{}{}
		}
	}
	return false
}

func (sc *scan) push(object bool) {
	sc.levels = append(sc.levels, level{object: object, from: len(sc.keys)})
}

func (sc *scan) pop() {
	if n := len(sc.levels); n > 0 {
		sc.keys = sc.keys[:sc.levels[n-1].from]
		sc.levels = sc.levels[:n-1]
	}
}

func (sc *scan) inObject() bool {
	return len(sc.levels) > 0 && sc.levels[len(sc.levels)-1].object
}

// Duplicate reports whether an object of the JSON text s, at any depth,
// has two members whose names are equal once their escapes are decoded
// ("a" and "\u0061" are one name). It reads the text once, without
// building the document. For text that is not JSON the answer is
// unspecified but the call is safe: validity is the caller's check.
func Duplicate(s string) bool {
	sc := scans.Get().(*scan)
	dup := sc.duplicate(s)
	clear(sc.keys[:cap(sc.keys)])
	sc.levels, sc.keys = sc.levels[:0], sc.keys[:0]
	scans.Put(sc)
	return dup
}

func (sc *scan) duplicate(s string) bool {
	expectKey := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			sc.push(true)
			expectKey = true
		case '[':
			sc.push(false)
			expectKey = false
		case '}', ']':
			sc.pop()
			expectKey = false
		case ',':
			expectKey = sc.inObject()
		case '"':
			end := stringEnd(s, i+1)
			if end < 0 {
				return false
			}
			if expectKey && sc.inObject() {
				key := s[i+1 : end]
				if strings.IndexByte(key, '\\') >= 0 {
					key = unescape(s[i : end+1])
				}
				if sc.add(key) {
					return true
				}
			}
			expectKey = false
			i = end
		}
	}
	return false
}

// stringEnd is the index of the quote closing the string whose content
// starts at from, or -1 when it is not closed.
func stringEnd(s string, from int) int {
	for j := from; j < len(s); {
		q := strings.IndexByte(s[j:], '"')
		if q < 0 {
			return -1
		}
		q += j
		// The quote is escaped when an odd number of backslashes precede it.
		b := q
		for b > from && s[b-1] == '\\' {
			b--
		}
		if (q-b)%2 == 0 {
			return q
		}
		j = q + 1
	}
	return -1
}

// unescape decodes a quoted JSON string; a malformed one stays as written.
func unescape(quoted string) string {
	var out string
	if err := json.Unmarshal([]byte(quoted), &out); err != nil {
		return strings.Trim(quoted, `"`)
	}
	return out
}
