package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/scaffold"
)

// InitOptions are the options of trueup init.
type InitOptions struct {
	// Dir is the project folder to write ("" for the working directory).
	Dir string
	// Force writes over files that exist, except a master key file: a
	// new key would leave the existing database's vault unreadable.
	Force bool
	// Customers and Seed are those of the sample landing files.
	Customers int
	Seed      int64
}

// ErrExists is wrapped by init's refusal to write over existing files.
var ErrExists = errors.New("file exists")

// InitKeyFile is the master key file trueup init writes, relative to the
// project; the starter trueup.yaml's dev target names it.
const InitKeyFile = ".trueup/master.key"

// initLanding is the sample landing folder of the starter project.
const initLanding = "landing"

// Init writes a starter project into o.Dir: the spec (models/, with rule
// tests), trueup.yaml, .gitignore, sample landing files of the three
// producers and a master key file (mode 0600). It refuses to write over
// an existing file unless o.Force, and prints what it wrote and the
// commands to run next.
func Init(w io.Writer, o InitOptions) error {
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	if o.Customers <= 0 {
		return fmt.Errorf("init: --customers %d: want 1 or more", o.Customers)
	}
	files := scaffold.Files()
	s, err := spec.Load(scaffold.Models(), ".", "models")
	if err != nil {
		return fmt.Errorf("init: the starter spec: %w", err)
	}
	landing, sum, err := sampleFiles(s, o)
	if err != nil {
		return err
	}
	files = append(files, landing...)
	key, err := newMasterKey()
	if err != nil {
		return err
	}
	files = append(files, scaffold.File{Path: InitKeyFile, Data: key, Perm: 0o600})

	var exist []string
	keepKey := false
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err == nil && f.Path == InitKeyFile && o.Force:
			keepKey = true
		case err == nil:
			exist = append(exist, f.Path)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("init: %w", err)
		}
	}
	if len(exist) > 0 && !o.Force {
		more := ""
		if len(exist) > 1 {
			more = fmt.Sprintf(" (and %d more: %s)", len(exist)-1, strings.Join(exist[1:min(len(exist), 4)], ", "))
			if len(exist) > 4 {
				more = strings.TrimSuffix(more, ")") + ", ...)"
			}
		}
		return fmt.Errorf("init: %s: %w%s: nothing was written; --force writes over them", filepath.Join(dir, filepath.FromSlash(exist[0])), ErrExists, more)
	}
	for _, f := range files {
		if f.Path == InitKeyFile && keepKey {
			continue
		}
		if err := writeInitFile(dir, f); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if strings.HasPrefix(f.Path, initLanding+"/") {
			// A landing file is whole once written: dated before the
			// settle time, the first run loads it at once instead of
			// waiting for it to settle.
			at := time.Now().Add(-2 * local.DefaultSettle)
			if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(f.Path)), at, at); err != nil {
				return fmt.Errorf("init: %w", err)
			}
		}
	}

	fmt.Fprintf(w, "wrote %s:\n", dir)
	schemaListed := false
	for _, f := range files {
		switch {
		case strings.HasPrefix(f.Path, initLanding+"/"):
		case strings.HasPrefix(f.Path, scaffold.SchemaDir+"/"):
			if !schemaListed {
				schemaListed = true
				fmt.Fprintf(w, "  %-28s the spec's JSON Schemas, named by the models' yaml-language-server lines (editor completion)\n", scaffold.SchemaDir+"/")
			}
		case f.Path == InitKeyFile && keepKey:
			fmt.Fprintf(w, "  %-28s kept: it opens the existing database's vault\n", f.Path)
		case f.Path == InitKeyFile:
			fmt.Fprintf(w, "  %-28s the master key that seals PII in the local database (mode 0600; keep a copy)\n", f.Path)
		default:
			fmt.Fprintf(w, "  %s\n", f.Path)
		}
	}
	total := 0
	var parts []string
	for _, src := range s.Sources {
		total += sum.Events[src.Name]
		parts = append(parts, fmt.Sprintf("%s %d", src.Name, sum.Events[src.Name]))
	}
	fmt.Fprintf(w, "  %-28s %d files, %d events (%s) of %d sample customers\n", initLanding+"/", len(landing), total, strings.Join(parts, ", "), o.Customers)
	fmt.Fprintln(w, "\nnext:")
	if filepath.Clean(dir) != "." {
		fmt.Fprintf(w, "  cd %s\n", dir)
	}
	fmt.Fprintf(w, "  trueup validate                            # check the spec and its rule tests\n")
	fmt.Fprintf(w, "  trueup test                                # run the rule tests of models/tests\n")
	fmt.Fprintf(w, "  trueup run --local --once --target dev     # the pipeline on landing/, into trueup.duckdb\n")
	fmt.Fprintf(w, "  export %s=%s   # the key for the commands that take --db\n", "TRUEUP_MASTER_KEY_FILE", InitKeyFile)
	fmt.Fprintf(w, "  trueup explain acct_000001                 # a golden record, every candidate, the rule that chose\n")
	fmt.Fprintf(w, "  trueup dq                                  # the data-quality results\n")
	fmt.Fprintf(w, "  trueup generate                            # the Snowflake SQL, into sql/\n")
	return nil
}

// sampleFiles writes the sample landing files into a temporary folder
// and returns them as files of the project's landing folder.
func sampleFiles(s *spec.Spec, o InitOptions) ([]scaffold.File, sample.Summary, error) {
	tmp, err := os.MkdirTemp("", "trueup-init-")
	if err != nil {
		return nil, sample.Summary{}, fmt.Errorf("init: %w", err)
	}
	defer os.RemoveAll(tmp)
	sum, err := sample.Write(tmp, SampleSources(s), sample.Options{Customers: o.Customers, Seed: o.Seed})
	if err != nil {
		return nil, sum, fmt.Errorf("init: sample: %w", err)
	}
	names := append([]string(nil), sum.Files...)
	sort.Strings(names)
	var out []scaffold.File
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(tmp, filepath.FromSlash(n)))
		if err != nil {
			return nil, sum, fmt.Errorf("init: sample: %w", err)
		}
		out = append(out, scaffold.File{Path: path.Join(initLanding, n), Data: data, Perm: 0o644})
	}
	return out, sum, nil
}

// newMasterKey is a new master key file's text: the base64 of 32 random
// bytes.
func newMasterKey() ([]byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("init: master key: %w", err)
	}
	return []byte(base64.StdEncoding.EncodeToString(raw) + "\n"), nil
}

// writeInitFile writes f below dir; a file of mode 0600 goes in a folder
// only its owner reads.
func writeInitFile(dir string, f scaffold.File) error {
	p := filepath.Join(dir, filepath.FromSlash(f.Path))
	dirPerm := fs.FileMode(0o755)
	if f.Perm&0o077 == 0 {
		dirPerm = 0o700
	}
	if err := os.MkdirAll(filepath.Dir(p), dirPerm); err != nil {
		return err
	}
	// Written over with --force: the mode is set again, whatever it was.
	if err := os.WriteFile(p, f.Data, f.Perm); err != nil {
		return err
	}
	return os.Chmod(p, f.Perm)
}
