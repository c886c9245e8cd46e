package python

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// isLock reports whether base names a Python lockfile or requirements file.
func isLock(base string) bool {
	switch base {
	case "poetry.lock", "Pipfile.lock", "uv.lock":
		return true
	}
	return strings.HasPrefix(base, "requirements") && strings.HasSuffix(base, ".txt")
}

func parseLock(f *catalog.File) ([]sbom.Package, error) {
	switch path.Base(f.Path) {
	case "Pipfile.lock":
		return pipfileLock(f)
	case "poetry.lock", "uv.lock":
		return tomlPackages(f)
	}
	return requirements(f)
}

// pinned matches a requirement pinned to one version: "name==1.2.3",
// "name[extra] === 1.2.3 ; python_version < '3.12'".
var pinned = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;,#\\]+)`)

// requirements reads pinned lines of a requirements file. Ranges name no
// version that is installed, so they are left out; so are includes (-r),
// options and URLs.
func requirements(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if m := pinned.FindStringSubmatch(l); m != nil && !strings.Contains(m[3], "*") {
			out = append(out, sbom.Package{Name: m[1], Version: m[3], Type: sbom.TypePyPI, Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, sc.Err()
}

func pipfileLock(f *catalog.File) ([]sbom.Package, error) {
	var lock map[string]json.RawMessage
	if err := json.Unmarshal(f.Content, &lock); err != nil {
		return nil, fmt.Errorf("Pipfile.lock: %w", err)
	}
	var out []sbom.Package
	for _, section := range []string{"default", "develop"} {
		var deps map[string]struct {
			Version string `json:"version"`
		}
		if raw, ok := lock[section]; !ok || json.Unmarshal(raw, &deps) != nil {
			continue
		}
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := strings.TrimPrefix(deps[n].Version, "==")
			if n == "" || v == "" || strings.ContainsAny(v, "<>=*,") {
				continue
			}
			out = append(out, sbom.Package{Name: n, Version: v, Type: sbom.TypePyPI, Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, nil
}

// tomlPackages reads the [[package]] tables of poetry.lock and uv.lock;
// only name and version are needed. uv marks the project itself with an
// editable or virtual source.
func tomlPackages(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var name, version string
	local, inPkg := false, false
	flush := func() {
		if inPkg && name != "" && version != "" && !local {
			out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypePyPI, Locations: []sbom.Location{{Path: f.Path}}})
		}
		name, version, local = "", "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			if strings.HasPrefix(l, "[[package]]") || !strings.HasPrefix(l, "[package.") {
				flush()
				inPkg = l == "[[package]]"
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || !inPkg {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "name":
			name = strings.Trim(v, `"'`)
		case "version":
			version = strings.Trim(v, `"'`)
		case "source":
			local = strings.Contains(v, "editable") || strings.Contains(v, "virtual") || strings.Contains(v, "directory")
		}
	}
	flush()
	return out, sc.Err()
}
