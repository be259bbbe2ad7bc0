package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/crypt"
)

// TestInit checks what init leaves on disk: a key file only its owner
// reads, named by the dev target of trueup.yaml, and a refusal to write
// over an existing file.
func TestInit(t *testing.T) {
	dir := t.TempDir()
	o := InitOptions{Dir: dir, Customers: 3, Seed: 1}
	if err := Init(io.Discard, o); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, filepath.FromSlash(InitKeyFile))
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %04o, want 0600", key, fi.Mode().Perm())
	}
	if _, err := crypt.KeyFromFile(key); err != nil {
		t.Errorf("the key file does not read as a master key: %v", err)
	}
	cfg, err := config.Load(filepath.Join(dir, config.File))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := cfg.Lookup("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Type != config.DuckDB || dev.MasterKey == nil || dev.MasterKey.File != key {
		t.Errorf("dev target %s, want duckdb with the key file %s", dev.Describe(), key)
	}

	before, _ := os.ReadFile(key)
	err = Init(io.Discard, o)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second init: %v, want ErrExists", err)
	}
	o.Force = true
	if err := Init(io.Discard, o); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Error("init --force replaced the master key")
	}
}
