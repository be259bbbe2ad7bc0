// Package scaffold holds the starter project that trueup init writes: a
// spec of the three sources (the app's PostgreSQL database through WAL
// change data capture, Salesforce change events, Stripe events), its rule
// tests, a trueup.yaml with a local DuckDB target, a .gitignore, and the
// spec's JSON Schemas for editors. The
// files live under templates/ and are embedded in the binary; the sample
// landing files and the master key are made at init time, not stored.
package scaffold

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/docs/schema"
)

//go:embed templates
var templates embed.FS

// SchemaDir is the folder of the project that holds the spec's JSON
// Schemas.
const SchemaDir = ".trueup/schema"

// File is one file of the starter project.
type File struct {
	// Path is relative to the project's root, with forward slashes.
	Path string
	Data []byte
	Perm fs.FileMode
}

// renamed maps a template's name to the name it is written under: a dot
// file is stored without its dot so that tools that skip hidden files see it.
var renamed = map[string]string{"gitignore": ".gitignore"}

// Models is the starter spec: the folder written as models/.
func Models() fs.FS {
	sub, err := fs.Sub(templates, "templates/models")
	if err != nil {
		panic(err) // the folder is embedded: it exists
	}
	return sub
}

// Files are the template files of the starter project, sorted by path.
func Files() []File {
	var out []File
	err := fs.WalkDir(templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "templates/")
		if to, ok := renamed[path.Base(rel)]; ok {
			rel = path.Join(path.Dir(rel), to)
		}
		out = append(out, File{Path: rel, Data: data, Perm: 0o644})
		return nil
	})
	if err != nil {
		panic(err) // an embedded tree reads without error
	}
	// The spec's JSON Schemas, which the spec files' yaml-language-server
	// modelines name: editors complete and check the spec offline, against
	// the schema of the trueup that wrote the project.
	for _, name := range []string{schema.Spec, schema.RuleTests, schema.Overrides} {
		data, err := schema.FS.ReadFile(name)
		if err != nil {
			panic(err) // embedded
		}
		out = append(out, File{Path: SchemaDir + "/" + name, Data: data, Perm: 0o644})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
