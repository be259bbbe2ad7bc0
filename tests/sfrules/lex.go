package sfrules

import (
	"fmt"
	"strings"
)

// token kinds.
const (
	word    = 'w' // a keyword or unquoted identifier (letters, digits, _ and $)
	quoted  = 'q' // a double-quoted identifier
	str     = 's' // a single-quoted string constant
	dollar  = 'd' // a $$-quoted string constant
	number  = 'n'
	punct   = 'p' // one symbol, or :=, ::, >=, <=, <>, !=, ||, =>
	comment = 'c'
)

// token is one lexeme of a text, with its byte offsets.
type token struct {
	kind       byte
	text       string
	start, end int
}

// upper is a word token's text in upper case; other tokens' text unchanged.
func (t token) upper() string {
	if t.kind == word {
		return strings.ToUpper(t.text)
	}
	return t.text
}

func (t token) is(words ...string) bool {
	if t.kind != word {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

// lex splits Snowflake SQL text into tokens. Single-quoted constants may
// hold backslash escapes and doubled quotes; $$ constants hold anything up
// to the next $$; comments are -- to the end of the line and /* */.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				i = len(s)
			} else {
				i += j
			}
			out = append(out, token{comment, s[start:i], start, i})
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated comment at offset %d", start)
			}
			i += j + 4
			out = append(out, token{comment, s[start:i], start, i})
		case c == '$' && strings.HasPrefix(s[i:], "$$"):
			j := strings.Index(s[i+2:], "$$")
			if j < 0 {
				return nil, fmt.Errorf("unterminated $$ constant at offset %d", start)
			}
			i += j + 4
			out = append(out, token{dollar, s[start:i], start, i})
		case c == '\'':
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated string constant at offset %d", start)
				}
				if s[i] == '\\' {
					i += 2
					continue
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			out = append(out, token{str, s[start:i], start, i})
		case c == '"':
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated quoted identifier at offset %d", start)
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			out = append(out, token{quoted, s[start:i], start, i})
		case c >= '0' && c <= '9':
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
				i++
			}
			out = append(out, token{number, s[start:i], start, i})
		case isWordByte(c):
			for i < len(s) && (isWordByte(s[i]) || s[i] >= '0' && s[i] <= '9') {
				i++
			}
			out = append(out, token{word, s[start:i], start, i})
		default:
			n := 1
			for _, two := range []string{":=", "::", ">=", "<=", "<>", "!=", "||", "=>"} {
				if strings.HasPrefix(s[i:], two) {
					n = 2
					break
				}
			}
			i += n
			out = append(out, token{punct, s[start:i], start, i})
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// code drops comment tokens.
func code(toks []token) []token {
	out := toks[:0:0]
	for _, t := range toks {
		if t.kind != comment {
			out = append(out, t)
		}
	}
	return out
}

// unquote returns the text of a string constant: a $$ constant as is, a
// single-quoted one with its escapes undone.
func unquote(t token) string {
	if t.kind == dollar {
		return t.text[2 : len(t.text)-2]
	}
	in := t.text[1 : len(t.text)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		switch {
		case in[i] == '\\' && i+1 < len(in):
			i++
			switch in[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(in[i])
			}
		case in[i] == '\'' && i+1 < len(in) && in[i+1] == '\'':
			b.WriteByte('\'')
			i++
		default:
			b.WriteByte(in[i])
		}
	}
	return b.String()
}

// name normalizes an object name as Snowflake resolves it: unquoted parts
// upper case, quoted parts as written, joined by dots.
func name(toks []token) string {
	var parts []string
	for _, t := range toks {
		switch t.kind {
		case word:
			parts = append(parts, strings.ToUpper(t.text))
		case quoted:
			parts = append(parts, strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`))
		}
	}
	return strings.Join(parts, ".")
}
