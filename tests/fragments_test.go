package tests

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/local"
)

// fragmentLines are JSON lines and near-JSON text for the JSON fragments:
// every shape a landed line can take, valid or not.
var fragmentLines = []string{
	``, ` `, `null`, `true`, `12`, `"text"`, `[]`, `[1, {"a": 2}]`, `{}`,
	`{"a":1`, `{"a":1} x`, `{"a":1}{"b":2}`, `{"a":1,}`, `{"a":NaN}`, `/*c*/{"a":1}`, `{'a':1}`,
	`{"a":"\ud800"}`, `{"a":"` + "\x01" + `"}`,
	`{"a":1,"a":2}`, `{"A":1}`,
	`{"a":null,"b":{"c":null},"d":[null]}`,
	`{"a":"x\u00e9\"\\\/\n","b":12345678901234567890123,"c":1.50,"d":-0.0,"e":1e400,"f":[1,"2",[3]],"g":{"h":{"i":[{"j":"k"}]}},"t":true,"u":false}`,
	`{"a.b":1,"a":{"b":2},"":3,"q\"uote":4,"sin'gle":5,"back\\slash":6,"$":7,"*":8,"[0]":9,"é":10,"0":11}`,
	`{"payload":{"op":"u","after":{"id":"k1","email":" A@B.io "},"source":{"ts_ms":1767225600000,"lsn":123}},"schema":{}}`,
	`{"op":"d","before":{"id":"k1"},"after":null,"source":{"ts_ms":"1767225600000","lsn":"0/1A"}}`,
	`{"payload":{"ChangeEventHeader":{"recordIds":["001A","001B"],"changedFields":["Name","Address.City"],"nulledFields":[]},"Name":null}}`,
	`{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"id","value":"k2"}],"identity":"not an array"}`,
	`{"data":{"object":{"items":{"data":[{"price":{"lookup_key":"pro"}}]},"metadata":{"account_id":"  ","seats":"3"}}}}`,
}

// fragmentPaths are the paths the JSON fragments are checked at.
var fragmentPaths = [][]string{
	{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}, {"f", "1"}, {"f", "2", "0"}, {"g", "h", "i", "0", "j"}, {"t"}, {"u"}, {"z"}, {"a", "b"},
	{"a.b"}, {"q\"uote"}, {"sin'gle"}, {"back\\slash"}, {"$"}, {"*"}, {"[0]"}, {"é"}, {"0"}, {"A"},
	{"payload", "op"}, {"op"}, {"payload", "after", "email"}, {"after", "email"}, {"before", "id"}, {"source", "ts_ms"}, {"source", "lsn"},
	{"payload", "ChangeEventHeader", "recordIds"}, {"payload", "ChangeEventHeader", "recordIds", "0"}, {"payload", "ChangeEventHeader", "changedFields"},
	{"payload", "Name"}, {"columns"}, {"identity"}, {"data", "object", "items", "data", "0", "price", "lookup_key"}, {"data", "object", "metadata", "account_id"},
}

// TestJSONValuesFragments checks on DuckDB that reading values parsed once
// (ParseJSONValues, JSONValues, JSONValue) gives what reading the parsed
// document path by path (ParseJSON, JSONGet, JSONText, JSONHas,
// JSONArrayHas) gives, for hostile lines and the sample's lines.
func TestJSONValuesFragments(t *testing.T) {
	lines := append([]string{}, fragmentLines...)
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	landing := t.TempDir()
	if _, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 30, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(landing, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	paths := fragmentPaths
	for _, src := range p.Spec.Sources {
		for _, m := range src.Fields {
			paths = append(paths, append([]string{"after"}, m.Path...), append([]string{"payload"}, m.Path...), append([]string{"data", "object"}, m.Path...))
		}
	}

	r := &duckdb.Renderer{}
	r.Configure(dialect.Settings{Database: "t"})
	db := fragmentDB(t)
	if _, err := db.Exec(`CREATE SEQUENCE n START 0 MINVALUE 0; CREATE TABLE lines (n INTEGER, line VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	insert(t, db, `INSERT INTO lines VALUES (nextval('n'), ?)`, lines)
	doc := r.ParseJSON("line")
	var checks []string
	check := func(what, old, new string) {
		checks = append(checks, fmt.Sprintf("CASE WHEN (%s) IS DISTINCT FROM (%s) THEN %s || ': ' || COALESCE(CAST(%s AS VARCHAR), 'NULL') || ' <> ' || COALESCE(CAST(%s AS VARCHAR), 'NULL') END", old, new, r.Str(what), old, new))
	}
	check("parsed", doc+" IS NULL", "jv IS NULL")
	for i, path := range paths {
		v := r.JSONValue("jv", i, path)
		dv := r.JSONValue("dv", i, path)
		name := fmt.Sprintf("%q", path)
		check("text "+name, r.JSONText(doc, path), r.JSONText(v, nil))
		check("has "+name, r.JSONHas(doc, path), r.JSONHas(v, nil))
		check("get "+name, "CAST("+r.JSONGet(doc, path)+" AS VARCHAR)", "CAST("+v+" AS VARCHAR)")
		check("array has "+name, r.JSONArrayHas(doc, path, "001B"), r.JSONArrayHas(v, nil, "001B"))
		check("doc values text "+name, r.JSONText(doc, path), r.JSONText(dv, nil))
		check("doc values has "+name, r.JSONHas(doc, path), r.JSONHas(dv, nil))
	}
	q := fmt.Sprintf(`SELECT n, line, list_filter([%s], x -> x IS NOT NULL) AS bad
FROM (SELECT n, line, %s AS jv, %s AS dv FROM lines)
WHERE len(list_filter([%[1]s], x -> x IS NOT NULL)) > 0
  -- ParseJSONValues rejects a repeated key, which ParseJSON takes.
  AND COALESCE(%[4]s, '') <> %[5]s
ORDER BY n`, strings.Join(checks, ",\n"), r.ParseJSONValues("line", paths), r.JSONValues(doc, paths),
		r.JSONRejection("line", "jv"), r.Str(ir.JSONDuplicateKey))
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var line string
		var bad any
		if err := rows.Scan(&n, &line, &bad); err != nil {
			t.Fatal(err)
		}
		t.Errorf("line %d %q: %v", n, line, bad)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d lines, %d paths", len(lines), len(paths))

	// A key named * is a key, not a wildcard.
	star := r.ParseJSON(r.Str(`{"*":{"x":["001B"]},"a":1}`))
	got := query(t, db, fmt.Sprintf("SELECT %s || ' ' || CAST(%s AS VARCHAR) || ' ' || (SELECT COUNT(*) FROM %s)",
		r.JSONText(star, []string{"*", "x", "0"}), r.JSONArrayHas(star, []string{"*", "x"}, "001B"), r.FlattenArray(star, []string{"*", "x"}, "e")))
	if len(got) != 1 || got[0] != "001B true 1" {
		t.Errorf("key *: got %q, want 001B true 1", got)
	}
}

// TestTextToDecimal checks on DuckDB that TextToDecimal reads text as
// TRY_CAST to the Decimal type does, for numbers written every way and
// text that is no number; but text with a digit separator "_", which
// DuckDB's cast reads and Snowflake's does not, is no number.
func TestTextToDecimal(t *testing.T) {
	r := &duckdb.Renderer{}
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"0", "1", "2", "5", "9", "0", "7", ".", "e", "E", "+", "-", " ", "_", "x", ",", "\t", "00", "999999999999", "inf", "nan"}
	texts := []string{"", "0", "-0", "12", "-12", "+12", " 12 ", "12.5", "-12.5", "13.5", "1e3", "1.5e1", "5e-116", "0x1F", "1_000",
		"999999999999999999", "1000000000000000000", "-999999999999999999", "99999999999999999999999999999999999999",
		"100000000000000000000000000000000000000", "1767225600000", "001767225600000", "1767225600.0", "٣", "１２"}
	for range 20000 {
		var b strings.Builder
		for range 1 + rnd.IntN(12) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		texts = append(texts, b.String(), fmt.Sprint(rnd.Int64()>>rnd.IntN(63)), fmt.Sprintf("%d.%d", rnd.Int64N(1<<40), rnd.IntN(1000)))
	}
	db := fragmentDB(t)
	if _, err := db.Exec(`CREATE TABLE texts (x VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	insert(t, db, `INSERT INTO texts VALUES (?)`, texts)
	got := query(t, db, fmt.Sprintf(`SELECT x || ': ' || COALESCE(CAST(a AS VARCHAR), 'NULL') || ' <> ' || COALESCE(CAST(b AS VARCHAR), 'NULL')
FROM (SELECT x, %s AS a, CASE WHEN NOT contains(x, '_') THEN TRY_CAST(x AS %s) END AS b FROM texts)
WHERE a IS DISTINCT FROM b ORDER BY x LIMIT 20`, r.TextToDecimal("x"), r.Type(ir.Decimal)))
	for _, g := range got {
		t.Errorf("TextToDecimal(%s", g)
	}
}

// insert runs the one-parameter statement for each value, in one
// transaction.
func insert(t *testing.T, db *sql.DB, stmt string, values []string) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ps, err := tx.Prepare(stmt)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for _, v := range values {
		if _, err := ps.Exec(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func fragmentDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if err := local.RegisterFunctions(db, crypt.MemoryVault()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestUTC checks on DuckDB that UTC gives an instant's UTC wall time
// whatever the session's time zone.
func TestUTC(t *testing.T) {
	r := &duckdb.Renderer{}
	db := fragmentDB(t)
	if _, err := db.Exec(`SET TimeZone = 'America/New_York'`); err != nil {
		t.Fatal(err)
	}
	got := query(t, db, fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) || ' ' || CAST(%s <= %s AS VARCHAR)`,
		r.UTC(`TIMESTAMPTZ '2026-01-01 10:00:00+02'`), r.UTC("now()"), r.Now()))
	if len(got) != 1 || got[0] != "2026-01-01 08:00:00 true" {
		t.Errorf("got %q, want 2026-01-01 08:00:00 true", got)
	}
}

// TestSealFragments: the DuckDB rendering's SealValue gives equal tokens
// for equal values and none of the value's text, OpenValue gives the value
// back, NULL stays NULL; SealText encrypts afresh each time and OpenText
// decrypts.
func TestSealFragments(t *testing.T) {
	db := fragmentDB(t)
	r := &duckdb.Renderer{}
	q := fmt.Sprintf(`SELECT %s = %s, %s <> %s, %s, %s IS NULL, %s <> %s, %s, position('ann' IN %s)`,
		r.SealValue("'ann@x.io'"), r.SealValue("'ann@x.io'"), r.SealValue("'ann@x.io'"), r.SealValue("'bob@x.io'"),
		r.OpenValue(r.SealValue("'ann@x.io'")), r.SealValue("CAST(NULL AS VARCHAR)"),
		r.SealText("'a line'"), r.SealText("'a line'"), r.OpenText(r.SealText("'a line with ann'")), r.SealValue("'ann@x.io'"))
	var same, differ, textDiffer bool
	var opened, text string
	var null bool
	var pos int
	if err := db.QueryRow(q).Scan(&same, &differ, &opened, &null, &textDiffer, &text, &pos); err != nil {
		t.Fatal(err)
	}
	if !same || !differ || opened != "ann@x.io" || !null || !textDiffer || text != "a line with ann" || pos != 0 {
		t.Errorf("same %v differ %v opened %q null %v text differs %v text %q position %d", same, differ, opened, null, textDiffer, text, pos)
	}
}
