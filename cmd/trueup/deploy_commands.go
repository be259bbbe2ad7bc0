package main

import (
	"github.com/spf13/cobra"

	"github.com/ledgerloop/trueup/internal/app"
)

// addDeployCommands adds plan, deploy, drift and monitor: the commands that
// talk to a target of trueup.yaml.
func addDeployCommands(root *cobra.Command, models *string) {
	var config string
	targetFlags := func(c *cobra.Command, o *app.TargetOptions) {
		c.Flags().StringVar(&o.Target, "target", "", "target of trueup.yaml (required)")
		c.Flags().StringVar(&config, "config", "trueup.yaml", "configuration file with the targets")
	}
	opts := func(o app.TargetOptions) app.TargetOptions {
		o.Models, o.Config = *models, config
		return o
	}

	var planOpts app.TargetOptions
	plan := &cobra.Command{
		Use:   "plan --target T",
		Short: "Show what deploy would change in the target, with a unified diff per change (exit 2 when something would)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return app.PlanTarget(c.Context(), c.OutOrStdout(), opts(planOpts))
		},
	}
	targetFlags(plan, &planOpts)
	root.AddCommand(plan)

	var deployOpts app.TargetOptions
	deploy := &cobra.Command{
		Use:   "deploy --target T",
		Short: "Apply the plan: pending migrations, then changed objects in dependency order; record the deployment in AUDIT",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return app.Deploy(c.Context(), c.OutOrStdout(), opts(deployOpts))
		},
	}
	targetFlags(deploy, &deployOpts)
	root.AddCommand(deploy)

	var driftOpts app.TargetOptions
	drift := &cobra.Command{
		Use:   "drift --target T",
		Short: "Report what in the target differs from the generated SQL, with a unified diff per object (exit 1 on drift)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return app.Drift(c.Context(), c.OutOrStdout(), opts(driftOpts))
		},
	}
	targetFlags(drift, &driftOpts)
	root.AddCommand(drift)

	var monOpts app.MonitorOptions
	monitor := &cobra.Command{
		Use:   "monitor --target T [--json]",
		Short: "Task runs and failures, freshness against the target, data quality, conflict rates",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			monOpts.TargetOptions = opts(monOpts.TargetOptions)
			return app.Monitor(c.Context(), c.OutOrStdout(), monOpts)
		},
	}
	targetFlags(monitor, &monOpts.TargetOptions)
	monitor.Flags().BoolVar(&monOpts.JSON, "json", false, "write the report as JSON")
	monitor.Flags().DurationVar(&monOpts.Window, "window", 0, "how far back to look (default 24h)")
	root.AddCommand(monitor)

	audit := &cobra.Command{Use: "audit", Short: "trueup's own audit log (deployments, rule sets, acknowledgements, erasures)"}
	var auditOpts app.AuditOptions
	verify := &cobra.Command{
		Use:   "verify (--target T | --db FILE) [--head HASH]",
		Short: "Recompute the audit log's hash chain; print its entries and head hash, or name the first broken entry",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			auditOpts.TargetOptions = opts(auditOpts.TargetOptions)
			if auditOpts.Target == "" && auditOpts.DB == "" {
				auditOpts.DB = "trueup.duckdb"
			}
			return app.AuditVerify(c.Context(), c.OutOrStdout(), auditOpts)
		},
	}
	verify.Flags().StringVar(&auditOpts.Target, "target", "", "target of trueup.yaml")
	verify.Flags().StringVar(&config, "config", "trueup.yaml", "configuration file with the targets")
	verify.Flags().StringVar(&auditOpts.Head, "head", "", "a head hash printed by an earlier verify: the chain must still pass through it")
	verify.Flags().StringVar(&auditOpts.DB, "db", "", "local database file (default trueup.duckdb when no --target)")
	audit.AddCommand(verify)
	root.AddCommand(audit)
}
