package plan

import (
	"fmt"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
)

// Objects of retention.
var (
	Purges    = ref(OPS, "purges")
	PurgeProc = ref(OPS, "purge")
	PurgeTask = ref(OPS, "task_purge")
)

// StagePurge marks the statements of the purge.
const StagePurge = "purge"

// PurgeCron is when the purge runs: daily, at an hour of little load, in
// a graph of its own so that a long purge never delays a batch.
const PurgeCron = "0 3 * * * UTC"

// retention sets each layer's Time Travel on its schema and plans the
// purge: a procedure (CALL OPS.PURGE() by hand) and a daily task calling
// it; the local runner runs the same steps once a day.
//
// What is purged, and when:
//   - RAW lines loaded longer ago than the RAW retention. The purge filters
//     on loaded_at alone: RAW is append-only, so its micro-partitions hold
//     lines in load order and the filter prunes every partition but the
//     oldest (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
//     The streams on RAW are append-only: they do not report the deletes
//     (https://docs.snowflake.com/sql-reference/sql/create-stream).
//   - Past the curated horizon only rows no longer in force: data-quality
//     results and violations, quarantine flags (whose RAW lines are long
//     gone), and history versions that a later belief superseded more than
//     the horizon ago. A version still in force (superseded_at NULL) is
//     never purged, whatever its valid time: it is what gold says about
//     the past. The history filter repeats the bound on recorded_at
//     (recorded_at <= superseded_at), the load order of the table, so that
//     partitions written after the horizon are pruned too.
//
// Never purged: observations, source state, the crosswalk and its changes,
// gold (a full rebuild from the observations must give the same gold),
// audit (rule sets, acknowledgements, the hash-chained log), ops.batches (batch ids and the
// results' batches refer to it) and the load history (a file it forgot
// would be loaded again).
func (b *builder) retention() {
	r := b.s.Retention
	for _, o := range b.p.Objects {
		if o.Kind != ir.KindSchema {
			continue
		}
		if days, ok := r.TimeTravel[o.Ref.Schema]; ok {
			days := days
			o.TimeTravelDays = &days
		}
	}
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Purges, Deps: []ir.Ref{{Schema: OPS}},
		Comment: "one row per purge: when it ran and the horizons it purged before",
		Columns: []ir.Column{
			notNull("purged_at", ir.Timestamp),
			{Name: "raw_before", Type: ir.Timestamp, Comment: "RAW lines loaded before this (UTC) were purged"},
			{Name: "curated_before", Type: ir.Timestamp, Comment: "curated rows no longer in force before this (UTC) were purged"},
		}})
	rawBefore := func(f ir.Fragments) string { return f.DaysAgo(r.RawDays) }
	curatedBefore := func(f ir.Fragments) string { return f.UTC(f.DaysAgo(r.CuratedDays)) }
	var steps []ir.SQL
	deps := []ir.Ref{Purges, PIIAccess, Quarantine, LineCounts, DQViolations, DQResults, Versions, Batches}
	for _, src := range b.s.Sources {
		lines := LinesTable(src.Name)
		deps = append(deps, lines)
		steps = append(steps, func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE loaded_at < %s", f.Object(lines), rawBefore(f))
		})
	}
	steps = append(steps,
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE flagged_at < %s", f.Object(Quarantine), curatedBefore(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE counted_at < %s", f.Object(LineCounts), curatedBefore(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE batch_id IN (SELECT batch_id FROM %s WHERE started_at < %s)",
				f.Object(DQViolations), f.Object(Batches), curatedBefore(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE checked_at < %s", f.Object(DQResults), curatedBefore(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s\nWHERE superseded_at < %[2]s\n  AND recorded_at < %[2]s", f.Object(Versions), curatedBefore(f))
		},
		func(f ir.Fragments) string {
			// ACCESS_HISTORY keeps a year; its copy is kept as long as
			// the curated tables.
			return fmt.Sprintf("DELETE FROM %s\nWHERE query_start_time < %s", f.Object(PIIAccess), f.DaysAgo(r.CuratedDays))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("INSERT INTO %s (purged_at, raw_before, curated_before)\nSELECT %s, %s, %s",
				f.Object(Purges), f.Now(), f.UTC(rawBefore(f)), curatedBefore(f))
		},
	)
	steps = staged(StagePurge, steps)
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: PurgeProc, Deps: deps,
		Comment:   fmt.Sprintf("purges RAW lines loaded more than %d days ago and curated rows no longer in force for more than %d days", r.RawDays, r.CuratedDays),
		Procedure: &ir.Procedure{Steps: steps}})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: PurgeTask, Deps: []ir.Ref{PurgeProc},
		Comment: "runs the purge once a day, apart from the batch graph",
		Task:    b.purgeTask(steps)})
}

// PurgeSteps are the statements of the purge, in order, run in one
// transaction.
func (p *Plan) PurgeSteps() []ir.SQL {
	if o := p.Object(PurgeProc); o != nil {
		return o.Procedure.Steps
	}
	return nil
}

// purgeTask is the purge's standalone task: the compute and failure policy
// of the batch graph, with at least an hour to run, since it deletes a day
// of RAW lines at once.
func (b *builder) purgeTask(steps []ir.SQL) *ir.Task {
	t := b.policyTask(ir.Task{Root: true, Cron: PurgeCron, Steps: steps, Call: &PurgeProc, Graph: b.graphPolicy()})
	t.Timeout = max(t.Timeout, time.Hour)
	return t
}
