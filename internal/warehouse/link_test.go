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
