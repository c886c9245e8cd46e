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

	"github.com/bmatcuk/doublestar/v4"

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
	_ catalog.Keeper    = cataloger{}
)

// Keep keeps a project's package.json (outside node_modules): Refine reads
// the one beside a yarn.lock for the project itself and its development
// dependencies.
func (cataloger) Keep(p string) bool {
	return strings.HasSuffix(p, "package.json") && path.Base(p) == "package.json" && !strings.Contains(p, "node_modules/")
}

func (cataloger) KeepID() string { return "project-package-json@1" }

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 3 }

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
		// Installed packages, and (outside node_modules) the projects that
		// may be yarn workspace members; Refine keeps only those.
		return isInstalledDir(strings.TrimSuffix(dir, "/")) || !strings.Contains(dir, "node_modules/")
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
	pkgs, err := parsePackageJSON(f)
	if !strings.Contains(f.Path, "node_modules/") {
		// A project, not an installed package: a workspace candidate.
		for i := range pkgs {
			pkgs[i].Root = true
		}
	}
	return pkgs, err
}

type packageJSON struct {
	Name     string           `json:"name"`
	Version  string           `json:"version"`
	License  catalog.Licenses `json:"license"`
	Licenses catalog.Licenses `json:"licenses"`
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
	p.Licenses = append(append([]string(nil), pj.License...), pj.Licenses...)
	return []sbom.Package{p}, nil
}

// lockEntry is an entry of "packages" (lockfile v2, v3), keyed by the path
// it installs to ("node_modules/a/node_modules/b", "packages/web").
type lockEntry struct {
	Name     string           `json:"name"`
	Version  string           `json:"version"`
	License  catalog.Licenses `json:"license"`
	Link     bool             `json:"link"`
	Resolved string           `json:"resolved"`
	Dev      bool             `json:"dev"`
}

// v1Entry is an entry of "dependencies" (lockfile v1), nested.
type v1Entry struct {
	Version      string             `json:"version"`
	Dev          bool               `json:"dev"`
	Dependencies map[string]v1Entry `json:"dependencies"`
}

// parseLock reads package-lock.json. v2 and v3 list every installed path
// under "packages"; v1 nests "dependencies". Entries are decoded one at a
// time: one of the wrong shape is skipped with its line.
func parseLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	dir := path.Dir(f.Path)
	add := func(name, version, installPath string, lic []string, dev, root bool) {
		if name == "" || (version == "" && !root) {
			return
		}
		p := sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Licenses: lic, Dev: dev, Root: root, Locations: []sbom.Location{{Path: f.Path}}}
		if installPath != "" {
			p.Files = []string{path.Join(dir, installPath, "package.json")}
		}
		out = append(out, p)
	}
	raw, err := catalog.JSONEntries(f.Content, "packages")
	if err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	if len(raw) > 0 {
		entries := make(map[string]lockEntry, len(raw))
		keys := make([]string, 0, len(raw))
		for _, r := range raw {
			var e lockEntry
			if err := json.Unmarshal(r.Raw, &e); err != nil {
				skipped.Add(r.Line, r.Key, err)
				continue
			}
			entries[r.Key] = e
			keys = append(keys, r.Key)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := entries[k]
			i := strings.LastIndex(k, "node_modules/")
			if k == "" || i < 0 {
				continue // the project itself; workspace folders are reached by their links
			}
			name := e.Name
			if name == "" {
				name = k[i+len("node_modules/"):]
			}
			if e.Link {
				// A workspace member: node_modules/NAME links to its folder,
				// whose entry has the version. Members are the project's own
				// code (Root: listed, not matched), with or without a version.
				t := entries[e.Resolved]
				if t.Name != "" {
					name = t.Name
				}
				add(name, t.Version, "", t.License, t.Dev || e.Dev, true)
				continue
			}
			add(name, e.Version, k, e.License, e.Dev, false)
		}
		return out, skipped.Err()
	}
	deps, err := catalog.JSONEntries(f.Content, "dependencies")
	if err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	var walk func(n string, e v1Entry, at string, depth int)
	walk = func(n string, e v1Entry, at string, depth int) {
		if depth > 64 {
			return
		}
		v := e.Version
		// v1 writes aliases and URLs as versions ("npm:pkg@1.0.0", "file:..").
		if real, ok := strings.CutPrefix(v, "npm:"); ok {
			if at := strings.LastIndex(real, "@"); at > 0 {
				v = real[at+1:]
				n = real[:at]
			}
		}
		if !strings.Contains(v, ":") {
			add(n, v, at, nil, e.Dev, false)
		}
		names := make([]string, 0, len(e.Dependencies))
		for c := range e.Dependencies {
			names = append(names, c)
		}
		sort.Strings(names)
		for _, c := range names {
			walk(c, e.Dependencies[c], at+"/node_modules/"+c, depth+1)
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Key < deps[j].Key })
	for _, d := range deps {
		var e v1Entry
		if err := json.Unmarshal(d.Raw, &e); err != nil {
			skipped.Add(d.Line, d.Key, err)
			continue
		}
		walk(d.Key, e, "node_modules/"+d.Key, 0)
	}
	return out, skipped.Err()
}

// Refine decides per package path between a lockfile and the installed
// tree: where node_modules holds the package (its package.json was
// cataloged) the installed package wins and takes the lockfile's dev mark;
// where a later layer deleted it, it is gone; where it was never installed
// (a node_modules with only .bin, or none) the lockfile stands. yarn and
// pnpm locks name no install paths: their packages yield to an installed
// tree beside them as a whole, when it holds any package.
func (c cataloger) Refine(pkgs []sbom.Package, view catalog.View) []sbom.Package {
	// The projects are read before the installed tree decides, which may
	// drop every lockfile package.
	roots, members, noPackage := yarnProjects(pkgs, view)
	out := c.refineInstalled(pkgs, view)
	kept := out[:0]
	listed := map[string]bool{}
	for _, p := range out {
		if p.Root && len(p.Files) > 0 {
			listed[strings.TrimPrefix(p.Files[0], "/")] = true
		}
	}
	for _, p := range out {
		if p.Version == "" && !p.Root || p.Root && len(p.Files) > 0 && noPackage[p.Files[0]] {
			continue
		}
		// A project's package.json is listed only as a yarn workspace
		// member that the lockfile does not list itself (yarn v1 has no
		// workspace entries).
		if pj := strings.TrimPrefix(p.Locations[0].Path, "/"); p.Root && len(p.Files) == 0 && path.Base(pj) == "package.json" {
			if !memberOf(members, pj) || listed[pj] {
				continue
			}
		}
		kept = append(kept, p)
	}
	return append(kept, roots...)
}

// project is what Refine reads of a project's package.json.
type project struct {
	Name            string            `json:"name"`
	Workspaces      json.RawMessage   `json:"workspaces"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

// yarnProjects adds, for each yarn.lock, the project itself from the
// package.json beside it (Root: first-party, not matched), and marks dev
// the packages that package.json names only under devDependencies (by
// their real name where the entry is an npm alias). A development
// dependency's own dependencies are not marked: yarn.lock keeps no graph
// that says which of them only it needs.
func yarnProjects(pkgs []sbom.Package, view catalog.View) (roots []sbom.Package, members []string, noPackage map[string]bool) {
	noPackage = map[string]bool{} // Berry members' package.json paths that are no package
	// pkgs' dev marks are set in place; the projects are returned. Each
	// project's package.json is read once, not once per package.
	type deps struct{ prod, dev map[string]bool }
	projects := map[string]*deps{} // yarn.lock path -> its project's deps; nil when unreadable
	for i, p := range pkgs {
		if len(p.Locations) == 0 || path.Base(p.Locations[0].Path) != "yarn.lock" {
			continue
		}
		lock := strings.TrimPrefix(p.Locations[0].Path, "/")
		if p.Root && len(p.Files) > 0 {
			// A Berry workspace member: versioned by its own package.json,
			// and listed without a version where that names the member but
			// gives none. A folder whose package.json names nothing (a
			// private scratch package) or is not in the image is no
			// package, as Trivy reads it: Refine drops it.
			pkgs[i].Version = ""
			if _, ws, ok := readProject(view, strings.TrimPrefix(p.Files[0], "/")); ok && (ws.Name != "" || ws.Version != "") {
				pkgs[i].Version = ws.Version
			} else {
				noPackage[p.Files[0]] = true
			}
			continue
		}
		d, seen := projects[lock]
		if !seen {
			pj, proj, ok := readProject(view, path.Join(path.Dir(lock), "package.json"))
			if ok {
				if proj.Name != "" && proj.Version != "" {
					roots = append(roots, sbom.Package{Name: proj.Name, Version: proj.Version, Type: sbom.TypeNPM, Root: true, Locations: []sbom.Location{{Path: "/" + pj}}})
				}
				for _, g := range workspaceGlobs(proj.Workspaces) {
					members = append(members, path.Join(path.Dir(pj), g, "package.json"))
				}
				d = &deps{realNames(proj.Dependencies), realNames(proj.DevDependencies)}
			}
			projects[lock] = d
		}
		if d != nil && d.dev[p.Name] && !d.prod[p.Name] {
			pkgs[i].Dev = true
		}
	}
	return roots, members, noPackage
}

// workspaceGlobs reads package.json's "workspaces": a list of globs, or
// {"packages": [...]}.
func workspaceGlobs(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.Packages
}

// memberOf reports whether the package.json at p matches a workspace glob.
func memberOf(globs []string, p string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
	}
	return false
}

func readProject(view catalog.View, p string) (string, project, bool) {
	p = strings.TrimPrefix(p, "./")
	b, ok := view.Read(p)
	if !ok {
		return "", project{}, false
	}
	var proj project
	if json.Unmarshal(b, &proj) != nil {
		return "", project{}, false
	}
	return p, proj, true
}

// realNames maps dependency names to the packages they install: an alias
// ("foo": "npm:@types/x@1") installs @types/x.
func realNames(deps map[string]string) map[string]bool {
	out := map[string]bool{}
	for name, spec := range deps {
		out[name] = true
		if real, ok := strings.CutPrefix(spec, "npm:"); ok {
			out[nameOfSpec(real)] = true
		}
	}
	return out
}

// refineInstalled decides between lockfiles and the installed tree.
func (cataloger) refineInstalled(pkgs []sbom.Package, view catalog.View) []sbom.Package {
	installed := map[string]int{}  // package.json path -> index in pkgs
	populated := map[string]bool{} // project dirs whose node_modules holds packages
	for i, p := range pkgs {
		if len(p.Locations) == 0 || lockNames[path.Base(p.Locations[0].Path)] {
			continue
		}
		pj := strings.TrimPrefix(p.Locations[0].Path, "/")
		installed[pj] = i
		if j := strings.Index(pj, "node_modules/"); j >= 0 {
			populated[strings.TrimSuffix(pj[:j], "/")] = true
		}
	}
	drop := make([]bool, len(pkgs))
	for i, p := range pkgs {
		if len(p.Locations) == 0 || !lockNames[path.Base(p.Locations[0].Path)] {
			continue
		}
		lock := strings.TrimPrefix(p.Locations[0].Path, "/")
		if len(p.Files) == 0 {
			d := path.Dir(lock)
			if d == "." {
				d = ""
			}
			drop[i] = populated[d]
			continue
		}
		pj := strings.TrimPrefix(p.Files[0], "/")
		if j, ok := installed[pj]; ok {
			drop[i] = true
			if p.Dev {
				pkgs[j].Dev = true
			}
			continue
		}
		drop[i] = view.Deleted(pj) || view.Deleted(path.Dir(pj))
	}
	out := pkgs[:0]
	for i, p := range pkgs {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out
}
