package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ledgerloop/trueup/internal/local"
)

// progressPrinter shows a run's progress on w: on a terminal, a live line
// (the file being loaded of how many, the task's stage and its statement,
// elapsed time) drawn by progressbar; elsewhere (a log, CI), one line per
// stage: the files loaded, then each stage of each task that ran.
type progressPrinter struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	start time.Time
	// files, lines: the load of the current pass so far.
	files int
	lines int64
	total int
}

// newProgress returns the progress reporter for w, nil when w is nil.
func newProgress(w io.Writer) func(local.Progress) {
	if w == nil {
		return nil
	}
	p := &progressPrinter{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(false))
	}
	return p.event
}

func (p *progressPrinter) event(ev local.Progress) {
	switch ev.Kind {
	case local.ProgressFiles:
		p.files, p.lines, p.total, p.start = 0, 0, ev.Files, time.Now()
		if p.bar != nil {
			p.bar.Reset()
			p.bar.ChangeMax(ev.Files)
			p.bar.Describe("loading files")
		}
	case local.ProgressFile:
		p.files++
		p.lines += ev.Lines
		if p.bar != nil {
			p.bar.Describe(fmt.Sprintf("load %s/%s: %d lines (%d of %d files)", ev.Source, ev.File, ev.Lines, ev.Done, ev.Files))
			_ = p.bar.Set(ev.Done)
		}
		if ev.Done == p.total {
			p.loadDone()
		}
	case local.ProgressStage:
		if p.files > 0 {
			p.loadDone()
		}
		if p.bar != nil {
			p.bar.Reset()
			p.bar.ChangeMax(-1)
			p.bar.Describe(fmt.Sprintf("%s: %s (statement %d of %d)", ev.Task, ev.Stage, ev.Step, ev.Steps))
			_ = p.bar.Add(1)
		}
	case local.ProgressStageDone:
		p.line("%s: %s: %d %s in %s", ev.Task, ev.Stage, ev.Statements, plural(ev.Statements, "statement", "statements"), round(ev.Elapsed))
	case local.ProgressTaskDone:
		if ev.State == "FAILED" {
			p.line("%s: failed after %s", ev.Task, round(ev.Elapsed))
		}
	}
}

// loadDone reports the files loaded by the pass, once.
func (p *progressPrinter) loadDone() {
	if p.files > 0 {
		p.line("load: %d %s, %d lines in %s", p.files, plural(p.files, "file", "files"), p.lines, round(time.Since(p.start)))
	}
	p.files, p.lines = 0, 0
}

// line prints a finished step: on a terminal above the live line, which
// is cleared first.
func (p *progressPrinter) line(format string, args ...any) {
	if p.bar != nil {
		_ = p.bar.Clear()
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 80))
	}
	fmt.Fprintf(p.w, "progress: "+format+"\n", args...)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
