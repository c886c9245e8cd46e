package npm

import (
	"errors"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// parsePnpmLock reads pnpm-lock.yaml, lockfile versions 5 ("/name/1.2.3_peer"
// keys), 6 ("/name@1.2.3(peer)") and 9 ("name@1.2.3", with the graph under
// "snapshots"). Every YAML document is read except pnpm's own (pnpm 9 writes
// a first document for its packageManagerDependencies). An entry's own name
// and version fields win over its key, which for tarball, git and file:
// entries is a URL; a file: or link: entry without a version is a
// workspace folder, not a package. Development dependencies are marked:
// v5 and v6 say "dev: true"; for v9 they are the packages reachable only
// from the importers' devDependencies.
func parsePnpmLock(f *catalog.File) ([]sbom.Package, error) {
	// Node trees, walked here: decoding into a map would run the YAML
	// library's quadratic duplicate-key check over every package.
	docs, err := yamldoc.Parse(f.Path, f.Content)
	if err != nil {
		return nil, err
	}
	var out []sbom.Package
	var skipped catalog.Skipped
	for _, doc := range docs {
		root := doc
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if root.Kind != yaml.MappingNode || pnpmOwn(root) {
			continue
		}
		pkgs := yamlpath.Get(root, "packages")
		if pkgs == nil || pkgs.Kind != yaml.MappingNode {
			continue
		}
		devOnly := pnpm9Dev(root)
		type entry struct {
			key, name, version string
			dev                bool
		}
		var entries []entry
		for i := 0; i+1 < len(pkgs.Content); i += 2 {
			k, v := pkgs.Content[i], pkgs.Content[i+1]
			name, version := pnpmKey(k.Value)
			if n := scalarOf(yamlpath.Get(v, "name")); n != "" {
				name = n
			}
			if ver := scalarOf(yamlpath.Get(v, "version")); ver != "" {
				version = ver
			} else if strings.Contains(version, ":") || strings.Contains(version, "/") {
				continue // a workspace folder (file:, link:) or a URL without a version
			}
			if name == "" || version == "" {
				skipped.Add(k.Line, k.Value, errors.New("no package name and version in the key or the entry"))
				continue
			}
			dev := scalarOf(yamlpath.Get(v, "dev")) == "true"
			if devOnly != nil {
				dev = devOnly[strings.TrimPrefix(k.Value, "/")]
			}
			entries = append(entries, entry{k.Value, name, version, dev})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
		for _, e := range entries {
			out = append(out, sbom.Package{Name: e.name, Version: e.version, Type: sbom.TypeNPM, Dev: e.dev, Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, skipped.Err()
}

// pnpmOwn reports whether a document is pnpm's own: importers that only
// hold packageManagerDependencies or configDependencies.
func pnpmOwn(root *yaml.Node) bool {
	imp := yamlpath.Get(root, "importers")
	if imp == nil || imp.Kind != yaml.MappingNode || len(imp.Content) == 0 {
		return false
	}
	own := false
	for i := 1; i < len(imp.Content); i += 2 {
		m := imp.Content[i]
		for _, k := range []string{"dependencies", "devDependencies", "optionalDependencies"} {
			if yamlpath.Get(m, k) != nil {
				return false
			}
		}
		if yamlpath.Get(m, "packageManagerDependencies") != nil {
			own = true
		}
	}
	return own
}

// pnpm9Dev returns, for a lockfile with "snapshots" (v9), which package keys
// are development dependencies: reachable from an importer's
// devDependencies and not from its dependencies or optionalDependencies.
// It returns nil for older lockfiles, which mark dev themselves.
func pnpm9Dev(root *yaml.Node) map[string]bool {
	snaps := yamlpath.Get(root, "snapshots")
	imp := yamlpath.Get(root, "importers")
	if snaps == nil || snaps.Kind != yaml.MappingNode || imp == nil {
		return nil
	}
	graph := map[string][]string{} // snapshot key -> snapshot keys it depends on
	for i := 0; i+1 < len(snaps.Content); i += 2 {
		k := snaps.Content[i].Value
		for _, field := range []string{"dependencies", "optionalDependencies"} {
			deps := yamlpath.Get(snaps.Content[i+1], field)
			if deps == nil || deps.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(deps.Content); j += 2 {
				graph[k] = append(graph[k], deps.Content[j].Value+"@"+deps.Content[j+1].Value)
			}
		}
	}
	reach := func(seeds []string) map[string]bool {
		seen := map[string]bool{}
		for len(seeds) > 0 {
			k := seeds[len(seeds)-1]
			seeds = seeds[:len(seeds)-1]
			if seen[k] {
				continue
			}
			seen[k] = true
			seeds = append(seeds, graph[k]...)
		}
		return seen
	}
	var prod, dev []string
	for i := 1; i < len(imp.Content); i += 2 {
		for _, field := range []string{"dependencies", "optionalDependencies", "devDependencies"} {
			deps := yamlpath.Get(imp.Content[i], field)
			if deps == nil || deps.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(deps.Content); j += 2 {
				key := deps.Content[j].Value + "@" + scalarOf(yamlpath.Get(deps.Content[j+1], "version"))
				if field == "devDependencies" {
					dev = append(dev, key)
				} else {
					prod = append(prod, key)
				}
			}
		}
	}
	p, d := reach(prod), reach(dev)
	out := map[string]bool{}
	for k := range d {
		if !p[k] {
			out[stripPeers(k)] = true
		}
	}
	return out
}

// stripPeers turns a snapshot key ("debug@4.3.4(supports-color@8.1.1)")
// into its package key ("debug@4.3.4").
func stripPeers(k string) string {
	if i := strings.Index(k, "("); i > 0 {
		return k[:i]
	}
	return k
}

func scalarOf(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func pnpmKey(k string) (string, string) {
	k = strings.TrimPrefix(k, "/")
	if k == "" {
		return "", ""
	}
	// v5: name/version or @scope/name/version, peers after '_'.
	if i := strings.LastIndex(k, "/"); i > 0 && i+1 < len(k) && k[i+1] >= '0' && k[i+1] <= '9' && !strings.Contains(k[1:i], "@") {
		version := k[i+1:]
		if j := strings.Index(version, "_"); j > 0 {
			version = version[:j]
		}
		return k[:i], version
	}
	if i := strings.Index(k, "("); i > 0 {
		k = k[:i] // peer dependencies (v6+)
	}
	at := strings.Index(k[1:], "@") + 1 // a scope's '@' comes first
	if at <= 0 {
		return "", ""
	}
	return k[:at], k[at+1:]
}
