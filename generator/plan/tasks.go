package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
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
	wh := b.s.Project.Warehouse
	var rootWhen []*ir.Stream
	for _, src := range b.s.Sources {
		rootWhen = append(rootWhen, LinesStreamOf(src.Name))
	}
	obs := ObservationsStreamOf()
	rootWhen = append(rootWhen, obs, BackfillStreamOf())
	b.add(&ir.Object{Kind: ir.KindTask, Ref: RootTask, Deps: []ir.Ref{Batches},
		Comment: "opens a batch when any source has new lines",
		Task: &ir.Task{Root: true, Schedule: b.s.Project.Schedule, Warehouse: wh, When: rootWhen,
			Steps: staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("INSERT INTO %s (batch_id, started_at, ruleset_version) SELECT %s, %s, %s",
					f.Object(Batches), f.BatchID(), f.Now(), f.Str(b.p.RulesetVersion))
			}})}})
	var observe []ir.Ref
	for _, src := range b.s.Sources {
		st := LinesStreamOf(src.Name)
		t := ObserveTask(src.Name)
		observe = append(observe, t)
		b.add(&ir.Object{Kind: ir.KindTask, Ref: t, Deps: []ir.Ref{RootTask, st.Ref, Observations, Quarantine},
			Comment: fmt.Sprintf("turns new lines of source %s into observations; flags what cannot be", src.Name),
			Task: &ir.Task{Warehouse: wh, After: []ir.Ref{RootTask}, When: []*ir.Stream{st}, Consumes: []*ir.Stream{st},
				Steps: staged(StageObserve, b.observeSteps(src, func(f ir.Fragments) string { return f.Stream(st) }))}})
	}
	var steps []ir.SQL
	steps = append(steps, staged(StageState, b.stateSteps())...)
	steps = append(steps, staged(StageCrosswalk, b.crosswalkSteps())...)
	steps = append(steps, b.resolveSteps()...)
	work := []ir.Ref{Clock, StateBefore, ResolveSet, ResolveKeys, StateRows, AsOfState, LastPoints, TimelineCandidates, HistoryWork}
	tables := append([]ir.Ref{obs.Ref, SourceState, RecordQueue, Crosswalk, CrosswalkWork, CrosswalkChanges, CustomerQueue, FieldCandidates, CustomerFields,
		History, Rulesets, Backfill, BackfillStream, MatchKeys, DQResults, DQViolations, DQHeld, DQAcks, Quarantine}, work...)
	// The same steps as a procedure: re-resolving customers by hand is
	// INSERT INTO SILVER.CUSTOMER_QUEUE then CALL OPS.RECONCILE().
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: ReconcileProc, Deps: tables,
		Comment:   "source state, crosswalk and resolution of the queued customers, in one transaction",
		Procedure: &ir.Procedure{Steps: steps}})
	// Re-observing RAW lines loaded since a time (a new field mapping, a
	// fixed parser), then reconciling: observations are deduplicated, so
	// lines observed before add nothing.
	var reobserve []ir.SQL
	for _, src := range b.s.Sources {
		lines := LinesTable(src.Name)
		reobserve = append(reobserve, staged(StageObserve, b.observeSteps(src, func(f ir.Fragments) string {
			return fmt.Sprintf("(SELECT * FROM %s WHERE loaded_at >= %s)", f.Object(lines), f.Param("since"))
		}))...)
		tables = append(tables, lines)
	}
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: ReobserveProc, Deps: append(tables, Quarantine),
		Comment:   "re-observes the RAW lines loaded since a time; CALL OPS.RECONCILE() afterwards",
		Procedure: &ir.Procedure{Args: []ir.Arg{{Name: "since", Type: ir.TimestampTZ}}, Steps: reobserve}})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: ReconcileTask,
		Deps: append(append(append([]ir.Ref{}, observe...), obs.Ref, SourceState, RecordQueue, Crosswalk, CrosswalkWork, CrosswalkChanges, CustomerQueue, FieldCandidates, CustomerFields,
			History, Rulesets, Backfill, BackfillStream, MatchKeys), work...),
		Comment: "folds new observations into source state, links records to customers, resolves the touched customers",
		Task:    &ir.Task{Warehouse: wh, After: observe, Consumes: []*ir.Stream{obs, BackfillStreamOf()}, Steps: steps, Call: &ReconcileProc}})
	root := RootTask
	b.add(&ir.Object{Kind: ir.KindTask, Ref: FinalizerTask, Deps: []ir.Ref{ReconcileTask},
		Comment: "closes the batch, whatever happened to the other tasks",
		Task: &ir.Task{Warehouse: wh, FinalizerOf: &root,
			Steps: staged(StageOps, []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("UPDATE %s SET finished_at = %s WHERE batch_id = %s", f.Object(Batches), f.Now(), f.BatchID())
			}})}})
}
