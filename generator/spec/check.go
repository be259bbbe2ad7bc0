package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	defaultSchedule  = time.Minute
	defaultFreshness = 10 * time.Minute
)

// DefaultBackfillSlice is how many customers a run re-resolves at most
// after a rule-set change, when the spec does not say.
const DefaultBackfillSlice = 100000

var (
	fieldTypes  = []string{TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeTimestamp}
	normalizers = []string{"trim", "lower", "upper"}
	validators  = []string{"email"}
	formats     = []string{FormatDebezium, FormatSalesforceCDC, FormatStripeEvents, FormatWal2JSON}

	// Names of fields and sources become SQL identifiers and column suffixes.
	nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	// Database, warehouse and integration names are warehouse identifiers.
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

// OverrideSource is the source of a steward's overrides (trueup override):
// an override is a record of this source linked to its customer, whose
// value for the field outranks every rule while it is in force.
const OverrideSource = "override"

// reservedFields are column names the generated tables use themselves.
var reservedFields = []string{"customer_id", "ruleset_version", "field", "value", "source", "record_key",
	"valid_from", "valid_to", "is_deleted", "version_hash", "recorded_at", "superseded_at"}

func (l *loader) name(file string, n *yaml.Node, kind string) {
	if !nameRE.MatchString(n.Value) {
		l.errf(file, n, "%s name %q must start with a lower-case letter and contain only a-z, 0-9 and _ (at most 40 characters): it becomes a SQL identifier", kind, n.Value)
		return
	}
	if strings.Contains(n.Value, "__") {
		l.errf(file, n, "%s name %q must not contain \"__\" (reserved for lineage columns)", kind, n.Value)
	}
	if kind == "field" && contains(reservedFields, n.Value) {
		l.errf(file, n, "field name %q is reserved: the history and gold tables have a column of that name", n.Value)
	}
	if kind == "source" && n.Value == OverrideSource {
		l.errf(file, n, "source name %q is reserved: a steward's overrides are observations of that source", n.Value)
	}
}

func (l *loader) ident(file string, n *yaml.Node, what string) string {
	s := l.str(file, n, what)
	if s != "" && !identRE.MatchString(s) {
		l.errf(file, n, "%s %q must be a plain identifier (letters, digits, _)", what, s)
	}
	return s
}

// check validates references between sections.
func (l *loader) check(s *Spec) {
	rulesFile := ""
	if sec, ok := l.sections["rules"]; ok {
		rulesFile = sec.file
	}
	sourceNames := map[string]bool{}
	for _, src := range s.Sources {
		sourceNames[src.Name] = true
		if src.Format == FormatSalesforceCDC && len(src.Key) == 1 && src.Key[0] != "Id" {
			l.errs = append(l.errs, Error{Pos: src.Pos, Msg: fmt.Sprintf("source %q: salesforce_cdc records are keyed by the event's recordIds; key must be Id, not %q", src.Name, strings.Join(src.Key, "."))})
		}
		for _, fm := range src.Fields {
			if s.FieldByName(fm.Field) == nil {
				l.errs = append(l.errs, Error{Pos: fm.Pos, Msg: fmt.Sprintf("source %q maps unknown field %q%s", src.Name, fm.Field, didYouMean(fm.Field, s.FieldNames()))})
			}
			if fm.Child != "" && src.Child(fm.Child) == nil {
				l.errs = append(l.errs, Error{Pos: fm.Pos, Msg: fmt.Sprintf("source %q: field %q names unknown child %q", src.Name, fm.Field, fm.Child)})
			}
		}
		if src.Customer == nil {
			l.errs = append(l.errs, Error{Pos: src.Pos, Msg: fmt.Sprintf("source %q: customer (the path of the link to the customer id) is required", src.Name)})
		}
	}
	if ra := s.Project.RowAccess; ra != nil && ra.Field != "" && s.FieldByName(ra.Field) == nil {
		l.errs = append(l.errs, Error{Pos: ra.Pos, Msg: fmt.Sprintf("project.row_access.field: unknown field %q", ra.Field)})
	} else if ra != nil && ra.Field != "" && s.FieldByName(ra.Field).PII {
		// A column may not be in the signature of both a masking policy
		// and a row access policy
		// (https://docs.snowflake.com/en/user-guide/security-row-intro).
		l.errs = append(l.errs, Error{Pos: ra.Pos, Msg: fmt.Sprintf("project.row_access.field: %q is pii: its column is masked, and a masked column cannot also decide row access", ra.Field)})
	}
	if len(s.Match) == 0 {
		s.Match = []string{MatchLink}
	}
	seenMatch := map[string]bool{}
	for i, m := range s.Match {
		switch {
		case seenMatch[m]:
			l.errs = append(l.errs, Error{Pos: s.MatchPos, Msg: fmt.Sprintf("customer.match lists %q twice", m)})
		case m == MatchLink:
			if i != 0 {
				l.errs = append(l.errs, Error{Pos: s.MatchPos, Msg: "customer.match: customer_link must come first"})
			}
		case s.FieldByName(m) == nil:
			l.errs = append(l.errs, Error{Pos: s.MatchPos, Msg: fmt.Sprintf("customer.match names unknown field %q%s (expected customer_link or a field)", m, didYouMean(m, append([]string{MatchLink}, s.FieldNames()...)))})
		}
		seenMatch[m] = true
	}
	if len(s.Match) > 0 && s.Match[0] != MatchLink {
		s.Match = append([]string{MatchLink}, s.Match...)
	}
	for _, f := range s.Fields {
		for _, p := range f.Map {
			if p.From == "" {
				l.errs = append(l.errs, Error{Pos: f.Pos, Msg: fmt.Sprintf("field %q: map has an empty key", f.Name)})
			}
		}
		if len(f.Accepted) > 0 && f.Valid != "" {
			l.errs = append(l.errs, Error{Pos: f.Pos, Msg: fmt.Sprintf("field %q: use accepted or valid, not both", f.Name)})
		}
		if f.Rules == nil && f.SameRecordAs == "" {
			if f.RulesPos.File == "" {
				// Default chain: non-null, most recent.
				f.Rules = []Rule{{Kind: RuleNonNull, Pos: f.Pos}, {Kind: RuleMostRecent, Pos: f.Pos}}
			}
		}
		if f.SameRecordAs != "" {
			leader := s.FieldByName(f.SameRecordAs)
			switch {
			case leader == nil:
				l.errs = append(l.errs, Error{Pos: f.SameRecordAsPos, Msg: fmt.Sprintf("rules for %q: same_record_as names unknown field %q%s", f.Name, f.SameRecordAs, didYouMean(f.SameRecordAs, s.FieldNames()))})
			case leader == f:
				l.errs = append(l.errs, Error{Pos: f.SameRecordAsPos, Msg: fmt.Sprintf("rules for %q: same_record_as names the field itself", f.Name)})
			case leader.SameRecordAs != "":
				l.errs = append(l.errs, Error{Pos: f.SameRecordAsPos, Msg: fmt.Sprintf("rules for %q: same_record_as names %q, which itself follows %q; name the leader directly", f.Name, leader.Name, leader.SameRecordAs)})
			}
		}
		seen := map[string]bool{}
		for _, r := range f.Rules {
			key := r.Kind
			if seen[key] {
				l.errs = append(l.errs, Error{Pos: r.Pos, Msg: fmt.Sprintf("rules for %q: rule %q appears twice", f.Name, r.Kind)})
			}
			seen[key] = true
			if k := RuleKindByName(r.Kind); k != nil && k.Check != nil {
				l.errs = append(l.errs, k.Check(s, f, &r, sourceNames)...)
			}
		}
		mapped := false
		for _, src := range s.Sources {
			if src.Mapping(f.Name) != nil {
				mapped = true
			}
		}
		if !mapped && len(s.Sources) > 0 {
			l.errs = append(l.errs, Error{Pos: f.Pos, Msg: fmt.Sprintf("field %q is mapped by no source", f.Name)})
		}
	}
	_ = rulesFile
}

// ParseDuration reads durations such as 30s, 5m, 2h, 180d.
func ParseDuration(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("invalid duration %q (expected a number and a unit s, m, h or d)", s)
	}
	unit := s[len(s)-1]
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid duration %q (expected a number and a unit s, m, h or d)", s)
	}
	u, ok := durationUnits[unit]
	if !ok {
		return 0, fmt.Errorf("invalid duration %q (unit must be s, m, h or d)", s)
	}
	return time.Duration(n * float64(u)), nil
}

// durationUnits are the units of ParseDuration, by their letter.
var durationUnits = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}
