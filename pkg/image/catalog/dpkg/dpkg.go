// Package dpkg catalogs Debian and Ubuntu packages from dpkg's status
// database, /var/lib/dpkg/status, and from distroless images' per-package
// files under /var/lib/dpkg/status.d/.
package dpkg

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "dpkg"

// Paths dpkg's database lives at.
const (
	StatusPath = "var/lib/dpkg/status"
	StatusDir  = "var/lib/dpkg/status.d/"
)

type cataloger struct{}

// New returns the dpkg cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 1 }

func (cataloger) Wants(path string, _ int64, mode fs.FileMode) bool {
	if !mode.IsRegular() {
		return false
	}
	if path == StatusPath {
		return true
	}
	// status.d holds one file per package (and .md5sums beside them).
	rest, ok := strings.CutPrefix(path, StatusDir)
	return ok && rest != "" && !strings.Contains(rest, "/") && !strings.Contains(rest, ".")
}

// Catalog parses RFC 822-style stanzas separated by blank lines (deb-control(5)).
// Only packages whose Status says "installed" count: removed packages whose
// configuration files remain are not installed.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	for i, stanza := range bytes.Split(bytes.ReplaceAll(f.Content, []byte("\r\n"), []byte("\n")), []byte("\n\n")) {
		fields := parseStanza(stanza)
		if len(fields) == 0 {
			continue
		}
		if st, ok := fields["Status"]; ok && !strings.HasSuffix(st, " installed") {
			continue
		}
		p := sbom.Package{Type: sbom.TypeDeb, Name: fields["Package"], Version: fields["Version"], Arch: fields["Architecture"]}
		if p.Name == "" || p.Version == "" {
			return out, fmt.Errorf("stanza %d: no Package or Version field", i+1)
		}
		if src := fields["Source"]; src != "" {
			name, ver, _ := strings.Cut(src, " ")
			p.SourceName = name
			p.SourceVersion = strings.Trim(strings.TrimSpace(ver), "()")
			if p.SourceVersion == "" {
				p.SourceVersion = p.Version
			}
		}
		p.Locations = []sbom.Location{{Path: f.Path}}
		out = append(out, p)
	}
	return out, nil
}

// parseStanza reads "Field: value" lines with continuation lines (which
// start with a space) folded into the previous field.
func parseStanza(b []byte) map[string]string {
	fields := map[string]string{}
	last := ""
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last != "" {
				fields[last] += "\n" + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		last = k
		fields[k] = strings.TrimSpace(v)
	}
	return fields
}
