package rust

import (
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

var (
	_ catalog.Refiner = cataloger{}
	_ catalog.Keeper  = cataloger{}
)

// Keep keeps Cargo.toml and Cargo.lock whole: Refine reads the manifest's
// dev-dependencies and the lockfile's graph.
func (cataloger) Keep(p string) bool {
	b := path.Base(p)
	return b == "Cargo.toml" || b == "Cargo.lock"
}

func (cataloger) KeepID() string { return "cargo-manifest@1" }

// Refine marks dev the Cargo.lock packages that only the project's
// [dev-dependencies] reach, following the lockfile's dependency lists, as
// Trivy and cargo itself do: they are not in what is built.
func (cataloger) Refine(pkgs []sbom.Package, view catalog.View) []sbom.Package {
	devOnly := map[string]map[string]bool{} // Cargo.lock path -> "name version"
	for i, p := range pkgs {
		if len(p.Locations) == 0 || path.Base(p.Locations[0].Path) != "Cargo.lock" {
			continue
		}
		lock := strings.TrimPrefix(p.Locations[0].Path, "/")
		set, ok := devOnly[lock]
		if !ok {
			set = devSet(view, lock)
			devOnly[lock] = set
		}
		if set[p.Name+" "+p.Version] {
			pkgs[i].Dev = true
		}
	}
	return pkgs
}

// lockPkg is a [[package]] of Cargo.lock with its dependency list.
type lockPkg struct {
	name, version string
	deps          []string // "name" or "name version" or "name version (source)"
}

func devSet(view catalog.View, lock string) map[string]bool {
	lb, ok := view.Read(lock)
	if !ok {
		return nil
	}
	mb, ok := view.Read(path.Join(path.Dir(lock), "Cargo.toml"))
	if !ok {
		return nil
	}
	project, prod, dev := manifestDeps(string(mb))
	pkgs := lockGraph(string(lb))
	byName := map[string][]*lockPkg{}
	for i := range pkgs {
		p := &pkgs[i]
		byName[p.name] = append(byName[p.name], p)
	}
	if len(byName[project]) == 0 {
		return nil // the manifest is not this lockfile's project
	}
	resolve := func(dep string) *lockPkg {
		f := strings.Fields(dep)
		if len(f) == 0 {
			return nil
		}
		for _, c := range byName[f[0]] {
			if len(f) == 1 || c.version == f[1] {
				return c
			}
		}
		return nil
	}
	reach := func(names map[string]bool) map[*lockPkg]bool {
		seen := map[*lockPkg]bool{}
		var stack []*lockPkg
		// Seeds by name: a lockfile need not list the root's
		// dev-dependencies among its dependencies.
		for n := range names {
			if c := byName[n]; len(c) > 0 {
				stack = append(stack, c...)
			}
		}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[c] {
				continue
			}
			seen[c] = true
			for _, d := range c.deps {
				if n := resolve(d); n != nil {
					stack = append(stack, n)
				}
			}
		}
		return seen
	}
	p, d := reach(prod), reach(dev)
	out := map[string]bool{}
	for c := range d {
		if !p[c] {
			out[c.name+" "+c.version] = true
		}
	}
	return out
}

// manifestDeps reads Cargo.toml's package name and the names of its normal
// (and build) dependencies and of its dev-dependencies, target-specific
// sections included.
func manifestDeps(toml string) (project string, prod, dev map[string]bool) {
	prod, dev = map[string]bool{}, map[string]bool{}
	section := ""
	for _, l := range strings.Split(toml, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if strings.HasPrefix(l, "[") {
			section = strings.Trim(l, "[] ")
			// [dependencies.foo] is a table form of one dependency.
			for _, kind := range []string{"dev-dependencies", "build-dependencies", "dependencies"} {
				if i := strings.Index(section, kind+"."); i >= 0 && (i == 0 || section[i-1] == '.') {
					name := strings.Trim(section[i+len(kind)+1:], `"'`)
					if kind == "dev-dependencies" {
						dev[name] = true
					} else {
						prod[name] = true
					}
				}
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		k, _, _ = strings.Cut(k, ".") // name.workspace = true
		switch {
		case section == "package" && k == "name":
			project = strings.Trim(strings.TrimSpace(v), `"'`)
		case section == "dev-dependencies" || strings.HasSuffix(section, ".dev-dependencies"):
			dev[k] = true
		case section == "dependencies" || section == "build-dependencies" || strings.HasSuffix(section, ".dependencies") || strings.HasSuffix(section, ".build-dependencies"):
			if !strings.HasPrefix(section, "workspace.") {
				prod[k] = true
			}
		}
	}
	return project, prod, dev
}

// lockGraph reads Cargo.lock's packages with their dependency lists (one
// per line or inline).
func lockGraph(toml string) []lockPkg {
	var out []lockPkg
	var cur *lockPkg
	inDeps := false
	for _, l := range strings.Split(toml, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "[[package]]":
			out = append(out, lockPkg{})
			cur = &out[len(out)-1]
			inDeps = false
		case strings.HasPrefix(l, "["):
			if !strings.HasPrefix(l, "[[package]]") && !inDeps {
				cur = nil
			}
		}
		if cur == nil {
			continue
		}
		if inDeps {
			if strings.HasPrefix(l, "]") {
				inDeps = false
				continue
			}
			if d := strings.Trim(strings.TrimSuffix(l, ","), `"`); d != "" {
				cur.deps = append(cur.deps, d)
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "name":
			cur.name = strings.Trim(v, `"`)
		case "version":
			cur.version = strings.Trim(v, `"`)
		case "dependencies":
			list := strings.TrimPrefix(v, "[")
			if strings.HasSuffix(list, "]") {
				for _, d := range strings.Split(strings.TrimSuffix(list, "]"), ",") {
					if d = strings.Trim(strings.TrimSpace(d), `"`); d != "" {
						cur.deps = append(cur.deps, d)
					}
				}
			} else {
				inDeps = true
			}
		}
	}
	return out
}
