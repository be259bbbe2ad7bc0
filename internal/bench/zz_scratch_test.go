package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/ledgerloop/trueup/generator"
)

func TestZZScratch(t *testing.T) {
	state := os.Getenv("ZZ_STATE")
	if state == "" {
		t.Skip()
	}
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	db := "/tmp/zz.duckdb"
	os.Remove(db)
	os.Remove(db + ".wal")
	if err := copyDB(state, db); err != nil {
		t.Fatal(err)
	}
	c := Config{}
	r, err := c.measure(context.Background(), p, db, os.Getenv("ZZ_BATCH"), true)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(r.Statements, func(i, j int) bool { return r.Statements[i].Wall > r.Statements[j].Wall })
	fmt.Printf("total %v cpu %v\n", r.Wall, r.CPU)
	for i, s := range r.Statements {
		if i > 30 {
			break
		}
		fmt.Printf("%8.0fms %10d %-22s %3d %-9s %.90s\n", float64(s.Wall.Microseconds())/1000, s.RowsRead, s.Task, s.Step, s.Stage, s.Head)
	}
}

func TestZZDump(t *testing.T) {
	if os.Getenv("ZZ_DUMP") == "" {
		t.Skip()
	}
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Render(p, "duckdb")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create("/tmp/zz_duckdb.sql")
	defer out.Close()
	for _, f := range files {
		for i, s := range f.Statements {
			fmt.Fprintf(out, "\n-- ==== %s #%d\n%s\n", f.Path, i+1, s.SQL)
		}
	}
}

func TestZZTables(t *testing.T) {
	state := os.Getenv("ZZ_TSTATE")
	if state == "" {
		t.Skip()
	}
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	db := "/tmp/zzt.duckdb"
	if err := copyDB(state, db); err != nil {
		t.Fatal(err)
	}
	c := Config{}
	r, err := c.measure(context.Background(), p, db, os.Getenv("ZZ_TBATCH"), true)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create(os.Getenv("ZZ_OUT"))
	defer out.Close()
	for _, s := range r.Statements {
		for tb, n := range s.Tables {
			fmt.Fprintf(out, "%s\t%d\t%s\t%s\t%s\t%d\t%d\n", s.Task, s.Step, s.Stage, tb, s.Head, n, s.Wall.Microseconds())
		}
	}
}
