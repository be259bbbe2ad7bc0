package mask

import "testing"

func TestValue(t *testing.T) {
	cases := []struct {
		role     Role
		kind, in string
		want     string
	}{
		{PIIReader, "email", "ann@example.com", "ann@example.com"},
		{Analyst, "email", "ann@example.com", "***@example.com"},
		{Steward, "email", "ann@example.com", "***@example.com"},
		{Analyst, "email", "not an email", "***"},
		{Analyst, "email", "trailing@", "***"},
		{Analyst, "", "Ann Smith", "***"},
		{Role("loader"), "email", "ann@example.com", "***"},
		{Analyst, "email", "", ""},
	}
	for _, c := range cases {
		if got := Value(c.role, c.kind, c.in); got != c.want {
			t.Errorf("Value(%s, %q, %q) = %q, want %q", c.role, c.kind, c.in, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	if r, err := Parse(""); err != nil || r != Default {
		t.Errorf(`Parse("") = %q, %v`, r, err)
	}
	if r, err := Parse("PII_READER"); err != nil || r != PIIReader {
		t.Errorf(`Parse("PII_READER") = %q, %v`, r, err)
	}
	if _, err := Parse("root"); err == nil {
		t.Error(`Parse("root") accepted`)
	}
}
