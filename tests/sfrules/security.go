package sfrules

import (
	"fmt"
	"strings"
)

// Security statements outside the parser's grammar, read here by the
// grammar of their Snowflake pages:
//
//   - CREATE [OR REPLACE] MASKING POLICY | ROW ACCESS POLICY [IF NOT EXISTS] <name>
//     AS (<arg> <type>) RETURNS <type> -> <body> [COMMENT = '...']
//     (https://docs.snowflake.com/en/sql-reference/sql/create-masking-policy,
//     https://docs.snowflake.com/en/sql-reference/sql/create-row-access-policy)
//   - ALTER MASKING POLICY | ROW ACCESS POLICY <name> SET BODY -> <body>
//   - CREATE TAG [IF NOT EXISTS] <name> [ALLOWED_VALUES ...] [COMMENT = '...']
//     (https://docs.snowflake.com/en/sql-reference/sql/create-tag)
//   - ALTER TAG <name> SET MASKING POLICY <p> [, ...] [FORCE]
//     (https://docs.snowflake.com/en/sql-reference/sql/alter-tag)
//   - ALTER TABLE | VIEW | DYNAMIC TABLE <name> MODIFY COLUMN <c> SET TAG <tag> = '<value>'
//   - ALTER TABLE | DYNAMIC TABLE <name> DROP ALL ROW ACCESS POLICIES, and
//     ... ADD ROW ACCESS POLICY <p> ON (<columns>)
//   - ALTER ROLE <name> SET COMMENT = '...'
//   - GRANT <privileges> ON TASK | STAGE | PIPE | FILE FORMAT | STREAM | DYNAMIC TABLE <name> TO ROLE <role>
//     (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege)
//
// A policy's body is parsed as SELECT <body>.

// securityKinds are the Header kinds read here.
const (
	KindMaskingPolicy   = "MASKING POLICY"
	KindRowAccessPolicy = "ROW ACCESS POLICY"
	KindAlterPolicy     = "ALTER POLICY"
	KindTag             = "TAG"
	KindAlterTag        = "ALTER TAG"
	KindSetTag          = "SET TAG"
	KindRowAccessOn     = "ROW ACCESS ON"
	KindAlterRole       = "ALTER ROLE"
	KindGrant           = "GRANT"
)

// grantOutside are the object types whose GRANT the parser does not read.
var grantOutside = [][]string{{"FILE", "FORMAT"}, {"DYNAMIC", "TABLE"}, {"TASK"}, {"STAGE"}, {"PIPE"}, {"STREAM"}}

func words(toks []token, i int, ws ...string) bool {
	if i+len(ws) > len(toks) {
		return false
	}
	for j, w := range ws {
		if !toks[i+j].is(w) {
			return false
		}
	}
	return true
}

// readSecurity reads a security statement; ok is false for any other.
func readSecurity(sql string, toks []token) (h *Header, ok bool, err error) {
	h = &Header{Options: map[string]string{}}
	i := 0
	switch {
	case words(toks, 0, "CREATE"):
		i = 1
		if words(toks, i, "OR", "REPLACE") {
			h.OrReplace = true
			i += 2
		}
		switch {
		case words(toks, i, "MASKING", "POLICY"):
			h.Kind, i = KindMaskingPolicy, i+2
		case words(toks, i, "ROW", "ACCESS", "POLICY"):
			h.Kind, i = KindRowAccessPolicy, i+3
		case words(toks, i, "TAG"):
			h.Kind, i = KindTag, i+1
		default:
			return nil, false, nil
		}
		if words(toks, i, "IF", "NOT", "EXISTS") {
			h.IfNotExists = true
			i += 3
		}
		var n int
		h.Name, n = objectName(toks[i:])
		if n == 0 {
			return nil, true, fmt.Errorf("CREATE %s: no name", h.Kind)
		}
		i += n
		if h.Kind == KindTag {
			for ; i < len(toks); i++ {
				if toks[i].is("COMMENT") && i+2 < len(toks) {
					h.Options["COMMENT"] = unquote(toks[i+2])
					i += 2
				} else if toks[i].is("ALLOWED_VALUES") {
					h.Options["ALLOWED_VALUES"] = ""
				} else if toks[i].kind == str {
					h.Options["ALLOWED_VALUES"] += unquote(toks[i]) + ","
				}
			}
			return h, true, nil
		}
		if !words(toks, i, "AS") {
			return nil, true, fmt.Errorf("CREATE %s %s: no AS (<signature>)", h.Kind, h.Name)
		}
		end := group(toks, i+1)
		if end < 0 {
			return nil, true, fmt.Errorf("CREATE %s %s: no signature", h.Kind, h.Name)
		}
		h.Args = strings.TrimSpace(sql[toks[i+1].end:toks[end].start])
		i = end + 1
		if !words(toks, i, "RETURNS") || i+1 >= len(toks) {
			return nil, true, fmt.Errorf("CREATE %s %s: no RETURNS", h.Kind, h.Name)
		}
		h.Options["RETURNS"] = strings.ToUpper(toks[i+1].text)
		i += 2
		return h, true, policyBody(sql, toks, i, h)
	case words(toks, 0, "ALTER", "MASKING", "POLICY"), words(toks, 0, "ALTER", "ROW", "ACCESS", "POLICY"):
		h.Kind = KindAlterPolicy
		i = 3
		if toks[1].is("ROW") {
			i = 4
		}
		var n int
		h.Name, n = objectName(toks[i:])
		i += n
		if !words(toks, i, "SET", "BODY") {
			return nil, true, fmt.Errorf("ALTER POLICY %s: only SET BODY is read", h.Name)
		}
		return h, true, policyBody(sql, toks, i+2, h)
	case words(toks, 0, "ALTER", "TAG"):
		h.Kind = KindAlterTag
		var n int
		h.Name, n = objectName(toks[2:])
		i = 2 + n
		if !words(toks, i, "SET", "MASKING", "POLICY") {
			return nil, true, fmt.Errorf("ALTER TAG %s: only SET MASKING POLICY is read", h.Name)
		}
		var pols []string
		for i += 3; i < len(toks); {
			nm, n := objectName(toks[i:])
			if n == 0 {
				return nil, true, fmt.Errorf("ALTER TAG %s: no policy name", h.Name)
			}
			pols = append(pols, nm)
			i += n
			if i < len(toks) && toks[i].text == "," && words(toks, i+1, "MASKING", "POLICY") {
				i += 3
				continue
			}
			break
		}
		h.Options["MASKING POLICY"] = strings.Join(pols, ",")
		if words(toks, i, "FORCE") {
			h.Options["FORCE"] = "TRUE"
			i++
		}
		if i != len(toks) {
			return nil, true, fmt.Errorf("ALTER TAG %s: unexpected %q", h.Name, toks[i].text)
		}
		return h, true, nil
	case words(toks, 0, "ALTER", "ROLE"):
		h.Kind = KindAlterRole
		h.Name, _ = objectName(toks[2:])
		return h, true, nil
	case words(toks, 0, "ALTER", "TABLE"), words(toks, 0, "ALTER", "VIEW"), words(toks, 0, "ALTER", "DYNAMIC", "TABLE"):
		i = 2
		typ := strings.ToUpper(toks[1].text)
		if toks[1].is("DYNAMIC") {
			i, typ = 3, "DYNAMIC TABLE"
		}
		nm, n := objectName(toks[i:])
		i += n
		if words(toks, i, "DROP", "ALL", "ROW", "ACCESS", "POLICIES") && i+5 == len(toks) {
			h.Kind, h.Name = KindRowAccessOn, nm
			h.Options["OBJECT"], h.Options["DROP ALL"] = typ, "TRUE"
			return h, true, nil
		}
		if words(toks, i, "ADD", "ROW", "ACCESS", "POLICY") {
			h.Kind, h.Name = KindRowAccessOn, nm
			h.Options["OBJECT"] = typ
			pol, n := objectName(toks[i+4:])
			j := i + 4 + n
			if n == 0 || !words(toks, j, "ON") || group(toks, j+1) != len(toks)-1 {
				return nil, true, fmt.Errorf("ALTER %s %s ADD ROW ACCESS POLICY: want <policy> ON (<columns>)", typ, nm)
			}
			h.Options["POLICY"] = pol
			h.Options["ON"] = strings.TrimSpace(sql[toks[j+1].end:toks[len(toks)-1].start])
			return h, true, nil
		}
		if !words(toks, i, "MODIFY", "COLUMN") {
			return nil, false, nil
		}
		h.Kind, h.Name = KindSetTag, nm
		h.Options["OBJECT"] = typ
		col, n := objectName(toks[i+2:])
		i += 2 + n
		h.Options["COLUMN"] = col
		if !words(toks, i, "SET", "TAG") {
			return nil, true, fmt.Errorf("ALTER %s %s MODIFY COLUMN: only SET TAG is read", typ, nm)
		}
		tag, n := objectName(toks[i+2:])
		i += 2 + n
		if i+2 != len(toks) || toks[i].text != "=" || toks[i+1].kind != str {
			return nil, true, fmt.Errorf("ALTER %s %s: SET TAG %s without = '<value>'", typ, nm, tag)
		}
		h.Options["TAG"], h.Options["VALUE"] = tag, unquote(toks[i+1])
		return h, true, nil
	case words(toks, 0, "GRANT"):
		j := 1
		for j < len(toks) && !toks[j].is("ON") {
			j++
		}
		for _, kind := range grantOutside {
			if words(toks, j+1, kind...) {
				h.Kind = KindGrant
				h.Options["PRIVILEGES"] = strings.TrimSpace(sql[toks[1].start:toks[j].start])
				h.Options["ON"] = strings.Join(kind, " ")
				k := j + 1 + len(kind)
				var n int
				h.Name, n = objectName(toks[k:])
				k += n
				if !words(toks, k, "TO", "ROLE") || k+3 != len(toks) {
					return nil, true, fmt.Errorf("GRANT ON %s %s: want TO ROLE <role>", h.Options["ON"], h.Name)
				}
				h.Options["TO ROLE"] = strings.ToUpper(toks[k+2].text)
				return h, true, nil
			}
		}
	}
	return nil, false, nil
}

// policyBody reads "-> <body> [COMMENT = '...']" from toks[i].
func policyBody(sql string, toks []token, i int, h *Header) error {
	if i+1 >= len(toks) || toks[i].text != "-" || toks[i+1].text != ">" {
		if i < len(toks) && toks[i].text == "->" {
			i--
		} else {
			return fmt.Errorf("%s %s: no -> before the body", h.Kind, h.Name)
		}
	}
	start := toks[i+1].end
	end := len(sql)
	n := len(toks)
	if n >= 3 && toks[n-3].is("COMMENT") && toks[n-2].text == "=" && toks[n-1].kind == str {
		end = toks[n-3].start
		h.Options["COMMENT"] = unquote(toks[n-1])
	} else if n > 0 {
		end = toks[n-1].end
	}
	h.Body = strings.TrimSpace(sql[start:end])
	if h.Body == "" {
		return fmt.Errorf("%s %s: empty body", h.Kind, h.Name)
	}
	return nil
}

// stageKMS: a stage on S3 declares server-side encryption with KMS.
func stageKMS(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Statements {
		toks, err := lex(st.SQL)
		if err != nil {
			continue
		}
		toks = code(toks)
		if !words(toks, 0, "CREATE") {
			continue
		}
		i := 1
		if words(toks, i, "OR", "REPLACE") {
			i += 2
		}
		if !words(toks, i, "STAGE") {
			continue
		}
		s3, kms, key := false, false, false
		for j, t := range toks {
			if t.is("URL") && j+2 < len(toks) && strings.HasPrefix(strings.ToLower(unquote(toks[j+2])), "s3://") {
				s3 = true
			}
			if t.is("TYPE") && j+2 < len(toks) && toks[j+2].kind == str && unquote(toks[j+2]) == "AWS_SSE_KMS" {
				kms = true
			}
			if t.is("KMS_KEY_ID") && j+2 < len(toks) && toks[j+2].kind == str && unquote(toks[j+2]) != "" {
				key = true
			}
		}
		if s3 && !(kms && key) {
			out = append(out, violation(st.Name, "a stage on S3 without ENCRYPTION = (TYPE = 'AWS_SSE_KMS' KMS_KEY_ID = '...')"))
		}
	}
	return out
}

// policyRoles: masking and row access policies decide by
// IS_ROLE_IN_SESSION, never CURRENT_ROLE or INVOKER_ROLE.
func policyRoles(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Statements {
		h := st.Header
		if h == nil || (h.Kind != KindMaskingPolicy && h.Kind != KindRowAccessPolicy && h.Kind != KindAlterPolicy) {
			continue
		}
		body := strings.ToUpper(stripComments(h.Body))
		if !strings.Contains(body, "IS_ROLE_IN_SESSION") {
			out = append(out, violation(st.Name, "policy %s does not test roles with IS_ROLE_IN_SESSION", h.Name))
		}
		for _, f := range []string{"CURRENT_ROLE", "INVOKER_ROLE"} {
			if strings.Contains(body, f) {
				out = append(out, violation(st.Name, "policy %s calls %s, which ignores the role hierarchy", h.Name, f))
			}
		}
	}
	return out
}

// tagPolicies: a tag holds at most one masking policy per data type, every
// policy set on a tag and every tag set on a column is created in the set,
// and ALTER TAG ... SET MASKING POLICY carries FORCE so that it can run
// again.
func tagPolicies(s *Set) []Violation {
	var out []Violation
	returns, tags := map[string]string{}, map[string]bool{}
	for _, st := range s.Statements {
		if h := st.Header; h != nil {
			switch h.Kind {
			case KindMaskingPolicy:
				returns[h.Name] = h.Options["RETURNS"]
			case KindTag:
				tags[h.Name] = true
			}
		}
	}
	for _, st := range s.Statements {
		h := st.Header
		if h == nil {
			continue
		}
		switch h.Kind {
		case KindAlterTag:
			seen := map[string]string{}
			for _, p := range strings.Split(h.Options["MASKING POLICY"], ",") {
				t, ok := returns[p]
				if !ok {
					out = append(out, violation(st.Name, "tag %s: masking policy %s is not created here", h.Name, p))
					continue
				}
				if other, dup := seen[t]; dup {
					out = append(out, violation(st.Name, "tag %s: policies %s and %s both return %s", h.Name, other, p, t))
				}
				seen[t] = p
			}
			if h.Options["FORCE"] == "" {
				out = append(out, violation(st.Name, "ALTER TAG %s SET MASKING POLICY without FORCE fails once a policy of that type is set", h.Name))
			}
			if !tags[h.Name] {
				out = append(out, violation(st.Name, "tag %s is not created here", h.Name))
			}
		case KindSetTag:
			if !tags[h.Options["TAG"]] {
				out = append(out, violation(st.Name, "column %s.%s: tag %s is not created here", h.Name, h.Options["COLUMN"], h.Options["TAG"]))
			}
		}
	}
	return out
}

// grantedCopyGrants: an object that a GRANT of the set names and that is
// created with CREATE OR REPLACE carries COPY GRANTS where its CREATE
// accepts it (tables, views, dynamic tables, procedures); a task's CREATE
// has none, so its grants must follow its creation in the set.
func grantedCopyGrants(s *Set) []Violation {
	var out []Violation
	type created struct {
		index             int
		kind, name        string
		replace, copyable bool
		copy              bool
	}
	var creates []created
	granted := map[string]int{} // object name → index of its last GRANT
	for i, st := range s.Statements {
		toks, err := lex(st.SQL)
		if err != nil {
			continue
		}
		toks = code(toks)
		switch {
		case words(toks, 0, "GRANT"):
			j := 1
			for j < len(toks) && !toks[j].is("ON") {
				j++
			}
			j++
			if words(toks, j, "FUTURE") || words(toks, j, "ALL") {
				continue
			}
			for j < len(toks) && toks[j].kind == word && !(j+1 < len(toks) && toks[j+1].text == ".") && !toks[j].is("TO") {
				j++
			}
			if j >= len(toks) || toks[j].is("TO") {
				continue
			}
			nm, n := objectName(toks[j:])
			if n > 0 {
				granted[nm] = i
			}
		case words(toks, 0, "CREATE", "OR", "REPLACE"):
			j := 3
			if words(toks, j, "SECURE") || words(toks, j, "TRANSIENT") {
				j++
			}
			kind := ""
			switch {
			case words(toks, j, "DYNAMIC", "TABLE"):
				kind, j = "DYNAMIC TABLE", j+2
			case words(toks, j, "TABLE"), words(toks, j, "VIEW"), words(toks, j, "PROCEDURE"), words(toks, j, "TASK"):
				kind, j = strings.ToUpper(toks[j].text), j+1
			default:
				continue
			}
			if j >= len(toks) {
				continue
			}
			nm, _ := objectName(toks[j:])
			c := created{index: i, kind: kind, name: nm, replace: true, copyable: kind != "TASK"}
			for k := j; k+1 < len(toks); k++ {
				if toks[k].is("AS") && kind != "DYNAMIC TABLE" {
					break
				}
				if toks[k].is("COPY") && toks[k+1].is("GRANTS") {
					c.copy = true
				}
			}
			creates = append(creates, c)
		}
	}
	for _, c := range creates {
		g, ok := granted[c.name]
		if !ok {
			continue
		}
		switch {
		case c.copyable && !c.copy:
			out = append(out, violation(s.Statements[c.index].Name, "CREATE OR REPLACE %s %s is granted to a role and drops the grant without COPY GRANTS", c.kind, c.name))
		case !c.copyable && g < c.index:
			out = append(out, violation(s.Statements[c.index].Name, "CREATE OR REPLACE %s %s has no COPY GRANTS and its GRANT comes before it", c.kind, c.name))
		}
	}
	return out
}

// accessHistoryIncremental: a statement reading ACCOUNT_USAGE.ACCESS_HISTORY
// bounds QUERY_START_TIME from below (the copy reads only rows after the
// latest it copied, not the whole year).
func accessHistoryIncremental(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Statements {
		for _, u := range st.Units {
			toks, err := lex(u.SQL)
			if err != nil {
				continue
			}
			toks = code(toks)
			reads := false
			for j := 0; j+2 < len(toks); j++ {
				if toks[j].is("ACCOUNT_USAGE") && toks[j+1].text == "." && toks[j+2].is("ACCESS_HISTORY") {
					reads = true
				}
			}
			if !reads {
				continue
			}
			up := strings.ToUpper(stripComments(u.SQL))
			if !strings.Contains(up, "QUERY_START_TIME >") {
				out = append(out, violation(u.Name, "reads ACCESS_HISTORY without a lower bound on QUERY_START_TIME"))
			}
		}
	}
	return out
}
