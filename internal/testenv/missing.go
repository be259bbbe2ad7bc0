package testenv

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// EnvSkipMissing is the variable that lets tests whose tool is missing be
// skipped: a comma-separated list of tool names (ToolParser, ToolPostgres,
// ToolKMS, ToolBrowser), or "all".
const EnvSkipMissing = "TRUEUP_SKIP_MISSING"

// The tools some tests need, by the name EnvSkipMissing lists them with.
const (
	// ToolParser is the Snowflake SQL parser: Node.js and the npm package
	// of tests/sqlparser (make deps).
	ToolParser = "parser"
	// ToolPostgres is PostgreSQL 15 with wal2json (make pg-deps).
	ToolPostgres = "postgres"
	// ToolKMS is local-kms, a KMS-compatible server (make kms-deps).
	ToolKMS = "kms"
	// ToolBrowser is Debian's Chromium, which the test of the
	// documentation site drives (make browser-deps).
	ToolBrowser = "browser"
)

// Tools are the names EnvSkipMissing accepts besides "all".
var Tools = []string{ToolParser, ToolPostgres, ToolKMS, ToolBrowser}

// MissingTool ends a test that cannot run because its tool is missing:
// missing says what is not there, install how to get it ("" when missing
// says it already). The test is
// skipped when EnvSkipMissing names the tool (or is "all"), and fails
// otherwise, so that a plain go test never passes by leaving tests out
// without a word. Under CI=true (make test) it always fails: CI installs
// every tool. A name EnvSkipMissing does not know fails the test too.
func MissingTool(t testing.TB, tool, missing, install string) {
	t.Helper()
	msg := missing
	if install != "" {
		msg += " (" + install + ")"
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true: a missing tool fails the test", msg)
	}
	if skipMissing(t, tool) {
		t.Skipf("%s; skipped: %s=%s", msg, EnvSkipMissing, os.Getenv(EnvSkipMissing))
	}
	t.Fatalf("%s; set %s=%s (or all) to skip the tests that need it", msg, EnvSkipMissing, tool)
}

// skipMissing reports whether EnvSkipMissing names tool.
func skipMissing(t testing.TB, tool string) bool {
	t.Helper()
	skip := false
	for _, name := range strings.Split(os.Getenv(EnvSkipMissing), ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case name == "all" || name == tool:
			skip = true
		case !slices.Contains(Tools, name):
			t.Fatalf("%s: unknown tool %q (known: all, %s)", EnvSkipMissing, name, strings.Join(Tools, ", "))
		}
	}
	return skip
}
