// Package mask is the masking by role that the CLI applies to PII fields
// when it prints gold, candidates and history, the same forms that the
// Snowflake masking policies return: the full value for pii_reader, a
// masked form for analyst and steward (for an email, its domain), and
// nothing for any other role.
package mask

import (
	"fmt"
	"slices"
	"strings"
)

// Role is a reader's role.
type Role string

// The roles a reader of the local database can take.
const (
	PIIReader Role = "pii_reader"
	Analyst   Role = "analyst"
	Steward   Role = "steward"
)

// Default is the role of a command run without --role: masked values.
const Default = Analyst

// Hidden is what a role that may not see a PII field is shown.
const Hidden = "***"

// roles are the roles a reader may name, in the order errors list them.
var roles = []Role{Analyst, PIIReader, Steward}

// Parse reads a --role value; "" is the default role.
func Parse(s string) (Role, error) {
	if s == "" {
		return Default, nil
	}
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(roles, r) {
		names := make([]string, len(roles))
		for i, k := range roles {
			names[i] = string(k)
		}
		return "", fmt.Errorf("--role %q: not a role (want one of %s)", s, strings.Join(names, ", "))
	}
	return r, nil
}

// Plaintext reports whether the role reads PII unmasked.
func (r Role) Plaintext() bool { return r == PIIReader }

// Value is what role r is shown of a PII field's value v. kind is the
// field's validity kind ("email" keeps the domain for the masked form).
// An empty value (NULL) stays empty: that a field has no value is not PII.
func Value(r Role, kind, v string) string {
	if v == "" || r.Plaintext() {
		return v
	}
	if r != Analyst && r != Steward {
		return Hidden
	}
	if kind == "email" {
		if i := strings.LastIndexByte(v, '@'); i >= 0 && i < len(v)-1 {
			return Hidden + v[i:]
		}
	}
	return Hidden
}
