package plan

import (
	"strings"
	"testing"
)

func TestNamed(t *testing.T) {
	got := named("SELECT {{a}} FROM {{t}} WHERE {{a}} > 0", map[string]string{"a": "x", "t": "s.t"})
	if want := "SELECT x FROM s.t WHERE x > 0"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, c := range []struct {
		text string
		vals map[string]string
		want string
	}{
		{"SELECT {{a}}", map[string]string{}, "placeholder {{a}} has no value"},
		{"SELECT {{a}}", map[string]string{"a": "1", "b": "2"}, "values no placeholder uses: b"},
	} {
		func() {
			defer func() {
				r, _ := recover().(string)
				if !strings.Contains(r, c.want) {
					t.Errorf("named(%q): panic %q, want %q", c.text, r, c.want)
				}
			}()
			named(c.text, c.vals)
		}()
	}
}
