package npm

import (
	"bufio"
	"bytes"
	"strings"

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
