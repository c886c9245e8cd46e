// Package dpkg catalogs Debian and Ubuntu packages from dpkg's status
// database, /var/lib/dpkg/status, and from distroless images' per-package
// files under /var/lib/dpkg/status.d/.
package dpkg

import (
	"bytes"
	"errors"
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
func (cataloger) Version() int { return 2 }

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
// configuration files remain are not installed. A stanza without Package or
// Version is skipped with its line number and every other one is kept, as
// dpkg-query keeps reading.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	for _, st := range stanzas(f.Content) {
		fields := st.fields
		if len(fields) == 0 {
			continue
		}
		if status, ok := fields["Status"]; ok && !strings.HasSuffix(status, " installed") {
			continue
		}
		p := sbom.Package{Type: sbom.TypeDeb, Name: fields["Package"], Version: fields["Version"], Arch: fields["Architecture"]}
		if p.Name == "" || p.Version == "" {
			what := "no Package field"
			if p.Name != "" {
				what = "no Version field"
			}
			skipped.Add(st.line, p.Name, errors.New(what))
			continue
		}
		if err := checkVersion(p.Version); err != nil {
			skipped.Add(st.line, p.Name, err)
			continue
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
	return out, skipped.Err()
}

type stanza struct {
	line   int // where it starts, 1-based
	fields map[string]string
}

// stanzas splits a control file into stanzas of "Field: value" lines;
// continuation lines (which start with a space or tab) are folded into the
// previous field. Linear in the input: continuation lines are collected
// and joined once, never appended to a growing string.
func stanzas(b []byte) []stanza {
	var out []stanza
	var cur *stanza
	last := ""
	var cont []string
	end := func() {
		if last != "" && len(cont) > 0 {
			cur.fields[last] += "\n" + strings.Join(cont, "\n")
		}
		last, cont = "", cont[:0]
	}
	for n, line := range catalog.Lines(b) {
		if len(bytes.TrimSpace(line)) == 0 && (len(line) == 0 || cur == nil || last == "") {
			if cur != nil {
				end()
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != nil && last != "" {
				cont = append(cont, strings.TrimSpace(string(line)))
			}
			continue
		}
		if cur == nil {
			cur = &stanza{line: n, fields: map[string]string{}}
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok {
			continue
		}
		end()
		last = k
		cur.fields[k] = strings.TrimSpace(v)
	}
	if cur != nil {
		end()
		out = append(out, *cur)
	}
	return out
}

// checkVersion checks a version's syntax as deb-version(7) defines it
// ([epoch:]upstream[-revision]; upstream starts with a digit), so that a
// damaged stanza is reported instead of listed with a version no
// comparator can order.
func checkVersion(v string) error {
	upstream := v
	if e, rest, ok := strings.Cut(v, ":"); ok {
		if e == "" || strings.Trim(e, "0123456789") != "" {
			return fmt.Errorf("version %q: epoch is not a number", v)
		}
		upstream = rest
	}
	revision := ""
	if i := strings.LastIndexByte(upstream, '-'); i >= 0 {
		upstream, revision = upstream[:i], upstream[i+1:]
	}
	if upstream == "" || upstream[0] < '0' || upstream[0] > '9' {
		return fmt.Errorf("version %q: does not start with a digit", v)
	}
	for _, part := range []struct{ s, extra string }{{upstream, ".+~-"}, {revision, ".+~"}} {
		for _, r := range part.s {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune(part.extra, r)) {
				return fmt.Errorf("version %q: %q is not allowed in a Debian version", v, r)
			}
		}
	}
	return nil
}
