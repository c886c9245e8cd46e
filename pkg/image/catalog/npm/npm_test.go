package npm

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
	"github.com/google/go-cmp/cmp"
)

func catalogFile(t *testing.T, testfile, as string) ([]sbom.Package, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", testfile))
	if err != nil {
		t.Fatal(err)
	}
	return New().Catalog(&catalog.File{Path: as, Mode: 0o644, Content: b})
}

func names(pkgs []sbom.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+"@"+p.Version)
	}
	return out
}

func TestLockfiles(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"lock-v1.json", []string{"@types/node@20.1.0", "left-pad@1.3.0", "lodash@4.17.15", "mkdirp@0.5.1", "minimist@0.0.8"}},
		// ws is a workspace member (node_modules/ws-link links to its folder),
		// listed as Trivy lists it.
		{"lock-v3.json", []string{"@scope/pkg@2.0.0", "lodash@3.10.1", "left-pad@1.3.0", "lodash@4.17.15", "ws@0.0.1"}},
	} {
		got, err := catalogFile(t, c.file, "app/package-lock.json")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(c.want, names(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.file, d)
		}
	}
	if _, err := catalogFile(t, "invalid.json", "app/package-lock.json"); err == nil {
		t.Error("invalid lockfile: no error")
	}
}

func TestYarnAndPnpm(t *testing.T) {
	for _, c := range []struct {
		file, as string
		want     []string
	}{
		{"yarn-v1.lock", "yarn.lock", []string{"@babel/code-frame@7.12.13", "lodash@4.17.21"}},
		{"yarn-berry.lock", "yarn.lock", []string{"lodash@4.17.21", "@types/node@20.1.0"}},
		{"pnpm-v5.yaml", "pnpm-lock.yaml", []string{"@babel/core@7.24.0", "lodash@4.17.21"}},
		{"pnpm-v6.yaml", "pnpm-lock.yaml", []string{"@babel/core@7.24.0", "lodash@4.17.21"}},
		{"pnpm-v9.yaml", "pnpm-lock.yaml", []string{"@babel/core@7.24.0", "lodash@4.17.21"}},
	} {
		got, err := catalogFile(t, c.file, "app/"+c.as)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(c.want, names(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.file, d)
		}
	}
	if _, err := catalogFile(t, "invalid.json", "pnpm-lock.yaml"); err == nil {
		t.Error("invalid pnpm lock: no error")
	}
}

func TestPackageJSON(t *testing.T) {
	got, err := catalogFile(t, "package.json", "app/node_modules/lodash/package.json")
	if err != nil || len(got) != 1 || got[0].Name != "lodash" || got[0].Licenses[0] != "MIT" {
		t.Errorf("%+v %v", got, err)
	}
	got, _ = catalogFile(t, "package-old-license.json", "node_modules/old/package.json")
	if d := cmp.Diff([]string{"BSD", "MIT"}, got[0].Licenses); d != "" {
		t.Errorf("licenses (-want +got):\n%s", d)
	}
	if _, err := catalogFile(t, "invalid.json", "node_modules/x/package.json"); err == nil {
		t.Error("invalid package.json: no error")
	}
}

func TestWants(t *testing.T) {
	c := New()
	for p, want := range map[string]bool{
		"app/package-lock.json": true, "package-lock.json": true, "app/node_modules/x/package-lock.json": false,
		"app/node_modules/lodash/package.json": true, "node_modules/@scope/pkg/package.json": true,
		// app/package.json: a project, wanted as a possible yarn workspace member.
		"app/package.json": true, "node_modules/lodash/lib/package.json": false, "node_modules/@scope/package.json": false,
		"node_modules/.bin/package.json": false,
	} {
		if got := c.Wants(p, 10, 0o644); got != want {
			t.Errorf("Wants(%s) = %v", p, got)
		}
	}
}

func TestRefine(t *testing.T) {
	lock := sbom.Package{Name: "minimist", Version: "0.0.8", Locations: []sbom.Location{{Path: "/app/package-lock.json"}}}
	other := sbom.Package{Name: "x", Version: "1", Locations: []sbom.Location{{Path: "/srv/package-lock.json"}}}
	inst := sbom.Package{Name: "minimist", Version: "1.2.0", Locations: []sbom.Location{{Path: "/app/node_modules/minimist/package.json"}}}
	got := New().(catalog.Refiner).Refine([]sbom.Package{lock, other, inst}, fakeView{exists: map[string]bool{"app/node_modules": true}})
	if d := cmp.Diff([]string{"x@1", "minimist@1.2.0"}, names(got)); d != "" {
		t.Errorf("Refine (-want +got):\n%s", d)
	}
}

type fakeView struct {
	exists, deleted map[string]bool
	files           map[string]string
}

func (v fakeView) Exists(p string) bool  { return v.exists[p] }
func (v fakeView) Deleted(p string) bool { return v.deleted[p] }
func (v fakeView) Read(p string) ([]byte, bool) {
	b, ok := v.files[p]
	return []byte(b), ok
}

// TestRefinePerPath: a package-lock.json entry yields to the installed
// package at its own path only (taking the installed version, and giving it
// the lockfile's dev mark), is gone where a later layer deleted it, and
// stands where it was never installed (node_modules holding only .bin).
func TestRefinePerPath(t *testing.T) {
	lock := func(name, version string, dev bool) sbom.Package {
		return sbom.Package{Name: name, Version: version, Dev: dev, Locations: []sbom.Location{{Path: "/app/package-lock.json"}},
			Files: []string{"app/node_modules/" + name + "/package.json"}}
	}
	inst := sbom.Package{Name: "debug", Version: "2.6.9", Locations: []sbom.Location{{Path: "/app/node_modules/debug/package.json"}}}
	pkgs := []sbom.Package{lock("debug", "2.6.8", true), lock("minimist", "0.0.8", false), lock("ms", "2.0.0", false), inst}
	got := New().(catalog.Refiner).Refine(pkgs, fakeView{deleted: map[string]bool{"app/node_modules/minimist/package.json": true}})
	if d := cmp.Diff([]string{"ms@2.0.0", "debug@2.6.9"}, names(got)); d != "" {
		t.Errorf("Refine (-want +got):\n%s", d)
	}
	if !got[1].Dev {
		t.Error("the installed debug did not take the lockfile's dev mark")
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"app/package-lock.json", "app/node_modules/x/package.json", "app/yarn.lock", "app/pnpm-lock.yaml"}
	for i, n := range []string{"lock-v1.json", "package.json", "yarn-v1.lock", "pnpm-v6.yaml", "lock-v3.json", "yarn-berry.lock", "pnpm-v5.yaml"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b, uint8(i%len(kinds)), []byte(`{"version": 7}`), uint(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, kind uint8, bad []byte, at uint) {
		p := kinds[int(kind)%len(kinds)]
		switch path.Base(p) {
		case "package-lock.json":
			catalogtest.KeepsRestJSON(t, New(), p, b, bad, at, "packages")
			catalogtest.KeepsRestJSON(t, New(), p, b, bad, at, "dependencies")
		case "yarn.lock":
			catalogtest.KeepsRest(t, New(), p, b, bad, at, "\n\n")
		}
		pkgs, _ := New().Catalog(&catalog.File{Path: p, Mode: 0o644, Content: b})
		for _, x := range pkgs {
			if x.Name == "" || x.Version == "" {
				t.Fatalf("package without name or version: %+v", x)
			}
		}
	})
}

// TestYarnForms: npm aliases resolve to the real package (v1 and Berry),
// v1's quoted keys parse, a patch: entry is the copy of one already listed,
// and an unknown protocol is skipped with its line, the rest kept.
func TestYarnForms(t *testing.T) {
	lock := "\"foo-debug@npm:debug@^4.3\":\n  version \"4.3.4\"\n\n\"foo-json@npm:@types/jsonstream@0.8.33\":\n  version \"0.8.33\"\n\n" +
		"jquery@^3.6.0:\n  \"version\" \"3.6.0\"\n\nasap@unsupported:~2.0.6:\n  version \"2.0.6\"\n\n" +
		"\"fsevents@patch:fsevents@~2.1.2#builtin<compat/fsevents>\":\n  version: 2.1.3\n\n\"fsevents@npm:~2.1.2\":\n  version: 2.1.3\n\n\"lodash@npm:^4.17.15\":\n  version: 4.17.21\n"
	got, err := New().Catalog(&catalog.File{Path: "app/yarn.lock", Content: []byte(lock)})
	catalogtest.Must(t, err, 1)
	want := []string{"debug@4.3.4", "@types/jsonstream@0.8.33", "jquery@3.6.0", "fsevents@2.1.3", "lodash@4.17.21"}
	if d := cmp.Diff(want, names(got)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	var s catalog.SkippedError
	if errors.As(err, &s); len(s) == 0 || s[0].Line != 10 {
		t.Errorf("the unknown protocol's line: %v", err)
	}
}

// TestYarnProject: beside a yarn.lock, the project's package.json names the
// project (listed as Root) and its development dependencies (marked dev,
// aliases by their real name); Berry workspace members take their
// package.json's version, and one without a version is not listed.
func TestYarnProject(t *testing.T) {
	lock := "\"debug@npm:^4\":\n  version: 4.3.4\n\n\"foo-json@npm:@types/jsonstream@0.8.33\":\n  version: 0.8.33\n\n" +
		"\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"c@workspace:c\":\n  version: 0.0.0-use.local\n\n\"d@workspace:d\":\n  version: 0.0.0-use.local\n"
	got, err := New().Catalog(&catalog.File{Path: "app/yarn.lock", Content: []byte(lock)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].Locations = []sbom.Location{{Path: "/app/yarn.lock"}}
		if len(got[i].Files) > 0 {
			got[i].Files[0] = "/" + got[i].Files[0]
		}
	}
	view := fakeView{files: map[string]string{
		"app/package.json":   `{"name": "app", "version": "1.0.0", "dependencies": {"debug": "^4"}, "devDependencies": {"foo-json": "npm:@types/jsonstream@0.8.33"}}`,
		"app/c/package.json": `{"name": "c", "version": "0.0.0"}`,
		"app/d/package.json": `{"name": "d"}`,
	}}
	out := New().(catalog.Refiner).Refine(got, view)
	have := map[string]sbom.Package{}
	for _, p := range out {
		have[p.Name+"@"+p.Version] = p
	}
	if p, ok := have["app@1.0.0"]; !ok || !p.Root {
		t.Errorf("the project: %+v", out)
	}
	if p, ok := have["c@0.0.0"]; !ok || !p.Root {
		t.Errorf("the workspace member: %+v", out)
	}
	if !have["@types/jsonstream@0.8.33"].Dev || have["debug@4.3.4"].Dev {
		t.Errorf("dev marks: %+v", out)
	}
	if p, ok := have["d@"]; !ok || !p.Root {
		t.Errorf("the member without a version is the project's too: %+v", out)
	}
	if len(out) != 5 {
		t.Errorf("want debug, @types/jsonstream, c, d and app: %+v", out)
	}
}

// TestYarnV1Workspaces: yarn v1 writes no workspace entries; a project's
// package.json that the root's "workspaces" globs match is listed (Root),
// any other project package.json is not.
func TestYarnV1Workspaces(t *testing.T) {
	c := New()
	var pkgs []sbom.Package
	for p, content := range map[string]string{
		"app/yarn.lock":                   "hoek@6.1.3:\n  version \"6.1.3\"\n",
		"app/bar/generators/package.json": `{"name": "@test/bar-generators", "version": "0.0.1"}`,
		"app/elsewhere/tool/package.json": `{"name": "tool", "version": "1.0.0"}`,
	} {
		got, err := c.Catalog(&catalog.File{Path: p, Content: []byte(content)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].Locations = []sbom.Location{{Path: "/" + p}}
		}
		pkgs = append(pkgs, got...)
	}
	view := fakeView{files: map[string]string{"app/package.json": `{"name": "@test/foo", "version": "1.0.0", "workspaces": ["bar/*"]}`}}
	out := c.(catalog.Refiner).Refine(pkgs, view)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if d := cmp.Diff([]string{"@test/bar-generators@0.0.1", "@test/foo@1.0.0", "hoek@6.1.3"}, names(out)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
