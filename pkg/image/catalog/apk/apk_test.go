package apk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func run(t *testing.T, name string) ([]sbom.Package, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return New().Catalog(&catalog.File{Path: DBPath, Content: b})
}

func TestCatalog(t *testing.T) {
	loc := []sbom.Location{{Path: DBPath}}
	for _, c := range []struct {
		name    string
		want    []sbom.Package
		wantErr bool
	}{
		{name: "empty"},
		{name: "single", want: []sbom.Package{{Name: "musl", Version: "1.2.4-r2", Type: "apk", Arch: "x86_64", Licenses: []string{"MIT"}, Locations: loc, Files: []string{"lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"}}}},
		{name: "multiple", want: []sbom.Package{
			{Name: "musl", Version: "1.2.4-r2", Type: "apk", Arch: "x86_64", Licenses: []string{"MIT"}, Locations: loc},
			{Name: "libssl3", Version: "3.1.7-r0", Type: "apk", Arch: "x86_64", Licenses: []string{"Apache-2.0"}, SourceName: "openssl", SourceVersion: "3.1.7-r0", Locations: loc, Files: []string{"usr/lib/libssl.so.3"}},
			{Name: "ssl_client", Version: "1.36.1-r7", Type: "apk", Licenses: []string{"GPL-2.0-only AND MIT"}, SourceName: "busybox", SourceVersion: "1.36.1-r7", Locations: loc},
		}},
		{name: "invalid", wantErr: true},
	} {
		got, err := run(t, c.name)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err = %v", c.name, err)
		}
		if d := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

// TestBadEntryKeepsTheRest: a bad first line, a package without a version
// and a line over 1 MiB each cost only themselves.
func TestBadEntryKeepsTheRest(t *testing.T) {
	multiple, err := os.ReadFile(filepath.Join("testdata", "multiple"))
	if err != nil {
		t.Fatal(err)
	}
	long := "T:" + strings.Repeat("x", 2<<20)
	for _, c := range []struct {
		name, db string
		skipped  int
	}{
		{"bad first line", "garbage\n" + string(multiple), 1},
		{"no version", "P:broken\nA:x86_64\n\n" + string(multiple), 1},
		{"no name", "V:1.0-r0\n\n" + string(multiple), 1},
		{"long line", "P:big\nV:1-r0\n" + long + "\n\n" + string(multiple), 0},
	} {
		got, err := New().Catalog(&catalog.File{Path: DBPath, Content: []byte(c.db)})
		catalogtest.Must(t, err, c.skipped)
		names := map[string]bool{}
		for _, p := range got {
			names[p.Name] = true
		}
		for _, n := range []string{"musl", "libssl3", "ssl_client"} {
			if !names[n] {
				t.Errorf("%s: %s lost (%v)", c.name, n, err)
			}
		}
		if c.name == "long line" && !names["big"] {
			t.Errorf("%s: the package with the long line was lost", c.name)
		}
	}
}

func TestWants(t *testing.T) {
	c := New()
	if !c.Wants("lib/apk/db/installed", 10, 0o644) || c.Wants("lib/apk/db/installed.bak", 10, 0o644) || c.Wants("lib/apk/db/installed", 0, os.ModeSymlink) {
		t.Error("Wants")
	}
}

func FuzzCatalog(f *testing.F) {
	for _, n := range []string{"single", "multiple", "invalid"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b, []byte("P:x"), uint(1))
	}
	multiple, _ := os.ReadFile(filepath.Join("testdata", "multiple"))
	f.Add(multiple, []byte("P:broken"), uint(0))
	f.Add(multiple, []byte("not a line"), uint(2))
	f.Fuzz(func(t *testing.T, b, bad []byte, at uint) {
		catalogtest.KeepsRest(t, New(), DBPath, b, bad, at, "\n\n")
		pkgs, _ := New().Catalog(&catalog.File{Path: DBPath, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
