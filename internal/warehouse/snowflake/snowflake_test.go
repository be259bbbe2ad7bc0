package snowflake_test

import (
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/warehouse"
	"github.com/ledgerloop/trueup/internal/warehouse/snowflake"
)

// TestCheckDatabase checks that a target naming another database than the
// project's is refused before anything is read for it, and that the names
// compare as Snowflake's unquoted identifiers do (case-insensitively).
func TestCheckDatabase(t *testing.T) {
	for _, tc := range []struct {
		database string
		ok       bool
	}{{"", true}, {"TRUEUP", true}, {"trueup", true}, {"OTHER", false}} {
		tg := &config.Target{Name: "prod", Type: config.Snowflake, Database: tc.database}
		err := warehouse.Check(snowflake.Driver{}, tg, "TRUEUP")
		if tc.ok && err != nil {
			t.Errorf("database %q: %v", tc.database, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), `target "prod": database OTHER, but the SQL is generated for project.database TRUEUP`)) {
			t.Errorf("database %q: got %v", tc.database, err)
		}
	}
}

// TestOpenNeedsKey checks that Open reads the key before it connects: an
// unset variable is an error naming it, and no connection is made.
func TestOpenNeedsKey(t *testing.T) {
	tg := &config.Target{Name: "prod", Type: config.Snowflake, Account: "a", User: "u", Role: "r", Warehouse: "w", PrivateKeyEnv: "TRUEUP_TEST_KEY"}
	env := func(string) (string, bool) { return "", false }
	_, err := snowflake.Driver{}.Open(t.Context(), tg, warehouse.OpenOptions{Project: "TRUEUP", Env: env})
	if err == nil || !strings.Contains(err.Error(), "TRUEUP_TEST_KEY") {
		t.Fatalf("got %v", err)
	}
}
