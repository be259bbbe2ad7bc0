package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "trueup",
		Short:         "One trusted customer master from conflicting sources, compiled to Snowflake",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var models string
	root.PersistentFlags().StringVar(&models, "models", "models", "folder of the spec")
	var logLevel string
	root.PersistentFlags().StringVar(&logLevel, "log-level", "off", "diagnostic log on stderr, trueup's and the Snowflake driver's: off, error, warn, info, debug or trace")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		return app.SetLogLevel(logLevel, c.ErrOrStderr())
	}
	root.Version = app.Version()
	root.SetVersionTemplate("trueup {{.Version}}\n")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print trueup's version (module, commit), the Go toolchain and the embedded DuckDB's",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return app.PrintVersion(c.OutOrStdout())
		},
	})

	root.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Check the spec and report every problem with its file:line:col",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return app.Validate(c.OutOrStdout(), models)
		},
	})
	addInitCommand(root)

	gen := app.GenerateOptions{}
	generate := &cobra.Command{
		Use:   "generate",
		Short: "Write the SQL of the pipeline (sql/), or check that it is current",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			gen.Models = models
			return app.Generate(c.OutOrStdout(), gen)
		},
	}
	generate.Flags().StringVar(&gen.Dialect, "dialect", snowflake.Name, "snowflake or duckdb")
	generate.Flags().StringVar(&gen.Out, "out", "sql", "output folder")
	generate.Flags().BoolVar(&gen.Check, "check", false, "compare with the output folder, print a unified diff and exit 1 when it differs")
	root.AddCommand(generate)

	runOpts := app.RunOptions{}
	var localFlag bool
	run := &cobra.Command{
		Use:   "run --local",
		Short: "Run the pipeline on the local DuckDB database",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !localFlag {
				return errors.New("run: only --local is supported; the warehouse runs the pipeline itself (trueup deploy)")
			}
			runOpts.Models = models
			runOpts.Progress = c.ErrOrStderr()
			if runOpts.Target != "" {
				// The target names the database and its settings;
				// flags given explicitly win over its memory_limit and
				// threads.
				if c.Flags().Changed("db") {
					return errors.New("run: give --db or --target, not both")
				}
				if !c.Flags().Changed("memory-limit") {
					runOpts.Local.MemoryLimit = ""
				}
			}
			return app.RunLocal(c.Context(), c.OutOrStdout(), runOpts)
		},
	}
	run.Flags().BoolVar(&localFlag, "local", false, "run on the embedded DuckDB database")
	run.Flags().StringVar(&runOpts.DB, "db", "trueup.duckdb", "DuckDB database file")
	run.Flags().StringVar(&runOpts.Target, "target", "", "a duckdb target of trueup.yaml: its path, memory_limit, threads and master_key (instead of --db)")
	run.Flags().StringVar(&runOpts.Config, "config", "trueup.yaml", "configuration file with the targets (with --target)")
	run.Flags().StringVar(&runOpts.Landing, "landing", "landing", "local landing folder (one folder per source below it)")
	run.Flags().BoolVar(&runOpts.Once, "once", false, "process what has landed and exit")
	run.Flags().BoolVar(&runOpts.Quiet, "quiet", false, "print the summary only: no line per pass, no progress on stderr")
	run.Flags().StringVar(&runOpts.Local.MemoryLimit, "memory-limit", local.DefaultMemoryLimit, "DuckDB memory_limit: past it, DuckDB spills to disk")
	run.Flags().IntVar(&runOpts.Local.Threads, "threads", 0, "DuckDB threads (0: one per core)")
	run.Flags().DurationVar(&runOpts.Local.Settle, "settle", local.DefaultSettle, "load a file only when it has not been modified for this long (0: as soon as its name is not a temporary one)")
	root.AddCommand(run)

	exp := app.ExplainOptions{}
	explain := &cobra.Command{
		Use:   "explain CUSTOMER_ID",
		Short: "Show a customer's golden record, every candidate, the rule that chose each value, and its history",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			exp.Models, exp.Customer = models, args[0]
			return app.Explain(c.Context(), c.OutOrStdout(), exp)
		},
	}
	explain.Flags().StringVar(&exp.DB, "db", "trueup.duckdb", "DuckDB database file")
	explain.Flags().StringVar(&exp.Field, "field", "", "only this field")
	explain.Flags().StringVar(&exp.AsOf, "as-of", "", "valid time: the customer as it was at this time")
	explain.Flags().StringVar(&exp.KnownAt, "known-at", "", "system time: as gold knew it at this time")
	explain.Flags().StringVar(&exp.Role, "role", "analyst", "reader's role: pii_reader sees PII fields in full, analyst and steward masked (an email's domain)")
	root.AddCommand(explain)

	rt := app.RuleTestOptions{}
	test := &cobra.Command{
		Use:   "test",
		Short: "Run the rule tests of models/tests on the embedded DuckDB database: one line per test, exit 1 on a failure",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rt.Models = models
			return app.RuleTests(c.Context(), c.OutOrStdout(), rt)
		},
	}
	test.Flags().BoolVar(&rt.JSON, "json", false, "print JSON")
	test.Flags().StringVar(&rt.Run, "run", "", "only the tests whose name contains this")
	root.AddCommand(test)

	rep := app.ReplayOptions{}
	var replayLocal bool
	replay := &cobra.Command{
		Use:   "replay --local",
		Short: "Recompute SILVER and GOLD from RAW (or some customers from SILVER) on the local database",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !replayLocal {
				return errors.New("replay: only --local is supported here; in Snowflake, see the README (Replay and backfill)")
			}
			rep.Models = models
			return app.Replay(c.Context(), c.OutOrStdout(), rep)
		},
	}
	replay.Flags().BoolVar(&replayLocal, "local", false, "replay on the embedded DuckDB database")
	replay.Flags().StringVar(&rep.DB, "db", "trueup.duckdb", "DuckDB database file")
	replay.Flags().StringVar(&rep.Since, "since", "", "re-observe only the lines loaded at or after this time")
	replay.Flags().StringSliceVar(&rep.Customers, "customers", nil, "re-resolve only these customer ids (comma-separated)")
	root.AddCommand(replay)

	dqOpts := app.DQOptions{}
	dq := &cobra.Command{
		Use:   "dq",
		Short: "Show the latest data-quality results; exit 1 when an error-level check failed",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			dqOpts.Models = models
			return app.DQ(c.Context(), c.OutOrStdout(), dqOpts)
		},
	}
	dq.PersistentFlags().StringVar(&dqOpts.DB, "db", "trueup.duckdb", "DuckDB database file")
	dq.Flags().BoolVar(&dqOpts.JSON, "json", false, "print JSON")
	var impOpts app.ImpactOptions
	impact := &cobra.Command{
		Use:   "impact [--db FILE | --target T] [--json] [--samples N] [--role R]",
		Short: "Re-resolve a copy of the database under the edited spec and report what gold would change, per field (exit 2 when something would)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			impOpts.Models = models
			return app.Impact(c.Context(), c.OutOrStdout(), impOpts)
		},
	}
	impact.Flags().StringVar(&impOpts.DB, "db", "trueup.duckdb", "DuckDB database file (only read: a copy is re-resolved)")
	impact.Flags().BoolVar(&impOpts.JSON, "json", false, "write the report as JSON")
	impact.Flags().IntVar(&impOpts.Samples, "samples", 5, "changed customers shown per field")
	impact.Flags().StringVar(&impOpts.Role, "role", "", "reader's role for the samples' PII values (analyst, the default, steward or pii_reader)")
	impact.Flags().StringVar(&impOpts.Target, "target", "", "a Snowflake target of trueup.yaml: re-resolve a zero-copy clone of its database instead of a local file")
	impact.Flags().StringVar(&impOpts.Config, "config", "", "the configuration file (default trueup.yaml)")
	root.AddCommand(impact)

	var rsOpts app.ResyncOptions
	resync := &cobra.Command{
		Use:   "resync [--since T] [--source S] [--json | --ids] [--db FILE]",
		Short: "List the records to fetch again from the sources' APIs: named by gap events, or of a source silent longer than its replay window",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rsOpts.Models = models
			return app.Resync(c.Context(), c.OutOrStdout(), rsOpts)
		},
	}
	resync.Flags().StringVar(&rsOpts.DB, "db", "trueup.duckdb", "DuckDB database file")
	resync.Flags().StringVar(&rsOpts.Since, "since", "", "list the findings from this time on (default: all)")
	resync.Flags().StringVar(&rsOpts.Source, "source", "", "one source's records")
	resync.Flags().BoolVar(&rsOpts.JSON, "json", false, "write the list as JSON")
	resync.Flags().BoolVar(&rsOpts.IDs, "ids", false, "one record id per line (with --source), for a backfill job")
	root.AddCommand(resync)

	var fgOpts app.ForgetOptions
	forget := &cobra.Command{
		Use:   "forget CUSTOMER --reason TEXT [--db FILE]",
		Short: "Erase a customer's PII from the local database (crypto-shredding), RAW included; recorded in the audit log",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			fgOpts.Models, fgOpts.Customer = models, args[0]
			return app.Forget(c.Context(), c.OutOrStdout(), fgOpts)
		},
	}
	forget.Flags().StringVar(&fgOpts.DB, "db", "trueup.duckdb", "DuckDB database file")
	forget.Flags().StringVar(&fgOpts.Reason, "reason", "", "why (a ticket, the request): recorded in the audit log (required)")
	root.AddCommand(forget)

	var ovOpts app.OverrideOptions
	override := &cobra.Command{
		Use:   "override CUSTOMER FIELD [VALUE] --reason TEXT [--until T] [--clear] [--author A] [--db FILE]",
		Short: "Set a steward's override of a customer's field (it wins over every rule while it lasts), or clear it; recorded in the audit log",
		Long: `Set a steward's override of a customer's field: it wins over every rule
while it lasts, explain names it (override, with its reason and author) and
history keeps it as a version of its own. It ends when --until comes, when
a source later sends the same value (unless project.overrides.
keep_when_source_agrees is true), or with --clear.`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(c *cobra.Command, args []string) error {
			ovOpts.Models, ovOpts.Customer, ovOpts.Field = models, args[0], args[1]
			if len(args) == 3 {
				ovOpts.Value = args[2]
			} else if !ovOpts.Clear {
				return fmt.Errorf("override: a VALUE, or --clear to end the override in force")
			}
			return app.Override(c.Context(), c.OutOrStdout(), ovOpts)
		},
	}
	override.Flags().StringVar(&ovOpts.DB, "db", "trueup.duckdb", "DuckDB database file")
	override.Flags().StringVar(&ovOpts.Reason, "reason", "", "why (a ticket, the customer's request): kept with the override and in the audit log (required)")
	override.Flags().StringVar(&ovOpts.Author, "author", "", "who decides (default $USER)")
	override.Flags().StringVar(&ovOpts.Until, "until", "", "when it expires: RFC 3339 time, date, or duration from now (72h); default: until a source agrees")
	override.Flags().BoolVar(&ovOpts.Clear, "clear", false, "end the override in force of FIELD")
	override.MarkFlagRequired("reason")
	root.AddCommand(override)

	var lnOpts app.LinkOptions
	link := &cobra.Command{
		Use:   "link SOURCE RECORD CUSTOMER --reason TEXT [--author A] [--db FILE]",
		Short: "Put a source record into an existing customer (a steward's decision no match rule undoes); recorded in the audit log",
		Args:  cobra.ExactArgs(3),
		RunE: func(c *cobra.Command, args []string) error {
			lnOpts.Models, lnOpts.Source, lnOpts.Record, lnOpts.Customer = models, args[0], args[1], args[2]
			return app.Link(c.Context(), c.OutOrStdout(), lnOpts)
		},
	}
	var ulOpts app.LinkOptions
	unlink := &cobra.Command{
		Use:   "unlink SOURCE RECORD --reason TEXT [--author A] [--db FILE]",
		Short: "Take a source record out of the customer it was matched into: a customer of its own (no match rule undoes it); recorded in the audit log",
		Args:  cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			ulOpts.Models, ulOpts.Source, ulOpts.Record = models, args[0], args[1]
			return app.Link(c.Context(), c.OutOrStdout(), ulOpts)
		},
	}
	for _, x := range []struct {
		cmd *cobra.Command
		o   *app.LinkOptions
	}{{link, &lnOpts}, {unlink, &ulOpts}} {
		x.cmd.Flags().StringVar(&x.o.DB, "db", "trueup.duckdb", "DuckDB database file")
		x.cmd.Flags().StringVar(&x.o.Reason, "reason", "", "why (a ticket, what was wrong): kept with the link, in the crosswalk's change log and the audit log (required)")
		x.cmd.Flags().StringVar(&x.o.Author, "author", "", "the steward deciding (default $USER)")
		root.AddCommand(x.cmd)
	}

	ackOpts := app.AckOptions{}
	ack := &cobra.Command{
		Use:   "ack CHECK --batch B --reason TEXT",
		Short: "Acknowledge a failed check so the held batch is published (recorded in AUDIT)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ackOpts.Models, ackOpts.DB, ackOpts.Check = models, dqOpts.DB, args[0]
			return app.Ack(c.Context(), c.OutOrStdout(), ackOpts)
		},
	}
	ack.Flags().StringVar(&ackOpts.Batch, "batch", "", "the batch whose failure is acknowledged")
	ack.Flags().StringVar(&ackOpts.Reason, "reason", "", "why (kept in AUDIT.DQ_ACKS)")
	ack.MarkFlagRequired("batch")
	ack.MarkFlagRequired("reason")
	dq.AddCommand(ack)
	root.AddCommand(dq)

	docsOpts := app.DocsOptions{}
	docsCmd := &cobra.Command{
		Use:   "docs --out DIR [--db FILE]",
		Short: "Write a static HTML site of the spec and its pipeline: fields and their rules, lineage, task graph, data-quality checks",
		Long: `Write a static HTML site (DIR/index.html: inline CSS and SVG, nothing
fetched) from the spec and the plan it compiles to: the fields of the
canonical customer with their resolution rules, the sources that feed
each and their PII tag; the lineage of every object from stage to gold;
the task graph; the data-quality checks. With --db, a local database
(trueup run --local) adds each field's conflict rate and how many values
each rule decided: counts only, no value.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			docsOpts.Models = models
			return app.Docs(c.Context(), c.OutOrStdout(), docsOpts)
		},
	}
	docsCmd.Flags().StringVar(&docsOpts.Out, "out", "", "folder to write the site to (required; created when missing)")
	docsCmd.Flags().StringVar(&docsOpts.DB, "db", "", "a local DuckDB database whose resolution figures to show (default: none)")
	root.AddCommand(docsCmd)

	smp := app.SampleOptions{}
	sample := &cobra.Command{
		Use:   "sample",
		Short: "Write realistic landed files of the three producers",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			smp.Models = models
			return app.Sample(c.OutOrStdout(), smp)
		},
	}
	sample.Flags().StringVar(&smp.Out, "out", "landing", "landing folder to write")
	sample.Flags().IntVar(&smp.Writer.Customers, "customers", 50, "number of customers")
	sample.Flags().Int64Var(&smp.Writer.Seed, "seed", 1, "random seed: the same seed writes the same files")
	sample.Flags().StringVar(&smp.Start, "start", "", "logical start of event times, RFC 3339 (default 2026-01-01T00:00:00Z)")
	sample.Flags().StringVar(&smp.Writer.Mode, "mode", "world", "world (four weeks of life cycles), state (bulk: --customers customers) or batch (bulk: --events lines on the customers of that state)")
	sample.Flags().Float64Var(&smp.Writer.EventsPerCustomer, "events-per-customer", 0, "state: average events per customer, creations included (default 6)")
	sample.Flags().IntVar(&smp.Writer.HeavyEvents, "heavy", 0, "state: number of events of the first customer (one long history)")
	sample.Flags().IntVar(&smp.Writer.Events, "events", 0, "batch: number of lines, redeliveries included")
	sample.Flags().IntVar(&smp.Writer.BatchCustomers, "batch-customers", 0, "batch: put the events on the first N customers of the state only")
	sample.Flags().Float64Var(&smp.Writer.LateShare, "late", 0, "batch: share of events older than every other event of their customer")
	sample.Flags().DurationVar(&smp.Writer.LateWithin, "late-within", 0, "batch: put the late events within this long before the batch, among their customer's latest events (e.g. 72h; at most 672h)")
	sample.Flags().Float64Var(&smp.Writer.DuplicateShare, "duplicates", 0, "batch: share of lines that redeliver an earlier event (same event id)")
	sample.Flags().Float64Var(&smp.Writer.ConflictRate, "conflicts", 0, "state and batch: share of asserted values that differ from the truth")
	root.AddCommand(sample)
	addDeployCommands(root, &models)
	return root
}
