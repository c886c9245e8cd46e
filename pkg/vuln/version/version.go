// Package version compares package versions the way each ecosystem
// defines, choosing the comparator from the OSV ecosystem name. Each
// ecosystem's rules live in their own package (dpkg, apk, rpm, semver,
// pep440, maven, gem).
package version

import (
	"strings"

	"github.com/bulwarksec/bulwark/pkg/vuln/version/apk"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/dpkg"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/gem"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/maven"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/pep440"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/rpm"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/semver"
)

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than
// b, or an error when either is not a version of the ecosystem.
type Compare func(a, b string) (int, error)

// rpmDistros are OSV ecosystems whose packages are rpms.
var rpmDistros = []string{"Red Hat", "Rocky Linux", "AlmaLinux", "SUSE", "openSUSE", "Mariner", "Azure Linux", "Photon OS", "openEuler"}

// For returns the comparator of an OSV ecosystem ("Debian:12",
// "Alpine:v3.20", "PyPI" ...), or nil for ecosystems it does not know.
func For(ecosystem string) Compare {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "Alpine", "Chainguard", "Wolfi":
		return apk.Compare
	case "Debian", "Ubuntu":
		return dpkg.Compare
	case "Go", "npm", "crates.io", "Hex", "Pub", "SwiftURL":
		return semver.Compare
	case "PyPI":
		return pep440.Compare
	case "Maven":
		return maven.Compare
	case "RubyGems":
		return gem.Compare
	case "NuGet", "Packagist":
		return lenient
	}
	for _, d := range rpmDistros {
		if base == d {
			return rpm.Compare
		}
	}
	return nil
}

// lenient compares NuGet and Packagist versions, which are SemVer-like
// but allow four numbers and a "v" prefix: SemVer where it applies,
// rpm's segment-by-segment order otherwise.
func lenient(a, b string) (int, error) {
	if c, err := semver.Compare(a, b); err == nil {
		return c, nil
	}
	a, b = strings.TrimPrefix(a, "v"), strings.TrimPrefix(b, "v")
	return rpm.Compare(a, b)
}
