// Package ruby catalogs Ruby gems: installed ones from the gem
// specifications directory (specifications/NAME-VERSION.gemspec) and
// locked ones from Gemfile.lock.
package ruby

import (
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "ruby"

type cataloger struct{}

// New returns the Ruby cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	if !mode.IsRegular() {
		return false
	}
	dir, base := path.Split(p)
	if base == "Gemfile.lock" {
		return true
	}
	return strings.HasSuffix(base, ".gemspec") && path.Base(strings.TrimSuffix(dir, "/")) == "specifications"
}

// specName splits "rails-html-sanitizer-1.6.0.gemspec" (and platform gems
// such as "nokogiri-1.16.7-x86_64-linux.gemspec") into name and version.
var specName = regexp.MustCompile(`^(.+?)-(\d[^-]*)(-[a-z0-9_]+(-[a-z0-9_]+)*)?\.gemspec$`)

// lockSpec is a gem line under "specs:" in Gemfile.lock: four spaces,
// name, version (with an optional platform) in parentheses.
var lockSpec = regexp.MustCompile(`^    ([^ ]+) \(([^-)]+)(-[^)]*)?\)$`)

func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	loc := []sbom.Location{{Path: f.Path}}
	if path.Base(f.Path) != "Gemfile.lock" {
		// An installed gem's specification file is named after the gem;
		// the name is more reliable than evaluating Ruby source.
		m := specName.FindStringSubmatch(path.Base(f.Path))
		if m == nil {
			return nil, nil
		}
		return []sbom.Package{{Name: m[1], Version: m[2], Type: sbom.TypeGem, Locations: loc}}, nil
	}
	var out []sbom.Package
	inGem := false
	for _, l := range strings.Split(string(f.Content), "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case l == "GEM" || l == "GIT" || l == "PATH":
			// GIT gems are third-party code fetched from a repository, so
			// they are listed; PATH gems are the project's own folders
			// (docs/conformance.md).
			inGem = l == "GEM" || l == "GIT"
		case l != "" && l[0] != ' ':
			inGem = false
		case inGem:
			if m := lockSpec.FindStringSubmatch(l); m != nil {
				out = append(out, sbom.Package{Name: m[1], Version: m[2], Type: sbom.TypeGem, Locations: loc})
			}
		}
	}
	return out, nil
}
