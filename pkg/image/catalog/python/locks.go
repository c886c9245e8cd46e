package python

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// isLock reports whether base names a Python lockfile or requirements file.
func isLock(base string) bool {
	switch base {
	case "poetry.lock", "Pipfile.lock", "uv.lock", "pylock.toml":
		return true
	}
	// PEP 751 names more than one lock pylock.NAME.toml.
	if strings.HasPrefix(base, "pylock.") && strings.HasSuffix(base, ".toml") {
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
	if strings.HasPrefix(path.Base(f.Path), "pylock.") {
		return tomlPackages(f)
	}
	return requirements(f)
}

// requirement splits a requirements line: a name, optional extras, and the
// version specifiers before any environment marker or comment.
var requirement = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)`)

// specifier is one clause of a version specifier ("~=1.1", ">= 4.1.1").
var specifier = regexp.MustCompile(`^\s*(===|==|~=|>=|!=|<=|<|>)\s*([^\s,]+)\s*$`)

// requirements reads a requirements file. A pinned line (==, ===) names its
// version. A range names no version known to be installed: it is listed
// with its lower bound, marked Unpinned (matched only with scan
// --detection-priority comprehensive, as Trivy reads ranges with the same
// flag), so the SBOM still names the package. Includes (-r), options and
// URLs are left out; per-requirement options (--hash) are ignored. UTF-16
// files (PowerShell's `pip freeze >` writes them) are decoded first.
func requirements(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	for _, l := range strings.Split(decodeText(f.Content), "\n") {
		l = strings.TrimSpace(l)
		m := requirement.FindStringSubmatch(l)
		if m == nil || strings.HasPrefix(l, "-") {
			continue
		}
		specs := m[3]
		if i := strings.Index(specs, " --"); i >= 0 {
			specs = specs[:i] // --hash=... options
		}
		specs = strings.TrimSuffix(strings.TrimSpace(specs), "\\")
		if v := versionOf(specs); v != "" {
			out = append(out, sbom.Package{Name: m[1], Version: v, Type: sbom.TypePyPI, Locations: []sbom.Location{{Path: f.Path}}})
		} else if v := minimumOf(specs); v != "" {
			out = append(out, sbom.Package{Name: m[1], Version: v, Type: sbom.TypePyPI, Unpinned: true, Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, nil
}

// versionOf returns the version an exact pin names ("==1.2", "===1.2"),
// or "" for a range or a wildcard.
func versionOf(specs string) string {
	for _, c := range strings.Split(specs, ",") {
		m := specifier.FindStringSubmatch(c)
		if m != nil && (m[1] == "==" || m[1] == "===") && !strings.Contains(m[2], "*") {
			return m[2]
		}
	}
	return ""
}

// minimumOf returns the lowest version a range allows: the bound of ">="
// or "~=", else a trailing wildcard's prefix ("==2.0.*" allows 2.0.0 and
// up). Other wildcards ("==4.*.1") and ranges with only upper bounds or
// exclusions name no lowest release: "".
func minimumOf(specs string) string {
	wild := ""
	for _, c := range strings.Split(specs, ",") {
		m := specifier.FindStringSubmatch(c)
		switch {
		case m == nil:
		case m[1] == ">=" || m[1] == "~=":
			return m[2]
		case m[1] == "==" && strings.HasSuffix(m[2], ".*") && !strings.Contains(strings.TrimSuffix(m[2], ".*"), "*"):
			wild = strings.TrimSuffix(m[2], ".*") + ".0"
		}
	}
	return wild
}

// decodeText returns a text file's content as UTF-8: UTF-16 with a byte
// order mark, or little-endian without one (a NUL second byte), is
// decoded; a UTF-8 byte order mark is dropped; CRLF becomes LF.
func decodeText(b []byte) string {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		order, b = binary.LittleEndian, b[2:]
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		order, b = binary.BigEndian, b[2:]
	case len(b) >= 2 && b[0] != 0 && b[1] == 0:
		order = binary.LittleEndian
	}
	var s string
	if order != nil {
		// Decoded pair by pair into the one string: code units, then
		// runes, then the string were three copies, and 250 MB of
		// sparse zeros became 1.4 GB (issue 13, item 10).
		var sb strings.Builder
		sb.Grow(len(b) / 2)
		for i := 0; i+1 < len(b); i += 2 {
			r := rune(order.Uint16(b[i:]))
			if utf16.IsSurrogate(r) && i+3 < len(b) {
				if r2 := utf16.DecodeRune(r, rune(order.Uint16(b[i+2:]))); r2 != utf8.RuneError {
					r = r2
					i += 2
				}
			}
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		}
		s = sb.String()
	} else {
		s = string(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// pipfileLock reads Pipfile.lock's "default" and "develop" sections (the
// latter marked Dev), entry by entry: an entry of the wrong shape costs that
// entry only.
func pipfileLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	for _, section := range []string{"default", "develop"} {
		entries, err := catalog.JSONEntries(f.Content, section)
		if err != nil {
			return out, fmt.Errorf("Pipfile.lock: %w", err)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Key < entries[j].Key })
		for _, e := range entries {
			var dep struct {
				Version string `json:"version"`
			}
			if err := json.Unmarshal(e.Raw, &dep); err != nil {
				skipped.Add(e.Line, e.Key, err)
				continue
			}
			v := strings.TrimPrefix(dep.Version, "==")
			if e.Key == "" || v == "" || strings.ContainsAny(v, "<>=*,") {
				continue
			}
			out = append(out, sbom.Package{Name: e.Key, Version: v, Type: sbom.TypePyPI, Dev: section == "develop", Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, skipped.Err()
}

// tomlPackages reads the [[package]] tables of poetry.lock and uv.lock and
// the [[packages]] tables of pylock.toml; only name and version are needed.
func tomlPackages(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var name, version string
	local, inPkg, inSub := false, false, false
	flush := func() {
		if inPkg && name != "" && version != "" {
			// uv marks the project itself (and workspace members) with an
			// editable, virtual or directory source: listed as Root.
			out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypePyPI, Root: local, Locations: []sbom.Location{{Path: f.Path}}})
		}
		name, version, local = "", "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			// poetry.lock and uv.lock: [[package]]; pylock.toml (PEP 751):
			// [[packages]]. Sub-tables ([package.x], [[packages.wheels]])
			// belong to the package above.
			if l == "[[package]]" || l == "[[packages]]" || !(strings.HasPrefix(l, "[package.") || strings.HasPrefix(l, "[[package.") || strings.HasPrefix(l, "[packages.") || strings.HasPrefix(l, "[[packages.")) {
				flush()
				inPkg = l == "[[package]]" || l == "[[packages]]"
				inSub = false
			} else {
				inSub = true // keys of a sub-table (a wheel's name) are not the package's
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || !inPkg || inSub {
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
