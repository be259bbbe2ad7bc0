package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
)

// Task names.
var (
	RootTask      = ref(OPS, "task_root")
	StateTask     = ref(OPS, "task_source_state")
	CrosswalkTask = ref(OPS, "task_crosswalk")
	ResolveTask   = ref(OPS, "task_resolve")
	FinalizerTask = ref(OPS, "task_finish")
)

// ObserveTask names the observe task of a source.
func ObserveTask(src string) ir.Ref { return ref(OPS, "task_observe_"+src) }

// tasks builds the task graph: root (opens a batch) -> observe per source ->
// source state -> crosswalk -> resolve, and a finalizer closing the batch.
func (b *builder) tasks() {
	wh := b.s.Project.Warehouse
	var rootWhen []*ir.Stream
	for _, src := range b.s.Sources {
		rootWhen = append(rootWhen, LinesStreamOf(src.Name))
	}
	b.add(&ir.Object{Kind: ir.KindTask, Ref: RootTask, Deps: []ir.Ref{Batches},
		Comment: "opens a batch when any source has new lines",
		Task: &ir.Task{Root: true, Schedule: b.s.Project.Schedule, Warehouse: wh, When: rootWhen,
			Steps: []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("INSERT INTO %s (batch_id, started_at, ruleset_version) SELECT %s, %s, %s",
					f.Object(Batches), f.BatchID(), f.Now(), f.Str(b.p.RulesetVersion))
			}}}})
	var observe []ir.Ref
	for _, src := range b.s.Sources {
		st := LinesStreamOf(src.Name)
		t := ObserveTask(src.Name)
		observe = append(observe, t)
		b.add(&ir.Object{Kind: ir.KindTask, Ref: t, Deps: []ir.Ref{RootTask, st.Ref, Observations, Quarantine},
			Comment: fmt.Sprintf("turns new lines of source %s into observations; flags what cannot be", src.Name),
			Task: &ir.Task{Warehouse: wh, After: []ir.Ref{RootTask}, When: []*ir.Stream{st}, Consumes: []*ir.Stream{st},
				Steps: b.observeSteps(src)}})
	}
	obs := ObservationsStreamOf()
	b.add(&ir.Object{Kind: ir.KindTask, Ref: StateTask, Deps: append(append([]ir.Ref{}, observe...), obs.Ref, SourceState, RecordQueue),
		Comment: "folds new observations into the last-writer-wins source state",
		Task:    &ir.Task{Warehouse: wh, After: observe, Consumes: []*ir.Stream{obs}, Steps: b.stateSteps()}})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: CrosswalkTask, Deps: []ir.Ref{StateTask, Crosswalk, CustomerQueue},
		Comment: "links changed source records to customers",
		Task:    &ir.Task{Warehouse: wh, After: []ir.Ref{StateTask}, Steps: b.crosswalkSteps()}})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: ResolveTask, Deps: []ir.Ref{CrosswalkTask, FieldCandidates, CustomerFields},
		Comment: "resolves every field of the queued customers",
		Task:    &ir.Task{Warehouse: wh, After: []ir.Ref{CrosswalkTask}, Steps: b.resolveSteps()}})
	root := RootTask
	b.add(&ir.Object{Kind: ir.KindTask, Ref: FinalizerTask, Deps: []ir.Ref{ResolveTask},
		Comment: "closes the batch, whatever happened to the other tasks",
		Task: &ir.Task{Warehouse: wh, FinalizerOf: &root,
			Steps: []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf("UPDATE %s SET finished_at = %s WHERE batch_id = %s", f.Object(Batches), f.Now(), f.BatchID())
			}}}})
}
