package app

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/mask"
)

// ExplainOptions are the options of trueup explain.
type ExplainOptions struct {
	Models, DB, Customer, Field string
	AsOf, KnownAt               string
	// Role is the reader's role: PII fields are masked for every role
	// but pii_reader ("" is the default role, analyst).
	Role string
}

// parseTime reads 2026-01-31, 2026-01-31T10:00:00Z or 2026-01-31 10:00:00 (UTC).
func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: cannot read %q as a time (use 2026-01-31 or 2026-01-31T10:00:00Z)", flag, s)
}

// Explain prints the golden record of a customer, the rule and source behind
// every field, the candidates, and the versions of its history.
func Explain(ctx context.Context, w io.Writer, o ExplainOptions) error {
	asOf, err := parseTime("--as-of", o.AsOf)
	if err != nil {
		return err
	}
	knownAt, err := parseTime("--known-at", o.KnownAt)
	if err != nil {
		return err
	}
	role, err := mask.Parse(o.Role)
	if err != nil {
		return err
	}
	if role.Plaintext() {
		if err := auditPIIRead(ctx, o, role); err != nil {
			return err
		}
	}
	run, err := openLocal(ctx, o.Models, o.DB, true)
	if err != nil {
		return err
	}
	defer run.Close()
	e, err := run.Explain(ctx, o.Customer, o.Field, asOf, knownAt)
	if err != nil {
		return err
	}
	maskExplanation(&e, run.Plan().Spec, role)
	when := "now"
	if !asOf.IsZero() {
		when = "as of " + asOf.Format(time.RFC3339)
	}
	if !knownAt.IsZero() {
		when += ", as known at " + knownAt.Format(time.RFC3339)
	}
	if e.Record != "" {
		fmt.Fprintf(w, "record %s belongs to customer %s\n", e.Record, e.CustomerID)
	}
	fmt.Fprintf(w, "customer %s (%s)\n", e.CustomerID, when)
	for _, l := range e.Links {
		fmt.Fprintf(w, "  record %s\n", l)
	}
	if e.Version == nil {
		fmt.Fprintf(w, "\ngold held no version of this customer then\n")
	} else {
		v := e.Version
		state := ""
		if v.Deleted {
			state = ", deleted in every source"
		}
		to := v.ValidTo
		if to == "" {
			to = "open"
		}
		fmt.Fprintf(w, "\nversion valid %s .. %s, recorded %s, rule set %s%s\n", v.ValidFrom, to, v.RecordedAt, v.RulesetVersion, state)
		fmt.Fprintf(w, "%-16s %-28s %-8s %-20s %-20s %s\n", "field", "value", "source", "record", "event time", "rule")
		for _, f := range v.Fields {
			fmt.Fprintf(w, "%-16s %-28s %-8s %-20s %-20s %s\n", f.Field, orNull(f.Value), f.Source, f.RecordKey, f.EventTime, f.Rule)
		}
	}
	if len(e.Candidates) > 0 {
		fmt.Fprintf(w, "\ncandidates (rank, source, record: as sent -> canonical; scores)\n")
		last := ""
		for _, c := range e.Candidates {
			if c.Field != last {
				fmt.Fprintf(w, "%s:\n", c.Field)
				last = c.Field
			}
			mark := " "
			if c.Winner {
				mark = "*"
			}
			flags := ""
			if c.Dropped && c.Source == spec.OverrideSource {
				flags = " [dropped: a source agrees]"
			} else if c.Dropped {
				flags = " [dropped: invalid]"
			} else if !c.Valid {
				flags = " [invalid]"
			}
			fmt.Fprintf(w, " %s %d %-8s %-20s %s -> %s  %s  %s%s\n", mark, c.Rank, c.Source, c.RecordKey, quoted(c.RawValue, c.RawNull), quoted(c.Value, c.ValueNull), c.EventTime, c.Scores, flags)
		}
	}
	if len(e.Overrides) > 0 {
		fmt.Fprintf(w, "\noverrides (field = value, set .. ended, by author: reason)\n")
		for _, ov := range e.Overrides {
			end := "in force"
			switch {
			case ov.EndedAt != "":
				end = ov.EndedAt + " (" + ov.EndReason + ")"
			case ov.ExpiresAt != "":
				end = "in force until " + ov.ExpiresAt
			}
			value := ov.Value
			if value == "" {
				value = "NULL"
			}
			fmt.Fprintf(w, "  %s = %s  %s .. %s  by %s: %s\n", ov.Field, value, ov.SetAt, end, ov.Author, ov.Reason)
		}
	}
	fmt.Fprintf(w, "\nhistory (valid from .. to, recorded .. superseded; what changed from the version before in valid time, as known now)\n")
	var prev *local.Version
	for i := range e.History {
		v := &e.History[i]
		to, sup := v.ValidTo, v.SupersededAt
		if to == "" {
			to = "open"
		}
		if sup == "" {
			sup = "current"
		}
		fmt.Fprintf(w, "  %s .. %s  recorded %s .. %s  %s\n", v.ValidFrom, to, v.RecordedAt, sup, summary(*v))
		if v.SupersededAt != "" {
			continue
		}
		if prev != nil {
			fmt.Fprintf(w, "    %s\n", changes(*prev, *v))
		}
		prev = v
	}
	return nil
}

// changes says which fields (value, source or rule) differ between two
// versions.
func changes(a, b local.Version) string {
	var out []string
	for i, f := range b.Fields {
		if i >= len(a.Fields) {
			break
		}
		g := a.Fields[i]
		switch {
		case g.Value != f.Value:
			out = append(out, f.Field)
		case g.Source != f.Source || g.Rule != f.Rule:
			out = append(out, f.Field+" (decided by "+f.Source+"/"+f.Rule+", was "+g.Source+"/"+g.Rule+")")
		}
	}
	if a.Deleted != b.Deleted {
		out = append(out, "deleted")
	}
	if len(out) == 0 {
		return "no field changed"
	}
	return "changed: " + strings.Join(out, ", ")
}

// quoted is a candidate's value as Go quotes it, or null.
func quoted(s string, null bool) string {
	if null {
		return "null"
	}
	return strconv.Quote(s)
}

func orNull(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func summary(v local.Version) string {
	if v.Deleted {
		return "(deleted)"
	}
	s := ""
	for i, f := range v.Fields {
		if i > 0 {
			s += " "
		}
		s += f.Field + "=" + orNull(f.Value)
	}
	return s
}

// maskExplanation replaces the values of PII fields by what role may see,
// in the version, the candidates (as sent and canonical) and the history.
func maskExplanation(e *local.Explanation, s *spec.Spec, role mask.Role) {
	kinds := map[string]string{} // PII field -> validity kind
	for _, f := range s.Fields {
		if f.PII {
			kinds[f.Name] = f.Valid
		}
	}
	fields := func(fs []local.Resolved) {
		for i := range fs {
			if kind, ok := kinds[fs[i].Field]; ok {
				fs[i].Value = mask.Value(role, kind, fs[i].Value)
			}
		}
	}
	if e.Version != nil {
		fields(e.Version.Fields)
	}
	for i := range e.History {
		fields(e.History[i].Fields)
	}
	for i := range e.Candidates {
		c := &e.Candidates[i]
		if kind, ok := kinds[c.Field]; ok {
			c.RawValue = mask.Value(role, kind, c.RawValue)
			c.Value = mask.Value(role, kind, c.Value)
		}
	}
	for i := range e.Overrides {
		ov := &e.Overrides[i]
		if kind, ok := kinds[ov.Field]; ok {
			ov.Value = mask.Value(role, kind, ov.Value)
		}
	}
}

// auditPIIRead records, in the database's audit log, that a role reads the
// PII fields of a customer in full, before they are shown.
func auditPIIRead(ctx context.Context, o ExplainOptions, role mask.Role) error {
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	var fields []string
	for _, f := range p.Spec.Fields {
		if f.PII && (o.Field == "" || o.Field == f.Name) {
			fields = append(fields, f.Name)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	detail := map[string]any{"role": string(role), "fields": fields, "command": "explain"}
	if o.AsOf != "" {
		detail["as_of"] = o.AsOf
	}
	if o.KnownAt != "" {
		detail["known_at"] = o.KnownAt
	}
	return local.AuditRead(ctx, o.DB, p, o.Customer, detail)
}
