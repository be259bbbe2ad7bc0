package sfconn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snowflakedb/gosnowflake"

	"github.com/ledgerloop/trueup/internal/config"
)

func newKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// encrypt writes an ENCRYPTED PRIVATE KEY as OpenSSL's `pkcs8 -topk8 -v2
// aes256` does: PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC.
func encrypt(t *testing.T, k *rsa.PrivateKey, pass string) []byte {
	t.Helper()
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	salt, iv := make([]byte, 16), make([]byte, 16)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, pass, salt, 2048, 32)
	if err != nil {
		t.Fatal(err)
	}
	pad := aes.BlockSize - len(der)%aes.BlockSize
	plain := append(der, []byte(strings.Repeat(string(rune(pad)), pad))...)
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	must := func(b []byte, err error) asn1.RawValue {
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := must(asn1.Marshal(pbkdf2Params{Salt: salt, Iterations: 2048, PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}}))
	ivb := must(asn1.Marshal(iv))
	params := must(asn1.Marshal(pbes2Params{
		KDF:        pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: kdf},
		Encryption: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: ivb},
	}))
	info, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: params}, Data: out})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: info})
}

func env(m map[string]string) Env {
	return func(n string) (string, bool) { v, ok := m[n]; return v, ok }
}

func target() *config.Target {
	return &config.Target{Name: "prod", Type: config.Snowflake, Account: "myorg-acct1", User: "TRUEUP_DEPLOYER",
		Role: "TRUEUP_DEPLOYER", Warehouse: "TRUEUP_WH", PrivateKeyEnv: "TRUEUP_KEY"}
}

// TestConfigKeyPair: the driver configuration uses JWT with the key, and
// its DSN round-trips through the driver's parser with every name intact.
func TestConfigKeyPair(t *testing.T) {
	k, pemData := newKey(t)
	cfg, err := Config(target(), "TRUEUP", env(map[string]string{"TRUEUP_KEY": string(pemData)}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Authenticator != gosnowflake.AuthTypeJwt || !cfg.PrivateKey.Equal(k) {
		t.Fatalf("authenticator %v, key equal %v", cfg.Authenticator, cfg.PrivateKey.Equal(k))
	}
	if cfg.Password != "" {
		t.Error("a password is set")
	}
	dsn, err := gosnowflake.DSN(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := gosnowflake.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"account", back.Account, "myorg-acct1"}, {"user", back.User, "TRUEUP_DEPLOYER"}, {"role", back.Role, "TRUEUP_DEPLOYER"},
		{"warehouse", back.Warehouse, "TRUEUP_WH"}, {"database", back.Database, "TRUEUP"}, {"application", back.Application, "trueup"},
		{"authenticator", back.Authenticator.String(), "SNOWFLAKE_JWT"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if back.PrivateKey == nil || !back.PrivateKey.Equal(k) {
		t.Error("the DSN does not carry the key")
	}
	if !strings.Contains(back.Host, "myorg-acct1") {
		t.Errorf("host %q", back.Host)
	}
}

// TestKeyFromFileEncrypted reads an encrypted key from a file with the
// passphrase from the environment (written by openssl when it is there,
// and by the same scheme in Go).
func TestKeyFromFileEncrypted(t *testing.T) {
	k, plain := newKey(t)
	dir := t.TempDir()
	keys := map[string][]byte{"go.p8": encrypt(t, k, "s3cret-pass")}
	if _, err := exec.LookPath("openssl"); err == nil {
		os.WriteFile(filepath.Join(dir, "plain.pem"), plain, 0o600)
		out, err := exec.Command("openssl", "pkcs8", "-topk8", "-v2", "aes256", "-in", filepath.Join(dir, "plain.pem"), "-passout", "pass:s3cret-pass").Output()
		if err != nil {
			t.Fatalf("openssl: %v", err)
		}
		keys["openssl.p8"] = out
	}
	for name, data := range keys {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o600)
		tg := target()
		tg.PrivateKeyEnv, tg.PrivateKeyPath, tg.PassphraseEnv = "", path, "TRUEUP_KEY_PASSPHRASE"
		cfg, err := Config(tg, "TRUEUP", env(map[string]string{"TRUEUP_KEY_PASSPHRASE": "s3cret-pass"}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !cfg.PrivateKey.Equal(k) {
			t.Errorf("%s: wrong key", name)
		}
		_, err = Config(tg, "TRUEUP", env(map[string]string{"TRUEUP_KEY_PASSPHRASE": "wrong"}))
		if err == nil || !strings.Contains(err.Error(), "wrong or missing passphrase") {
			t.Errorf("%s with a wrong passphrase: %v", name, err)
		}
	}
}

// TestSecretsNeverInErrors: no error shows key material or a passphrase.
func TestSecretsNeverInErrors(t *testing.T) {
	k, plain := newKey(t)
	enc := encrypt(t, k, "hunter2-passphrase")
	body := func(p []byte) string { // a line of base64 from inside the PEM
		lines := strings.Split(string(p), "\n")
		return lines[2]
	}
	cases := []map[string]string{
		{"TRUEUP_KEY": string(enc), "PASS": "wrong-hunter2"},
		{"TRUEUP_KEY": string(enc)},
		{"TRUEUP_KEY": strings.Replace(string(plain), body(plain), "garbage"+body(plain)[7:], 1)},
		{"TRUEUP_KEY": "not a pem at all: hunter2-passphrase"},
	}
	for i, e := range cases {
		tg := target()
		if _, ok := e["PASS"]; ok {
			tg.PassphraseEnv = "PASS"
		}
		_, err := Config(tg, "TRUEUP", env(e))
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		for _, secret := range []string{"hunter2", body(plain)[10:40], body(enc)[10:40]} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("case %d: the error shows a secret: %v", i, err)
			}
		}
	}
	if _, err := Config(target(), "TRUEUP", env(nil)); err == nil || !strings.Contains(err.Error(), "TRUEUP_KEY, which is not set") {
		t.Errorf("unset key variable: %v", err)
	}
}
