package config

import (
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// kind is what trueup.yaml accepts for one target type: the one place a
// type's keys are listed.
type kind struct {
	// required keys must be set; allowed keys may be (type and sql always
	// may).
	required, allowed []string
	// check reports the errors of combinations of keys (nil: none).
	check func(p *parser, k *yaml.Node, pos map[string]*yaml.Node, t *Target)
	// describe is the target as it may be printed: names only.
	describe func(t *Target) string
}

var kinds = map[string]kind{
	DuckDB: {
		required: []string{"path"},
		allowed:  []string{"path", "memory_limit", "threads", "master_key"},
		describe: func(t *Target) string {
			if t.MasterKey != nil {
				return fmt.Sprintf("%s (duckdb %s, master key from %s)", t.Name, t.Path, t.MasterKey.Describe())
			}
			return fmt.Sprintf("%s (duckdb %s)", t.Name, t.Path)
		},
	},
	Snowflake: {
		required: []string{"account", "user", "role", "warehouse"},
		allowed: []string{"account", "user", "role", "warehouse", "database", "schema", "host", "port",
			"private_key_path", "private_key_env", "private_key_passphrase_env", "login_timeout"},
		check: func(p *parser, k *yaml.Node, pos map[string]*yaml.Node, t *Target) {
			switch {
			case t.PrivateKeyPath == "" && t.PrivateKeyEnv == "":
				p.errorf(k, "target %q: key-pair authentication needs private_key_path or private_key_env", t.Name)
			case t.PrivateKeyPath != "" && t.PrivateKeyEnv != "":
				p.errorf(pos["private_key_env"], "target %q: private_key_path and private_key_env are alternatives: give one", t.Name)
			}
		},
		describe: func(t *Target) string {
			return fmt.Sprintf("%s (snowflake account %s, user %s, role %s, warehouse %s)", t.Name, t.Account, t.User, t.Role, t.Warehouse)
		},
	},
}

// Types lists the target types trueup.yaml accepts, sorted.
func Types() []string {
	out := make([]string, 0, len(kinds))
	for n := range kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// IsType reports whether typ is a target type trueup.yaml accepts.
func IsType(typ string) bool {
	_, ok := kinds[typ]
	return ok
}
