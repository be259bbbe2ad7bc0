package sfrules

import "testing"

// TestCatalog runs every rule over the statements generated for the
// project's models and each golden spec. A rule marked Pending logs its
// violations; any other rule fails on them.
func TestCatalog(t *testing.T) {
	sets := generated(t)
	for _, r := range Catalog {
		t.Run(r.Name, func(t *testing.T) {
			n := 0
			for _, dir := range sortedKeys(sets) {
				for _, v := range r.Check(sets[dir]) {
					n++
					if r.Pending != "" {
						t.Logf("%s", v)
					} else {
						t.Errorf("%s\n\t(%s)", v, r.URL)
					}
				}
			}
			if r.Pending != "" {
				t.Logf("pending %s: %d violations in the generated SQL", r.Pending, n)
			}
		})
	}
}

// TestCatalogDocumented checks that every rule names its Snowflake page and
// says what it checks.
func TestCatalogDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Catalog {
		if seen[r.Name] {
			t.Errorf("rule %s appears twice", r.Name)
		}
		seen[r.Name] = true
		if len(r.URL) < len("https://docs.snowflake.com/") || r.URL[:len("https://docs.snowflake.com/")] != "https://docs.snowflake.com/" {
			t.Errorf("rule %s: URL %q is not a docs.snowflake.com page", r.Name, r.URL)
		}
		if r.Doc == "" || r.Check == nil {
			t.Errorf("rule %s has no Doc or no Check", r.Name)
		}
	}
}
