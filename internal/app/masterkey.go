package app

import (
	"context"
	"fmt"

	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/crypt"
)

// MasterKey is the master key a DuckDB target's master_key names: nil
// when the target names none (the environment's is used:
// TRUEUP_MASTER_KEY or TRUEUP_MASTER_KEY_FILE). getenv is os.Getenv when
// nil. A KMS key is not called until the vault is opened.
func MasterKey(ctx context.Context, t *config.Target, getenv func(string) string) (crypt.MasterKey, error) {
	m := t.MasterKey
	var (
		mk  crypt.MasterKey
		err error
	)
	switch {
	case m == nil:
		return nil, nil
	case m.File != "":
		mk, err = crypt.KeyFromFile(m.File)
	case m.Env != "":
		mk, err = crypt.KeyFromVar(m.Env, getenv)
	case m.KMSKeyID != "":
		mk, err = crypt.NewKMSKey(ctx, crypt.KMSConfig{KeyID: m.KMSKeyID, Region: m.KMSRegion, Endpoint: m.KMSEndpoint})
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("target %q: master_key: %w", t.Name, err)
	}
	return mk, nil
}

// localTarget is the DuckDB target name of the configuration file path
// (trueup.yaml when ""), with its master key.
func localTarget(ctx context.Context, path, name string) (*config.Target, crypt.MasterKey, error) {
	if path == "" {
		path = config.File
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	t, err := cfg.Lookup(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.Type != config.DuckDB {
		return nil, nil, fmt.Errorf("%s: target %q is of type %s: the local runner needs a duckdb target", path, name, t.Type)
	}
	mk, err := MasterKey(ctx, t, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, mk, nil
}
