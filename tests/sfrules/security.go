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
