package catalogers

import (
	"os"
	"testing"
)

// TestAllListed fails when a cataloger package exists under pkg/image/catalog
// (catalogers and catalogtest are not catalogers) but
// All does not list it, or two catalogers share a name.
func TestAllListed(t *testing.T) {
	names := map[string]bool{}
	for _, c := range All() {
		if names[c.Name()] {
			t.Errorf("cataloger %s listed twice", c.Name())
		}
		names[c.Name()] = true
	}
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "catalogers" && e.Name() != "catalogtest" && e.Name() != "testdata" && !names[e.Name()] {
			t.Errorf("package catalog/%s is not listed in All (or its Name differs from its package)", e.Name())
		}
	}
}
