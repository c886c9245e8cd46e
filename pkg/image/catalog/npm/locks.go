package npm

import (
	"fmt"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// nameOfSpec returns the package name of a yarn descriptor
// ("@babel/core@^7.0.0", "lodash@npm:^4.17.15"). An npm alias
// ("foo-debug@npm:debug@^4.3", "foo@npm:@types/x@1") names the real
// package after "npm:", which is what advisories are written for.
func nameOfSpec(spec string) string {
	spec = strings.Trim(strings.TrimSpace(spec), `"`)
	if i := strings.Index(spec[min(1, len(spec)):], "@npm:"); i >= 0 {
		rest := spec[i+1+len("@npm:"):]
		if rest != "" && (rest[0] == '@' || rest[0] >= 'a' && rest[0] <= 'z' || rest[0] >= 'A' && rest[0] <= 'Z') && !strings.HasPrefix(rest, "latest") {
			return nameOfSpec(rest)
		}
	}
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

// yarnProtocols are the descriptor protocols whose entries are packages.
var yarnProtocols = map[string]bool{"npm": true, "git": true, "git+ssh": true, "git+https": true, "git+http": true,
	"github": true, "gitlab": true, "bitbucket": true, "http": true, "https": true, "exec": true, "tarball": true}

// protocolOf returns the protocol of a yarn descriptor ("fsevents@patch:…"
// is "patch"), or "" for a plain range.
func protocolOf(spec string) string {
	spec = strings.Trim(strings.TrimSpace(spec), `"`)
	at := strings.Index(spec[min(1, len(spec)):], "@")
	if at < 0 {
		return ""
	}
	rest := spec[at+2:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return ""
	}
	for _, r := range rest[:i] {
		if !(r >= 'a' && r <= 'z' || r == '+') {
			return ""
		}
	}
	return rest[:i]
}

// parseYarnLock reads yarn.lock, both the v1 format ("version \"1.2.3\"")
// and Berry's YAML-like one ("version: 1.2.3"). Each entry's first
// descriptor names the package; workspace and link entries are the project.
func parseYarnLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	var name, version string
	skip := false
	workspace := "" // a Berry workspace entry's folder
	flush := func() {
		switch {
		case workspace != "" && workspace != "." && name != "" && version != "":
			// A workspace member: its version is its package.json's, which
			// Refine reads (the lock says 0.0.0-use.local).
			out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Root: true, Locations: []sbom.Location{{Path: f.Path}},
				Files: []string{path.Join(path.Dir(f.Path), workspace, "package.json")}})
		case name != "" && version != "" && !skip && name != "__metadata":
			out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNPM, Locations: []sbom.Location{{Path: f.Path}}})
		}
		name, version, skip, workspace = "", "", false, ""
	}
	for n, raw := range catalog.Lines(f.Content) {
		l := strings.TrimRight(string(raw), "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l[0] != ' ' {
			flush()
			first := strings.SplitN(strings.TrimSuffix(l, ":"), ",", 2)[0]
			name = nameOfSpec(first)
			switch proto := protocolOf(first); {
			case proto == "workspace":
				skip = true // the project and its members, read by Refine
				first := strings.Trim(strings.TrimSpace(first), `"`)
				workspace = first[strings.Index(first, "@workspace:")+len("@workspace:"):]
			case proto == "link" || proto == "file" || proto == "portal":
				skip = true // local folders
			case proto == "patch":
				skip = true // a patched copy of a package whose own entry is listed too
			case proto != "" && !yarnProtocols[proto]:
				skip = true
				skipped.Add(n, name, fmt.Errorf("unknown protocol %q", proto))
			}
			continue
		}
		t := strings.TrimSpace(l)
		// yarn v1 may quote keys too: "version" "3.6.0".
		if rest, ok := strings.CutPrefix(t, `"version" `); ok {
			t = "version " + rest
		}
		if v, ok := strings.CutPrefix(t, "version "); ok && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			version = strings.Trim(v, `"`)
		} else if v, ok := strings.CutPrefix(t, "version: "); ok && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			version = strings.Trim(v, `"`)
		}
	}
	flush()
	return out, skipped.Err()
}
