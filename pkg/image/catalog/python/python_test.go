package python

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCatalog(t *testing.T) {
	for _, c := range []struct {
		file string
		want []sbom.Package
	}{
		{"empty", nil},
		{"noversion", nil},
		{"single", []sbom.Package{{Name: "requests", Version: "2.28.1", Type: "pypi", Licenses: []string{"Apache 2.0"}, Locations: []sbom.Location{{Path: "x.dist-info/METADATA"}}}}},
		{"expression", []sbom.Package{{Name: "flask", Version: "3.0.3", Type: "pypi", Licenses: []string{"BSD-3-Clause"}, Locations: []sbom.Location{{Path: "x.dist-info/METADATA"}}}}},
	} {
		b, _ := os.ReadFile(filepath.Join("testdata", c.file))
		got, err := New().Catalog(&catalog.File{Path: "x.dist-info/METADATA", Content: b})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.file, d)
		}
	}
}

func TestLockfiles(t *testing.T) {
	for file, want := range map[string][]string{
		// Ranges are listed with their lower bound, marked unpinned.
		"requirements.txt": {"flask@3.0.3", "requests@2.32.3", "urllib3@1.26 unpinned", "numpy@1.0 unpinned"},
		"poetry.lock":      {"flask@3.0.3", "click@8.1.7"},
		// The project itself (a virtual source) is listed, as Root.
		"uv.lock":      {"app@0.1.0", "idna@3.7"},
		"Pipfile.lock": {"idna@3.7", "requests@2.32.3", "pytest@8.3.3"},
	} {
		b, _ := os.ReadFile(filepath.Join("testdata", file))
		p := "src/app/" + file
		if !New().Wants(p, 10, 0o644) {
			t.Errorf("does not want %s", p)
		}
		pkgs, err := New().Catalog(&catalog.File{Path: p, Content: b})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range pkgs {
			k := x.Name + "@" + x.Version
			if x.Unpinned {
				k += " unpinned"
			}
			got = append(got, k)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", file, d)
		}
	}
	installed := sbom.Package{Name: "flask", Version: "3.0.2", Locations: []sbom.Location{{Path: "/v/lib/site-packages/flask-3.0.2.dist-info/METADATA"}}}
	locked := sbom.Package{Name: "flask", Version: "3.0.3", Locations: []sbom.Location{{Path: "/app/requirements.txt"}}}
	if got := New().(catalog.Refiner).Refine([]sbom.Package{locked, installed}, nil); len(got) != 1 || got[0].Version != "3.0.2" {
		t.Errorf("installed should win over requirements: %+v", got)
	}
}

func TestWants(t *testing.T) {
	for p, want := range map[string]bool{
		"usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO":       true,
		"usr/local/lib/python3.12/site-packages/flask-3.0.3.dist-info/METADATA": true,
		"usr/lib/python3/dist-packages/six-1.16.0.egg-info":                     true,
		"src/flask/METADATA": false, "x.dist-info/RECORD": false,
	} {
		if got := New().Wants(p, 100, 0o644); got != want {
			t.Errorf("Wants(%s) = %v", p, got)
		}
	}
}

// TestDebianDistPackages: one package per Debian python3-* package, the
// doubled cryptography metadata counted once.
func TestDebianDistPackages(t *testing.T) {
	dir := sharedtest.Path(t, "testdata", "apps", "python", "debian-bookworm-dist-packages-metadata")
	var pkgs []sbom.Package
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, f := range []string{"METADATA", "PKG-INFO"} {
			p := filepath.Join(dir, e.Name(), f)
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			rel := "usr/lib/python3/dist-packages/" + e.Name() + "/" + f
			if !New().Wants(rel, int64(len(b)), 0o644) {
				t.Errorf("does not want %s", rel)
			}
			got, _ := New().Catalog(&catalog.File{Path: "/" + rel, Content: b})
			pkgs = append(pkgs, got...)
		}
	}
	pkgs = New().(catalog.Refiner).Refine(pkgs, nil)
	var got []string
	for _, p := range pkgs {
		got = append(got, normalize(p.Name)+" "+p.Version)
	}
	sort.Strings(got)
	want := []string{"certifi 2022.9.24", "chardet 5.1.0", "cryptography 38.0.4", "idna 3.3", "jinja2 3.1.2", "markupsafe 2.1.2", "pip 23.0.1", "pyyaml 6.0", "requests 2.28.1", "setuptools 66.1.1", "urllib3 1.26.12", "wheel 0.38.4"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"x.dist-info/METADATA", "requirements.txt", "poetry.lock", "uv.lock", "Pipfile.lock"}
	for i, n := range []string{"single", "requirements.txt", "poetry.lock", "uv.lock", "Pipfile.lock"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b, uint8(i))
	}
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		pkgs, _ := New().Catalog(&catalog.File{Path: kinds[int(kind)%len(kinds)], Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatal("empty name or version")
			}
		}
	})
}

// TestWorldForms: UTF-16 requirements (PowerShell's pip freeze >), a pin
// with --hash options, pylock.toml (PEP 751), and eggs, zipped and not.
func TestWorldForms(t *testing.T) {
	u := []byte{0xff, 0xfe}
	for _, r := range "attrs==20.3.0\r\nsix>=1.0\r\n" {
		u = append(u, byte(r), 0)
	}
	lock := "lock-version = \"1.0\"\n\n[[packages]]\nname = \"certifi\"\nversion = \"2026.1.4\"\n\n[[packages.wheels]]\nname = \"certifi-2026.1.4-py3-none-any.whl\"\n\n[[packages]]\nname = \"idna\"\nversion = \"3.11\"\n"
	var egg bytes.Buffer
	zw := zip.NewWriter(&egg)
	w, _ := zw.Create("EGG-INFO/PKG-INFO")
	w.Write([]byte("Metadata-Version: 1.1\nName: kitchen\nVersion: 1.2.6\n"))
	zw.Close()
	for _, c := range []struct {
		path    string
		content []byte
		want    []string
	}{
		{"app/requirements.txt", u, []string{"attrs@20.3.0", "six@1.0"}},
		{"app/requirements.txt", []byte("FooProject == 1.2 --hash=sha256:2cf2 \\\n    --hash=sha256:486e\n"), []string{"FooProject@1.2"}},
		{"app/pylock.toml", []byte(lock), []string{"certifi@2026.1.4", "idna@3.11"}},
		{"usr/lib/python3/site-packages/kitchen-1.2.6-py2.7.egg", egg.Bytes(), []string{"kitchen@1.2.6"}},
		{"usr/lib/python3/site-packages/distlib-0.3.1-py3.9.egg/EGG-INFO/PKG-INFO", []byte("Name: distlib\nVersion: 0.3.1\n"), []string{"distlib@0.3.1"}},
	} {
		if !New().Wants(c.path, int64(len(c.content)), 0o644) {
			t.Errorf("%s: not wanted", c.path)
			continue
		}
		got, err := New().Catalog(&catalog.File{Path: c.path, Content: c.content})
		var names []string
		for _, p := range got {
			names = append(names, p.Name+"@"+p.Version)
		}
		if err != nil || !slices.Equal(names, c.want) {
			t.Errorf("%s: %v %v, want %v", c.path, names, err, c.want)
		}
	}
}

// TestMinimumOf: the lowest release a range allows, as Trivy's
// comprehensive detection reads it; none where no lowest release is named.
func TestMinimumOf(t *testing.T) {
	for in, want := range map[string]string{
		">= 4.1.1":                   "4.1.1",
		"~= 1.1":                     "1.1",
		"==2.0.*":                    "2.0.0",
		"==1.*,>=1.2":                "1.2",
		"!=0.18.3,!=0.20.1,>=0.18.2": "0.18.2",
		">=2.31.0,<3":                "2.31.0",
		"==5.*.*":                    "",
		"==4.*.1":                    "",
		"!= 3.5":                     "",
		"<3":                         "",
		"":                           "",
	} {
		if got := minimumOf(in); got != want {
			t.Errorf("minimumOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzKeepsRest: one bad entry inserted into a valid requirements file,
// lockfile or pylock.toml keeps every package of the valid file. In a
// requirements file the first line is left first: its first bytes decide
// the file's encoding (a UTF-16 byte order mark), as pip reads them.
func FuzzKeepsRest(f *testing.F) {
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	req, poetry, uv, pipfile := read("requirements.txt"), read("poetry.lock"), read("uv.lock"), read("Pipfile.lock")
	pylock := []byte("lock-version = \"1.0\"\n\n[[packages]]\nname = \"certifi\"\nversion = \"2026.1.4\"\n\n[[packages.wheels]]\nname = \"w.whl\"\n\n[[packages]]\nname = \"idna\"\nversion = \"3.11\"\n")
	for i, bad := range []string{"flask===", "\xff\xfe", `{"version": 3}`, "[package.x]\nname = \"a\"", "name = \"x\"\nversion = [1]"} {
		f.Add([]byte(bad), uint(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, bad []byte, at uint, kind uint8) {
		c := New()
		switch kind % 5 {
		case 0:
			n := uint(bytes.Count(req, []byte("\n")))
			catalogtest.KeepsRest(t, c, "app/requirements.txt", req, bad, 1+at%n, "\n")
		case 1:
			catalogtest.KeepsRest(t, c, "app/poetry.lock", poetry, bad, at, "\n[[package]]\n")
		case 2:
			catalogtest.KeepsRest(t, c, "app/uv.lock", uv, bad, at, "\n[[package]]\n")
		case 3:
			catalogtest.KeepsRest(t, c, "app/pylock.toml", pylock, bad, at, "\n[[packages]]\n")
		case 4:
			catalogtest.KeepsRestJSON(t, c, "app/Pipfile.lock", pipfile, bad, at, "default")
		}
	})
}
