package dpkg

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
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
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, _ := New().Catalog(&catalog.File{Path: StatusPath, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
