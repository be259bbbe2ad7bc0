package spec_test

import (
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/spec"
)

const retentionProject = "project: {database: DB, warehouse: WH}\ncustomer:\n  fields:\n    email: {}\n    status: {}\n"

// TestRetentionDefaults: without a retention section RAW keeps a year and
// curated tables seven, counted with their leap days.
func TestRetentionDefaults(t *testing.T) {
	s, err := load(t, map[string]string{"a.yaml": retentionProject, "b.yaml": validSources})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Retention
	if r.RawDays != 366 || r.CuratedDays != 2557 {
		t.Errorf("defaults: raw %d, curated %d days; want 366 and 2557", r.RawDays, r.CuratedDays)
	}
	for layer, want := range map[string]int{"raw": 1, "silver": 1, "gold": 7, "dq": 1, "audit": 30, "ops": 1} {
		if got := r.TimeTravel[layer]; got != want {
			t.Errorf("time travel of %s = %d, want %d", layer, got, want)
		}
	}
}

func TestRetentionSection(t *testing.T) {
	s, err := load(t, map[string]string{
		"a.yaml": retentionProject + "retention:\n  raw: 400d\n  curated: 10y\n  time_travel: {gold: 14, audit: 90, raw: 0}\n",
		"b.yaml": validSources,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Retention
	if r.RawDays != 400 || r.CuratedDays != spec.YearsToDays(10) {
		t.Errorf("raw %d, curated %d", r.RawDays, r.CuratedDays)
	}
	if r.TimeTravel["gold"] != 14 || r.TimeTravel["audit"] != 90 || r.TimeTravel["raw"] != 0 || r.TimeTravel["silver"] != 1 {
		t.Errorf("time travel = %v", r.TimeTravel)
	}
}

// TestRetentionErrors: a curated retention under seven years, a RAW
// retention too short to outlive an outage, and Time Travel outside 0..90
// are errors naming the file, line, column and field.
func TestRetentionErrors(t *testing.T) {
	_, err := load(t, map[string]string{
		"a.yaml": retentionProject,
		"r.yaml": `retention:
  raw: 7d
  curated: 2555d
  time_travel:
    gold: 91
    silver: 1.5
    bronze: 1
`,
		"b.yaml": validSources,
	})
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`models/r.yaml:2:8: retention.raw: 7d is 7 days; RAW is kept at least 30 days`,
		`models/r.yaml:3:12: retention.curated: 2555d is 2555 days; history and audit are kept at least 7 years (2557 days)`,
		`models/r.yaml:5:11: retention.time_travel.gold: want a whole number of days from 0 to 90, got 91`,
		`models/r.yaml:6:13: retention.time_travel.silver: want a whole number of days from 0 to 90, got 1.5`,
		`models/r.yaml:7:5: retention.time_travel: unknown key "bronze" (expected one of raw, silver, gold, dq, audit, ops)`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing error:\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
	_, err = load(t, map[string]string{"a.yaml": retentionProject + "retention: {curated: 6y}\n", "b.yaml": validSources})
	if err == nil || !strings.Contains(err.Error(), "models/a.yaml:6:22: retention.curated: 6y is 2192 days; history and audit are kept at least 7 years") {
		t.Errorf("curated 6y: %v", err)
	}
	_, err = load(t, map[string]string{"a.yaml": retentionProject + "retention: {raw: a year}\n", "b.yaml": validSources})
	if err == nil || !strings.Contains(err.Error(), `models/a.yaml:6:18: retention.raw: want a whole number of days (400 or 400d) or years (7y), got "a year"`) {
		t.Errorf("raw 'a year': %v", err)
	}
}

func TestParseDays(t *testing.T) {
	for in, want := range map[string]int{"400": 400, "400d": 400, "1y": 366, "7y": 2557, "4y": 1461, "0d": 0} {
		if got, err := spec.ParseDays(in); err != nil || got != want {
			t.Errorf("ParseDays(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "1.5y", "1w", "+3d", "1e3"} {
		if _, err := spec.ParseDays(in); err == nil {
			t.Errorf("ParseDays(%q): no error", in)
		}
	}
}
