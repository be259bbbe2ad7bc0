package warehouse_test

import (
	"os/exec"
	"strings"
	"testing"
)

// drivers are the database drivers, slow to link: only the driver packages
// of internal/warehouse/<type> may reach them, through internal/local and
// internal/sfconn.
var drivers = []string{"github.com/duckdb/duckdb-go/v2", "github.com/snowflakedb/gosnowflake"}

// TestLinksNoDriver checks that the registry, the packages its interfaces
// come from and the generator link no database driver.
func TestLinksNoDriver(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	pkgs := []string{".", "../deploy", "../monitor", "../migratestore", "../config", "../../generator/..."}
	out, err := exec.Command(goTool, append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, d := range drivers {
			if p == d {
				t.Errorf("%v link %s", pkgs, d)
			}
		}
	}
}

// testHelpers are the production packages whose purpose is to serve tests,
// and so may import package testing: the test environment (skips, the
// master key), its local KMS server, and the dialects' conformance suite.
var testHelpers = map[string]bool{
	"github.com/ledgerloop/trueup/internal/testenv":              true,
	"github.com/ledgerloop/trueup/internal/testenv/localkms":     true,
	"github.com/ledgerloop/trueup/generator/dialect/dialecttest": true,
}

// TestProductionImportsNoTesting checks that no package of the program
// (its non-test files) imports package testing or testing/fstest, apart
// from the test helpers.
func TestProductionImportsNoTesting(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	pkgs := []string{"../...", "../../generator/...", "../../cmd/..."}
	out, err := exec.Command(goTool, append([]string{"list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		seen++
		if testHelpers[fields[0]] {
			continue
		}
		for _, imp := range fields[1:] {
			if imp == "testing" || strings.HasPrefix(imp, "testing/") {
				t.Errorf("%s imports %s", fields[0], imp)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list found %d packages", seen)
	}
}
