package sfrules

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/dialecttest"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
)

func TestPartsAgreeWithMarks(t *testing.T) {
	dirs := []string{"../../models", "../testdata/spec", "../testdata/wal2json/models"}
	more, _ := filepath.Glob("../../generator/testdata/*/models")
	dirs = append(dirs, more...)
	type named struct {
		name string
		s    dialect.Statement
	}
	var all []named
	for _, dir := range dirs {
		p, err := generator.Compile(dir)
		if err != nil {
			t.Logf("%s: %v", dir, err)
			continue
		}
		files, err := generator.Render(p, snowflake.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for i, s := range f.Statements {
				all = append(all, named{fmt.Sprintf("%s: %s #%d", dir, f.Path, i+1), s})
			}
		}
	}
	r := &snowflake.Renderer{}
	r.Configure(dialecttest.Settings)
	for _, c := range dialecttest.Cases() {
		for _, o := range c.Objects {
			for _, s := range r.Render(o) {
				all = append(all, named{c.Name, s})
			}
		}
		for _, s := range c.Setup {
			all = append(all, named{c.Name + " setup", dialect.Statement{SQL: s(r), Parseable: true}})
		}
		all = append(all, named{c.Name + " query", dialect.Statement{SQL: c.Query(r), Parseable: true}})
	}
	var oldN, newN int
	for _, n := range all {
		p := PartsOf(n.s.SQL)
		var want []string
		for _, b := range n.s.Bodies {
			want = append(want, strings.TrimSpace(noDollar(b)))
		}
		var got []string
		for _, b := range p.Bodies {
			got = append(got, strings.TrimSpace(noDollar(b)))
		}
		if p.Whole != n.s.Parseable || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got whole %v bodies %d, want %v %d\n%.300s", n.name, p.Whole, len(got), n.s.Parseable, len(want), n.s.SQL)
			for i := range got {
				if i < len(want) && got[i] != want[i] {
					t.Logf("got %q\nwant %q", got[i], want[i])
				}
			}
		}
		if n.s.Parseable {
			oldN++
		}
		oldN += len(n.s.Bodies)
		newN += len(p.Texts(n.s.SQL))
	}
	t.Logf("%d statements; texts parsed: %d by the marks, %d by PartsOf", len(all), oldN, newN)
}

var lit = regexp.MustCompile(`'(?:[^'\\]|''|\\.)*'`)

// noDollar is the renderer's noDollarQuote: steps inside a $$ block.
func noDollar(sql string) string {
	return lit.ReplaceAllStringFunc(sql, func(l string) string {
		if !strings.Contains(l, "$$") {
			return l
		}
		return "(" + strings.ReplaceAll(l, "$$", "$' || '$") + ")"
	})
}
