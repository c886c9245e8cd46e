package rust

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

func TestCargoLock(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "Cargo.lock"))
	got, err := New().Catalog(&catalog.File{Path: "src/Cargo.lock", Content: b})
	if err != nil || len(got) != 2 || got[0].Name != "app" || got[1].Name != "smallvec" || got[1].Version != "1.13.2" || got[1].Type != "cargo" {
		t.Errorf("%+v %v", got, err)
	}
}

func TestNonAuditableBinaries(t *testing.T) {
	for _, b := range [][]byte{[]byte("#!/bin/sh\n"), append([]byte{0x7f, 'E', 'L', 'F'}, make([]byte, 64)...)} {
		if got, err := New().Catalog(&catalog.File{Path: "usr/bin/x", Mode: 0o755, Content: b}); err != nil || len(got) != 0 {
			t.Errorf("%v %v", got, err)
		}
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"src/Cargo.lock"}
	if b, err := os.ReadFile(filepath.Join("testdata", "Cargo.lock")); err == nil {
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		pkgs, _ := New().Catalog(&catalog.File{Path: kinds[int(kind)%len(kinds)], Mode: 0o755, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
