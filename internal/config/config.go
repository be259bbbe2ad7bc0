// Package config reads trueup.yaml, the targets trueup deploys to, plans
// against, checks for drift and monitors (profiles, as dbt has them):
//
//	targets:
//	  dev:
//	    type: duckdb
//	    path: trueup.duckdb
//	    memory_limit: 3GB # optional, the default
//	    threads: 2        # optional, default one per core
//	    master_key:       # optional, default TRUEUP_MASTER_KEY(_FILE)
//	      kms_key_id: alias/trueup # or file: PATH, or env: VAR_NAME
//	      kms_region: eu-west-1    # optional, the SDK's default
//	  prod:
//	    type: snowflake
//	    account: myorg-myaccount
//	    user: TRUEUP_DEPLOYER
//	    role: TRUEUP_DEPLOYER
//	    warehouse: TRUEUP_WH
//	    database: TRUEUP
//	    private_key_path: ~/.snowflake/trueup_rsa_key.p8  # or private_key_env
//	    private_key_passphrase_env: TRUEUP_KEY_PASSPHRASE # encrypted keys only
//
// The file holds no secret: a private key is named by a path or by an
// environment variable, its passphrase by an environment variable, and so
// is the master key of a local database's vault (or it is a KMS key).
// Password authentication is refused.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ledgerloop/trueup/generator/spec"
)

// File is the configuration file's name at the project root.
const File = "trueup.yaml"

// Target types (see kinds.go: the keys of each; internal/warehouse
// registers one driver per type).
const (
	DuckDB    = "duckdb"
	Snowflake = "snowflake"
)

// Config is trueup.yaml.
type Config struct {
	Targets map[string]*Target
}

// Target is one place trueup deploys to.
type Target struct {
	Name string
	Type string // duckdb or snowflake
	// SQL is the generated folder deployed to this target (default "sql").
	SQL string

	// DuckDB.
	Path string
	// MemoryLimit is DuckDB's memory_limit ("3GB"; "" for the runner's
	// default, local.DefaultMemoryLimit).
	MemoryLimit string
	// Threads is DuckDB's threads (0 for one per core).
	Threads int
	// MasterKey is where the master key of the database's vault comes
	// from; nil for the environment (TRUEUP_MASTER_KEY or
	// TRUEUP_MASTER_KEY_FILE).
	MasterKey *MasterKey

	// Snowflake.
	Account   string
	User      string
	Role      string
	Warehouse string
	Database  string
	Schema    string
	Host      string
	Port      int
	// PrivateKeyPath or PrivateKeyEnv name the PKCS#8 PEM private key.
	PrivateKeyPath string
	PrivateKeyEnv  string
	// PassphraseEnv names the environment variable holding the passphrase
	// of an encrypted key.
	PassphraseEnv string
	LoginTimeout  time.Duration
}

// MasterKey names the master key of a DuckDB target's vault: exactly one
// of File, Env and KMSKeyID is set. None of its fields is a secret.
type MasterKey struct {
	// File is the path of a key file (the base64 of 32 bytes, mode 0600).
	File string
	// Env is the name of the environment variable that holds the key.
	Env string
	// KMSKeyID is an AWS KMS key: its ID, ARN, alias name or alias ARN.
	KMSKeyID string
	// KMSRegion is the KMS key's region ("" for the SDK's default).
	KMSRegion string
	// KMSEndpoint replaces KMS's endpoint (a VPC endpoint, a local KMS).
	KMSEndpoint string
}

// Describe says where the key comes from: names, never a key.
func (m *MasterKey) Describe() string {
	switch {
	case m == nil:
		return "the environment"
	case m.File != "":
		return "the key file " + m.File
	case m.Env != "":
		return "the environment variable " + m.Env
	}
	return "KMS key " + m.KMSKeyID
}

// Error is one problem in the file, at a position, written as the spec's
// problems are (file:line:col: message).
type Error = spec.Error

// ErrorList is every problem found, in file order. Unlike spec.ErrorList
// it is not an invalid spec (errors.Is(err, spec.ErrInvalid) is false).
type ErrorList []Error

func (l ErrorList) Error() string { return spec.ErrorList(l).Error() }

// ErrNoTarget is returned by Lookup for a name the file does not define.
var ErrNoTarget = errors.New("no such target")

// Load reads and checks the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file: targets are defined in %s at the project root (see the README, Targets)", path, File)
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.resolve(filepath.Dir(path))
	return c, nil
}

// resolve makes the relative paths of the targets (the generated folder,
// the database file, the key files) relative to dir, the folder of the
// file that names them, whatever the working directory.
func (c *Config) resolve(dir string) {
	rel := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) && !strings.HasPrefix(*p, "~") {
			*p = filepath.Join(dir, *p)
		}
	}
	for _, t := range c.Targets {
		rel(&t.SQL)
		rel(&t.Path)
		rel(&t.PrivateKeyPath)
		if t.MasterKey != nil {
			rel(&t.MasterKey.File)
		}
	}
}

// Parse checks the configuration text; name is the file name in errors.
func Parse(name string, data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, ErrorList{yamlError(name, err)}
	}
	p := &parser{file: name}
	cfg := &Config{Targets: map[string]*Target{}}
	if len(doc.Content) == 0 {
		return nil, ErrorList{{Pos: spec.Pos{File: name}, Msg: "empty file: define targets"}}
	}
	root := doc.Content[0]
	p.mapping(root, "the file", func(key string, k, v *yaml.Node) {
		switch key {
		case "targets":
			p.mapping(v, "targets", func(tname string, k, v *yaml.Node) {
				if t := p.target(tname, k, v); t != nil {
					cfg.Targets[tname] = t
				}
			})
		default:
			p.errorf(k, "unknown key %q (expected targets)", key)
		}
	})
	if len(p.errs) == 0 && len(cfg.Targets) == 0 {
		p.errorf(root, "no targets defined")
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return cfg, nil
}

// Lookup returns the named target.
func (c *Config) Lookup(name string) (*Target, error) {
	t, ok := c.Targets[name]
	if !ok {
		var names []string
		for n := range c.Targets {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("target %q: %w (defined: %s)", name, ErrNoTarget, strings.Join(names, ", "))
	}
	return t, nil
}

type parser struct {
	file string
	errs ErrorList
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, Error{Pos: spec.Pos{File: p.file, Line: n.Line, Col: n.Column}, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) mapping(n *yaml.Node, what string, each func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errorf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		each(k.Value, k, v)
	}
}

func (p *parser) scalar(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(v, "%s must be a string", key)
		return "", false
	}
	return v.Value, true
}

// secretKeys are keys that would put a secret in the file.
var secretKeys = map[string]string{
	"password":               "password authentication is not supported: use key-pair authentication (private_key_path or private_key_env)",
	"private_key":            "a private key never goes in trueup.yaml: name its file with private_key_path or an environment variable with private_key_env",
	"private_key_passphrase": "a passphrase never goes in trueup.yaml: name an environment variable with private_key_passphrase_env",
	"passphrase":             "a passphrase never goes in trueup.yaml: name an environment variable with private_key_passphrase_env",
	"token":                  "tokens are not supported: use key-pair authentication",
}

// envName is the shape of an environment variable's name (POSIX: letters,
// digits and underscores, not starting with a digit).
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// IsEnvName reports whether s can name an environment variable: a value
// that cannot may be a secret typed in its place, and is never shown.
func IsEnvName(s string) bool { return envName.MatchString(s) }

// misplacedSecret is why the value s of key, a field that names where a
// secret is, may hold the secret itself ("" when it does not): an
// environment variable's name that is no name, a key file's path that is a
// PEM block or spans lines.
func misplacedSecret(key, s string) string {
	switch key {
	case "private_key_env", "private_key_passphrase_env":
		if !IsEnvName(s) {
			return "must be the name of an environment variable (letters, digits and _), not its value"
		}
	case "private_key_path":
		if !LooksLikePath(s) {
			return "must be the path of the key file, not the key"
		}
	}
	return ""
}

// LooksLikePath reports whether s can be a key file's path rather than
// the key: one line, no PEM armour.
func LooksLikePath(s string) bool {
	return !strings.ContainsAny(s, "\r\n") && !strings.Contains(s, "-----") && len(s) <= 4096
}

// memoryLimit is the shape of a DuckDB memory_limit.
var memoryLimit = regexp.MustCompile(`^(?i)[0-9]+(\.[0-9]+)? ?(b|kb|mb|gb|tb|kib|mib|gib|tib)$`)

func (p *parser) target(name string, k, v *yaml.Node) *Target {
	t := &Target{Name: name, SQL: "sql"}
	fields := map[string]*string{
		"type": &t.Type, "sql": &t.SQL, "path": &t.Path,
		"account": &t.Account, "user": &t.User, "role": &t.Role, "warehouse": &t.Warehouse,
		"database": &t.Database, "schema": &t.Schema, "host": &t.Host,
		"private_key_path": &t.PrivateKeyPath, "private_key_env": &t.PrivateKeyEnv,
		"private_key_passphrase_env": &t.PassphraseEnv,
	}
	pos, vals := map[string]*yaml.Node{}, map[string]*yaml.Node{}
	before := len(p.errs)
	p.mapping(v, fmt.Sprintf("target %q", name), func(key string, kn, vn *yaml.Node) {
		pos[key], vals[key] = kn, vn
		if why, ok := secretKeys[key]; ok {
			// Never echo the value.
			p.errorf(kn, "target %q: %s", name, why)
			return
		}
		switch key {
		case "port":
			if s, ok := p.scalar(vn, key); ok {
				var n int
				if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 || n > 65535 {
					p.errorf(vn, "target %q: port must be a number from 1 to 65535", name)
				}
				t.Port = n
			}
			return
		case "memory_limit":
			if s, ok := p.scalar(vn, key); ok {
				if !memoryLimit.MatchString(s) {
					p.errorf(vn, "target %q: memory_limit must be a size such as 3GB or 512MB", name)
				}
				t.MemoryLimit = s
			}
			return
		case "threads":
			if s, ok := p.scalar(vn, key); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n <= 0 || n > 1024 {
					p.errorf(vn, "target %q: threads must be a number from 1 to 1024", name)
				}
				t.Threads = n
			}
			return
		case "master_key":
			t.MasterKey = p.masterKey(name, kn, vn)
			return
		case "login_timeout":
			if s, ok := p.scalar(vn, key); ok {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					p.errorf(vn, "target %q: login_timeout must be a duration such as 30s", name)
				}
				t.LoginTimeout = d
			}
			return
		}
		dst, ok := fields[key]
		if !ok {
			p.errorf(kn, "target %q: unknown key %q", name, key)
			return
		}
		if s, ok := p.scalar(vn, key); ok {
			if why := misplacedSecret(key, s); why != "" {
				// The value may be the secret itself: never echo it.
				p.errorf(vn, "target %q: %s %s (its value is not shown)", name, key, why)
				return
			}
			*dst = s
		}
	})
	if len(p.errs) > before {
		return nil
	}
	need := func(keys ...string) {
		for _, key := range keys {
			if *fields[key] == "" {
				p.errorf(k, "target %q: %s is required for type %s", name, key, t.Type)
			}
		}
	}
	allowOnly := func(allowed ...string) {
		ok := map[string]bool{"type": true, "sql": true}
		for _, a := range allowed {
			ok[a] = true
		}
		var keys []string
		for key := range pos {
			if !ok[key] {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			p.errorf(pos[key], "target %q: %s does not apply to type %s", name, key, t.Type)
		}
	}
	switch kd, ok := kinds[t.Type]; {
	case ok:
		need(kd.required...)
		allowOnly(kd.allowed...)
		if kd.check != nil {
			kd.check(p, k, pos, t)
		}
	case t.Type == "":
		p.errorf(k, "target %q: type is required (%s)", name, strings.Join(Types(), " or "))
	default:
		p.errorf(vals["type"], "target %q: unknown type %q (expected %s)", name, t.Type, strings.Join(Types(), " or "))
	}
	if len(p.errs) > before {
		return nil
	}
	return t
}

// masterKeySecrets are keys of master_key that would put the key itself in
// the file.
var masterKeySecrets = map[string]bool{"key": true, "value": true, "secret": true, "base64": true, "master_key": true, "data": true}

// kmsKeyID is the shape of a KMS key's ID, key ARN, alias name or alias
// ARN (multi-Region keys included).
var kmsKeyID = regexp.MustCompile(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)|alias/[A-Za-z0-9/_-]{1,250}|(mrk-)?[0-9a-fA-F-]{32,36})$`)

// awsRegion is the shape of an AWS region (eu-west-1, us-gov-west-1).
var awsRegion = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// keyName is the shape of a key worth echoing in an error.
var keyName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// masterKey reads a DuckDB target's master_key. Its fields name where the
// key is; a value that may be the key itself is refused and never shown.
func (p *parser) masterKey(target string, k, v *yaml.Node) *MasterKey {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "target %q: master_key must be a mapping with one of file, env or kms_key_id (its value is not shown)", target)
		return nil
	}
	m := &MasterKey{}
	fields := map[string]*string{"file": &m.File, "env": &m.Env, "kms_key_id": &m.KMSKeyID, "kms_region": &m.KMSRegion, "kms_endpoint": &m.KMSEndpoint}
	pos := map[string]*yaml.Node{}
	before := len(p.errs)
	p.mapping(v, fmt.Sprintf("target %q: master_key", target), func(key string, kn, vn *yaml.Node) {
		dst, ok := fields[key]
		switch {
		case masterKeySecrets[key]:
			p.errorf(kn, "target %q: master_key.%s: a master key never goes in trueup.yaml: name its file with file, an environment variable with env, or use a KMS key with kms_key_id (its value is not shown)", target, key)
			return
		case !ok && keyName.MatchString(key):
			p.errorf(kn, "target %q: master_key: unknown key %q (expected file, env, kms_key_id, kms_region, kms_endpoint)", target, key)
			return
		case !ok:
			p.errorf(kn, "target %q: master_key: unknown key (not shown: it may be a secret; expected file, env, kms_key_id, kms_region, kms_endpoint)", target)
			return
		}
		pos[key] = kn
		if vn.Kind != yaml.ScalarNode || vn.Tag == "!!null" || vn.Value == "" {
			p.errorf(vn, "target %q: master_key.%s must be a string (its value is not shown)", target, key)
			return
		}
		s := vn.Value
		var why string
		switch key {
		case "file":
			if !LooksLikePath(s) || looksLikeKey(s) {
				why = "must be the path of the key file, not the key"
			}
		case "env":
			if !IsEnvName(s) {
				why = "must be the name of an environment variable (letters, digits and _), not its value"
			}
		case "kms_key_id":
			if !kmsKeyID.MatchString(s) {
				why = "must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN"
			}
		case "kms_region":
			if !awsRegion.MatchString(s) {
				why = "must be an AWS region such as eu-west-1"
			}
		case "kms_endpoint":
			why = endpointProblem(s)
		}
		if why != "" {
			// The value may be the secret itself: never echo it.
			p.errorf(vn, "target %q: master_key.%s %s (its value is not shown)", target, key, why)
			return
		}
		*dst = s
	})
	if len(p.errs) > before {
		return nil
	}
	var given []string
	for _, key := range []string{"file", "env", "kms_key_id"} {
		if *fields[key] != "" {
			given = append(given, key)
		}
	}
	switch {
	case len(given) == 0:
		p.errorf(k, "target %q: master_key needs one of file, env or kms_key_id", target)
	case len(given) > 1:
		// Reported at the later of the two.
		second := pos[given[1]]
		if pos[given[0]].Line > second.Line || (pos[given[0]].Line == second.Line && pos[given[0]].Column > second.Column) {
			second = pos[given[0]]
		}
		p.errorf(second, "target %q: master_key: %s are alternatives: give one", target, strings.Join(given, " and "))
	}
	if m.KMSKeyID == "" {
		for _, key := range []string{"kms_region", "kms_endpoint"} {
			if n, ok := pos[key]; ok {
				p.errorf(n, "target %q: master_key.%s applies only with kms_key_id", target, key)
			}
		}
	}
	if len(p.errs) > before {
		return nil
	}
	return m
}

// looksLikeKey reports whether s reads as a master key (the base64 of 32
// bytes) rather than a file's path.
func looksLikeKey(s string) bool {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	return err == nil && len(raw) == 32
}

// endpointProblem is what is wrong with a KMS endpoint ("" when nothing):
// an http(s) URL with a host and no credentials in it.
func endpointProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "must be a URL such as https://vpce-1234.kms.eu-west-1.vpce.amazonaws.com"
	case u.User != nil:
		return "must not hold credentials (the SDK's credential chain provides them)"
	case u.RawQuery != "" || u.Fragment != "":
		return "must be a URL without a query"
	}
	return ""
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into an Error with
// the file and line.
func yamlError(file string, err error) Error {
	msg := err.Error()
	var line int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	if line > 0 {
		return Error{Pos: spec.Pos{File: file, Line: line, Col: 1}, Msg: msg}
	}
	return Error{Pos: spec.Pos{File: file}, Msg: msg}
}

// Describe is the target as it may be printed: names only, never secrets.
func (t *Target) Describe() string {
	if kd, ok := kinds[t.Type]; ok {
		return kd.describe(t)
	}
	return t.Name
}
