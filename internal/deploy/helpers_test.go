package deploy_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
)

// project copies the repository's models/ into a temporary folder and
// generates sql/ there (Snowflake, with its migrations).
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, "../../tests/testdata/spec", filepath.Join(dir, "models"))
	generate(t, dir)
	return dir
}

func generate(t *testing.T, dir string) string {
	t.Helper()
	var out bytes.Buffer
	if err := app.Generate(&out, app.GenerateOptions{Models: filepath.Join(dir, "models"), Dialect: "snowflake", Out: filepath.Join(dir, "sql")}); err != nil {
		t.Fatalf("generate: %v\n%s", err, out.String())
	}
	return out.String()
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// edit replaces old with new in a file, once.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s: %q not found", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addField adds the field "industry" to the spec, mapped from the CRM.
func addField(t *testing.T, models string) {
	t.Helper()
	edit(t, filepath.Join(models, "customer.yaml"), "    seats:\n      type: integer\n", "    seats:\n      type: integer\n    industry:\n      type: string\n")
	edit(t, filepath.Join(models, "sources.yaml"), "      seats: Seats__c\n", "      seats: Seats__c\n      industry: Industry\n")
}
