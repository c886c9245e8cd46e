package gobinary

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/google/go-cmp/cmp"
)

// TestMatchesGoVersionM: the modules found equal what `go version -m`
// printed for the same binaries (../shared/testdata/expected).
func TestMatchesGoVersionM(t *testing.T) {
	for _, name := range []string{"vulnapp-gin1.7.0-linux-amd64", "oldstdlib-go1.22.0-linux-amd64"} {
		b, err := os.ReadFile(sharedtest.Path(t, "testdata", "binaries", "go", name))
		if err != nil {
			t.Fatal(err)
		}
		pkgs, err := New().Catalog(&catalog.File{Path: "usr/bin/" + name, Mode: 0o755, Content: b})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range pkgs {
			got = append(got, p.Name+" "+p.Version)
		}
		sort.Strings(got)
		f, err := os.Open(sharedtest.Path(t, "testdata", "expected", name+".buildinfo.txt"))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			switch {
			case len(fields) == 2 && strings.HasSuffix(fields[0], ":"):
				want = append(want, "stdlib "+StdlibVersion(fields[1]))
			case len(fields) >= 3 && fields[0] == "dep":
				want = append(want, fields[1]+" "+fields[2])
			case len(fields) >= 3 && fields[0] == "mod" && fields[2] == "(devel)":
				// Built from a checkout: listed as the project, no version.
				want = append(want, fields[1]+" ")
			}
		}
		f.Close()
		sort.Strings(want)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func TestNotGo(t *testing.T) {
	for name, content := range map[string][]byte{"script": []byte("#!/bin/sh\necho hi\n"), "elf": append([]byte{0x7f, 'E', 'L', 'F'}, make([]byte, 100)...)} {
		pkgs, err := New().Catalog(&catalog.File{Path: name, Mode: 0o755, Content: content})
		if err != nil || len(pkgs) != 0 {
			t.Errorf("%s: %v %v", name, pkgs, err)
		}
	}
	if New().Wants("bin/x", 1<<20, 0o644) || !New().Wants("bin/x", 1<<20, 0o755) || New().Wants("bin/x", 100, 0o755) {
		t.Error("Wants")
	}
}

func TestStdlibVersion(t *testing.T) {
	for in, want := range map[string]string{"go1.22.0": "1.22.0", "go1.20": "1.20.0", "go1.21.3 X:boringcrypto": "1.21.3", "go1.22rc1": "1.22.0-rc.1", "devel go1.23-abc": "", "": ""} {
		if got := StdlibVersion(in); got != want {
			t.Errorf("StdlibVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCatalog(f *testing.F) {
	f.Add([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	f.Add([]byte("MZ\x90\x00"))
	if b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "binaries", "go", "oldstdlib-go1.22.0-linux-amd64")); err == nil && len(b) > 0 {
		f.Add(b[:4096])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New().Catalog(&catalog.File{Path: "x", Mode: 0o755, Content: b})
	})
}

func TestLdflagsVersion(t *testing.T) {
	for ldflags, want := range map[string]string{
		`-w -X main.version=v1.0.0`:                             "v1.0.0",
		`"-s -X=github.com/a/b/internal/version.Version=1.2.3"`: "v1.2.3",
		`-X main.appVersion=2.0.0-rc.1 -X main.commit=abc`:      "v2.0.0-rc.1",
		`-X main.commit=1.2.3`:                                  "",
		`-X main.version=dev`:                                   "",
		`-s -w`:                                                 "",
	} {
		if got := ldflagsVersion([]debug.BuildSetting{{Key: "-ldflags", Value: ldflags}}); got != want {
			t.Errorf("%s: %q, want %q", ldflags, got, want)
		}
	}
}
