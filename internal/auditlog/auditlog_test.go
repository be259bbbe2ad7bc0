package auditlog

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// chain builds a valid chain of n entries.
func chain(n int) []Entry {
	var out []Entry
	prev := Genesis
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: at.Add(time.Duration(i) * time.Minute), Actor: "ann", Action: DQAck, Subject: "freshness b" + string(rune('0'+i)), Detail: `{"reason":"known"}`, PrevHash: prev}
		e.Hash = Sum(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerify(t *testing.T) {
	if err := Verify(chain(5)); err != nil {
		t.Fatalf("a valid chain: %v", err)
	}
	if err := Verify(nil); err != nil {
		t.Fatalf("an empty log: %v", err)
	}
	cases := []struct {
		name   string
		tamper func([]Entry) []Entry
		seq    int64
		reason string
	}{
		{"a field changed", func(es []Entry) []Entry { es[2].Detail = `{"reason":"other"}`; return es }, 3, "was changed"},
		{"a field changed and its hash recomputed", func(es []Entry) []Entry {
			es[2].Actor = "mallory"
			es[2].Hash = Sum(es[2])
			return es
		}, 4, "hash of entry 3"},
		{"an entry deleted", func(es []Entry) []Entry { return append(es[:1], es[2:]...) }, 3, "entry 2 expected"},
		{"the time moved", func(es []Entry) []Entry { es[0].At = es[0].At.Add(time.Microsecond); return es }, 1, "was changed"},
		{"two written after the same one", func(es []Entry) []Entry {
			fork := es[3]
			fork.Subject = "other"
			fork.Hash = Sum(fork)
			return append(es[:4], fork, es[4])
		}, 4, "entry 5 expected"},
	}
	for _, c := range cases {
		err := Verify(c.tamper(chain(5)))
		var be *BrokenError
		if !errors.As(err, &be) || be.Seq != c.seq || !strings.Contains(be.Reason, c.reason) {
			t.Errorf("%s: got %v, want entry %d (%s)", c.name, err, c.seq, c.reason)
		}
	}
}

// TestSumUnambiguous: moving text from one field to the next changes the
// hash.
func TestSumUnambiguous(t *testing.T) {
	a := Entry{Seq: 1, PrevHash: Genesis, Actor: "ab", Action: "c"}
	b := Entry{Seq: 1, PrevHash: Genesis, Actor: "a", Action: "bc"}
	if Sum(a) == Sum(b) {
		t.Error("two entries with the same concatenated text share a hash")
	}
}
