package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/mask"
)

// ImpactOptions are the options of trueup impact.
type ImpactOptions struct {
	// Models is the edited spec; DB the local database gold was resolved in.
	Models, DB string
	JSON       bool
	// Samples is how many changed customers are shown per field.
	Samples int
	// Role masks the samples' PII values as explain does.
	Role string
	// Target, when set, is a Snowflake target of the configuration file
	// Config: a zero-copy clone of its database is re-resolved (its
	// masking policies mask the samples by the session's role).
	Target, Config string
}

// ErrImpact is returned (with exit code 2) by impact when the rule change
// would change gold.
var ErrImpact = fmt.Errorf("the rule change would change gold")

// Impact re-resolves a copy of the local database under the edited spec,
// publishes nothing, and reports per field how many customers' values
// would change, how winners would move between sources and rules, and
// samples with the value before and after. Exit 2 when anything would
// change.
func Impact(ctx context.Context, w io.Writer, o ImpactOptions) error {
	role, err := mask.Parse(o.Role)
	if err != nil {
		return err
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	if o.Samples < 0 {
		return fmt.Errorf("--samples %d: want 0 or more", o.Samples)
	}
	kinds := map[string]string{} // PII field -> validity kind
	var pii []string
	for _, f := range p.Spec.Fields {
		if f.PII {
			kinds[f.Name] = f.Valid
			pii = append(pii, f.Name)
		}
	}
	if o.Target != "" {
		if o.Role != "" {
			return fmt.Errorf("impact --target: --role does not apply: in Snowflake the masking policies mask the samples by the session's role")
		}
		return impactTarget(ctx, w, o, p)
	}
	if role.Plaintext() && len(pii) > 0 && o.Samples > 0 {
		if err := local.AuditRead(ctx, o.DB, p, "impact", map[string]any{"role": string(role), "fields": pii, "command": "impact"}); err != nil {
			return err
		}
	}
	im, err := local.ImpactOf(ctx, o.DB, p, o.Samples)
	if err != nil {
		return err
	}
	for i := range im.Fields {
		f := &im.Fields[i]
		kind, ok := kinds[f.Field]
		if !ok {
			continue
		}
		for _, c := range f.Samples {
			for _, r := range []*local.Winner{c.Before, c.After} {
				if r != nil && r.Value != nil {
					v := mask.Value(role, kind, *r.Value)
					r.Value = &v
				}
			}
		}
	}
	return reportImpact(w, o, im)
}

// impactTarget is trueup impact --target: a Snowflake target's clone.
func impactTarget(ctx context.Context, w io.Writer, o ImpactOptions, p *plan.Plan) error {
	c, err := connect(TargetOptions{Models: o.Models, Target: o.Target, Config: o.Config}, false)
	if err != nil {
		return err
	}
	defer c.target.DB.Close()
	im, err := deploy.Impact(ctx, c.target, p, o.Samples, time.Now())
	if err != nil {
		return err
	}
	return reportImpact(w, o, im)
}

func reportImpact(w io.Writer, o ImpactOptions, im *local.Impact) error {
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			SchemaVersion int `json:"schema_version"`
			*local.Impact
		}{1, im}); err != nil {
			return err
		}
	} else {
		printImpact(w, im)
	}
	if im.Changed() {
		return &ExitError{Code: 2, Err: ErrImpact}
	}
	return nil
}

func printImpact(w io.Writer, im *local.Impact) {
	fmt.Fprintf(w, "rule set %s -> %s, %d customers re-resolved (nothing published)\n", im.RulesetBefore, im.RulesetAfter, im.Customers)
	if im.Held {
		fmt.Fprintf(w, "held: error-level checks failed under the new rules (%s): held customers show no change\n", strings.Join(im.HeldBy, ", "))
	}
	fmt.Fprintf(w, "\n%-16s %8s %8s\n", "field", "values", "winners")
	for _, f := range im.Fields {
		fmt.Fprintf(w, "%-16s %8d %8d\n", f.Field, f.ValuesChanged, f.WinnersMoved)
	}
	for _, f := range im.Fields {
		if len(f.Moves) == 0 && len(f.Samples) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", f.Field)
		for _, m := range f.Moves {
			fmt.Fprintf(w, "  %s -> %s: %d\n", orNone(m.From), orNone(m.To), m.Customers)
		}
		for _, c := range f.Samples {
			fmt.Fprintf(w, "  %s: %s -> %s\n", c.Customer, winnerText(c.Before), winnerText(c.After))
		}
	}
	if !im.Changed() {
		fmt.Fprintln(w, "\nno change: gold would stay as it is")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func winnerText(r *local.Winner) string {
	if r == nil {
		return "(none)"
	}
	v := "null"
	if r.Value != nil {
		v = fmt.Sprintf("%q", *r.Value)
	}
	return fmt.Sprintf("%s (%s/%s)", v, r.Source, r.Rule)
}
