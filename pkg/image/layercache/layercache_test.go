package layercache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/google/go-cmp/cmp"
)

func TestRoundTripAndCorruption(t *testing.T) {
	c, err := New(filepath.Join(t.TempDir(), "bulwark"))
	if err != nil {
		t.Fatal(err)
	}
	r := &imagefs.LayerResult{
		DiffID:   "sha256:abc",
		Entries:  []imagefs.Entry{{Path: "etc/os-release", Size: 10, Mode: 0o644}},
		Packages: map[string][]sbom.Package{"lib/apk/db/installed": {{Name: "musl", Version: "1.2.4-r2", Type: "apk"}}},
		Raw:      map[string][]byte{"etc/os-release": []byte("ID=alpine\n")},
		Bytes:    1234,
	}
	if _, ok := c.Get("k"); ok {
		t.Fatal("hit on an empty cache")
	}
	if err := c.Put("k", r); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get("k")
	if !ok {
		t.Fatal("miss after Put")
	}
	if d := cmp.Diff(r, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	if _, ok := c.Get("other"); ok {
		t.Error("hit for another key")
	}
	if err := os.WriteFile(c.path("k"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("k"); ok {
		t.Error("a corrupt entry is a hit")
	}
	if _, err := os.Stat(c.path("k")); !os.IsNotExist(err) {
		t.Error("corrupt entry not removed")
	}
}
