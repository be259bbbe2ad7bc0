package migrations_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
)

func compile(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpdate: the first run writes migration 1; a second run with the same
// spec writes nothing new and returns the same bytes; a new column gives
// migration 2 with ALTER TABLE ... ADD COLUMN and leaves migration 1 as
// it was; a type change is refused.
func TestUpdate(t *testing.T) {
	p := compile(t)
	for _, d := range dialect.Names() {
		first, err := migrations.Update(map[string][]byte{}, "sql/migrations", p, d)
		if err != nil {
			t.Fatal(err)
		}
		if first.New != "00001_initial.sql" || !bytes.Contains(first.Tree[first.New], []byte("-- +goose Up")) {
			t.Fatalf("%s: first migration %q", d, first.New)
		}
		again, err := migrations.Update(first.Tree, "sql/migrations", p, d)
		if err != nil {
			t.Fatal(err)
		}
		if again.New != "" || len(again.Tree) != len(first.Tree) {
			t.Fatalf("%s: a second run wrote %q", d, again.New)
		}
		for n, data := range first.Tree {
			if !bytes.Equal(again.Tree[n], data) {
				t.Errorf("%s: %s differs between two runs", d, n)
			}
		}
		// A new column on a table.
		hist := p.Object(ir.Ref{Schema: "gold", Name: "customer_master_versions"})
		saved := hist.Columns
		hist.Columns = append(append([]ir.Column(nil), saved...), ir.Column{Name: "industry", Type: ir.Text, NotNull: true, Comment: "new"})
		second, err := migrations.Update(first.Tree, "sql/migrations", p, d)
		if err != nil {
			t.Fatal(err)
		}
		if second.New != "00002_add_columns_gold_customer_master_versions.sql" {
			t.Fatalf("%s: second migration %q", d, second.New)
		}
		body := string(second.Tree[second.New])
		if !strings.Contains(strings.ToLower(body), "alter table") || !strings.Contains(strings.ToLower(body), "add column if not exists industry varchar") {
			t.Errorf("%s: migration 2:\n%s", d, body)
		}
		if !bytes.Equal(second.Tree["00001_initial.sql"], first.Tree["00001_initial.sql"]) {
			t.Errorf("%s: migration 1 was rewritten", d)
		}
		if len(second.Notes) != 1 || !strings.Contains(second.Notes[0], "without NOT NULL") {
			t.Errorf("%s: notes %v", d, second.Notes)
		}
		// A type change is a migration to write by hand.
		hist.Columns = append([]ir.Column(nil), saved...)
		for i := range hist.Columns {
			if hist.Columns[i].Name == "customer_id" {
				hist.Columns[i].Type = ir.Int
			}
		}
		if _, err := migrations.Update(second.Tree, "sql/migrations", p, d); err == nil || !strings.Contains(err.Error(), `column "customer_id" changes type from text to int`) {
			t.Errorf("%s: type change: %v", d, err)
		}
		hist.Columns = saved
		// A migration file unknown to schema.json is refused.
		bad := map[string][]byte{}
		for n, b := range first.Tree {
			bad[n] = b
		}
		bad["00002_by_hand.sql"] = []byte("-- +goose Up\nSELECT 1;\n")
		if _, err := migrations.Update(bad, "sql/migrations", p, d); err == nil || !strings.Contains(err.Error(), "not recorded in schema.json") {
			t.Errorf("%s: unknown migration: %v", d, err)
		}
	}
}

// TestUpdateRenames: a table the plan has under a new name (Was) is
// renamed, its columns compared with its own, and a new table that takes
// over rows of it (Moves) is created after the rename and the rows moved;
// the snapshot follows.
func TestUpdateRenames(t *testing.T) {
	p := compile(t)
	versions := p.Object(ir.Ref{Schema: "gold", Name: "customer_master_versions"})
	open := p.Object(ir.Ref{Schema: "gold", Name: "customer_master_open"})
	// The plan as it was: one history table, no open table.
	objects := p.Objects
	var before []*ir.Object
	for _, o := range objects {
		switch o {
		case open:
		case versions:
			old := *o
			old.Ref.Name, old.Was = o.Was, ""
			before = append(before, &old)
		default:
			if o.Kind != ir.KindView || o.Ref.Name != versions.Was {
				before = append(before, o)
			}
		}
	}
	for _, d := range dialect.Names() {
		p.Objects = before
		first, err := migrations.Update(map[string][]byte{}, "sql/migrations", p, d)
		p.Objects = objects
		if err != nil {
			t.Fatal(err)
		}
		second, err := migrations.Update(first.Tree, "sql/migrations", p, d)
		if err != nil {
			t.Fatal(err)
		}
		if second.New != "00002_rename_tables.sql" {
			t.Fatalf("%s: second migration %q", d, second.New)
		}
		body := strings.ToLower(string(second.Tree[second.New]))
		rename := strings.Index(body, "alter table")
		create := strings.Index(body, "create table if not exists")
		insert := strings.Index(body, "insert into")
		del := strings.Index(body, "delete from")
		if rename < 0 || create < rename || insert < create || del < insert || !strings.Contains(body[rename:create], "customer_master_history rename to") ||
			!strings.Contains(body[insert:], "where (valid_to is null and superseded_at is null)") {
			t.Errorf("%s: migration 2:\n%s", d, body)
		}
		for _, n := range second.Notes {
			if strings.Contains(n, "customer_master_history") {
				t.Errorf("%s: the renamed table is noted as dropped: %s", d, n)
			}
		}
		st, err := migrations.Load(second.Tree, "sql/migrations", d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Snapshot.Table(versions.Ref) == nil || st.Snapshot.Table(open.Ref) == nil || st.Snapshot.Table(ir.Ref{Schema: "gold", Name: versions.Was}) != nil {
			t.Errorf("%s: snapshot tables %v", d, st.Snapshot.Tables)
		}
		again, err := migrations.Update(second.Tree, "sql/migrations", p, d)
		if err != nil || again.New != "" {
			t.Errorf("%s: a third run wrote %q (%v)", d, again.New, err)
		}
	}
}

// TestRenderOtherDialect: the history renders in another dialect with the
// same versions.
func TestRenderOtherDialect(t *testing.T) {
	p := compile(t)
	res, err := migrations.Update(map[string][]byte{}, "sql/migrations", p, "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := dialect.Get("duckdb")
	r.Configure(migrations.Settings(p))
	out, err := migrations.Render(res.State, r)
	if err != nil {
		t.Fatal(err)
	}
	body := string(out["00001_initial.sql"])
	if !strings.Contains(body, "CREATE TABLE IF NOT EXISTS silver.observations") || strings.Contains(body, "NO TRANSACTION") ||
		!strings.Contains(body, "DEFAULT nextval('silver.observations_seq')") {
		t.Errorf("duckdb rendering:\n%s", body[:min(len(body), 2000)])
	}
}
