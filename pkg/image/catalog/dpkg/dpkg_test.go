package dpkg

import (
	"errors"
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

func TestCatalog(t *testing.T) {
	loc := []sbom.Location{{Path: StatusPath}}
	for _, c := range []struct {
		name    string
		want    []sbom.Package
		wantErr bool
	}{
		{name: "empty"},
		{name: "single", want: []sbom.Package{{Name: "bash", Version: "5.2.15-2+b13", Type: "deb", Arch: "amd64", SourceName: "bash", SourceVersion: "5.2.15-2", Locations: loc}}},
		{name: "multiple", want: []sbom.Package{
			{Name: "apt", Version: "2.6.1", Type: "deb", Arch: "amd64", Locations: loc},
			{Name: "libssl3", Version: "3.0.15-1~deb12u1", Type: "deb", Arch: "amd64", SourceName: "openssl", SourceVersion: "3.0.15-1~deb12u1", Locations: loc},
			{Name: "libgcc-s1", Version: "12.2.0-14", Type: "deb", Arch: "amd64", SourceName: "gcc-12", SourceVersion: "12.2.0-14", Locations: loc},
		}},
		{name: "invalid", wantErr: true},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", c.name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := New().Catalog(&catalog.File{Path: StatusPath, Content: b})
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err = %v", c.name, err)
		}
		if d := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

// TestBadEntryKeepsTheRest: a stanza without a version, one without a
// name and one with an impossible version each cost only themselves; a
// stanza of 300,000 continuation lines is read in linear time.
func TestBadEntryKeepsTheRest(t *testing.T) {
	multiple, err := os.ReadFile(filepath.Join("testdata", "multiple"))
	if err != nil {
		t.Fatal(err)
	}
	huge := "Package: big\nVersion: 1.0\nDescription: x\n" + strings.Repeat(" more\n", 300000) + "\n"
	for _, c := range []struct {
		name, db string
		skipped  int
		extra    string
	}{
		{"bare first stanza", "Package: broken\n\n" + string(multiple), 1, ""},
		{"no name", "Version: 1.0\nStatus: install ok installed\n\n" + string(multiple), 1, ""},
		{"bad version", "Package: invalidpkg\nVersion: 1:5.#\n\n" + string(multiple), 1, ""},
		{"continuations", huge + string(multiple), 0, "big"},
	} {
		got, err := New().Catalog(&catalog.File{Path: StatusPath, Content: []byte(c.db)})
		catalogtest.Must(t, err, c.skipped)
		names := map[string]bool{}
		for _, p := range got {
			names[p.Name] = true
		}
		for _, n := range []string{"apt", "libssl3", "libgcc-s1", c.extra} {
			if n != "" && !names[n] {
				t.Errorf("%s: %s lost (%v)", c.name, n, err)
			}
		}
	}
	var s catalog.SkippedError
	_, err = New().Catalog(&catalog.File{Path: StatusPath, Content: []byte("Package: a\nVersion: 1\n\nPackage: broken\n")})
	if !errors.As(err, &s) || s[0].Line != 4 {
		t.Errorf("the skipped stanza's line: %v, want line 4", err)
	}
}

func TestCheckVersion(t *testing.T) {
	for v, ok := range map[string]bool{"1.0": true, "1:5.1.1-12ubuntu1": true, "2.3.1-93ubuntu1": true, "3.0.15-1~deb12u1": true,
		"1:2.0+dfsg-1": true, "1:5.#": false, "a1.0": false, "x:1.0": false, "": false, "1.0-r#": false} {
		if got := checkVersion(v) == nil; got != ok {
			t.Errorf("checkVersion(%q) ok = %v, want %v", v, got, ok)
		}
	}
}

func TestWants(t *testing.T) {
	c := New()
	for p, want := range map[string]bool{
		"var/lib/dpkg/status": true, "var/lib/dpkg/status.d/base-files": true, "var/lib/dpkg/status.d/base-files.md5sums": false,
		"var/lib/dpkg/status-old": false, "var/lib/dpkg/status.d/": false,
	} {
		if got := c.Wants(p, 10, 0o644); got != want {
			t.Errorf("Wants(%s) = %v", p, got)
		}
	}
}

func FuzzCatalog(f *testing.F) {
	for _, n := range []string{"single", "multiple", "invalid"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b, []byte("Package: broken"), uint(1))
	}
	f.Fuzz(func(t *testing.T, b, bad []byte, at uint) {
		catalogtest.KeepsRest(t, New(), StatusPath, b, bad, at, "\n\n")
		pkgs, _ := New().Catalog(&catalog.File{Path: StatusPath, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
