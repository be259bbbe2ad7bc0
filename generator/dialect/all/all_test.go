package all_test

import (
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	_ "github.com/ledgerloop/trueup/generator/dialect/all"
)

// TestRegistryComplete checks that every registered dialect has every part
// and that its renderer answers to the name it is registered under.
func TestRegistryComplete(t *testing.T) {
	all := dialect.All()
	if len(all) == 0 {
		t.Fatal("no dialect registered")
	}
	for _, d := range all {
		r := d.Renderer()
		if r == nil {
			t.Errorf("dialect %q: nil renderer", d.Name())
			continue
		}
		if r.Name() != d.Name() {
			t.Errorf("dialect %q: its renderer is named %q", d.Name(), r.Name())
		}
		if d.Migrations() == nil {
			t.Errorf("dialect %q: no migration DDL", d.Name())
		}
		got, err := dialect.Get(d.Name())
		if err != nil || got == nil {
			t.Errorf("dialect %q: Get: %v", d.Name(), err)
		}
	}
}
