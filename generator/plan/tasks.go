package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Task and procedure names.
var (
	RootTask      = ref(OPS, "task_root")
	ReconcileTask = ref(OPS, "task_reconcile")
	FinalizerTask = ref(OPS, "task_finish")
	ReconcileProc = ref(OPS, "reconcile")
	ReobserveProc = ref(OPS, "reobserve")
)

// ObserveTask names the observe task of a source.
func ObserveTask(src string) ir.Ref { return ref(OPS, "task_observe_"+src) }

// tasks builds the task graph: root (opens a batch) -> observe per source
// (in parallel) -> reconcile, and a finalizer closing the batch.
//
// Reconcile folds the new observations into source state, links records to
// customers and resolves the touched customers in one transaction with the
// consumption of the observations stream: a failure leaves no half-done
// queue behind, and the stream still has data, so the next run (whose root
// condition includes that stream) does the work again.
func (b *builder) tasks() {
	task := b.policyTask
	var rootWhen []*ir.Stream
	for _, src := range b.s.Sources {
		rootWhen = append(rootWhen, LinesStreamOf(src.Name))
	}
	obs := ObservationsStreamOf()
	rootWhen = append(rootWhen, obs, BackfillStreamOf(), ManualLinksStreamOf())
	b.add(&ir.Object{Kind: ir.KindTask, Ref: RootTask, Deps: []ir.Ref{Batches},
		Comment: "opens a batch when any source has new lines",
		Task: task(ir.Task{Root: true, Schedule: b.s.Project.Schedule, When: rootWhen,
			Graph: b.graphPolicy(),
			Steps: staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("INSERT INTO %s (batch_id, started_at, ruleset_version) SELECT %s, %s, %s",
					f.Object(Batches), f.BatchID(), f.Now(), f.Str(b.p.RulesetVersion))
			}})})})
	// An observe task is skipped when its stream is empty: it would read
	// nothing. Reconcile runs when none of them failed, skipped ones
	// included, so that a batch of one source's lines, or one woken by the
	// observations, backfill or manual links stream alone, reaches it.
	var observe []ir.Ref
	for _, src := range b.s.Sources {
		st := LinesStreamOf(src.Name)
		t := ObserveTask(src.Name)
		observe = append(observe, t)
		o := b.observer(src, func(f ir.Fragments) string { return f.Stream(st) })
		b.add(&ir.Object{Kind: ir.KindTask, Ref: t, Deps: []ir.Ref{RootTask, st.Ref, Observations, Quarantine, LineCounts},
			Comment: fmt.Sprintf("turns new lines of source %s into observations; flags what cannot be", src.Name),
			Task: task(ir.Task{After: []ir.Ref{RootTask}, When: []*ir.Stream{st}, Consumes: []*ir.Stream{st},
				Steps: o.steps(), Scratch: []ir.Scratch{o.scratch()}})})
	}
	// Overrides that expired or ended reach the observations before the
	// reconcile reads its stream (a task of their own: a transaction of
	// their own).
	b.add(&ir.Object{Kind: ir.KindTask, Ref: OverridesTask, Deps: []ir.Ref{RootTask, Overrides, Observations},
		Comment: "ends the steward's overrides that expired and writes the ends of those that ended",
		Task:    task(ir.Task{After: []ir.Ref{RootTask}, Steps: staged(StageObserve, b.overrideEndSteps())})})
	observe = append(observe, OverridesTask)
	var steps []ir.SQL
	steps = append(steps, staged(StageState, b.stateSteps())...)
	steps = append(steps, staged(StageCrosswalk, b.crosswalkSteps())...)
	steps = append(steps, b.resolveSteps()...)
	steps = readClock(steps)
	work := []ir.Ref{Clock, StateBefore, ResolveSet, ResolveKeys, StateRows, AsOfState, LastPoints, TimelineCandidates, HistoryWork}
	tables := append([]ir.Ref{obs.Ref, SourceState, StateLog, RecordQueue, Crosswalk, CrosswalkWork, CrosswalkChanges, CustomerQueue, FieldCandidates, CustomerFields,
		Versions, OpenVersions, Rulesets, Backfill, BackfillStream, ManualLinks, ManualLinksStream, MatchKeys, Overrides, DQResults, DQViolations, DQHeld, DQAcks, Quarantine, LineCounts, Batches}, work...)
	// The same steps as a procedure taking the batch id: the task passes
	// its graph run, and re-resolving customers by hand is INSERT INTO
	// SILVER.CUSTOMER_QUEUE then CALL OPS.RECONCILE(<batch id>).
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: ReconcileProc, Deps: tables,
		Comment:   "source state, crosswalk and resolution of the queued customers, in one transaction",
		Procedure: &ir.Procedure{Args: []ir.Arg{{Name: BatchArg, Type: ir.Text}}, BatchArg: BatchArg, Steps: b.calledSteps(steps, true)}})
	// Re-observing RAW lines loaded since a time (a new field mapping, a
	// fixed parser), then reconciling: observations are deduplicated, so
	// lines observed before add nothing.
	var reobserve []ir.SQL
	var scratch []ir.Scratch
	for _, src := range b.s.Sources {
		lines := LinesTable(src.Name)
		o := b.observer(src, func(f ir.Fragments) string {
			return fmt.Sprintf("(SELECT * FROM %s WHERE loaded_at >= %s)", f.Object(lines), f.Param("since"))
		})
		reobserve = append(reobserve, o.steps()...)
		scratch = append(scratch, o.scratch())
		tables = append(tables, lines)
	}
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: ReobserveProc, Deps: tables,
		Comment:   "re-observes the RAW lines loaded since a time; CALL OPS.RECONCILE() with the same batch id afterwards",
		Procedure: &ir.Procedure{Args: []ir.Arg{{Name: "since", Type: ir.TimestampTZ}, {Name: BatchArg, Type: ir.Text}}, BatchArg: BatchArg, Steps: b.calledSteps(reobserve, false), Scratch: scratch}})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: ReconcileTask,
		Deps: append(append(append([]ir.Ref{}, observe...), ReconcileProc, obs.Ref, SourceState, StateLog, RecordQueue, Crosswalk, CrosswalkWork, CrosswalkChanges, CustomerQueue, FieldCandidates, CustomerFields,
			Versions, OpenVersions, Rulesets, Backfill, BackfillStream, ManualLinks, ManualLinksStream, MatchKeys, Overrides), work...),
		Comment: "folds new observations into source state, links records to customers, resolves the touched customers",
		Task: task(ir.Task{After: observe, Predecessors: ir.NoneFailed, Consumes: []*ir.Stream{obs, BackfillStreamOf(), ManualLinksStreamOf()}, Steps: steps,
			Call: &ReconcileProc, CallArgs: []ir.SQL{func(f ir.Fragments) string { return f.BatchID() }}})})
	root := RootTask
	b.add(&ir.Object{Kind: ir.KindTask, Ref: FinalizerTask, Deps: []ir.Ref{ReconcileTask},
		Comment: "closes the batch, whatever happened to the other tasks",
		Task: task(ir.Task{FinalizerOf: &root,
			Steps: staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("UPDATE %s SET finished_at = %s WHERE batch_id = %s", f.Object(Batches), f.Now(), f.BatchID())
			}})})})
}

// BatchArg is the procedures' argument that carries the batch id.
const BatchArg = "batch_id"

// calledSteps wraps a procedure's steps so that a call outside a graph run
// is a batch of its own in OPS.BATCHES, as monitoring and data quality read
// it: a batch id the root task did not open is opened by the call and
// finished with it. A graph run's batch, opened by the root and closed by
// the finalizer, is left alone (its finished_at is NULL until then).
//
// Steps whose first statement writes the run's clock (the reconcile) open
// the call's batch right after it, started and finished at the clock: the
// call is one transaction, and its statements agree on one instant.
// Others open it first and finish it last.
func (b *builder) calledSteps(steps []ir.SQL, clocked bool) []ir.SQL {
	open := func(now func(ir.Fragments) string) []ir.SQL {
		return staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
			return fmt.Sprintf("INSERT INTO %[1]s (batch_id, started_at, finished_at, ruleset_version) SELECT %[2]s, %[3]s, %[3]s, %[4]s WHERE NOT EXISTS (SELECT 1 FROM %[1]s WHERE batch_id = %[2]s)",
				f.Object(Batches), f.BatchID(), now(f), f.Str(b.p.RulesetVersion))
		}})
	}
	if clocked {
		return append(append([]ir.SQL{steps[0]}, open(clock)...), steps[1:]...)
	}
	closing := staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
		return fmt.Sprintf("UPDATE %s SET finished_at = %s WHERE batch_id = %s AND finished_at IS NOT NULL", f.Object(Batches), f.Now(), f.BatchID())
	}})
	return append(append(open(func(f ir.Fragments) string { return f.Now() }), steps...), closing...)
}

// readClock makes every step after the first, which writes the run's time
// into silver.work_clock, read that time for "now": the audit times,
// links, checks and history of one run agree on one instant (SYSDATE is
// evaluated per statement in Snowflake:
// https://docs.snowflake.com/en/sql-reference/functions/sysdate).
func readClock(steps []ir.SQL) []ir.SQL {
	out := []ir.SQL{steps[0]}
	for _, s := range steps[1:] {
		s := s
		out = append(out, func(f ir.Fragments) string { return s(clockFragments{f}) })
	}
	return out
}

// clockFragments renders "now" as the run's clock.
type clockFragments struct{ ir.Fragments }

func (c clockFragments) Now() string { return clock(c.Fragments) }

// policyTask is t with the spec's task compute and timeout.
func (b *builder) policyTask(t ir.Task) *ir.Task {
	policy := b.s.Project.Tasks
	t.Warehouse, t.Timeout = policy.Warehouse, policy.Timeout
	if policy.Compute == spec.ComputeServerless {
		t.Warehouse, t.InitialSize, t.TargetCompletion = "", policy.InitialSize, policy.TargetCompletion
	}
	return &t
}

// graphPolicy is the spec's failure policy of a task graph, set on its root.
func (b *builder) graphPolicy() *ir.TaskGraph {
	policy := b.s.Project.Tasks
	return &ir.TaskGraph{Overlap: policy.Overlap, Retries: policy.Retries, SuspendAfterFailures: policy.SuspendAfterFailures}
}
