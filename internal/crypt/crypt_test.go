package crypt

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(t *testing.T, b byte) MasterKey {
	t.Helper()
	k, err := KeyFromEnv(func(name string) string {
		if name != EnvKey {
			return ""
		}
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune(b)), 32)))
	})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVaultRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.duckdb.vault")
	v, err := OpenVault(path, testKey(t, 'a'), true)
	if err != nil {
		t.Fatal(err)
	}
	a, b := v.SealValue("ann@x.io"), v.SealValue("ann@x.io")
	if a != b || !strings.HasPrefix(a, ValuePrefix) || strings.Contains(a, "ann") {
		t.Fatalf("tokens %q %q", a, b)
	}
	if v.SealValue("bob@x.io") == a {
		t.Fatal("two values, one token")
	}
	line := v.SealText(`{"email":"ann@x.io"}`)
	if line == v.SealText(`{"email":"ann@x.io"}`) || strings.Contains(line, "ann") {
		t.Fatalf("sealed text %q", line)
	}
	if err := v.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("vault mode %04o", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "ann") {
		t.Error("the vault file holds a value in plaintext")
	}
	// A crash cut the last line: it is ignored.
	os.WriteFile(path, append(data, []byte(`{"t":"tu1:x","c":"`)...), 0o600)

	w, err := OpenVault(path, testKey(t, 'a'), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := w.OpenValue(a); !ok || got != "ann@x.io" {
		t.Errorf("open %q = %q %v", a, got, ok)
	}
	if got, err := w.OpenText(line); err != nil || got != `{"email":"ann@x.io"}` {
		t.Errorf("open text = %q %v", got, err)
	}
	if got, ok := w.OpenValue("plain"); !ok || got != "plain" {
		t.Errorf("a value that is not a token: %q %v", got, ok)
	}
	if _, ok := w.OpenValue(ValuePrefix + "unknown"); ok {
		t.Error("an unknown token opens")
	}
	w.SealValue("new@x.io")
	if err := w.Flush(); err == nil {
		t.Error("a read-only vault kept new values")
	}

	_, err = OpenVault(path, testKey(t, 'b'), false)
	if err == nil || !strings.Contains(err.Error(), "does not open") || !strings.Contains(err.Error(), EnvKey) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := KeyFromEnv(func(string) string { return "" }); err != ErrNoKey {
		t.Errorf("no key: %v", err)
	}
	if _, err := KeyFromEnv(func(k string) string {
		if k == EnvKey {
			return "-----BEGIN PRIVATE KEY----- secret"
		}
		return ""
	}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a bad key is refused without its text: %v", err)
	}
	if _, err := KeyFromEnv(func(k string) string {
		if k == EnvKey || k == EnvKeyKMS {
			return "c2VjcmV0IGtleSB0ZXh0"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), EnvKey+" and "+EnvKeyKMS+" are all set") || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("two master keys set: %v", err)
	}
	kf := filepath.Join(t.TempDir(), "key")
	os.WriteFile(kf, []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), 0o644)
	if _, err := KeyFromFile(kf); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file: %v", err)
	}
}

func BenchmarkSealValue(b *testing.B) {
	v, _ := OpenVault(filepath.Join(b.TempDir(), "v"), localTestKey(), true)
	for i := 0; i < b.N; i++ {
		v.SealValue("customer@example.com")
	}
}

func BenchmarkSealText(b *testing.B) {
	v, _ := OpenVault(filepath.Join(b.TempDir(), "v"), localTestKey(), true)
	line := strings.Repeat("x", 900)
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		v.SealText(line)
	}
}

func localTestKey() MasterKey {
	k, _ := newLocalKey(make([]byte, 32), "test")
	return k
}
