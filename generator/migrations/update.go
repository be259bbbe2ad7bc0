package migrations

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/plan"
)

// fileName matches a goose migration file.
var fileName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

// Owned reports whether a file of the migrations folder is one generate
// owns (and the integrity file covers).
func Owned(name string) bool {
	return name == StateFile || name == SumFile || fileName.MatchString(name)
}

// Result is what Update returns.
type Result struct {
	// Tree is the whole migrations folder: the files already written,
	// unchanged, the new migration if any, schema.json and trueup.sum.
	Tree map[string][]byte
	// New is the file name of the new migration, "" when none was needed.
	New   string
	Notes []string
	State *State
}

// Load reads the state of a migrations folder (files relative to it) and
// checks that it is whole: every migration of schema.json has its file and
// every migration file is in schema.json. An empty folder is an empty
// history in dialect dialectName.
func Load(files map[string][]byte, dir, dialectName string) (*State, error) {
	data, ok := files[StateFile]
	if !ok {
		for n := range files {
			if fileName.MatchString(n) {
				return nil, fmt.Errorf("%s/%s is missing, but %s/%s exists: restore it from version control", dir, StateFile, dir, n)
			}
		}
		return &State{Format: Format, Dialect: dialectName, Migrations: []Migration{}, Snapshot: Snapshot{Schemas: []string{}, Sequences: []string{}, Tables: []Table{}}}, nil
	}
	st, err := Parse(dir+"/"+StateFile, data)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, m := range st.Migrations {
		known[m.File] = true
		if _, ok := files[m.File]; !ok {
			return nil, fmt.Errorf("%s/%s: migration %d is missing (%s records it): restore it from version control", dir, m.File, m.Version, StateFile)
		}
	}
	for n := range files {
		if fileName.MatchString(n) && !known[n] {
			return nil, fmt.Errorf("%s/%s: not recorded in %s: migrations are written by trueup generate only", dir, n, StateFile)
		}
	}
	return st, nil
}

// Update compares the tables the plan wants with the history of the
// migrations folder (its files, relative to it, as on disk) and returns the
// folder with a new migration for the difference, if any. Migrations
// already written are returned byte for byte as they are.
func Update(files map[string][]byte, dir string, p *plan.Plan, dialectName string) (*Result, error) {
	st, err := Load(files, dir, dialectName)
	if err != nil {
		return nil, err
	}
	if st.Dialect != dialectName {
		return nil, fmt.Errorf("%s holds %s migrations: generate --dialect %s into another --out folder", dir, st.Dialect, dialectName)
	}
	steps, notes, err := diff(st.Snapshot, Desired(p))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	res := &Result{Tree: map[string][]byte{}, Notes: notes}
	for _, m := range st.Migrations {
		res.Tree[m.File] = files[m.File]
	}
	if len(steps) > 0 {
		v := st.Latest() + 1
		m := Migration{Version: v, File: name(v, steps), Steps: steps}
		r, err := dialect.Get(dialectName)
		if err != nil {
			return nil, err
		}
		r.Configure(Settings(p))
		content, err := File(r, m)
		if err != nil {
			return nil, err
		}
		st.Migrations = append(st.Migrations, m)
		if st.Snapshot, err = fold(st.Migrations); err != nil {
			return nil, err
		}
		res.Tree[m.File] = content
		res.New = m.File
	}
	res.Tree[StateFile] = st.Marshal()
	res.Tree[SumFile] = emit.Sum(res.Tree)
	res.State = st
	return res, nil
}

// ErrEdited is returned by Verify when a file differs from the integrity file.
var ErrEdited = errors.New("edited by hand")

// Verify checks the migrations folder against its integrity file and
// returns its state.
func Verify(files map[string][]byte, dir string) (*State, error) {
	sum, ok := files[SumFile]
	if !ok {
		return nil, fmt.Errorf("%s/%s is missing: run trueup generate", dir, SumFile)
	}
	tree := map[string][]byte{}
	for n, data := range files {
		if n != SumFile && Owned(n) {
			tree[n] = data
		}
	}
	if err := CheckSum(dir, tree, sum); err != nil {
		return nil, err
	}
	st, err := Load(files, dir, "")
	if err != nil {
		return nil, err
	}
	if _, ok := files[StateFile]; !ok {
		return nil, fmt.Errorf("%s/%s is missing: run trueup generate", dir, StateFile)
	}
	return st, nil
}

// CheckSum compares a tree (without its integrity file) with the integrity
// file written for it and names every file that differs.
func CheckSum(dir string, tree map[string][]byte, sum []byte) error {
	if got := emit.Sum(tree); bytes.Equal(got, sum) {
		return nil
	}
	want := map[string]string{}
	lines := strings.Split(strings.TrimSpace(string(sum)), "\n")
	for _, l := range lines[min(1, len(lines)):] {
		if n, h, ok := strings.Cut(l, " "); ok {
			want[n] = h
		}
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(emit.Sum(tree))), "\n")[1:] {
		if n, h, ok := strings.Cut(l, " "); ok {
			got[n] = h
		}
	}
	var bad []string
	for n, h := range got {
		switch w, ok := want[n]; {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s/%s is not in %s/%s (added by hand?)", dir, n, dir, emit.SumFile))
		case w != h:
			bad = append(bad, fmt.Sprintf("%s/%s differs from its hash in %s/%s (edited by hand?)", dir, n, dir, emit.SumFile))
		}
	}
	for n := range want {
		if _, ok := got[n]; !ok {
			bad = append(bad, fmt.Sprintf("%s/%s is missing (%s/%s lists it)", dir, n, dir, emit.SumFile))
		}
	}
	sort.Strings(bad)
	if len(bad) == 0 {
		bad = append(bad, fmt.Sprintf("%s/%s does not match the files (edited by hand?)", dir, emit.SumFile))
	}
	return fmt.Errorf("%s: %w: %s", dir, ErrEdited, strings.Join(bad, "; "))
}

// Render renders every migration of a history in another dialect, as a
// goose folder (file name to content).
func Render(st *State, r dialect.Renderer) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, m := range st.Migrations {
		content, err := File(r, m)
		if err != nil {
			return nil, err
		}
		out[m.File] = content
	}
	return out, nil
}
