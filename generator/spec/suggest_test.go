package spec

import "testing"

func TestSuggestions(t *testing.T) {
	for _, c := range []struct {
		name  string
		names []string
		want  string
	}{
		{"emial", []string{"email", "status"}, ` (did you mean "email"?)`},
		{"zzzzzz", []string{"email"}, ""},
		{"ap", []string{"app", "crm"}, ` (did you mean "app"?)`},
		{"abc", []string{"xyz"}, ""},
		{"email", []string{"email"}, ""},
	} {
		if got := didYouMean(c.name, c.names); got != c.want {
			t.Errorf("didYouMean(%q, %v) = %q, want %q", c.name, c.names, got, c.want)
		}
	}
	if d := editDistance("kitten", "sitting"); d != 3 {
		t.Errorf("editDistance = %d", d)
	}
}
