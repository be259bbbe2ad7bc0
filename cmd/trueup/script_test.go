package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/schemacheck"
	"github.com/ledgerloop/trueup/internal/testenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"trueup": func() { os.Exit(run()) }})
}

// TestScripts runs the CLI scripts under testdata/script. Each script starts
// with a copy of the test fixture of the company spec (tests/testdata/spec,
// not models/, which users edit) as models/ in its work folder; files of
// the script's archive under models/ are written over it.
func TestScripts(t *testing.T) {
	models, err := filepath.Abs("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv(crypt.EnvKey, testenv.MasterKey)
			// A private key for Snowflake targets that must get as far as
			// a connection (none is reachable from a test).
			k, err := scriptKey()
			if err != nil {
				return err
			}
			env.Setenv("TRUEUP_SCRIPT_KEY", k)
			return copyDir(models, filepath.Join(env.WorkDir, "models"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"schema": schemaCmd},
	})
}

// scriptKey is one RSA private key (PKCS #8 PEM) for every script.
var scriptKey = sync.OnceValues(func() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
})

// schemaCmd is the script command "schema NAME FILE": FILE (a command's
// --json output, saved with cp stdout FILE) matches docs/schema/NAME,
// closed: a key the schema does not describe fails too.
func schemaCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: schema NAME FILE")
	}
	err := schemacheck.JSONStrict(args[0], []byte(ts.ReadFile(args[1])))
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", args[1], err)
	case err == nil && neg:
		ts.Fatalf("%s matches %s", args[1], args[0])
	}
}

// copyDir copies the .yaml files of from into to, except those the
// script's archive already wrote there.
func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if filepath.Ext(p) != ".yaml" {
			return nil
		}
		if _, err := os.Stat(dst); err == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
