package testenv

import (
	"runtime"
	"testing"

	"github.com/ledgerloop/trueup/internal/crypt"
)

// TestKeyVariables: SetMasterKey reads and sets the variables crypt reads.
func TestKeyVariables(t *testing.T) {
	if envKey != crypt.EnvKey || envKeyFile != crypt.EnvKeyFile {
		t.Errorf("testenv names %s and %s, crypt %s and %s", envKey, envKeyFile, crypt.EnvKey, crypt.EnvKeyFile)
	}
}

// outcomeTB records how a test would have ended.
type outcomeTB struct {
	testing.TB
	outcome string
}

func (o *outcomeTB) Helper() {}
func (o *outcomeTB) Fatalf(format string, args ...any) {
	o.outcome = "fail"
	runtime.Goexit()
}
func (o *outcomeTB) Skipf(format string, args ...any) {
	o.outcome = "skip"
	runtime.Goexit()
}

func missingOutcome(tool string) string {
	o := &outcomeTB{outcome: "returned"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		MissingTool(o, tool, "x is not installed", "make x")
	}()
	<-done
	return o.outcome
}

// TestMissingTool: a missing tool fails the test unless TRUEUP_SKIP_MISSING
// names it, and always under CI=true.
func TestMissingTool(t *testing.T) {
	for _, c := range []struct {
		ci, skip, tool, want string
	}{
		{"", "", ToolParser, "fail"},
		{"", "parser", ToolParser, "skip"},
		{"", "postgres, parser", ToolParser, "skip"},
		{"", "postgres", ToolParser, "fail"},
		{"", "all", ToolKMS, "skip"},
		{"", "parsers", ToolParser, "fail"},
		{"true", "all", ToolKMS, "fail"},
		{"false", "kms", ToolKMS, "skip"},
		{"", "browser", ToolBrowser, "skip"},
		{"true", "browser", ToolBrowser, "fail"},
	} {
		t.Setenv("CI", c.ci)
		t.Setenv(EnvSkipMissing, c.skip)
		if got := missingOutcome(c.tool); got != c.want {
			t.Errorf("CI=%q %s=%q, %s missing: %s, want %s", c.ci, EnvSkipMissing, c.skip, c.tool, got, c.want)
		}
	}
}
