package migrations

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

// readDefaults reads every column default of a state as decoded (kept raw
// by Default.UnmarshalJSON) in the state's format. Format 1 stored each
// default as the dialects registered at the time rendered it; these are
// read back to the one default they all render, so that a dialect
// registered since renders the history too.
func readDefaults(st *State) error {
	for _, m := range st.Migrations {
		for _, s := range m.Steps {
			for _, c := range s.Columns {
				if err := c.Default.read(st.Format); err != nil {
					return fmt.Errorf("migration %d: table %s: column %q: %w", m.Version, s.Ref(), c.Name, err)
				}
			}
		}
	}
	for _, t := range st.Snapshot.Tables {
		for _, c := range t.Columns {
			if err := c.Default.read(st.Format); err != nil {
				return fmt.Errorf("snapshot: table %s: column %q: %w", t.Ref(), c.Name, err)
			}
		}
	}
	return nil
}

// read sets the default from its raw form in a format.
func (d *Default) read(format int) error {
	if d == nil {
		return nil
	}
	raw := d.raw
	d.raw = nil
	if format == 1 {
		return d.readFormat1(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var v struct {
		Sequence string `json:"sequence"`
	}
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("default: %w", err)
	}
	if r := ir.ParseRef(v.Sequence); r.Schema == "" || r.Name == "" {
		return fmt.Errorf("default %s: want {\"sequence\": \"schema.name\"}", raw)
	}
	d.Sequence = v.Sequence
	return nil
}

// Format 1 renderings of ir.Default (a sequence's next value), per dialect.
var (
	duckdbNextVal    = regexp.MustCompile(`^nextval\('([a-z0-9_]+\.[a-z0-9_]+)'\)$`)
	snowflakeIdent   = `(?:"[^"]+"|[A-Z0-9_$]+)`
	snowflakeNextVal = regexp.MustCompile(`^(?:` + snowflakeIdent + `\.)?(` + snowflakeIdent + `)\.(` + snowflakeIdent + `)\.NEXTVAL$`)
)

// readFormat1 reads a Format 1 default: every dialect's rendering must be
// one this trueup recognises, and all must draw from the same sequence.
func (d *Default) readFormat1(raw json.RawMessage) error {
	var byDialect map[string]string
	if err := json.Unmarshal(raw, &byDialect); err != nil {
		return fmt.Errorf("format 1 default: %w", err)
	}
	names := make([]string, 0, len(byDialect))
	for n := range byDialect {
		names = append(names, n)
	}
	sort.Strings(names)
	seq := ""
	for _, n := range names {
		s, ok := format1Sequence(n, byDialect[n])
		if !ok {
			return fmt.Errorf("format 1 default %s %q is not a sequence's next value as trueup renders it", n, byDialect[n])
		}
		if seq != "" && s != seq {
			return fmt.Errorf("format 1 default draws from sequence %s in one dialect and %s in %s", seq, s, n)
		}
		seq = s
	}
	if seq == "" {
		return fmt.Errorf("format 1 default with no rendering")
	}
	d.Sequence = seq
	return nil
}

// format1Sequence is the sequence ("schema.name") a Format 1 rendering in
// a dialect draws from.
func format1Sequence(dialectName, sql string) (string, bool) {
	switch dialectName {
	case "duckdb":
		if m := duckdbNextVal.FindStringSubmatch(sql); m != nil {
			return m[1], true
		}
	case "snowflake":
		if m := snowflakeNextVal.FindStringSubmatch(sql); m != nil {
			return snowflakeName(m[1]) + "." + snowflakeName(m[2]), true
		}
	}
	return "", false
}

// snowflakeName is the plan's name of an identifier the Snowflake renderer
// wrote: a quoted one as is, an unquoted one (upper case) in lower case.
func snowflakeName(id string) string {
	if strings.HasPrefix(id, `"`) {
		return strings.Trim(id, `"`)
	}
	return strings.ToLower(id)
}
