// Package testenv sets up the environment the tests of trueup run in: the
// master key of their local databases, and what a test does when a tool it
// needs is not installed (MissingTool).
package testenv

import (
	"encoding/base64"
	"os"
)

// MasterKey is the master key the tests' local databases are sealed with.
var MasterKey = base64.StdEncoding.EncodeToString([]byte("trueup tests master key 32 bytes"))

// The variables internal/crypt reads the master key from (crypt.EnvKey and
// crypt.EnvKeyFile; testenv does not import crypt, whose own tests use
// testenv/localkms: TestKeyVariables checks the names agree).
const (
	envKey     = "TRUEUP_MASTER_KEY"
	envKeyFile = "TRUEUP_MASTER_KEY_FILE"
)

// SetMasterKey puts MasterKey in the environment unless a key is set.
func SetMasterKey() {
	if os.Getenv(envKey) == "" && os.Getenv(envKeyFile) == "" {
		os.Setenv(envKey, MasterKey)
	}
}
