package npm

import (
	"bufio"
	"bytes"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"go.yaml.in/yaml/v3"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// nameOfSpec returns the package name of a yarn descriptor
// ("@babel/core@^7.0.0", "lodash@npm:^4.17.15").
func nameOfSpec(spec string) string {
	spec = strings.Trim(strings.TrimSpace(spec), `"`)
	at := strings.LastIndex(spec, "@")
	if at <= 0 {
		return spec
	}
	// "@scope/name@npm:1" has its version marker after the scope's '@'.
	if i := strings.Index(spec[1:], "@"); i >= 0 {
		return spec[:i+1]
	}
	return spec[:at]
}

// parseYarnLock reads yarn.lock, both the v1 format ("version \"1.2.3\"")
// and Berry's YAML-like one ("version: 1.2.3"). Each entry's first
// descriptor names the package; workspace and link entries are the project.
func parseYarnLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var name, version string
	skip := false
	flush := func() {
		if name != "" && version != "" && !skip && name != "__metadata" {
			out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Locations: []sbom.Location{{Path: f.Path}}})
		}
		name, version, skip = "", "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l[0] != ' ' {
			flush()
			first := strings.SplitN(strings.TrimSuffix(l, ":"), ",", 2)[0]
			name = nameOfSpec(first)
			if strings.Contains(first, "@workspace:") || strings.Contains(first, "@link:") || strings.Contains(first, "@file:") || strings.Contains(first, "@portal:") {
				skip = true
			}
			continue
		}
		t := strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(t, "version "); ok && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			version = strings.Trim(v, `"`)
		} else if v, ok := strings.CutPrefix(t, "version: "); ok && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			version = strings.Trim(v, `"`)
		}
	}
	flush()
	return out, sc.Err()
}

// parsePnpmLock reads pnpm-lock.yaml's "packages" keys, in the forms of
// lockfile versions 5 ("/name/1.2.3_peer"), 6 ("/name@1.2.3(peer)") and 9
// ("name@1.2.3").
func parsePnpmLock(f *catalog.File) ([]sbom.Package, error) {
	// Node trees, walked here: decoding into a map would run the YAML
	// library's quadratic duplicate-key check over every package.
	docs, err := yamldoc.Parse(f.Path, f.Content)
	if err != nil {
		return nil, err
	}
	var keys []string
	if len(docs) > 0 {
		if pkgs, ok := yamlpath.Find(docs[0], "packages"); ok && pkgs.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(pkgs.Content); i += 2 {
				keys = append(keys, pkgs.Content[i].Value)
			}
		}
	}
	sort.Strings(keys)
	var out []sbom.Package
	for _, k := range keys {
		name, version := pnpmKey(k)
		if name == "" || version == "" {
			continue
		}
		out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Locations: []sbom.Location{{Path: f.Path}}})
	}
	return out, nil
}

func pnpmKey(k string) (string, string) {
	k = strings.TrimPrefix(k, "/")
	// v5: name/version or @scope/name/version, peers after '_'.
	if i := strings.LastIndex(k, "/"); i > 0 && i+1 < len(k) && k[i+1] >= '0' && k[i+1] <= '9' {
		version := k[i+1:]
		if j := strings.Index(version, "_"); j > 0 {
			version = version[:j]
		}
		return k[:i], version
	}
	if i := strings.Index(k, "("); i > 0 {
		k = k[:i] // peer dependencies (v6+)
	}
	at := strings.LastIndex(k, "@")
	if at <= 0 {
		return "", ""
	}
	return k[:at], k[at+1:]
}
