package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/internal/local"
)

// Machine describes where the benchmark ran.
type Machine struct {
	CPUs   int
	Memory string // MemTotal from /proc/meminfo
	CPU    string // model name from /proc/cpuinfo
	OS     string
	Go     string
	DuckDB string
	// LoadStart is /proc/loadavg when the benchmark started (the report
	// adds it when written): other work on the machine shows in every
	// figure.
	LoadStart string
}

// ThisMachine reads what it can of the machine.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Memory: "unknown", CPU: "unknown"}
	m.Memory = procField("/proc/meminfo", "MemTotal:", m.Memory)
	m.CPU = procField("/proc/cpuinfo", "model name", m.CPU)
	m.LoadStart = LoadAverage()
	if db, err := local.OpenDB(""); err == nil {
		_ = db.QueryRow("SELECT library_version FROM pragma_version()").Scan(&m.DuckDB)
		db.Close()
	}
	return m
}

// LoadAverage is the first three fields of /proc/loadavg ("" without it).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func procField(file, prefix, def string) string {
	f, err := os.Open(file)
	if err != nil {
		return def
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return def
}

// Target is one of the targets, checked against the figures.
type Target struct {
	What     string
	Measured string
	OK       bool
	Known    bool // false when the figures to check it are missing
}

const gib = 1 << 30

// Targets checks the result against the targets.
func Targets(res *Result) []Target {
	var out []Target
	var scales []*Scale
	for _, s := range res.Scales {
		if s.Skipped == "" || s.Peak != nil || s.Small != nil {
			scales = append(scales, s)
		}
	}
	largest := func(pick func(*Scale) *Measurement) *Measurement {
		var m *Measurement
		for _, s := range scales {
			if x := pick(s); x != nil && len(x.Runs) > 0 && (m == nil || s.Customers > m.Customers) {
				m = x
			}
		}
		return m
	}
	peak := largest(func(s *Scale) *Measurement { return s.Peak })
	t := Target{What: "peak batch on the largest state ≤ 3× the floor (≈ 45K events/s)"}
	if peak != nil && peak.Floor != nil {
		ratio := float64(peak.MinWall()) / float64(peak.Floor.Wall)
		t.Known, t.OK = true, ratio <= 3
		t.Measured = fmt.Sprintf("%s on %s customers: %s (%s events/s), floor %s: %.1f×",
			linesOf(peak.Lines), count(peak.Customers), dur(peak.MinWall()), rate(peak.Lines, peak.MinWall()), dur(peak.Floor.Wall), ratio)
	}
	out = append(out, t)

	var small []*Measurement
	for _, s := range scales {
		if s.Small != nil && len(s.Small.Runs) > 0 {
			small = append(small, s.Small)
		}
	}
	sort.Slice(small, func(i, j int) bool { return small[i].Customers < small[j].Customers })
	t = Target{What: "small batch on the largest state ≤ 1.5× its cost on the smallest, in time and in rows read"}
	if len(small) >= 2 {
		a, b := small[0], small[len(small)-1]
		tr := float64(b.MinWall()) / float64(a.MinWall())
		rr := float64(minRows(b)) / float64(max(1, minRows(a)))
		t.Known, t.OK = true, tr <= 1.5 && rr <= 1.5
		t.Measured = fmt.Sprintf("%s customers: %s, %s rows read; %s customers: %s, %s rows read: %.1f× time, %.1f× rows",
			count(a.Customers), dur(a.MinWall()), count(int(minRows(a))), count(b.Customers), dur(b.MinWall()), count(int(minRows(b))), tr, rr)
	}
	out = append(out, t)

	t = Target{What: "one late event ≤ 2× one current event (heavy customer)"}
	for _, s := range scales {
		if s.Late != nil && s.Current != nil && len(s.Late.Runs) > 0 && len(s.Current.Runs) > 0 {
			ratio := float64(s.Late.MinWall()) / float64(s.Current.MinWall())
			if !t.Known {
				t.OK = true
			}
			t.Known, t.OK = true, t.OK && ratio <= 2
			if t.Measured != "" {
				t.Measured += "; "
			}
			t.Measured += fmt.Sprintf("%s customers: late %s vs current %s (%.1f×), rows read %s vs %s",
				count(s.Customers), dur(s.Late.MinWall()), dur(s.Current.MinWall()), ratio, count(int(minRows(s.Late))), count(int(minRows(s.Current))))
		}
	}
	out = append(out, t)

	var peakRSS int64
	var spread float64
	var spreadOf string
	for _, s := range scales {
		peakRSS = max(peakRSS, s.State.PeakRSS)
		for _, m := range []*Measurement{s.Peak, s.Small, s.Late, s.Current} {
			if m != nil && m.Partial != nil {
				peakRSS = max(peakRSS, m.Partial.PeakRSS)
			}
			if m == nil || len(m.Runs) == 0 {
				continue
			}
			for _, r := range m.Runs {
				peakRSS = max(peakRSS, r.PeakRSS)
			}
			if x := float64(m.MaxWall()) / float64(m.MinWall()); x > spread {
				spread, spreadOf = x, fmt.Sprintf("%s on %s customers", m.Name, count(s.Customers))
			}
		}
	}
	t = Target{What: "sealing PII ≤ 1.3× the same run in plaintext"}
	if r := res.Sealing.Ratio(); r > 0 {
		se := res.Sealing
		t.Known, t.OK = true, r <= 1.3
		t.Measured = fmt.Sprintf("state of %s customers (%s lines) from scratch: %s sealed vs %s plaintext: %.2f×",
			count(se.Customers), count(se.Lines), dur(minMax(se.Sealed, false)), dur(minMax(se.Plain, false)), r)
	}
	out = append(out, t)
	out = append(out, Target{What: "peak RSS ≤ 4 GB", Known: peakRSS > 0, OK: peakRSS <= 4*gib, Measured: size(peakRSS) + " (every run, states and stopped runs included)"})
	t = Target{What: "max/min spread of the runs < 10×", Known: spread > 0, OK: spread < 10}
	if t.Known {
		t.Measured = fmt.Sprintf("largest %.2f× (%s)", spread, spreadOf)
	}
	out = append(out, t)
	return out
}

func minRows(m *Measurement) int64 {
	var out int64
	for i, r := range m.Runs {
		if i == 0 || r.RowsRead < out {
			out = r.RowsRead
		}
	}
	return out
}

// Report writes BENCHMARKS.md.
func Report(w io.Writer, res *Result, mach Machine, commands []string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	c := res.Config
	p("# Benchmarks\n\n")
	p("Written by `make bench` (`go run ./cmd/trueup-bench`): the local pipeline (DuckDB) on a state of customers, then one batch of events on a copy of that state, statement by statement with DuckDB's profiler. ")
	p("Rows read is the sum of the rows the table scans of each statement emitted (DESIGN.md §11.6); rows scanned counts them before the scans' filters. ")
	p("The floor is the bare load of the same batch files' lines into one table of a new database file (one statement, DuckDB's CSV reader used as a line reader, then a checkpoint).\n\n")
	p("## Machine\n\n")
	p("| | |\n| --- | --- |\n")
	p("| CPUs (nproc) | %d |\n| memory (MemTotal) | %s |\n| CPU | %s |\n| OS | %s |\n| Go | %s |\n| DuckDB | %s |\n| started | %s |\n| took | %s |\n| load average (1, 5, 15 min) at start, at end | %s; %s |\n\n",
		mach.CPUs, mach.Memory, mach.CPU, mach.OS, mach.Go, mach.DuckDB, res.Started.UTC().Format(time.RFC3339), dur(res.Elapsed), orDash(mach.LoadStart), orDash(LoadAverage()))
	p("## Commands\n\n```\n%s\n```\n\n", strings.Join(commands, "\n"))
	p("## Configuration\n\n")
	scales := make([]string, len(c.Scales))
	for i, n := range c.Scales {
		scales[i] = count(n)
	}
	limit := c.Local.MemoryLimit
	if limit == "" {
		limit = local.DefaultMemoryLimit
	}
	threads := "one per core"
	if c.Local.Threads > 0 {
		threads = fmt.Sprint(c.Local.Threads)
	}
	p("states of %s customers, %g events per customer on average (creations included), one customer with %s events; ", strings.Join(scales, " and "), c.EventsPerCustomer, count(c.Heavy))
	late := "older than every other event of their customer"
	if c.LateWithin > 0 {
		late = "within " + c.LateWithin.String() + " before the batch"
	}
	p("peak batch %s lines, small batch %s lines, %g late (%s), %g redelivered, conflict rate %g; %d runs each; DuckDB memory_limit %s, threads %s; seed %d.\n\n",
		count(c.PeakEvents), count(c.SmallEvents), c.Late, late, c.Duplicates, c.Conflicts, c.Runs, limit, threads, c.Seed)

	p("## Targets\n\n| target | measured | |\n| --- | --- | --- |\n")
	for _, t := range Targets(res) {
		verdict := "not measured"
		if t.Known {
			verdict = "**fails**"
			if t.OK {
				verdict = "meets"
			}
		}
		p("| %s | %s | %s |\n", t.What, orDash(t.Measured), verdict)
	}
	p("\n")

	if se := res.Sealing; se != nil {
		p("## Cost of sealing PII\n\n")
		p("A state of %s customers (%s lines) run from scratch with the spec as it is (%s sealed: blind-index tokens, values in the vault, raw lines encrypted) and with its pii tags removed (nothing sealed), alternately, %d runs each.\n\n",
			count(se.Customers), count(se.Lines), strings.Join(se.PIIFields, ", "), len(se.Sealed))
		if se.Skipped != "" {
			p("**Not completed:** %s\n\n", firstLine(se.Skipped))
		}
		if r := se.Ratio(); r > 0 {
			p("Fastest runs: sealed %s, plaintext %s: **%.2f×**.\n\n", dur(minMax(se.Sealed, false)), dur(minMax(se.Plain, false)), r)
			p("Sealed:\n\n")
			stageTable(bw, se.Sealed, se.Lines, nil)
			p("Plaintext:\n\n")
			stageTable(bw, se.Plain, se.Lines, nil)
		}
	}
	for _, s := range res.Scales {
		p("## State of %s customers\n\n", count(s.Customers))
		if s.Skipped != "" {
			p("**Not completed:** %s\n\n", firstLine(s.Skipped))
		}
		p("Plan SQL %s. Writing the state's files: %s; the batches' files: %s (0 s: reused). Whole scale: %s.\n\n",
			s.PlanSQLVersion, dur(s.WriteState), dur(s.WriteBatches), dur(s.Elapsed))
		if s.State.Wall > 0 {
			reused := ""
			if s.StateReused {
				reused = " (measured when the state database was built; reused since)"
			}
			lines := s.StateLines
			if s.State.Interrupted != "" {
				reused = fmt.Sprintf(" (stopped after %s: %s; the figures are what it had done, %s of %s loaded)",
					dur(s.State.Wall), firstLine(s.State.Interrupted), linesOf(int(s.State.Lines)), count(s.StateLines))
				lines = int(s.State.Lines)
			}
			p("### Running the state once%s\n\n%s: %s, %s events/s, peak RSS %s, database %s.\n\n",
				reused, linesOf(lines), dur(s.State.Wall), rate(lines, s.State.Wall), size(s.State.PeakRSS), size(s.StateDBSize))
			stageTable(bw, []Run{s.State}, lines, nil)
		}
		for _, m := range []*Measurement{s.Peak, s.Small, s.Late, s.Current} {
			if m != nil && m.Partial != nil {
				p("### %s: %s on %s customers, stopped\n\n", title(m.Name), linesOf(m.Lines), count(m.Customers))
				p("%d runs finished; one stopped after %s (%s). What it had done:\n\n", len(m.Runs), dur(m.Partial.Wall), firstLine(m.Partial.Interrupted))
				stageTable(bw, []Run{*m.Partial}, int(m.Partial.Lines), m.Floor)
			}
			if m == nil || len(m.Runs) == 0 {
				continue
			}
			p("### %s: %s on %s customers\n\n", title(m.Name), linesOf(m.Lines), count(m.Customers))
			p("%d runs: %s to %s (spread %.2f×), %s events/s at best", len(m.Runs), dur(m.MinWall()), dur(m.MaxWall()),
				float64(m.MaxWall())/float64(m.MinWall()), rate(m.Lines, m.MinWall()))
			if m.Floor != nil {
				p("; floor %s (%s lines/s): **%.1f× the floor**", dur(m.Floor.Wall), rate(int(m.Floor.Lines), m.Floor.Wall), float64(m.MinWall())/float64(m.Floor.Wall))
			}
			p(".\n\n")
			stageTable(bw, m.Runs, m.Lines, m.Floor)
			statementTable(bw, m.Runs[0])
		}
	}
	return bw.Flush()
}

func stageTable(w io.Writer, runs []Run, lines int, floor *Floor) {
	fmt.Fprintf(w, "| stage | statements | wall (min–max) | × floor | CPU | events/s | peak RSS | database | rows read | rows scanned |\n")
	fmt.Fprintf(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	best := 0
	for i, r := range runs {
		if r.Wall < runs[best].Wall {
			best = i
		}
	}
	row := func(name string, st func(Run) (Stage, bool)) {
		var lo, hi time.Duration
		var b Stage
		for i, r := range runs {
			s, ok := st(r)
			if !ok {
				continue
			}
			if lo == 0 || s.Wall < lo {
				lo = s.Wall
			}
			hi = max(hi, s.Wall)
			if i == best {
				b = s
			}
		}
		ratio := "–"
		if floor != nil && floor.Wall > 0 {
			ratio = fmt.Sprintf("%.2f", float64(lo)/float64(floor.Wall))
		}
		span := dur(lo)
		if len(runs) > 1 {
			span += "–" + dur(hi)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, b.Statements, span, ratio, dur(b.CPU), rate(lines, lo),
			size(b.PeakRSS), size(b.DBSize), count(int(b.RowsRead)), count(int(b.RowsScanned)))
	}
	for _, s := range runs[best].Stages {
		name := s.Name
		row(name, func(r Run) (Stage, bool) {
			for _, x := range r.Stages {
				if x.Name == name {
					return x, true
				}
			}
			return Stage{}, false
		})
	}
	row("**total**", func(r Run) (Stage, bool) {
		n := 0
		for _, s := range r.Stages {
			n += s.Statements
		}
		return Stage{Statements: n, Wall: r.Wall, CPU: r.CPU, PeakRSS: r.PeakRSS, DBSize: r.DBSize, RowsRead: r.RowsRead, RowsScanned: r.RowsScanned}, true
	})
	fmt.Fprintln(w)
}

// statementTable lists the statements of a run that read the most rows.
func statementTable(w io.Writer, r Run) {
	if len(r.Statements) == 0 {
		return
	}
	sts := append([]local.StatementProfile(nil), r.Statements...)
	sort.SliceStable(sts, func(i, j int) bool { return sts[i].RowsRead > sts[j].RowsRead })
	n := min(len(sts), 15)
	fmt.Fprintf(w, "<details><summary>The %d statements (of %d) that read the most rows, first run</summary>\n\n", n, len(sts))
	fmt.Fprintf(w, "| task | step | stage | statement | wall | rows read | most read tables |\n| --- | ---: | --- | --- | ---: | ---: | --- |\n")
	for _, sp := range sts[:n] {
		var tabs []string
		for i, t := range sp.SortedTables() {
			if i == 3 {
				break
			}
			tabs = append(tabs, fmt.Sprintf("%s %s", t.Table, count(int(t.Rows))))
		}
		fmt.Fprintf(w, "| %s | %d | %s | `%s` | %s | %s | %s |\n", sp.Task, sp.Step, sp.Stage, strings.ReplaceAll(cut(sp.Head, 60), "|", "\\|"), dur(sp.Wall), count(int(sp.RowsRead)), strings.Join(tabs, ", "))
	}
	fmt.Fprintf(w, "\n</details>\n\n")
}

// firstLine is an error's first line (DuckDB adds advice on more lines).
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0 s"
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%dm%02.0fs", int(d.Minutes()), d.Seconds()-60*float64(int(d.Minutes())))
}

func rate(lines int, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	r := float64(lines) / d.Seconds()
	if r < 10 {
		return fmt.Sprintf("%.2f", r)
	}
	return count(int(r))
}

// linesOf is "1 line" or "N lines".
func linesOf(n int) string {
	if n == 1 {
		return "1 line"
	}
	return count(n) + " lines"
}

// count writes n with thin groups of three digits (1,234,567).
func count(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func size(n int64) string {
	switch {
	case n <= 0:
		return "–"
	case n >= gib:
		return fmt.Sprintf("%.2f GB", float64(n)/gib)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
}

// SampleCommands are the trueup sample commands that write the same files
// as c does for each scale.
func SampleCommands(c Config) []string {
	var out []string
	for _, n := range c.Scales {
		out = append(out, fmt.Sprintf("trueup sample --mode state --customers %d --events-per-customer %g --heavy %d --conflicts %g --seed %d --out state",
			n, c.EventsPerCustomer, c.Heavy, c.Conflicts, c.Seed))
		for _, b := range []struct {
			events int
			extra  string
		}{
			{c.PeakEvents, fmt.Sprintf("--late %g%s --duplicates %g", c.Late, lateWithinFlag(c), c.Duplicates)},
			{c.SmallEvents, fmt.Sprintf("--late %g%s --duplicates %g", c.Late, lateWithinFlag(c), c.Duplicates)},
			{1, "--batch-customers 1 --late 1"},
			{1, "--batch-customers 1"},
		} {
			out = append(out, fmt.Sprintf("trueup sample --mode batch --customers %d --events %d %s --conflicts %g --seed %d --out batch",
				n, b.events, b.extra, c.Conflicts, c.Seed))
		}
	}
	return out
}

// lateWithinFlag is the sample's --late-within flag of the configuration,
// or nothing.
func lateWithinFlag(c Config) string {
	if c.LateWithin <= 0 {
		return ""
	}
	return " --late-within " + c.LateWithin.String()
}
