// Package sbom holds the inventory of an image or directory: its operating
// system and every package found in it, with where each was found. The
// catalogers fill it, the vulnerability matcher reads it, and the CycloneDX
// and SPDX writers render it.
package sbom

import (
	"cmp"
	"slices"
)

// Package types, as catalogers report them before the ecosystem is known
// (an apk package belongs to "Alpine:v3.20" only once the OS is detected).
const (
	TypeAPK      = "apk"
	TypeDeb      = "deb"
	TypeRPM      = "rpm"
	TypeGoModule = "go-module"
	TypeNPM      = "npm"
	TypePyPI     = "pypi"
	TypeMaven    = "maven"
	TypeGem      = "gem"
	TypeCargo    = "cargo"
	TypeComposer = "composer"
	TypeNuGet    = "nuget"
)

// Location is where a package was found: a layer (by diff ID) and a path.
type Location struct {
	Layer string `json:"layer,omitempty"`
	Path  string `json:"path"`
}

// Package is one installed package.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Type is the package format (apk, deb, npm ...).
	Type string `json:"type"`
	// Ecosystem is the OSV ecosystem name ("Alpine:v3.20", "Debian:12",
	// "npm"), set once the operating system is known.
	Ecosystem string   `json:"ecosystem,omitempty"`
	PURL      string   `json:"purl,omitempty"`
	Licenses  []string `json:"licenses,omitempty"`
	// SourceName and SourceVersion name the source package where it differs
	// (Debian and Alpine advisories are keyed by source package).
	SourceName    string     `json:"sourceName,omitempty"`
	SourceVersion string     `json:"sourceVersion,omitempty"`
	Arch          string     `json:"arch,omitempty"`
	Locations     []Location `json:"locations"`
	// Extra holds format-specific facts (an rpm's modularity label).
	Extra map[string]string `json:"extra,omitempty"`
	// Dev marks a development dependency (npm and pnpm dev, Pipfile
	// develop, composer packages-dev): listed in SBOMs, left out of
	// vulnerability findings unless asked for (--include-dev), as Trivy and
	// Syft do.
	Dev bool `json:"dev,omitempty"`
	// Root marks the project itself or one of its workspace members (a
	// .NET project, a lockfile's root): first-party code, listed in SBOMs
	// and left out of vulnerability matching, since its name is the
	// author's and not a published package's.
	Root bool `json:"root,omitempty"`
	// Unpinned marks a version that is the lower bound of a range the file
	// allows (a requirements line "keyring >= 4.1.1"), not a version known
	// to be installed: listed, and matched only when asked for (scan
	// --detection-priority comprehensive, Trivy's flag for the same), since
	// the advisories of the oldest allowed release may not apply.
	Unpinned bool `json:"unpinned,omitempty"`
	// FoundBy names the cataloger that found the package.
	FoundBy string `json:"foundBy,omitempty"`
	// Files lists files the package owns (OS packages), or, for a lockfile
	// entry, the package.json it installs (npm decides per path between
	// the lockfile and the installed tree); not part of reports.
	Files []string `json:"-"`
}

// OS is the operating system of an image.
type OS struct {
	// ID is os-release's ID ("alpine", "debian", "ubuntu").
	ID       string `json:"id"`
	Version  string `json:"version"`
	Codename string `json:"codename,omitempty"`
	Name     string `json:"name,omitempty"`
	// Libc is "musl" or "glibc", by the dynamic loader actually present.
	Libc string `json:"libc,omitempty"`
	// Distroless is true when the image has a package database but no
	// package manager (Google's distroless images).
	Distroless bool `json:"distroless,omitempty"`
}

// Inventory is what was found in a target.
type Inventory struct {
	OS       *OS       `json:"os,omitempty"`
	Packages []Package `json:"packages"`
}

// Sort orders packages by ecosystem, name, version and first location, so
// outputs are stable.
func (inv *Inventory) Sort() {
	slices.SortFunc(inv.Packages, func(a, b Package) int {
		return cmp.Or(
			cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version),
			cmp.Compare(firstPath(a), firstPath(b)),
		)
	})
}

func firstPath(p Package) string {
	if len(p.Locations) == 0 {
		return ""
	}
	return p.Locations[0].Path
}
