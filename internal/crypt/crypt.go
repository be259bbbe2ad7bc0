// Package crypt keeps the PII of a local database out of its file.
//
// A Vault sits beside the database (FILE.vault). It holds two keys, wrapped
// by a master key that never touches the disk beside them: an index key
// and a data key. PII values are stored in the database as tokens, the
// HMAC-SHA256 of the value under the index key (a blind index: equal values
// have equal tokens, so matching, grouping and comparing work on tokens
// exactly as on values); the value itself is kept in the vault, encrypted
// with AES-256-GCM under the data key, the token bound as additional data.
// Longer texts that contain PII (the raw lines) are stored in the database
// encrypted under the data key.
//
// The vault file is append-only between erasures: a header line, then one
// line per value. Entries are written before the database commits the rows
// that refer to them (Flush), so that no committed token lacks its value;
// an entry whose rows were rolled back is harmless.
package crypt

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

// Token prefixes: a value's blind index, a text encrypted in place.
const (
	ValuePrefix = "tu1:"
	TextPrefix  = "tl1:"
)

// Environment variables that name the master key.
const (
	EnvKey     = "TRUEUP_MASTER_KEY"
	EnvKeyFile = "TRUEUP_MASTER_KEY_FILE"
	// EnvKeyKMS names an AWS KMS key (id, ARN or alias) as the master key;
	// the region and endpoint are the AWS SDK's (AWS_REGION,
	// AWS_ENDPOINT_URL_KMS), the credentials its default chain.
	EnvKeyKMS = "TRUEUP_MASTER_KEY_KMS"
)

// ErrNoKey is returned when no master key is configured.
var ErrNoKey = errors.New("no master key: set " + EnvKey + " to the base64 of 32 random bytes (head -c 32 /dev/urandom | base64), " +
	EnvKeyFile + " to a file (mode 0600) that holds it (keep it outside the database's folder), or " + EnvKeyKMS + " to an AWS KMS key")

// MasterKey wraps and unwraps the vault's keys. The local implementation
// is a 256-bit key from the environment or a key file; NewKMSKey is a key
// kept in AWS KMS. Unwrap's error wraps ErrKeyMismatch when the text was
// wrapped by another key, as opposed to a key that could not be used.
type MasterKey interface {
	Wrap(plain []byte) ([]byte, error)
	Unwrap(wrapped []byte) ([]byte, error)
	// Source says where the key comes from, for errors.
	Source() string
}

type localKey struct {
	aead   cipher.AEAD
	source string
}

func (k localKey) Source() string { return k.source }

func (k localKey) Wrap(plain []byte) ([]byte, error) {
	return seal(k.aead, plain, []byte("trueup master")), nil
}

func (k localKey) Unwrap(wrapped []byte) ([]byte, error) {
	p, err := open(k.aead, wrapped, []byte("trueup master"))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrKeyMismatch, err)
	}
	return p, nil
}

// KeyFromEnv reads the master key from TRUEUP_MASTER_KEY, the file that
// TRUEUP_MASTER_KEY_FILE names, or the KMS key TRUEUP_MASTER_KEY_KMS
// names: exactly one of them (getenv is os.Getenv when nil).
func KeyFromEnv(getenv func(string) string) (MasterKey, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var set []string
	for _, name := range []string{EnvKey, EnvKeyFile, EnvKeyKMS} {
		if getenv(name) != "" {
			set = append(set, name)
		}
	}
	if len(set) > 1 {
		return nil, fmt.Errorf("master key: %s are all set: set one of them", strings.Join(set, " and "))
	}
	if s := getenv(EnvKey); s != "" {
		return parseKey(s, EnvKey)
	}
	if id := getenv(EnvKeyKMS); id != "" {
		return NewKMSKey(context.Background(), KMSConfig{KeyID: id})
	}
	path := getenv(EnvKeyFile)
	if path == "" {
		return nil, ErrNoKey
	}
	return KeyFromFile(path)
}

// KeyFromVar reads the master key from the environment variable name, the
// base64 of 32 bytes (getenv is os.Getenv when nil).
func KeyFromVar(name string, getenv func(string) string) (MasterKey, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	s := getenv(name)
	if s == "" {
		return nil, fmt.Errorf("no master key: the environment variable %s is not set (the base64 of 32 random bytes: head -c 32 /dev/urandom | base64)", name)
	}
	return parseKey(s, name)
}

// KeyFromFile reads a master key file: the base64 of 32 bytes, readable by
// its owner only.
func KeyFromFile(path string) (MasterKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s: mode %04o: it must be readable by its owner only (chmod 600 %s)", path, fi.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	return parseKey(strings.TrimSpace(string(data)), "the key file "+path)
}

// parseKey never prints the value it was given.
func parseKey(s, source string) (MasterKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("master key from %s: want the base64 of 32 bytes (head -c 32 /dev/urandom | base64)", source)
	}
	return newLocalKey(raw, source)
}

func newLocalKey(raw []byte, source string) (MasterKey, error) {
	a, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return localKey{aead: a, source: source}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func seal(a cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return a.Seal(nonce, nonce, plain, ad)
}

func open(a cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < a.NonceSize() {
		return nil, errors.New("sealed text too short")
	}
	return a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], ad)
}

// header is the vault file's first line.
type header struct {
	Format string `json:"format"`
	// Keys is the index key and the data key (32 bytes each), wrapped by
	// the master key.
	Keys string `json:"keys"`
	// Previous is the data key before an erasure's rotation, wrapped,
	// until the database's texts are sealed again under the new one.
	Previous string `json:"previous,omitempty"`
}

// entry is one value of the vault.
type entry struct {
	Token string `json:"t"`
	// Sealed is nonce|ciphertext of the value under the data key, the
	// token as additional data.
	Sealed string `json:"c"`
}

const format = "trueup-vault/1"

// Vault is the key and value store of one database.
type Vault struct {
	path     string
	readOnly bool
	master   MasterKey
	index    []byte
	dataKey  []byte
	data     cipher.AEAD
	// prev opens texts sealed before a rotation (Rotate) until
	// DropPrevious; prevKey is its key.
	prev    cipher.AEAD
	prevKey []byte

	mu      sync.RWMutex
	values  map[string]string // token -> value
	pending []entry
	// mac is a pool of HMACs under the index key.
	mac sync.Pool
}

// VaultPath is the vault of the database file at db.
func VaultPath(db string) string { return db + ".vault" }

// OpenVault opens the vault at path with the master key, creating it
// (mode 0600) when create is set and it does not exist. A master key that
// does not open it is an error naming where the key came from.
func OpenVault(path string, mk MasterKey, create bool) (*Vault, error) {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && create:
		return createVault(path, mk)
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("vault %s does not exist: the database's PII cannot be read without it", path)
	case err != nil:
		return nil, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	line, err := r.ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("vault %s: %w", path, err)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != format {
		return nil, fmt.Errorf("vault %s: not a trueup vault (header %q)", path, strings.TrimSpace(string(line[:min(len(line), 40)])))
	}
	wrapped, err := base64.StdEncoding.DecodeString(h.Keys)
	if err != nil {
		return nil, fmt.Errorf("vault %s: keys: %w", path, err)
	}
	keys, err := mk.Unwrap(wrapped)
	if err != nil && !errors.Is(err, ErrKeyMismatch) {
		// The key could not be used (a KMS key out of reach, denied,
		// disabled): not a wrong key.
		return nil, fmt.Errorf("vault %s: %w", path, err)
	}
	if err != nil || len(keys) != 64 {
		return nil, fmt.Errorf("the master key from %s does not open %s (another key was used to create it)", mk.Source(), path)
	}
	v, err := newVault(path, keys, !create)
	if err != nil {
		return nil, err
	}
	v.master = mk
	if h.Previous != "" {
		w, err := base64.StdEncoding.DecodeString(h.Previous)
		if err != nil {
			return nil, fmt.Errorf("vault %s: previous key: %w", path, err)
		}
		pk, err := mk.Unwrap(w)
		if err != nil || len(pk) != 32 {
			return nil, fmt.Errorf("vault %s: the previous data key does not open", path)
		}
		if v.prev, err = newAEAD(pk); err != nil {
			return nil, err
		}
		v.prevKey = pk
	}
	for n := 2; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var e entry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				return nil, fmt.Errorf("vault %s:%d: %v", path, n, jerr)
			}
			sealed, derr := base64.StdEncoding.DecodeString(e.Sealed)
			if derr != nil {
				return nil, fmt.Errorf("vault %s:%d: %v", path, n, derr)
			}
			plain, oerr := open(v.data, sealed, []byte(e.Token))
			if oerr != nil {
				return nil, fmt.Errorf("vault %s:%d: the entry does not decrypt (changed by hand?)", path, n)
			}
			v.values[e.Token] = string(plain)
		}
		// A last line without its newline was cut by a crash while it
		// was written: its rows were never committed.
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("vault %s: %w", path, err)
		}
	}
	return v, nil
}

func createVault(path string, mk MasterKey) (*Vault, error) {
	keys := make([]byte, 64)
	if _, err := rand.Read(keys); err != nil {
		return nil, err
	}
	wrapped, err := mk.Wrap(keys)
	if err != nil {
		return nil, fmt.Errorf("vault: wrap the keys with the master key from %s: %w", mk.Source(), err)
	}
	h, _ := json.Marshal(header{Format: format, Keys: base64.StdEncoding.EncodeToString(wrapped)})
	if err := writeFileSync(path, append(h, '\n')); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	v, err := newVault(path, keys, false)
	if err != nil {
		return nil, err
	}
	v.master = mk
	return v, nil
}

func newVault(path string, keys []byte, readOnly bool) (*Vault, error) {
	data, err := newAEAD(keys[32:])
	if err != nil {
		return nil, err
	}
	v := &Vault{path: path, readOnly: readOnly, index: append([]byte(nil), keys[:32]...), dataKey: append([]byte(nil), keys[32:]...), data: data, values: map[string]string{}}
	v.mac.New = func() any { return hmac.New(sha256.New, v.index) }
	return v, nil
}

// writeFileSync writes a new file (mode 0600) and syncs it and its folder.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Token is the blind index of a value: the same value, the same token.
func (v *Vault) Token(s string) string {
	m := v.mac.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(s))
	var buf [sha256.Size]byte
	sum := m.Sum(buf[:0])
	v.mac.Put(m)
	return ValuePrefix + base64.RawURLEncoding.EncodeToString(sum[:20])
}

// SealValue returns the value's token and keeps the value in the vault
// (written at the next Flush).
func (v *Vault) SealValue(s string) string {
	t := v.Token(s)
	v.mu.RLock()
	_, ok := v.values[t]
	v.mu.RUnlock()
	if ok {
		return t
	}
	v.mu.Lock()
	if _, ok := v.values[t]; !ok {
		v.values[t] = s
		v.pending = append(v.pending, entry{Token: t, Sealed: base64.StdEncoding.EncodeToString(seal(v.data, []byte(s), []byte(t)))})
	}
	v.mu.Unlock()
	return t
}

// OpenValue returns the value of a token; ok is false when the vault has
// none (an erased value). Text that is not a token is returned as it is
// (a value written before the database was sealed).
func (v *Vault) OpenValue(s string) (string, bool) {
	if !strings.HasPrefix(s, ValuePrefix) {
		return s, true
	}
	v.mu.RLock()
	p, ok := v.values[s]
	v.mu.RUnlock()
	return p, ok
}

// SealText encrypts a text in place (a raw line): a fresh nonce each time.
func (v *Vault) SealText(s string) string {
	return TextPrefix + base64.StdEncoding.EncodeToString(seal(v.data, []byte(s), []byte(TextPrefix)))
}

// OpenText decrypts a text SealText wrote; other text is returned as it is.
func (v *Vault) OpenText(s string) (string, error) {
	if !strings.HasPrefix(s, TextPrefix) {
		return s, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s[len(TextPrefix):])
	if err != nil {
		return "", fmt.Errorf("sealed text: %w", err)
	}
	p, err := open(v.data, raw, []byte(TextPrefix))
	if err != nil && v.prev != nil {
		p, err = open(v.prev, raw, []byte(TextPrefix))
	}
	if err != nil {
		return "", errors.New("sealed text does not decrypt with this vault's key")
	}
	return string(p), nil
}

// Flush appends the values sealed since the last Flush to the vault file
// and syncs it: call it before committing the rows that hold their tokens.
func (v *Vault) Flush() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.pending) == 0 {
		return nil
	}
	if v.path == "" {
		v.pending = v.pending[:0]
		return nil
	}
	if v.readOnly {
		return fmt.Errorf("vault %s is open read-only: %d new values cannot be kept", v.path, len(v.pending))
	}
	var b strings.Builder
	for _, e := range v.pending {
		line, _ := json.Marshal(e)
		b.Write(line)
		b.WriteByte('\n')
	}
	f, err := os.OpenFile(v.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("vault: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("vault: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	v.pending = v.pending[:0]
	return nil
}

// MemoryVault is the vault of an in-memory database: fresh keys, nothing
// written (there is nothing at rest to protect).
func MemoryVault() *Vault {
	keys := make([]byte, 64)
	if _, err := rand.Read(keys); err != nil {
		panic(err)
	}
	v, err := newVault("", keys, false)
	if err != nil {
		panic(err)
	}
	return v
}

// Rotate erases values and changes the data key, for an erasure: the
// values of the tokens in drop are removed from the vault, every other
// value is sealed again under a new data key, and the file is rewritten
// (a new file renamed over the old). The old data key stays in the file as
// the previous one, so that texts sealed under it still open, until the
// caller has sealed them again (OpenText then SealText) and called
// DropPrevious: from then on nothing sealed under the old key opens.
func (v *Vault) Rotate(drop map[string]bool) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.readOnly || v.path == "" {
		return 0, fmt.Errorf("vault %s: cannot rotate a read-only or in-memory vault", v.path)
	}
	if v.prev != nil {
		return 0, fmt.Errorf("vault %s: an erasure is under way (run it again to finish it)", v.path)
	}
	n := 0
	for t := range drop {
		if _, ok := v.values[t]; ok {
			delete(v.values, t)
			n++
		}
	}
	newKey := make([]byte, 32)
	if _, err := rand.Read(newKey); err != nil {
		return 0, err
	}
	a, err := newAEAD(newKey)
	if err != nil {
		return 0, err
	}
	v.prev, v.prevKey = v.data, v.dataKey
	v.data, v.dataKey = a, newKey
	v.pending = v.pending[:0]
	return n, v.rewrite()
}

// DropPrevious forgets the data key before the last Rotate.
func (v *Vault) DropPrevious() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.prev, v.prevKey = nil, nil
	return v.rewrite()
}

// rewrite writes the whole vault to a new file and renames it over the
// old one.
func (v *Vault) rewrite() error {
	wrapped, err := v.master.Wrap(append(append([]byte(nil), v.index...), v.dataKey...))
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	h := header{Format: format, Keys: base64.StdEncoding.EncodeToString(wrapped)}
	if v.prevKey != nil {
		pw, err := v.master.Wrap(v.prevKey)
		if err != nil {
			return fmt.Errorf("vault: %w", err)
		}
		h.Previous = base64.StdEncoding.EncodeToString(pw)
	}
	var b strings.Builder
	hl, _ := json.Marshal(h)
	b.Write(hl)
	b.WriteByte('\n')
	tokens := make([]string, 0, len(v.values))
	for t := range v.values {
		tokens = append(tokens, t)
	}
	sort.Strings(tokens)
	for _, t := range tokens {
		line, _ := json.Marshal(entry{Token: t, Sealed: base64.StdEncoding.EncodeToString(seal(v.data, []byte(v.values[t]), []byte(t)))})
		b.Write(line)
		b.WriteByte('\n')
	}
	tmp := v.path + ".new"
	os.Remove(tmp)
	if err := writeFileSync(tmp, []byte(b.String())); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if err := os.Rename(tmp, v.path); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}
