package bench

import (
	"os"
	"testing"

	"github.com/ledgerloop/trueup/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.SetMasterKey()
	os.Exit(m.Run())
}
