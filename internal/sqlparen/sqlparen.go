// Package sqlparen finds the parenthesis that closes an opening one among
// the tokens of a SQL text. internal/deploy and the test tooling of
// tests/sfrules each lex SQL their own way; both ask this package.
package sqlparen

// Closing returns the index of the ")" that closes the "(" at toks[open],
// text giving a token's text, or -1 when none does.
func Closing[T any](toks []T, open int, text func(T) string) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch text(toks[j]) {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
