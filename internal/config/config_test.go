package config

import (
	"os"
	"path/filepath"
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

// TestMasterKey: a duckdb target's master_key names a key file, an
// environment variable or a KMS key; absent, the environment's is used.
func TestMasterKey(t *testing.T) {
	cfg, err := Parse("trueup.yaml", []byte(`targets:
  plain:
    type: duckdb
    path: a.duckdb
  file:
    type: duckdb
    path: b.duckdb
    master_key: {file: /etc/trueup/master.key}
  env:
    type: duckdb
    path: c.duckdb
    master_key:
      env: PROD_MASTER_KEY
  kms:
    type: duckdb
    path: d.duckdb
    master_key:
      kms_key_id: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
      kms_region: eu-west-1
      kms_endpoint: https://vpce-0123.kms.eu-west-1.vpce.amazonaws.com
  alias:
    type: duckdb
    path: e.duckdb
    master_key: {kms_key_id: alias/trueup}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*MasterKey{
		"plain": nil,
		"file":  {File: "/etc/trueup/master.key"},
		"env":   {Env: "PROD_MASTER_KEY"},
		"kms":   {KMSKeyID: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", KMSRegion: "eu-west-1", KMSEndpoint: "https://vpce-0123.kms.eu-west-1.vpce.amazonaws.com"},
		"alias": {KMSKeyID: "alias/trueup"},
	}
	for name, w := range want {
		got := cfg.Targets[name].MasterKey
		if (got == nil) != (w == nil) || (got != nil && *got != *w) {
			t.Errorf("%s: master key %+v, want %+v", name, got, w)
		}
	}
	if d := cfg.Targets["alias"].Describe(); !strings.Contains(d, "master key from KMS key alias/trueup") {
		t.Errorf("describe: %s", d)
	}
	if d := cfg.Targets["plain"].Describe(); strings.Contains(d, "master key") {
		t.Errorf("describe: %s", d)
	}
}

// TestMasterKeyErrors: each mistake is reported with the file, line and
// field; a value that may be the key itself is never shown.
func TestMasterKeyErrors(t *testing.T) {
	const secret = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=" // base64 of 32 bytes
	head := "targets:\n  dev:\n    type: duckdb\n    path: t.duckdb\n"
	cases := []struct{ name, body, want string }{
		{"the key in place of the mapping", "    master_key: " + secret + "\n",
			`trueup.yaml:5:17: target "dev": master_key must be a mapping with one of file, env or kms_key_id (its value is not shown)`},
		{"the key under key:", "    master_key:\n      key: " + secret + "\n",
			`trueup.yaml:6:7: target "dev": master_key.key: a master key never goes in trueup.yaml`},
		{"the key in env", "    master_key:\n      env: " + secret + "\n",
			`trueup.yaml:6:12: target "dev": master_key.env must be the name of an environment variable (letters, digits and _), not its value (its value is not shown)`},
		{"the key in file", "    master_key:\n      file: " + secret + "\n",
			`trueup.yaml:6:13: target "dev": master_key.file must be the path of the key file, not the key (its value is not shown)`},
		{"the key as an unknown key", "    master_key:\n      " + secret + ": x\n",
			`trueup.yaml:6:7: target "dev": master_key: unknown key (not shown`},
		{"the key in kms_key_id", "    master_key:\n      kms_key_id: " + secret + "\n",
			`trueup.yaml:6:19: target "dev": master_key.kms_key_id must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN (its value is not shown)`},
		{"credentials in kms_endpoint", "    master_key:\n      kms_key_id: alias/t\n      kms_endpoint: https://AKID:" + secret + "@kms.local\n",
			`trueup.yaml:7:21: target "dev": master_key.kms_endpoint must not hold credentials`},
		{"a bad region", "    master_key:\n      kms_key_id: alias/t\n      kms_region: " + secret + "\n",
			`trueup.yaml:7:19: target "dev": master_key.kms_region must be an AWS region such as eu-west-1 (its value is not shown)`},
		{"two sources", "    master_key:\n      env: K\n      kms_key_id: alias/t\n",
			`trueup.yaml:7:7: target "dev": master_key: env and kms_key_id are alternatives: give one`},
		{"no source", "    master_key: {}\n",
			`trueup.yaml:5:5: target "dev": master_key needs one of file, env or kms_key_id`},
		{"a region without KMS", "    master_key:\n      env: K\n      kms_region: eu-west-1\n",
			`trueup.yaml:7:7: target "dev": master_key.kms_region applies only with kms_key_id`},
		{"an unknown key", "    master_key:\n      kms_key: alias/t\n",
			`trueup.yaml:6:7: target "dev": master_key: unknown key "kms_key"`},
		{"a null", "    master_key:\n      env:\n",
			`trueup.yaml:6:11: target "dev": master_key.env must be a string`},
	}
	for _, c := range cases {
		_, err := Parse("trueup.yaml", []byte(head+c.body))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error\n%s\nwant %q", c.name, err, c.want)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:12]) {
			t.Errorf("%s: the error shows the key: %s", c.name, err)
		}
	}
	// master_key is a duckdb target's.
	_, err := Parse("trueup.yaml", []byte("targets:\n  prod:\n    type: snowflake\n    account: a\n    user: u\n    role: r\n    warehouse: w\n    private_key_path: k.p8\n    master_key: {env: K}\n"))
	if err == nil || !strings.Contains(err.Error(), `trueup.yaml:9:5: target "prod": master_key does not apply to type snowflake`) {
		t.Errorf("snowflake master_key: %v", err)
	}
}

// TestLoadResolvesRelativePaths: relative paths in trueup.yaml are from
// its folder, not from the working directory.
func TestLoadResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "trueup.yaml")
	body := "targets:\n  dev:\n    type: duckdb\n    path: data/dev.duckdb\n    master_key: {file: keys/master.key}\n  abs:\n    type: duckdb\n    path: /srv/x.duckdb\n"
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	dev := c.Targets["dev"]
	if dev.Path != filepath.Join(dir, "data/dev.duckdb") || dev.MasterKey.File != filepath.Join(dir, "keys/master.key") || dev.SQL != filepath.Join(dir, "sql") {
		t.Errorf("dev: path %s, key %s, sql %s", dev.Path, dev.MasterKey.File, dev.SQL)
	}
	if c.Targets["abs"].Path != "/srv/x.duckdb" {
		t.Errorf("an absolute path moved: %s", c.Targets["abs"].Path)
	}
}
