package gobinary

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
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

// FuzzKeepsRest: one byte of one module line of a real binary's build
// information changed to anything (a tab or newline breaks the line's
// shape, and Go's own parser then refuses the whole record) keeps every
// module of the other lines, and the toolchain.
func FuzzKeepsRest(f *testing.F) {
	bin, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "binaries", "go", "vulnapp-gin1.7.0-linux-amd64"))
	if err != nil {
		f.Skip("skipping: ../shared/testdata/binaries is absent")
	}
	// The record debug/buildinfo reads: the copy after the header.
	hdr := bytes.Index(bin, buildInfoMagic)
	start := hdr + bytes.Index(bin[hdr:], infoStart) + len(infoStart)
	end := start + bytes.Index(bin[start:], infoEnd)
	lines := strings.Split(string(bin[start:end]), "\n")
	want, err := New().Catalog(&catalog.File{Path: "app", Mode: 0o755, Content: bin})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint(3), uint(5), byte('\t'))
	f.Add(uint(2), uint(0), byte('\n'))
	f.Add(uint(4), uint(40), byte(0))
	f.Fuzz(func(t *testing.T, line, at uint, c byte) {
		// Only module lines (mod, dep, =>) are entries.
		var mods []int
		for i, l := range lines {
			if strings.HasPrefix(l, "dep\t") || strings.HasPrefix(l, "mod\t") || strings.HasPrefix(l, "=>\t") {
				mods = append(mods, i)
			}
		}
		li := mods[int(line%uint(len(mods)))]
		off := start
		for _, l := range lines[:li] {
			off += len(l) + 1
		}
		pos := off + int(at%uint(len(lines[li])))
		mixed := bytes.Clone(bin)
		mixed[pos] = c
		got, _ := New().Catalog(&catalog.File{Path: "app", Mode: 0o755, Content: mixed})
		have := map[string]bool{}
		for _, p := range got {
			have[p.Name+" "+p.Version] = true
		}
		for _, p := range want {
			if strings.Contains(lines[li], p.Name) {
				continue
			}
			if !have[p.Name+" "+p.Version] {
				t.Fatalf("%s %s lost when line %d (%q) had byte %d set to %q", p.Name, p.Version, li+1, lines[li], pos-off, c)
			}
		}
	})
}

// TestMalformedLineCostsThatLine: a dep line with a tab too many makes
// Go's parser refuse the whole record; the cataloger keeps every other
// module and reports the line as a skipped entry.
func TestMalformedLineCostsThatLine(t *testing.T) {
	bin, err := os.ReadFile(sharedtest.Path(t, "testdata", "binaries", "go", "vulnapp-gin1.7.0-linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	hdr := bytes.Index(bin, buildInfoMagic)
	i := hdr + bytes.Index(bin[hdr:], []byte("dep\tgithub.com/gin-gonic/gin\tv1.7.0"))
	bad := bytes.Clone(bin)
	bad[i+len("dep\tgithub.com/gin")] = '\t'
	if _, err := buildinfo.Read(bytes.NewReader(bad)); err == nil {
		t.Fatal("Go's parser accepts the malformed line; the test needs another")
	}
	got, err := New().Catalog(&catalog.File{Path: "app", Mode: 0o755, Content: bad})
	catalogtest.Must(t, err, 1)
	names := map[string]bool{}
	for _, p := range got {
		names[p.Name] = true
	}
	if !names["github.com/gin-contrib/sse"] || !names["stdlib"] || names["github.com/gin-gonic/gin"] || len(got) < 10 {
		t.Errorf("modules %v", names)
	}
}
