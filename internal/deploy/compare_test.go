package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
)

// fixedWarehouse answers Definition and Canonical with fixed text, in
// Snowflake's normal form; deployed "" is a missing object.
type fixedWarehouse struct {
	Warehouse
	deployed, want string
	err            error
}

func (w fixedWarehouse) Definition(context.Context, *sql.DB, dialect.Renderer, emit.File) (string, bool, error) {
	if w.deployed == "" {
		return "", false, nil
	}
	return normalize(w.deployed), true, nil
}

func (w fixedWarehouse) Canonical(context.Context, *sql.DB, dialect.Renderer, emit.File) (string, error) {
	return normalize(w.want), w.err
}

// TestPlanAndDriftAgree checks that an object plan would change is one
// drift reports, and the other way round.
func TestPlanAndDriftAgree(t *testing.T) {
	const view = "CREATE OR REPLACE VIEW db.s.v COPY GRANTS\nAS\nSELECT a, b FROM db.s.t"
	cases := []struct {
		name, deployed, want string
		err                  error
		action               Action // "" when plan has no change
		state                State  // "" when drift has no difference
	}{
		{"identical", view, view, nil, "", ""},
		{"whitespace only", "create or replace view v copy grants as\n  select a,   b\n from db.s.t;", view, nil, "", ""},
		{"real difference", view, view + " WHERE a > 0", nil, Replace, Changed},
		{"missing", "", view, nil, Create, Missing},
		{"cannot compare", view, "", fmt.Errorf("input missing: %w", ErrCannotCompare), Replace, Changed},
	}
	f := emit.File{Path: "05_view/s.v.sql", Object: &ir.Object{Kind: ir.KindView, Ref: ir.Ref{Schema: "s", Name: "v"}},
		Statements: []dialect.Statement{{SQL: view, Replaces: true}}}
	d := &Desired{Dir: "sql"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := &Target{Name: "prod", Warehouse: fixedWarehouse{deployed: c.deployed, want: c.want, err: c.err}}
			ch, _, err := compare(context.Background(), tg, d, f)
			if err != nil {
				t.Fatal(err)
			}
			diff, err := driftOf(context.Background(), tg, d, f)
			if err != nil {
				t.Fatal(err)
			}
			var action Action
			if ch != nil {
				action = ch.Action
			}
			var state State
			if diff != nil {
				state = diff.State
			}
			if action != c.action || state != c.state {
				t.Errorf("plan %q, drift %q; want plan %q, drift %q", action, state, c.action, c.state)
			}
			if ch != nil && diff != nil && ch.Diff != diff.Diff && c.err == nil && c.deployed != "" {
				t.Errorf("plan and drift show different diffs:\n%s\n%s", ch.Diff, diff.Diff)
			}
		})
	}
}
