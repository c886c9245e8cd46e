package osinfo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// TestOSRelease reads each real os-release text in testdata and checks the
// OSV ecosystem its apk, deb or rpm packages get.
func TestOSRelease(t *testing.T) {
	for file, want := range map[string]struct{ id, typ, eco string }{
		"wolfi": {"wolfi", sbom.TypeAPK, "Wolfi"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var got sbom.OS
		parseOSRelease(b, &got)
		if got.ID != want.id {
			t.Errorf("%s: ID %q, want %q", file, got.ID, want.id)
		}
		if eco := sbom.Ecosystem(want.typ, &got); eco != want.eco {
			t.Errorf("%s: ecosystem %q, want %q", file, eco, want.eco)
		}
	}
}
