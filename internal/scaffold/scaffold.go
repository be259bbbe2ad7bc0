// Package scaffold holds the starter project that trueup init writes: a
// spec of the three sources (the app's PostgreSQL database through WAL
// change data capture, Salesforce change events, Stripe events), its rule
// tests, a trueup.yaml with a local DuckDB target, and a .gitignore. The
// files live under templates/ and are embedded in the binary; the sample
// landing files and the master key are made at init time, not stored.
package scaffold

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed templates
var templates embed.FS

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
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
