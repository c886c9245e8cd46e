// Package apk catalogs Alpine packages from apk's database,
// /lib/apk/db/installed.
package apk

import (
	"bufio"
	"bytes"
	"fmt"
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
func (cataloger) Version() int { return 1 }

func (cataloger) Wants(path string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && path == DBPath
}

// Catalog parses the database: one block of "K:value" lines per package,
// blocks separated by blank lines (apk's own format, see apk-tools'
// database.c).
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var p *sbom.Package
	dir := ""
	flush := func(line int) error {
		if p == nil {
			return nil
		}
		if p.Name == "" || p.Version == "" {
			return fmt.Errorf("line %d: package without P: or V:", line)
		}
		p.Locations = []sbom.Location{{Path: f.Path}}
		out = append(out, *p)
		p, dir = nil, ""
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" {
			if err := flush(n); err != nil {
				return out, err
			}
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			return out, fmt.Errorf("line %d: not a K:value line", n)
		}
		if p == nil {
			p = &sbom.Package{Type: sbom.TypeAPK}
		}
		v := line[2:]
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
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("line %d: %w", n+1, err)
	}
	if err := flush(n); err != nil {
		return out, err
	}
	for i := range out {
		if out[i].SourceName == out[i].Name {
			out[i].SourceName = ""
		}
		if out[i].SourceName != "" {
			out[i].SourceVersion = out[i].Version
		}
	}
	return out, nil
}
