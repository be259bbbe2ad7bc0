package migrations_test

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/migrations"
)

// format1 is the repository's history as format 1 stored it when Snowflake
// was the only dialect: every column default rendered for Snowflake alone.
// Its migrations are the .sql files of sql/migrations.
func format1(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := migrations.ReadDir("../../sql/migrations")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/format1-snowflake.json")
	if err != nil {
		t.Fatal(err)
	}
	files[migrations.StateFile] = data
	return files
}

// later is a dialect registered after the history was written: DuckDB's
// SQL under a name no stored default knows.
type later struct{ *duckdb.Renderer }

func (later) Name() string { return "later" }

var registerLater sync.Once

// TestFormat1History: a format 1 history whose defaults were rendered for
// Snowflake only loads as the neutral form, renders again to its own .sql
// files byte for byte, and renders whole in DuckDB and in a dialect
// registered after it was written; it is written back in the current
// format.
func TestFormat1History(t *testing.T) {
	registerLater.Do(func() {
		duck, err := dialect.Lookup(duckdb.Name)
		if err != nil {
			t.Fatal(err)
		}
		dialect.Register(dialect.New("later", func() dialect.Renderer { return later{&duckdb.Renderer{}} }, duck.Migrations()))
	})
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	files := format1(t)
	st, err := migrations.Load(files, "sql/migrations", "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Migrations) == 0 {
		t.Fatal("no migrations")
	}
	for _, name := range []string{"snowflake", duckdb.Name, "later"} {
		r, err := dialect.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		r.Configure(migrations.Settings(p))
		out, err := migrations.Render(st, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(out) != len(st.Migrations) {
			t.Errorf("%s: %d migrations rendered of %d", name, len(out), len(st.Migrations))
		}
		for _, m := range st.Migrations {
			if name == "snowflake" && !bytes.Equal(out[m.File], files[m.File]) {
				t.Errorf("%s renders again differently from the file written", m.File)
			}
		}
		if name != "snowflake" && !strings.Contains(string(out["00001_initial.sql"]), "DEFAULT nextval('raw.app_lines_seq')") {
			t.Errorf("%s: 00001_initial.sql has no default of raw.app_lines.load_seq", name)
		}
	}
	data := st.Marshal()
	if !bytes.Contains(data, []byte(`"format": 2`)) || !bytes.Contains(data, []byte(`"sequence": "raw.app_lines_seq"`)) || bytes.Contains(data, []byte(`"snowflake": `)) {
		t.Errorf("written back:\n%s", data[:min(len(data), 1500)])
	}
	if _, err := migrations.Parse("schema.json", data); err != nil {
		t.Errorf("written back: %v", err)
	}
}

// TestFormat1UnknownDefault: a format 1 default trueup does not recognise,
// or renderings that disagree, are refused with the migration, table and
// column named.
func TestFormat1UnknownDefault(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{`"snowflake": "TRUEUP.RAW.APP_LINES_SEQ.NEXTVAL"`, `"snowflake": "CURRENT_TIMESTAMP()"`, `"CURRENT_TIMESTAMP()" is not a sequence's next value`},
		{`"snowflake": "TRUEUP.RAW.APP_LINES_SEQ.NEXTVAL"`, `"oracle": "raw.app_lines_seq.nextval"`, `oracle "raw.app_lines_seq.nextval" is not`},
		{`"snowflake": "TRUEUP.RAW.APP_LINES_SEQ.NEXTVAL"`, `"snowflake": "TRUEUP.RAW.APP_LINES_SEQ.NEXTVAL", "duckdb": "nextval('raw.crm_lines_seq')"`, "draws from sequence raw.crm_lines_seq in one dialect and raw.app_lines_seq in snowflake"},
	} {
		files := format1(t)
		files[migrations.StateFile] = bytes.Replace(files[migrations.StateFile], []byte(c.from), []byte(c.to), 1)
		_, err := migrations.Load(files, "sql/migrations", "snowflake")
		if err == nil || !strings.Contains(err.Error(), `sql/migrations/schema.json: migration 1: table raw.app_lines: column "load_seq": `) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.to, err)
		}
	}
}

// TestFormat2Default: format 2 reads a default only in its neutral form; a
// per-dialect rendering there is refused with its column named.
func TestFormat2Default(t *testing.T) {
	files, err := migrations.ReadDir("../../sql/migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Load(files, "sql/migrations", "snowflake"); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{`"snowflake": "TRUEUP.RAW.APP_LINES_SEQ.NEXTVAL"`, `"sequence": "app_lines_seq"`} {
		bad := map[string][]byte{}
		for n, b := range files {
			bad[n] = b
		}
		bad[migrations.StateFile] = bytes.Replace(files[migrations.StateFile], []byte(`"sequence": "raw.app_lines_seq"`), []byte(to), 1)
		if _, err := migrations.Load(bad, "sql/migrations", "snowflake"); err == nil || !strings.Contains(err.Error(), `migration 1: table raw.app_lines: column "load_seq": default`) {
			t.Errorf("%s: %v", to, err)
		}
	}
}
