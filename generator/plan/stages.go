package plan

import "github.com/ledgerloop/trueup/generator/ir"

// Stages of the pipeline a statement belongs to. Each task statement begins
// with a comment line "-- stage: <name>", so that the cost of a stage can be
// read off the warehouse's query history (and off the local profiler) by
// the statements' text.
const (
	StageObserve   = "observe"
	StageState     = "state"
	StageCrosswalk = "crosswalk"
	StageResolve   = "resolve"
	StageHistory   = "history"
	StageChecks    = "checks"
	StagePublish   = "publish"
	StageOps       = "ops"
)

// StagePrefix begins every statement of a stage.
const StagePrefix = "-- stage: "

// staged marks each statement with its stage.
func staged(stage string, steps []ir.SQL) []ir.SQL {
	out := make([]ir.SQL, len(steps))
	for i, s := range steps {
		s := s
		out[i] = func(f ir.Fragments) string { return StagePrefix + stage + "\n" + s(f) }
	}
	return out
}
