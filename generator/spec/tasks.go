package spec

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Limits Snowflake documents for the task parameters the policy sets
// (https://docs.snowflake.com/en/sql-reference/sql/create-task).
const (
	maxTaskTimeout       = 7 * 24 * time.Hour // USER_TASK_TIMEOUT_MS: up to 604800000
	maxTaskRetries       = 30                 // TASK_AUTO_RETRY_ATTEMPTS: 0 to 30
	minTargetCompletion  = 10 * time.Second   // TARGET_COMPLETION_INTERVAL: 10 s to 1 day
	maxTargetCompletion  = 24 * time.Hour
	maxSuspendAfterFails = 1000000
)

// taskPolicy reads project.tasks into p and returns the keys it sets;
// defaultTaskPolicy fills in the rest.
func (l *loader) taskPolicy(f string, key, n *yaml.Node, p *TaskPolicy) map[string]bool {
	const what = "project.tasks"
	p.Pos = pos(f, key)
	nodes := map[string]*yaml.Node{}
	known := []string{"compute", "warehouse", "initial_size", "target_completion", "overlap", "timeout", "retries", "suspend_after_failures"}
	l.mapping(f, n, what, known, func(key string, k, v *yaml.Node) {
		nodes[key] = k
		w := what + "." + key
		switch key {
		case "compute":
			p.Compute = l.str(f, v, w)
			if p.Compute != "" && p.Compute != ComputeWarehouse && p.Compute != ComputeServerless {
				l.errf(f, v, "%s: want %s or %s, got %q", w, ComputeWarehouse, ComputeServerless, p.Compute)
			}
		case "warehouse":
			p.Warehouse = l.ident(f, v, w)
		case "initial_size":
			p.InitialSize = strings.ToUpper(l.str(f, v, w))
			if p.InitialSize != "" && !contains(WarehouseSizes, p.InitialSize) {
				l.errf(f, v, "%s: want one of %s, got %q", w, strings.Join(WarehouseSizes, ", "), v.Value)
			}
		case "target_completion":
			if d, ok := l.durationIn(f, v, w); ok {
				if d < minTargetCompletion || d > maxTargetCompletion || d%time.Second != 0 {
					l.errf(f, v, "%s: want whole seconds from 10s to 24h, got %s", w, v.Value)
				}
				p.TargetCompletion = d
			}
		case "overlap":
			p.Overlap = l.str(f, v, w)
			if p.Overlap != "" && p.Overlap != OverlapNone {
				l.errf(f, v, "%s: only %s is supported, got %q: the graph's tasks consume streams and merge into the same tables, so overlapping runs would process the same rows twice", w, OverlapNone, p.Overlap)
			}
		case "timeout":
			if d, ok := l.durationIn(f, v, w); ok {
				if d <= 0 || d > maxTaskTimeout || d%time.Millisecond != 0 {
					l.errf(f, v, "%s: want a duration above 0 and at most 7d, got %s", w, v.Value)
				}
				p.Timeout = d
			}
		case "retries":
			p.Retries = l.count(f, v, w, maxTaskRetries, "retries of a failed run")
		case "suspend_after_failures":
			p.SuspendAfterFailures = l.count(f, v, w, maxSuspendAfterFails, "failed runs in a row (0: never suspend)")
		}
	})
	if p.Compute == ComputeServerless {
		if k := nodes["warehouse"]; k != nil {
			l.errf(f, k, "%s.warehouse: set only with compute: %s (serverless tasks run on no warehouse)", what, ComputeWarehouse)
		}
	} else {
		for _, key := range []string{"initial_size", "target_completion"} {
			if k := nodes[key]; k != nil {
				l.errf(f, k, "%s.%s: set only with compute: %s", what, key, ComputeServerless)
			}
		}
	}
	set := map[string]bool{}
	for k := range nodes {
		set[k] = true
	}
	return set
}

// durationIn reads a duration, reporting a value that is not one.
func (l *loader) durationIn(f string, v *yaml.Node, what string) (time.Duration, bool) {
	s := l.str(f, v, what)
	if s == "" {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		l.errf(f, v, "%s: %v", what, err)
		return 0, false
	}
	return d, true
}

// count reads a whole number from 0 to max.
func (l *loader) count(f string, v *yaml.Node, what string, max int, unit string) int {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		l.errf(f, v, "%s: want a whole number of %s from 0 to %d, got %s", what, unit, max, v.Value)
		return 0
	}
	x := l.float(f, v, what)
	if x < 0 || x > float64(max) {
		l.errf(f, v, "%s: want a whole number of %s from 0 to %d, got %s", what, unit, max, v.Value)
		return 0
	}
	return int(x)
}

// defaultTaskPolicy fills what project.tasks leaves out: tasks run on the
// project's warehouse with the policy defaults.
func defaultTaskPolicy(p *Project, set map[string]bool) {
	t := &p.Tasks
	if t.Compute == "" {
		t.Compute = ComputeWarehouse
	}
	if t.Compute == ComputeWarehouse && t.Warehouse == "" {
		t.Warehouse = p.Warehouse
	}
	if t.Overlap == "" {
		t.Overlap = OverlapNone
	}
	if !set["timeout"] {
		t.Timeout = DefaultTaskTimeout
	}
	if !set["retries"] {
		t.Retries = DefaultTaskRetries
	}
	if !set["suspend_after_failures"] {
		t.SuspendAfterFailures = DefaultTaskSuspendAfterFailures
	}
	if t.Pos.File == "" {
		t.Pos = p.Pos
	}
}
