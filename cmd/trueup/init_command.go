package main

import (
	"github.com/spf13/cobra"

	"github.com/ledgerloop/trueup/internal/app"
)

// addInitCommand adds trueup init, which writes a starter project.
func addInitCommand(root *cobra.Command) {
	o := app.InitOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter project into DIR (default .): a spec of the three sources, trueup.yaml, sample landing files and a master key",
		Long: `Write a starter project into DIR (default the working directory): the spec
models/ (the app's PostgreSQL database through WAL change data capture,
Salesforce change events and Stripe events; the customer fields, rules,
checks and rule tests), trueup.yaml with a local DuckDB target, sample
landing files of the three producers in landing/, and the master key of
the local database in .trueup/master.key (mode 0600).

An existing file is never written over without --force; even then an
existing master key is kept, since the database's vault needs it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			return app.Init(c.OutOrStdout(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "write over existing files (an existing master key is kept)")
	cmd.Flags().IntVar(&o.Customers, "customers", 10, "number of sample customers in landing/")
	cmd.Flags().Int64Var(&o.Seed, "seed", 1, "random seed of the sample files")
	root.AddCommand(cmd)
}
