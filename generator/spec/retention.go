package spec

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Retention says how long each layer keeps its rows, and how many days of
// Time Travel the warehouse keeps beyond that.
type Retention struct {
	// RawDays: a RAW line loaded longer ago than this is purged.
	RawDays int
	// CuratedDays: the horizon past which curated rows that are no longer
	// in force (check results, superseded history versions, quarantine
	// flags) are purged. Never less than MinCuratedDays.
	CuratedDays int
	// TimeTravel is the Time Travel (DATA_RETENTION_TIME_IN_DAYS) of each
	// layer, by schema name (TimeTravelLayers).
	TimeTravel map[string]int
	Pos        Pos
}

// Retention limits and defaults. A year counts its possible leap day, so
// that "7y" is never shorter than seven calendar years.
var (
	DefaultRawDays     = YearsToDays(1)
	DefaultCuratedDays = YearsToDays(7)
	// MinCuratedDays: history and audit are kept at least seven years.
	MinCuratedDays = YearsToDays(7)
)

// MinRawDays is the shortest RAW retention: a line must outlive the
// longest time the task graph can leave it unobserved (a stream on RAW is
// kept readable for 14 days by default) and the sources' own replay
// windows (Stripe keeps events 30 days), since RAW is then the only copy.
const MinRawDays = 30

// MaxTimeTravelDays is the longest Time Travel a permanent object takes
// (Enterprise Edition and higher;
// https://docs.snowflake.com/user-guide/data-cdp-storage-costs).
const MaxTimeTravelDays = 90

// TimeTravelLayers are the layers (schemas) whose Time Travel the spec
// sets, in the order of the data's flow.
var TimeTravelLayers = []string{"raw", "silver", "gold", "dq", "audit", "ops"}

// DefaultTimeTravel is the Time Travel of each layer when the spec does not
// say: a day where the data can be rebuilt (RAW lines are still on the
// stage, silver is rebuilt from RAW), a week for gold, a month for audit.
var DefaultTimeTravel = map[string]int{"raw": 1, "silver": 1, "gold": 7, "dq": 1, "audit": 30, "ops": 1}

// YearsToDays is the number of days that covers n calendar years whatever
// year they start in: 365 a year plus every leap day they can hold.
func YearsToDays(n int) int { return 365*n + (n+3)/4 }

// DefaultRetention is the retention of a spec without a retention section.
func DefaultRetention() Retention {
	tt := map[string]int{}
	for k, v := range DefaultTimeTravel {
		tt[k] = v
	}
	return Retention{RawDays: DefaultRawDays, CuratedDays: DefaultCuratedDays, TimeTravel: tt}
}

func (l *loader) retention(sec section, s *Spec) {
	f := sec.file
	r := &s.Retention
	r.Pos = pos(f, sec.key)
	l.mapping(f, sec.val, "retention", []string{"raw", "curated", "time_travel"}, func(key string, k, v *yaml.Node) {
		what := "retention." + key
		switch key {
		case "raw":
			l.daysAtLeast(f, v, what, MinRawDays, &r.RawDays,
				"RAW is kept at least %d days (the longest the pipeline may leave a line unobserved, and the sources' replay windows)")
		case "curated":
			l.daysAtLeast(f, v, what, MinCuratedDays, &r.CuratedDays,
				"history and audit are kept at least 7 years (%d days)")
		case "time_travel":
			l.mapping(f, v, what, TimeTravelLayers, func(layer string, k, v *yaml.Node) {
				lw := what + "." + layer
				x := l.float(f, v, lw)
				if x != float64(int(x)) || x < 0 || x > MaxTimeTravelDays {
					l.errf(f, v, "%s: want a whole number of days from 0 to %d, got %s", lw, MaxTimeTravelDays, v.Value)
					return
				}
				r.TimeTravel[layer] = int(x)
			})
		}
	})
}

// days reads a retention period: a whole number of days (400), days with
// the unit d (400d), or years with the unit y (7y, counted by YearsToDays).
// daysAtLeast sets *dst to the days n reads when they are least or more;
// fewer is an error that says why with floor, a format of least.
func (l *loader) daysAtLeast(f string, n *yaml.Node, what string, least int, dst *int, floor string) {
	d, ok := l.days(f, n, what)
	if !ok {
		return
	}
	if d < least {
		l.errf(f, n, "%s: %s is %d days; "+floor, what, n.Value, d, least)
		return
	}
	*dst = d
}

func (l *loader) days(f string, n *yaml.Node, what string) (int, bool) {
	d, err := ParseDays(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || err != nil {
		l.errf(f, n, "%s: want a whole number of days (400 or 400d) or years (7y), got %q", what, n.Value)
		return 0, false
	}
	return d, true
}

// ParseDays reads a period of whole days: "400", "400d" or "7y".
func ParseDays(s string) (int, error) {
	num, years := s, false
	switch {
	case strings.HasSuffix(s, "d"):
		num = s[:len(s)-1]
	case strings.HasSuffix(s, "y"):
		num, years = s[:len(s)-1], true
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > 100000 || strings.HasPrefix(num, "+") {
		return 0, fmt.Errorf("invalid period %q (expected days such as 400 or 400d, or years such as 7y)", s)
	}
	if years {
		if n > 200 {
			return 0, fmt.Errorf("invalid period %q (at most 200 years)", s)
		}
		return YearsToDays(n), nil
	}
	return n, nil
}
