// Package apk catalogs Alpine packages from apk's database,
// /lib/apk/db/installed.
package apk

import (
	"errors"
	"io/fs"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "apk"

// DBPath is apk's installed-package database.
const DBPath = "lib/apk/db/installed"

type cataloger struct{}

// New returns the apk cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

func (cataloger) Wants(path string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && path == DBPath
}

// Catalog parses the database: one block of "K:value" lines per package,
// blocks separated by blank lines (apk's own format, see apk-tools'
// database.c). A block without P: or V:, or a line that is not K:value,
// is skipped with its line number and every other package is kept, as apk
// itself keeps reading. Lines have no length limit: the file is in memory.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	var p *sbom.Package
	dir, start := "", 0
	flush := func() {
		if p == nil {
			return
		}
		switch {
		case p.Name == "":
			skipped.Add(start, "", errors.New("package without P:"))
		case p.Version == "":
			skipped.Add(start, p.Name, errors.New("package without V:"))
		default:
			p.Locations = []sbom.Location{{Path: f.Path}}
			out = append(out, *p)
		}
		p, dir = nil, ""
	}
	for n, line := range catalog.Lines(f.Content) {
		if len(line) == 0 {
			flush()
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			skipped.Add(n, "", errors.New("not a K:value line"))
			continue
		}
		if p == nil {
			p = &sbom.Package{Type: sbom.TypeAPK}
			start = n
		}
		v := string(line[2:])
		switch line[0] {
		case 'P':
			p.Name = v
		case 'V':
			p.Version = v
		case 'A':
			p.Arch = v
		case 'L':
			if v != "" {
				p.Licenses = []string{v} // an SPDX expression ("GPL-2.0-only AND MIT")
			}
		case 'o':
			p.SourceName = v
		case 'F':
			dir = v
		case 'R':
			if dir != "" {
				p.Files = append(p.Files, dir+"/"+v)
			} else {
				p.Files = append(p.Files, v)
			}
		}
	}
	flush()
	for i := range out {
		if out[i].SourceName == out[i].Name {
			out[i].SourceName = ""
		}
		if out[i].SourceName != "" {
			out[i].SourceVersion = out[i].Version
		}
	}
	return out, skipped.Err()
}
