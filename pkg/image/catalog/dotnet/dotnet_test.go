package dotnet

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
)

func TestCatalog(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "app.deps.json"))
	got, err := New().Catalog(&catalog.File{Path: "app/app.deps.json", Content: b})
	// The project itself is listed as the root (first-party, not matched).
	if err != nil || len(got) != 3 || got[0].Name != "App" || !got[0].Root || got[1].Name != "Newtonsoft.Json" || got[1].Version != "13.0.1" || got[2].Name != "System.Text.Json" {
		t.Errorf("%+v %v", got, err)
	}
	if _, err := New().Catalog(&catalog.File{Path: "x.deps.json", Content: []byte("[")}); err == nil {
		t.Error("invalid deps.json: no error")
	}
	// A self-contained app's runtime packs are packages; a reference
	// package that ships no assets is not; a bad library costs only itself.
	deps := `{"runtimeTarget": {"name": "t"}, "targets": {"t": {"NETStandard.Library/1.6.0": {"dependencies": {}}, "A/1.0": {"runtime": {}}}},
"libraries": {"A/1.0": {"type": "package"}, "NETStandard.Library/1.6.0": {"type": "package"}, "B/2.0": 42,
"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack"}}}`
	got, err = New().Catalog(&catalog.File{Path: "app/x.deps.json", Content: []byte(deps)})
	catalogtest.Must(t, err, 1)
	if len(got) != 2 || got[0].Name != "A" || got[1].Name != "Microsoft.NETCore.App.Runtime.linux-x64" {
		t.Errorf("runtime packs and assets: %+v", got)
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
