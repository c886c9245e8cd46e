// Package python catalogs installed Python distributions from their
// metadata: *.dist-info/METADATA (wheels, pip) and *.egg-info/PKG-INFO or
// a bare *.egg-info file (setuptools, distro packages), wherever they are
// (site-packages, dist-packages, virtualenvs); and, in source trees,
// pinned requirements files, poetry.lock, Pipfile.lock and uv.lock.
package python

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "python"

type cataloger struct{}

// New returns the Python cataloger.
func New() catalog.Cataloger { return cataloger{} }

var (
	_ catalog.Cataloger = cataloger{}
	_ catalog.Refiner   = cataloger{}
)

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 1 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	if !mode.IsRegular() {
		return false
	}
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == "METADATA":
		return strings.HasSuffix(dir, ".dist-info")
	case base == "PKG-INFO":
		// NAME.egg-info/PKG-INFO, and an unzipped egg's NAME.egg/EGG-INFO/PKG-INFO.
		return strings.HasSuffix(dir, ".egg-info") || strings.HasSuffix(dir, ".egg/EGG-INFO")
	case strings.HasSuffix(base, ".egg"):
		return true // a zipped egg: EGG-INFO/PKG-INFO inside
	case isLock(base):
		return !strings.Contains(dir, "site-packages") && !strings.Contains(dir, "dist-packages")
	}
	return strings.HasSuffix(base, ".egg-info") // the single-file form
}

// Catalog reads the metadata headers (core metadata, an email-style header
// block; the description follows the first blank line and is not read).
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	if isLock(path.Base(f.Path)) {
		return parseLock(f)
	}
	if strings.HasSuffix(f.Path, ".egg") {
		return zippedEgg(f)
	}
	var name, version, license string
	var classifiers []string
	sc := bufio.NewScanner(bytes.NewReader(f.Content))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "name":
			name = v
		case "version":
			version = v
		case "license-expression":
			license = v
		case "license":
			if license == "" && v != "" && v != "UNKNOWN" && !strings.Contains(v, "\n") && len(v) < 100 {
				license = v
			}
		case "classifier":
			if l, ok := strings.CutPrefix(v, "License :: OSI Approved :: "); ok {
				classifiers = append(classifiers, l)
			}
		}
	}
	if name == "" || version == "" {
		return nil, nil // not a distribution's metadata (or an unbuilt source tree)
	}
	p := sbom.Package{Name: name, Version: version, Type: sbom.TypePyPI, Locations: []sbom.Location{{Path: f.Path}}}
	if license != "" {
		p.Licenses = []string{license}
	} else {
		p.Licenses = classifiers
	}
	return []sbom.Package{p}, nil
}

// Refine keeps one package where a directory holds the same distribution
// twice (Debian ships both cryptography.egg-info and
// cryptography-38.0.4.dist-info): one install, one package. And where
// installed distributions were found, requirements and lockfiles (what a
// project asks for) yield to them (what is there).
func (cataloger) Refine(pkgs []sbom.Package, _ catalog.View) []sbom.Package {
	type key struct{ dir, name, version string }
	seen := map[key]int{}
	installed := false
	for _, p := range pkgs {
		if len(p.Locations) > 0 && !isLock(path.Base(p.Locations[0].Path)) {
			installed = true
		}
	}
	out := pkgs[:0]
	for _, p := range pkgs {
		if installed && len(p.Locations) > 0 && isLock(path.Base(p.Locations[0].Path)) {
			continue
		}
		dir := ""
		if len(p.Locations) > 0 {
			dir = path.Dir(path.Dir(p.Locations[0].Path))
		}
		k := key{dir, normalize(p.Name), p.Version}
		if i, ok := seen[k]; ok {
			out[i].Locations = append(out[i].Locations, p.Locations...)
			continue
		}
		seen[k] = len(out)
		out = append(out, p)
	}
	return out
}

// normalize is PEP 503's name normalization.
func normalize(n string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(n))
}

// maxEggInfo bounds what is read of a zipped egg's PKG-INFO.
const maxEggInfo = 1 << 20

// zippedEgg reads EGG-INFO/PKG-INFO inside a zipped .egg file.
func zippedEgg(f *catalog.File) ([]sbom.Package, error) {
	zr, err := zip.NewReader(bytes.NewReader(f.Content), int64(len(f.Content)))
	if err != nil {
		return nil, fmt.Errorf("egg: not a zip archive: %w", err)
	}
	for _, zf := range zr.File {
		if zf.Name != "EGG-INFO/PKG-INFO" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("egg: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxEggInfo))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("egg: %w", err)
		}
		return cataloger{}.Catalog(&catalog.File{Path: f.Path + "!/EGG-INFO/PKG-INFO", Mode: f.Mode, Content: b})
	}
	return nil, nil
}
