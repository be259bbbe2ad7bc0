package migrations

import (
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
)

// timeTravelStatements render a set_time_travel step: what the dialect
// renders for the schema with its Time Travel, but for the CREATE (the
// schema exists: an earlier step created it) and the comment. A dialect
// without Time Travel renders nothing.
func timeTravelStatements(r dialect.Renderer, st Step) []string {
	days := *st.Days
	var out []string
	for _, s := range sqls(r.Render(&ir.Object{Kind: ir.KindSchema, Ref: ir.Ref{Schema: st.Schema}, TimeTravelDays: &days})) {
		if !strings.HasPrefix(s, "CREATE ") {
			out = append(out, s)
		}
	}
	return out
}

// onlyTimeTravel reports whether every step sets a schema's Time Travel.
func onlyTimeTravel(steps []Step) bool {
	for _, st := range steps {
		if st.Op != OpSetTimeTravel {
			return false
		}
	}
	return len(steps) > 0
}
