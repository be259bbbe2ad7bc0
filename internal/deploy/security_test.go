package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/internal/deploy/deploytest"
)

// TestSecurityDrift: against an account that holds every grant of the
// analyst role but one, and the PII tag on every column but with its
// masking policy detached, drift reports the role and the tag as changed,
// the missing grant and the missing protections in their diffs, and
// nothing for the grants that are there.
func TestSecurityDrift(t *testing.T) {
	d, err := Load("../../models", "../../sql", "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	w := Snowflake{Database: "TRUEUP"}
	var analyst, tag string
	var tagObj *ir.Object
	for _, f := range d.Files {
		switch f.Object.Ref {
		case ir.Ref{Schema: "role", Name: "analyst"}:
			if analyst, err = w.securityCanonical(d.R, f); err != nil {
				t.Fatal(err)
			}
		case ir.Ref{Schema: "audit", Name: "pii"}:
			tagObj = f.Object
			if tag, err = w.securityCanonical(d.R, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if analyst == "" || tag == "" {
		t.Fatal("no analyst role or PII tag in the generated SQL")
	}
	const removed = "SELECT ON TABLE TRUEUP.GOLD.CUSTOMER_FIELDS"
	var grants, future [][]any
	for _, line := range strings.Split(analyst, "\n") {
		if line == removed {
			continue
		}
		priv, rest, _ := strings.Cut(line, " ON ")
		fut := strings.HasPrefix(rest, "FUTURE ")
		rest = strings.TrimPrefix(rest, "FUTURE ")
		i := strings.LastIndexByte(rest, ' ')
		row := []any{priv, strings.ReplaceAll(rest[:i], " ", "_"), rest[i+1:]}
		if fut {
			future = append(future, row)
		} else {
			grants = append(grants, row)
		}
	}
	rec := &deploytest.Recorder{Answer: func(q string, _ []any) ([]string, [][]any) {
		switch {
		case q == "SHOW ROLES LIKE 'TRUEUP_ANALYST'":
			return []string{"name"}, [][]any{{"TRUEUP_ANALYST"}}
		case q == "SHOW GRANTS TO ROLE TRUEUP_ANALYST":
			return []string{"privilege", "granted_on", "name"}, append(grants, []any{"OWNERSHIP", "TABLE", "TRUEUP.GOLD.X"})
		case q == "SHOW FUTURE GRANTS TO ROLE TRUEUP_ANALYST":
			return []string{"privilege", "grant_on", "name"}, future
		case strings.HasPrefix(q, "SHOW TAGS LIKE 'PII'"):
			return []string{"name"}, [][]any{{"PII"}}
		case strings.Contains(q, "TAG_REFERENCES_ALL_COLUMNS("):
			var rows [][]any
			for _, c := range tagObj.Tag.Columns {
				if strings.Contains(q, "'"+strings.ToUpper("TRUEUP."+c.Object.Schema+"."+c.Object.Name)+"'") {
					rows = append(rows, []any{"TRUEUP", "AUDIT", "PII", c.Value, strings.ToUpper(c.Column)})
				}
			}
			return []string{"TAG_DATABASE", "TAG_SCHEMA", "TAG_NAME", "TAG_VALUE", "COLUMN_NAME"}, rows
		}
		return nil, nil
	}}
	tg := &Target{Name: "prod", DB: rec.DB(), Warehouse: w}
	diffs, err := Drift(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]Difference{}
	for _, x := range diffs {
		found[x.Kind+" "+x.Object] = x
	}
	role, ok := found["role role.analyst"]
	if !ok || role.State != Changed || !strings.Contains(role.Diff, "\n+"+removed+"\n") {
		t.Errorf("the revoked grant is not reported: %+v", role)
	} else if strings.Count(role.Diff, "\n+") != 1+strings.Count(role.Diff, "\n+++") || strings.Contains(role.Diff, "\n-") && !strings.Contains(role.Diff, "\n---") {
		t.Errorf("more than the revoked grant differs:\n%s", role.Diff)
	}
	tg2, ok := found["tag audit.pii"]
	if !ok || tg2.State != Changed || !strings.Contains(tg2.Diff, "\n+policy audit.pii_mask_varchar protects gold.customer_master.email\n") {
		t.Errorf("the detached policy is not reported: %+v", tg2)
	}
	if strings.Contains(tg2.Diff, "\n+column ") {
		t.Errorf("tag assignments that are there are reported:\n%s", tg2.Diff)
	}
	if x, ok := found["role role.pii_reader"]; !ok || x.State != Missing {
		t.Errorf("a role the account does not have is not missing: %+v", x)
	}
}
