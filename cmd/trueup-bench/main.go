// Command trueup-bench measures the local pipeline at volume and writes
// BENCHMARKS.md: states of 100K and 1M customers (5M with -5m), a peak
// batch and a small batch on each, one late against one current event of
// a customer with a long history, each beside the bare load of the same
// files. -quick runs a small configuration in minutes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ledgerloop/trueup/internal/bench"
	"github.com/ledgerloop/trueup/internal/local"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("trueup-bench", flag.ContinueOnError)
	c := bench.Config{}
	quick := fs.Bool("quick", false, "a small configuration: states of 1K and 10K customers, a 20K-line peak batch, a 1K-line small batch")
	five := fs.Bool("5m", false, "add a state of 5M customers")
	scales := fs.String("scales", "", "comma-separated state sizes, replacing the configuration's (e.g. 100000,1000000)")
	out := fs.String("out", "BENCHMARKS.md", "the report to write")
	jsonOut := fs.String("json", "", "also write every measured figure, every statement's included, as JSON to this file")
	timeout := fs.Duration("timeout", 0, "stop measuring after this long and report what was measured (0: no limit)")
	fs.StringVar(&c.Models, "models", "models", "folder of the spec")
	fs.StringVar(&c.Work, "work", filepath.Join(os.TempDir(), "trueup-bench"), "folder for landing files and state databases, reused between runs")
	fs.Float64Var(&c.EventsPerCustomer, "events-per-customer", 5, "state: average events per customer, creations included")
	fs.IntVar(&c.Heavy, "heavy", 1000, "events of the heavy customer of each state")
	peak := fs.Int("peak", 0, "lines of the peak batch (default 2400000; quick 20000)")
	small := fs.Int("small", 0, "lines of the small batch (default 100000; quick 1000)")
	sealing := fs.Int("sealing", -1, "customers of the state the cost of sealing PII is measured on, sealed and in plaintext (default 10000; quick 2000; 0: not measured)")
	fs.IntVar(&c.Runs, "runs", 3, "runs of each batch")
	fs.Float64Var(&c.Late, "late", 0.05, "share of late events in the peak and small batches")
	fs.DurationVar(&c.LateWithin, "late-within", 0, "put those late events within this long before the batch (e.g. 72h), not before every event of their customer")
	fs.Float64Var(&c.Duplicates, "duplicates", 0.02, "share of redelivered events in the peak and small batches")
	fs.Float64Var(&c.Conflicts, "conflicts", 0.1, "share of asserted values that differ from the truth")
	fs.Int64Var(&c.Seed, "seed", 1, "random seed of the sample")
	fs.StringVar(&c.Local.MemoryLimit, "memory-limit", local.DefaultMemoryLimit, "DuckDB memory_limit")
	fs.IntVar(&c.Local.Threads, "threads", 0, "DuckDB threads (0: one per core)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "trueup-bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	c.Scales = []int{100_000, 1_000_000}
	c.PeakEvents, c.SmallEvents = 2_400_000, 100_000
	if *quick {
		c.Scales = []int{1_000, 10_000}
		c.PeakEvents, c.SmallEvents = 20_000, 1_000
	}
	c.SealingCustomers = 10_000
	if *quick {
		c.SealingCustomers = 2_000
	}
	if *sealing >= 0 {
		c.SealingCustomers = *sealing
	}
	if *five {
		c.Scales = append(c.Scales, 5_000_000)
	}
	if *scales != "" {
		c.Scales = nil
		for _, s := range strings.Split(*scales, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "trueup-bench: -scales %q: want positive numbers of customers separated by commas\n", *scales)
				return 2
			}
			c.Scales = append(c.Scales, n)
		}
	}
	if *peak != 0 {
		c.PeakEvents = *peak
	}
	if *small != 0 {
		c.SmallEvents = *small
	}
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"peak", c.PeakEvents < 0}, {"small", c.SmallEvents < 0}, {"runs", c.Runs < 1}, {"heavy", c.Heavy < 0},
		{"events-per-customer", !(c.EventsPerCustomer >= 0)}, {"threads", c.Local.Threads < 0},
		{"late", !(c.Late >= 0 && c.Late <= 1)}, {"duplicates", !(c.Duplicates >= 0 && c.Duplicates <= 1)}, {"conflicts", !(c.Conflicts >= 0 && c.Conflicts <= 1)},
		{"timeout", *timeout < 0}, {"sealing", *sealing < -1}, {"memory-limit", !local.ValidMemoryLimit(c.Local.MemoryLimit)},
	} {
		if f.bad {
			v := fs.Lookup(f.name).Value.String()
			fmt.Fprintf(os.Stderr, "trueup-bench: -%s %s: out of range\n", f.name, v)
			return 2
		}
	}
	c.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	mach := bench.ThisMachine()
	res, err := bench.Execute(ctx, c)
	if res == nil {
		fmt.Fprintf(os.Stderr, "trueup-bench: %v\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "trueup-bench: stopped (%v); reporting what was measured\n", err)
	}
	commands := []string{"trueup-bench " + strings.Join(args, " ")}
	commands = append(commands, bench.SampleCommands(c)...)
	f, ferr := os.Create(*out)
	if ferr != nil {
		fmt.Fprintf(os.Stderr, "trueup-bench: -out %s: %v\n", *out, ferr)
		return 1
	}
	if werr := bench.Report(f, res, mach, commands); werr != nil {
		f.Close()
		fmt.Fprintf(os.Stderr, "trueup-bench: -out %s: %v\n", *out, werr)
		return 1
	}
	if cerr := f.Close(); cerr != nil {
		fmt.Fprintf(os.Stderr, "trueup-bench: -out %s: %v\n", *out, cerr)
		return 1
	}
	if *jsonOut != "" {
		b, jerr := json.MarshalIndent(res, "", " ")
		if jerr == nil {
			jerr = os.WriteFile(*jsonOut, b, 0o644)
		}
		if jerr != nil {
			fmt.Fprintf(os.Stderr, "trueup-bench: -json %s: %v\n", *jsonOut, jerr)
			return 1
		}
	}
	fmt.Fprintf(os.Stderr, "trueup-bench: wrote %s in %s\n", *out, time.Since(res.Started).Round(time.Second))
	if err != nil {
		return 1
	}
	for _, s := range res.Scales {
		if s.Skipped != "" {
			fmt.Fprintf(os.Stderr, "trueup-bench: state of %d customers not completed: %s\n", s.Customers, s.Skipped)
			return 1
		}
	}
	return 0
}
