package analyzer

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenInventory records, per real image and app in ../shared/testdata,
// every package found (type, name, version, marks, where) in
// testdata/inventory; run with -update after a deliberate change and review
// the diff. It is what says a cataloger change kept the real images' SBOMs.
func TestGoldenInventory(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	for name, target := range map[string]string{
		"debian-bookworm":     sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar"),
		"alpine-3.18.9":       "oci-dir:" + layout + ":example.local/alpine:3.18.9",
		"alpine-3.20.3":       "oci-dir:" + layout + ":example.local/alpine:3.20.3",
		"vulnapp-multilayer":  "oci-dir:" + layout + ":example.local/vulnapp:alpine3.18-multilayer",
		"app-node":            "dir:" + sharedtest.Path(t, "testdata", "apps", "node", "vulnerable-node-app"),
		"app-python-bookworm": "dir:" + sharedtest.Path(t, "testdata", "apps", "python", "debian-bookworm-dist-packages-metadata"),
		"binaries-go":         "dir:" + sharedtest.Path(t, "testdata", "binaries", "go"),
	} {
		res := analyze(t, target)
		var b strings.Builder
		for _, p := range res.Inventory.Packages {
			var marks []string
			for i, on := range []bool{p.Dev, p.Root, p.Unpinned} {
				if on {
					marks = append(marks, []string{"dev", "root", "unpinned"}[i])
				}
			}
			where := ""
			if len(p.Locations) > 0 {
				where = p.Locations[0].Path
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", p.Type, p.Name, p.Version, strings.Join(marks, ","), where)
		}
		golden := filepath.Join("testdata", "inventory", name+".golden")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			os.WriteFile(golden, []byte(b.String()), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if d := cmp.Diff(string(want), b.String()); d != "" {
			t.Errorf("%s differs (-want +got):\n%s", golden, d)
		}
	}
}

// TestConfigBounds: a config with more history entries than MaxHistory is
// read up to the cap with a warning; one over MaxConfigSize is refused.
func TestConfigBounds(t *testing.T) {
	cfg, _ := empty.Image.ConfigFile()
	cfg = cfg.DeepCopy()
	for range MaxHistory + 1 {
		cfg.History = append(cfg.History, v1.History{CreatedBy: "/bin/sh -c #(nop) ENV A=1", EmptyLayer: true})
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), source.FromImage("x", img), Options{})
	if err != nil || len(res.Config.History) != MaxHistory || !strings.Contains(strings.Join(res.Warnings, "\n"), "history entries") {
		t.Fatalf("history: %v, %d entries, warnings %v", err, len(res.Config.History), res.Warnings)
	}
	cfg.History = nil
	cfg.Config.Labels = map[string]string{"big": strings.Repeat("x", MaxConfigSize)}
	if img, err = mutate.ConfigFile(empty.Image, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(context.Background(), source.FromImage("x", img), Options{}); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a %d-byte config: %v", MaxConfigSize, err)
	}
}
