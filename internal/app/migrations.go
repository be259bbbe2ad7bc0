package app

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
)

// migrationsStep is the part of generate that evolves <out>/migrations.
type migrationsStep struct {
	dir    string // <out>/migrations, as given
	onDisk map[string][]byte
	res    *migrations.Result
}

// planMigrations computes the migrations folder the spec needs.
func planMigrations(out string, p *plan.Plan, dialectName string) (*migrationsStep, error) {
	dir := filepath.ToSlash(filepath.Join(out, migrations.Dir))
	onDisk, err := migrations.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	res, err := migrations.Update(onDisk, dir, p, dialectName)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return &migrationsStep{dir: dir, onDisk: onDisk, res: res}, nil
}

// diff is the unified diff of what generate would change in the folder.
func (m *migrationsStep) diff() string {
	return generator.Diff(m.dir, m.onDisk, m.res.Tree)
}

// write writes the files that changed; nothing is ever removed.
func (m *migrationsStep) write(w io.Writer) error {
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	var names []string
	for n := range m.res.Tree {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if old, ok := m.onDisk[n]; ok && bytes.Equal(old, m.res.Tree[n]) {
			continue
		}
		if err := os.WriteFile(filepath.Join(m.dir, n), m.res.Tree[n], 0o644); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	if m.res.New != "" {
		fmt.Fprintf(w, "wrote %s/%s: migration %d\n", m.dir, m.res.New, m.res.State.Latest())
	} else {
		fmt.Fprintf(w, "%s: no new migration (%d written)\n", m.dir, m.res.State.Latest())
	}
	for _, n := range m.res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}
