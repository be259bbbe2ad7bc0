package config

import (
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	cfg, err := Parse("trueup.yaml", []byte(`targets:
  dev:
    type: duckdb
    path: trueup.duckdb
    memory_limit: 2GB
    threads: 2
  prod:
    type: snowflake
    account: myorg-acct1
    user: TRUEUP_DEPLOYER
    role: TRUEUP_DEPLOYER
    warehouse: TRUEUP_WH
    database: TRUEUP
    private_key_env: TRUEUP_PRIVATE_KEY
    private_key_passphrase_env: TRUEUP_KEY_PASSPHRASE
    login_timeout: 30s
`))
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := cfg.Lookup("dev")
	prod, _ := cfg.Lookup("prod")
	if dev.Path != "trueup.duckdb" || dev.SQL != "sql" || dev.MemoryLimit != "2GB" || dev.Threads != 2 || prod.PrivateKeyEnv != "TRUEUP_PRIVATE_KEY" || prod.LoginTimeout.Seconds() != 30 {
		t.Fatalf("%+v %+v", dev, prod)
	}
	if _, err := cfg.Lookup("staging"); err == nil || !strings.Contains(err.Error(), "defined: dev, prod") {
		t.Errorf("unknown target: %v", err)
	}
	if d := prod.Describe(); strings.Contains(d, "TRUEUP_PRIVATE_KEY") || !strings.Contains(d, "myorg-acct1") {
		t.Errorf("describe: %s", d)
	}
}

// TestErrorsWithPositions: every problem at once, as file:line:col, and a
// secret written in the file is refused without being echoed.
func TestErrorsWithPositions(t *testing.T) {
	_, err := Parse("trueup.yaml", []byte(`targets:
  dev:
    type: duckdb
  prod:
    type: snowflake
    account: a
    user: u
    role: r
    warehouse: w
    password: hunter2
  qa:
    type: oracle
  stage:
    type: snowflake
    account: a
    user: u
    role: r
    warehouse: w
    private_key: "-----BEGIN PRIVATE KEY----- MIIEv"
    path: x.duckdb
`))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`trueup.yaml:2:3: target "dev": path is required for type duckdb`,
		`trueup.yaml:10:5: target "prod": password authentication is not supported`,
		`trueup.yaml:12:11: target "qa": unknown type "oracle"`,
		`trueup.yaml:19:5: target "stage": a private key never goes in trueup.yaml`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	for _, secret := range []string{"hunter2", "MIIEv"} {
		if strings.Contains(msg, secret) {
			t.Errorf("the error echoes a secret (%s):\n%s", secret, msg)
		}
	}
	_, err = Parse("trueup.yaml", []byte("targets:\n  dev: {type: duckdb\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "trueup.yaml:") {
		t.Errorf("syntax error: %v", err)
	}
}
