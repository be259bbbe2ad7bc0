package sqlparen

import (
	"strings"
	"testing"
)

func TestClosing(t *testing.T) {
	id := func(s string) string { return s }
	for _, c := range []struct {
		toks string
		open int
		want int
	}{
		{"( a )", 0, 2},
		{"f ( ( a ) b ) c", 1, 6},
		{"f ( ( a ) b ) c", 2, 4},
		{"( a ( b )", 0, -1},
		{"a", 5, -1},
	} {
		if got := Closing(strings.Fields(c.toks), c.open, id); got != c.want {
			t.Errorf("Closing(%q, %d) = %d, want %d", c.toks, c.open, got, c.want)
		}
	}
}
