// Package rpm catalogs RPM packages from the rpm database in all three of
// its formats: Berkeley DB (/var/lib/rpm/Packages), NDB
// (/var/lib/rpm/Packages.db, SUSE) and SQLite (/var/lib/rpm/rpmdb.sqlite,
// rpm 4.16+: Fedora, RHEL 9, CBL-Mariner). The databases are read from
// memory; nothing is written to disk.
//
// github.com/knqyf263/go-rpmdb, the usual library for this, is only served
// by the Go module proxy at its 2021 version, which reads Berkeley DB alone
// and only from a file path; so the three formats are read here.
package rpm

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "rpm"

type cataloger struct{}

// New returns the rpm cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 1 }

// dbNames are the database files, in /var/lib/rpm or /usr/lib/sysimage/rpm.
var dbNames = map[string]bool{"Packages": true, "Packages.db": true, "rpmdb.sqlite": true}

func (cataloger) Wants(p string, size int64, mode fs.FileMode) bool {
	dir, base := path.Split(p)
	return mode.IsRegular() && size > 0 && dbNames[base] &&
		(dir == "var/lib/rpm/" || dir == "usr/lib/sysimage/rpm/" || strings.HasSuffix(dir, "/var/lib/rpm/"))
}

func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var blobs [][]byte
	var err error
	switch b := f.Content; {
	case isSQLite(b):
		blobs, err = readSQLite(b)
	case isNDB(b):
		blobs, err = readNDB(b)
	case isBDB(b):
		blobs, err = readBDB(b)
	default:
		return nil, fmt.Errorf("not an rpm database (Berkeley DB, NDB or SQLite)")
	}
	out, skipped := packages(f.Path, blobs)
	if err != nil {
		// The database's own structure broke part way: what was read
		// before stands, and the file is named with the reason.
		return out, err
	}
	return out, skipped.Err()
}

// packages makes packages of header blobs. A header that does not parse
// costs that package only (one entry of the returned list each).
func packages(loc string, blobs [][]byte) ([]sbom.Package, catalog.Skipped) {
	var out []sbom.Package
	var skipped catalog.Skipped
	for i, blob := range blobs {
		h, err := parseHeader(blob)
		if err != nil {
			skipped.Add(0, fmt.Sprintf("package %d", i+1), err)
			continue
		}
		p, ok := toPackage(h)
		if !ok {
			continue
		}
		p.Locations = []sbom.Location{{Path: loc}}
		out = append(out, p)
	}
	return out, skipped
}

// toPackage makes a package of a header. gpg-pubkey entries are keys
// imported into the database, not software.
func toPackage(h *header) (sbom.Package, bool) {
	name, ver, rel := h.str(tagName), h.str(tagVersion), h.str(tagRelease)
	if name == "" || ver == "" || name == "gpg-pubkey" {
		return sbom.Package{}, false
	}
	version := ver
	if rel != "" {
		version += "-" + rel
	}
	epoch, hasEpoch := h.int(tagEpoch)
	if hasEpoch && epoch > 0 {
		version = strconv.Itoa(epoch) + ":" + version
	}
	p := sbom.Package{Name: name, Version: version, Type: sbom.TypeRPM, Arch: h.str(tagArch)}
	if l := h.str(tagLicense); l != "" {
		p.Licenses = []string{l}
	}
	if src := h.str(tagSourceRPM); src != "" {
		if n, v, ok := splitSourceRPM(src); ok {
			p.SourceName, p.SourceVersion = n, v
		}
	}
	if m := h.str(tagModularity); m != "" {
		p.Extra = map[string]string{"modularitylabel": m}
	}
	return p, true
}

// splitSourceRPM reads "bash-4.4-19.6.1.src.rpm" as name "bash" and
// version-release "4.4-19.6.1".
func splitSourceRPM(s string) (string, string, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, ".rpm"), ".src")
	s = strings.TrimSuffix(s, ".nosrc")
	r := strings.LastIndex(s, "-")
	if r <= 0 {
		return "", "", false
	}
	v := strings.LastIndex(s[:r], "-")
	if v <= 0 {
		return "", "", false
	}
	return s[:v], s[v+1:], true
}
