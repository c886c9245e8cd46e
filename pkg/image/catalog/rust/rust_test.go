package rust

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
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

type files map[string]string

func (f files) Exists(p string) bool { _, ok := f[p]; return ok }
func (f files) Deleted(string) bool  { return false }
func (f files) Read(p string) ([]byte, bool) {
	b, ok := f[p]
	return []byte(b), ok
}

// TestDevDependencies: what only [dev-dependencies] reach in Cargo.lock's
// graph is marked dev; what a normal dependency also reaches is not.
func TestDevDependencies(t *testing.T) {
	lock := "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"regex\",\n]\n\n" +
		"[[package]]\nname = \"regex\"\nversion = \"1.7.3\"\ndependencies = [\"memchr\"]\n\n" +
		"[[package]]\nname = \"memchr\"\nversion = \"2.5.0\"\n\n" +
		"[[package]]\nname = \"winapi\"\nversion = \"0.3.9\"\ndependencies = [\n \"winapi-x86_64-pc-windows-gnu 0.4.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n \"memchr\",\n]\n\n" +
		"[[package]]\nname = \"winapi-x86_64-pc-windows-gnu\"\nversion = \"0.4.0\"\n"
	manifest := "[package]\nname = \"app\"\n\n[dependencies]\nregex = \"1\"\n\n[dev-dependencies]\nwinapi = \"*\"\n"
	pkgs, err := New().Catalog(&catalog.File{Path: "app/Cargo.lock", Content: []byte(lock)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range pkgs {
		pkgs[i].Locations = []sbom.Location{{Path: "/app/Cargo.lock"}}
	}
	got := New().(catalog.Refiner).Refine(pkgs, files{"app/Cargo.lock": lock, "app/Cargo.toml": manifest})
	dev := map[string]bool{}
	for _, p := range got {
		dev[p.Name] = p.Dev
	}
	want := map[string]bool{"app": false, "regex": false, "memchr": false, "winapi": true, "winapi-x86_64-pc-windows-gnu": true}
	if d := cmp.Diff(want, dev); d != "" {
		t.Errorf("dev marks (-want +got):\n%s", d)
	}
}

// FuzzKeepsRest: one bad [[package]] table inserted into a valid Cargo.lock
// keeps every crate.
func FuzzKeepsRest(f *testing.F) {
	valid, err := os.ReadFile(filepath.Join("testdata", "Cargo.lock"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("name = \"x\"\nversion = 1"), uint(1))
	f.Add([]byte("[package.x]\nname = \"y\""), uint(0))
	f.Add([]byte("dependencies = [\n \"a"), uint(2))
	f.Fuzz(func(t *testing.T, bad []byte, at uint) {
		catalogtest.KeepsRest(t, New(), "src/Cargo.lock", valid, bad, at, "\n[[package]]\n")
	})
}

// auditJSON catalogs cargo-auditable's JSON as if it were a file, for the
// property below.
type auditJSON struct{ catalog.Cataloger }

func (auditJSON) Catalog(f *catalog.File) ([]sbom.Package, error) {
	return auditPackages(f.Path, f.Content)
}

// FuzzAuditKeepsRest: one bad package entry in cargo-auditable's data
// keeps every other crate.
func FuzzAuditKeepsRest(f *testing.F) {
	valid := []byte(`{"packages": [{"name": "app", "version": "0.1.0", "source": "local", "root": true, "dependencies": [1]},
		{"name": "serde", "version": "1.0.200", "source": "crates.io"}, {"name": "cc", "version": "1.0.0", "source": "crates.io", "kind": "build"},
		{"name": "libc", "version": "0.2.155", "source": "crates.io"}]}`)
	f.Add([]byte(`{"name": 7}`), uint(1))
	f.Add([]byte(`"x"`), uint(0))
	f.Add([]byte(`{"name": "a", "version": "1", "root": "yes"}`), uint(3))
	f.Fuzz(func(t *testing.T, bad []byte, at uint) {
		catalogtest.KeepsRestJSON(t, auditJSON{New()}, "usr/bin/app", valid, bad, at, "packages")
	})
}
