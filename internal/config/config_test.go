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

// TestSecretInWrongField: a key pasted into private_key_path or
// private_key_env, or a passphrase put in private_key_passphrase_env, is
// refused with the file, line and field, and never shown.
func TestSecretInWrongField(t *testing.T) {
	const pem = "-----BEGIN PRIVATE KEY-----\n    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n    -----END PRIVATE KEY-----"
	cases := []struct{ field, value, secret, want string }{
		{"private_key_path", `"` + strings.ReplaceAll(pem, "\n", `\n`) + `"`, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", `trueup.yaml:8:23: target "prod": private_key_path must be the path of the key file, not the key (its value is not shown)`},
		{"private_key_path", "|\n      " + strings.ReplaceAll(pem, "\n    ", "\n      "), "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", `trueup.yaml:8:23: target "prod": private_key_path must be the path of the key file`},
		{"private_key_env", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7+/=", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", `trueup.yaml:8:22: target "prod": private_key_env must be the name of an environment variable`},
		{"private_key_passphrase_env", "correct horse battery staple", "correct horse battery staple", `trueup.yaml:9:33: target "prod": private_key_passphrase_env must be the name of an environment variable`},
	}
	for _, c := range cases {
		doc := "targets:\n  prod:\n    type: snowflake\n    account: a\n    user: u\n    role: r\n    warehouse: w\n"
		if c.field == "private_key_passphrase_env" {
			doc += "    private_key_path: k.p8\n"
		}
		doc += "    " + c.field + ": " + c.value + "\n"
		_, err := Parse("trueup.yaml", []byte(doc))
		if err == nil {
			t.Errorf("%s: no error", c.field)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error\n%s\nwant %q", c.field, err, c.want)
		}
		for _, part := range strings.Fields(c.secret) {
			if strings.Contains(err.Error(), part) {
				t.Errorf("%s: the error shows the secret: %s", c.field, err)
			}
		}
	}
}
