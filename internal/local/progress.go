package local

import (
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
)

// ProgressKind is what a Progress event reports.
type ProgressKind int

const (
	// ProgressFiles: the files of a pass were listed (Files, across every
	// source), before any is loaded.
	ProgressFiles ProgressKind = iota
	// ProgressFile: one file was loaded (Source, File, Lines, Elapsed;
	// Done of Files).
	ProgressFile
	// ProgressStage: a stage of a task began (Task, Stage, Step of Steps).
	ProgressStage
	// ProgressStageDone: a stage of a task ended (Task, Stage, Statements,
	// Elapsed).
	ProgressStageDone
	// ProgressTaskDone: a task ended (Task, State, Elapsed).
	ProgressTaskDone
)

// Progress is one step of a run as it happens, for a person watching:
// files as they are loaded, stages of each task as they run.
type Progress struct {
	Kind         ProgressKind
	Source, File string
	Lines        int64
	Files, Done  int
	Task, Stage  string
	// Step is the 1-based statement the stage begins at, of Steps in the
	// task; Statements is how many the stage ran.
	Step, Steps, Statements int
	State                   string
	Elapsed                 time.Duration
}

// SetProgress makes the runner report its progress to f (nil: none). f is
// called on the goroutine that does the work, between statements.
func (run *Runner) SetProgress(f func(Progress)) { run.progress = f }

func (run *Runner) report(p Progress) {
	if run.progress != nil {
		run.progress(p)
	}
}

// stageTracker reports the stages of one task's statements as they pass.
type stageTracker struct {
	run   *Runner
	task  *ir.Object
	stage string
	first int
	start time.Time
}

// statement is called before the task's i-th (1-based) statement runs.
func (s *stageTracker) statement(i int, q string) {
	if s.run.progress == nil {
		return
	}
	st := StageOf(s.task, q)
	if st == s.stage && s.first > 0 {
		return
	}
	s.done(i)
	s.stage, s.first, s.start = st, i, time.Now()
	s.run.report(Progress{Kind: ProgressStage, Task: s.task.Ref.String(), Stage: st, Step: i, Steps: len(s.task.Task.Steps)})
}

// done ends the current stage before statement next (len(steps)+1 at the
// end of the task).
func (s *stageTracker) done(next int) {
	if s.run.progress == nil || s.first == 0 {
		return
	}
	s.run.report(Progress{Kind: ProgressStageDone, Task: s.task.Ref.String(), Stage: s.stage, Statements: next - s.first, Elapsed: time.Since(s.start)})
	s.first = 0
}
