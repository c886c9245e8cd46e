package dotnet

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

func TestCatalog(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "app.deps.json"))
	got, err := New().Catalog(&catalog.File{Path: "app/app.deps.json", Content: b})
	if err != nil || len(got) != 2 || got[0].Name != "Newtonsoft.Json" || got[0].Version != "13.0.1" || got[1].Name != "System.Text.Json" {
		t.Errorf("%+v %v", got, err)
	}
	if _, err := New().Catalog(&catalog.File{Path: "x.deps.json", Content: []byte("[")}); err == nil {
		t.Error("invalid deps.json: no error")
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"app/app.deps.json"}
	if b, err := os.ReadFile(filepath.Join("testdata", "app.deps.json")); err == nil {
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
