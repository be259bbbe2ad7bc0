// Package sfconn opens Snowflake through its Go driver
// (github.com/snowflakedb/gosnowflake) with key-pair (JWT) authentication,
// from a target of trueup.yaml. It is the only package that links the
// driver.
//
// Secrets: the private key is read from the file or environment variable
// the target names, and its passphrase from an environment variable; neither
// ever appears in an error, and the driver's DSN (which would carry the key)
// is never built outside tests: the connection is opened from a
// gosnowflake.Config.
package sfconn

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/snowflakedb/gosnowflake"

	"github.com/ledgerloop/trueup/internal/config"
)

// Env reads an environment variable; tests pass their own.
type Env func(name string) (string, bool)

// Config builds the driver configuration of a Snowflake target. database
// is used when the target names none (the project's database).
func Config(t *config.Target, database string, env Env) (*gosnowflake.Config, error) {
	if t.Type != config.Snowflake {
		return nil, fmt.Errorf("target %q is not a snowflake target", t.Name)
	}
	if env == nil {
		env = os.LookupEnv
	}
	var pemData []byte
	switch {
	case t.PrivateKeyEnv != "":
		v, ok := env(t.PrivateKeyEnv)
		if !ok || v == "" {
			return nil, fmt.Errorf("target %q: private_key_env names %s, which is not set", t.Name, shownEnv(t.PrivateKeyEnv))
		}
		pemData = []byte(v)
	case t.PrivateKeyPath != "":
		path := t.PrivateKeyPath
		if rest, ok := strings.CutPrefix(path, "~/"); ok {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, fmt.Errorf("target %q: private_key_path: %w", t.Name, err)
			}
			path = filepath.Join(home, rest)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			// The path is not a secret; the error names only it.
			shown := t.PrivateKeyPath
			if !config.LooksLikePath(shown) {
				shown = "(a value that is not a path, not shown)"
			}
			return nil, fmt.Errorf("target %q: read private key %s: %w", t.Name, shown, errors.Unwrap(err))
		}
		pemData = data
	default:
		return nil, fmt.Errorf("target %q: no private key (private_key_path or private_key_env)", t.Name)
	}
	var pass []byte
	if t.PassphraseEnv != "" {
		v, ok := env(t.PassphraseEnv)
		if !ok {
			return nil, fmt.Errorf("target %q: private_key_passphrase_env names %s, which is not set", t.Name, shownEnv(t.PassphraseEnv))
		}
		pass = []byte(v)
	}
	key, err := ParsePrivateKey(pemData, pass)
	if err != nil {
		return nil, fmt.Errorf("target %q: private key: %w", t.Name, err)
	}
	db := t.Database
	if db == "" {
		db = database
	}
	cfg := &gosnowflake.Config{
		Account:       t.Account,
		User:          t.User,
		Role:          t.Role,
		Warehouse:     t.Warehouse,
		Database:      db,
		Schema:        t.Schema,
		Host:          t.Host,
		Port:          t.Port,
		Authenticator: gosnowflake.AuthTypeJwt,
		PrivateKey:    key,
		Application:   "trueup",
		LoginTimeout:  t.LoginTimeout,
	}
	return cfg, nil
}

// Open opens the connection for the configuration (no network traffic
// until the first statement): one per command, logged in once and reused
// by every statement of the command (no statement of trueup holds a
// result open while it runs another).
func Open(cfg *gosnowflake.Config) *sql.DB {
	db := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, *cfg))
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db
}

// IsNotFound reports whether err is Snowflake's "does not exist or not
// authorized" (error 002003), what GET_DDL answers for a missing object.
func IsNotFound(err error) bool {
	var se *gosnowflake.SnowflakeError
	return errors.As(err, &se) && se.Number == 2003
}

// shownEnv is an environment variable's name as an error shows it: a
// value that is no name may be the secret typed in its place.
func shownEnv(name string) string {
	if config.IsEnvName(name) {
		return name
	}
	return "(a value that is not a variable name, not shown)"
}
