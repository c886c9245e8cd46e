package analyzer

import (
	"bufio"
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/google/go-cmp/cmp"
)

func analyze(t *testing.T, target string) *Result {
	t.Helper()
	tg, err := source.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	res, err := Analyze(context.Background(), tg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDebianMatchesDpkgQuery: the dpkg packages found equal, exactly, what
// dpkg-query lists on the same root filesystem.
func TestDebianMatchesDpkgQuery(t *testing.T) {
	img := sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar")
	want := readTSV(t, sharedtest.Path(t, "testdata", "expected", "debian-bookworm.dpkg-packages.tsv"))
	res := analyze(t, img)
	var got []string
	for _, p := range res.Inventory.Packages {
		src, srcVer := p.SourceName, p.SourceVersion
		if src == "" {
			src, srcVer = p.Name, p.Version
		}
		got = append(got, strings.Join([]string{p.Name, p.Version, src, srcVer}, "\t"))
		if p.Ecosystem != "Debian:12" || !strings.HasPrefix(p.PURL, "pkg:deb/debian/") || p.Locations[0].Layer == "" {
			t.Errorf("%s: ecosystem %q purl %q location %+v", p.Name, p.Ecosystem, p.PURL, p.Locations)
		}
	}
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("packages differ from dpkg-query (-want +got):\n%s", d)
	}
	os := res.Inventory.OS
	if os == nil || os.ID != "debian" || !strings.HasPrefix(os.Version, "12") || os.Libc != "glibc" || os.Codename != "bookworm" {
		t.Errorf("os = %+v", os)
	}
}

func readTSV(t *testing.T, p string) []string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func TestAlpine(t *testing.T) {
	dir := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	for _, c := range []struct {
		name, version, eco string
		n                  int
	}{
		{"example.local/alpine:3.18.9", "3.18.9", "Alpine:v3.18", 15},
		{"example.local/alpine:3.20.3", "3.20.3", "Alpine:v3.20", 14},
	} {
		res := analyze(t, "oci-dir:"+dir+":"+c.name)
		os := res.Inventory.OS
		if os == nil || os.ID != "alpine" || os.Version != c.version || os.Libc != "musl" {
			t.Errorf("%s: os = %+v", c.name, os)
		}
		if len(res.Inventory.Packages) != c.n {
			t.Errorf("%s: %d packages, want %d", c.name, len(res.Inventory.Packages), c.n)
		}
		for _, p := range res.Inventory.Packages {
			if p.Ecosystem != c.eco || p.Type != "apk" {
				t.Errorf("%s: %+v", c.name, p)
			}
		}
	}
}

// TestMultilayerWhiteouts: the third layer of the vulnapp image deletes
// /etc/motd and the nested minimist 0.0.8, which package-lock.json still
// lists; the inventory follows what the container sees.
func TestMultilayerWhiteouts(t *testing.T) {
	dir := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	res := analyze(t, "oci-dir:"+dir+":example.local/vulnapp:alpine3.18-multilayer")
	if _, ok := res.View.Lookup("etc/motd"); ok {
		t.Error("/etc/motd is visible despite its whiteout")
	}
	got := map[string][]string{}
	layerOf := map[string]string{}
	for _, p := range res.Inventory.Packages {
		got[p.Ecosystem] = append(got[p.Ecosystem], p.Name+"@"+p.Version)
		layerOf[p.Ecosystem] = p.Locations[0].Layer
	}
	if d := cmp.Diff([]string{"lodash@4.17.15", "minimist@1.2.0", "mkdirp@0.5.1"}, got["npm"]); d != "" {
		t.Errorf("npm (-want +got):\n%s", d)
	}
	// 14 modules, stdlib, and the main module built from a checkout
	// (listed without a version, Root).
	if len(got["Go"]) != 16 || len(got["Alpine:v3.18"]) != 15 {
		t.Errorf("Go %d packages, Alpine %d", len(got["Go"]), len(got["Alpine:v3.18"]))
	}
	if layerOf["Alpine:v3.18"] != res.Layers[0].DiffID.String() || layerOf["Go"] != res.Layers[1].DiffID.String() {
		t.Errorf("layers: alpine %s, go %s", layerOf["Alpine:v3.18"], layerOf["Go"])
	}
}
