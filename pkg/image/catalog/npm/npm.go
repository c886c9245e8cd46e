// Package npm catalogs JavaScript packages: what is installed
// (node_modules/**/package.json) and what lockfiles pin
// (package-lock.json v1, v2 and v3, yarn.lock v1 and Berry, pnpm-lock.yaml
// v5, v6 and v9). Where a project has both, the
// installed tree wins: it is what the container runs, and it reflects
// files later layers deleted, which the lockfile does not.
package npm

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "npm"

const lockName = "package-lock.json"

// lockNames are the lockfiles of npm, yarn and pnpm.
var lockNames = map[string]bool{lockName: true, "yarn.lock": true, "pnpm-lock.yaml": true}

type cataloger struct{}

// New returns the npm cataloger.
func New() catalog.Cataloger { return cataloger{} }

var (
	_ catalog.Cataloger = cataloger{}
	_ catalog.Refiner   = cataloger{}
)

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 1 }

// Wants package-lock.json anywhere outside node_modules, and the
// package.json of each installed package: node_modules/NAME/package.json
// or node_modules/@SCOPE/NAME/package.json.
func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	if !mode.IsRegular() {
		return false
	}
	dir, base := path.Split(p)
	switch {
	case lockNames[base]:
		return !strings.Contains(dir, "node_modules/")
	case base == "package.json":
		return isInstalledDir(strings.TrimSuffix(dir, "/"))
	}
	return false
}

// isInstalledDir reports whether dir is a package directory directly under
// a node_modules directory.
func isInstalledDir(dir string) bool {
	parent, name := path.Split(dir)
	parent = strings.TrimSuffix(parent, "/")
	if name == "" || strings.HasPrefix(name, ".") {
		return false
	}
	if path.Base(parent) == "node_modules" {
		return !strings.HasPrefix(name, "@")
	}
	grand, scope := path.Split(parent)
	return strings.HasPrefix(scope, "@") && path.Base(strings.TrimSuffix(grand, "/")) == "node_modules"
}

func (c cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	switch path.Base(f.Path) {
	case lockName:
		return parseLock(f)
	case "yarn.lock":
		return parseYarnLock(f)
	case "pnpm-lock.yaml":
		return parsePnpmLock(f)
	}
	return parsePackageJSON(f)
}

type packageJSON struct {
	Name     string          `json:"name"`
	Version  string          `json:"version"`
	License  json.RawMessage `json:"license"`
	Licenses []struct {
		Type string `json:"type"`
	} `json:"licenses"`
}

func parsePackageJSON(f *catalog.File) ([]sbom.Package, error) {
	var pj packageJSON
	if err := json.Unmarshal(f.Content, &pj); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	if pj.Name == "" || pj.Version == "" {
		return nil, nil // not a published package (a workspace or a fixture)
	}
	p := sbom.Package{Name: pj.Name, Version: pj.Version, Type: sbom.TypeNPM, Locations: []sbom.Location{{Path: f.Path}}}
	p.Licenses = licenses(pj.License)
	for _, l := range pj.Licenses {
		if l.Type != "" {
			p.Licenses = append(p.Licenses, l.Type)
		}
	}
	return []sbom.Package{p}, nil
}

// licenses reads "license": "MIT" and the old {"type": "MIT"} form.
func licenses(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return []string{s}
	}
	var o struct{ Type string }
	if json.Unmarshal(raw, &o) == nil && o.Type != "" {
		return []string{o.Type}
	}
	return nil
}

// lockEntry is an entry of "packages" (lockfile v2, v3).
type lockEntry struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	License json.RawMessage `json:"license"`
	Link    bool            `json:"link"`
}

// v1Entry is an entry of "dependencies" (lockfile v1), nested.
type v1Entry struct {
	Version      string             `json:"version"`
	Dependencies map[string]v1Entry `json:"dependencies"`
}

type lockFile struct {
	LockfileVersion int                  `json:"lockfileVersion"`
	Packages        map[string]lockEntry `json:"packages"`     // v2, v3
	Dependencies    map[string]v1Entry   `json:"dependencies"` // v1 (and v2)
}

// parseLock reads package-lock.json. v2 and v3 list every installed path
// under "packages"; v1 nests "dependencies".
func parseLock(f *catalog.File) ([]sbom.Package, error) {
	var lf lockFile
	if err := json.Unmarshal(f.Content, &lf); err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	var out []sbom.Package
	add := func(name, version string, lic json.RawMessage) {
		if name == "" || version == "" {
			return
		}
		out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Licenses: licenses(lic), Locations: []sbom.Location{{Path: f.Path}}})
	}
	if len(lf.Packages) > 0 {
		keys := make([]string, 0, len(lf.Packages))
		for k := range lf.Packages {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := lf.Packages[k]
			i := strings.LastIndex(k, "node_modules/")
			if k == "" || e.Link || i < 0 {
				continue // the project itself, workspace links
			}
			name := e.Name
			if name == "" {
				name = k[i+len("node_modules/"):]
			}
			add(name, e.Version, e.License)
		}
		return out, nil
	}
	var walk func(deps map[string]v1Entry, depth int)
	walk = func(deps map[string]v1Entry, depth int) {
		if depth > 64 {
			return
		}
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			e := deps[n]
			v := e.Version
			// v1 writes aliases and URLs as versions ("npm:pkg@1.0.0", "file:..").
			if real, ok := strings.CutPrefix(v, "npm:"); ok {
				if at := strings.LastIndex(real, "@"); at > 0 {
					n, v = real[:at], real[at+1:]
				}
			}
			if !strings.Contains(v, ":") {
				add(n, v, nil)
			}
			walk(e.Dependencies, depth+1)
		}
	}
	walk(lf.Dependencies, 0)
	return out, nil
}

// Refine drops lockfile packages of projects whose node_modules tree is in
// the view: the installed packages were cataloged from it, and they are
// what the container has.
func (cataloger) Refine(pkgs []sbom.Package, exists func(path string) bool) []sbom.Package {
	out := pkgs[:0]
	for _, p := range pkgs {
		if len(p.Locations) > 0 && lockNames[path.Base(p.Locations[0].Path)] {
			dir := path.Dir(strings.TrimPrefix(p.Locations[0].Path, "/"))
			if exists(path.Join(dir, "node_modules")) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}
