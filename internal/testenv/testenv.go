// Package testenv sets up the environment the tests of trueup run in.
package testenv

import (
	"encoding/base64"
	"os"

	"github.com/ledgerloop/trueup/internal/crypt"
)

// MasterKey is the master key the tests' local databases are sealed with.
var MasterKey = base64.StdEncoding.EncodeToString([]byte("trueup tests master key 32 bytes"))

// SetMasterKey puts MasterKey in the environment unless a key is set.
func SetMasterKey() {
	if os.Getenv(crypt.EnvKey) == "" && os.Getenv(crypt.EnvKeyFile) == "" {
		os.Setenv(crypt.EnvKey, MasterKey)
	}
}
