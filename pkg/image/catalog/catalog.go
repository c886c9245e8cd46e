// Package catalog defines what an ecosystem cataloger is: a name, a
// version, which paths it wants (a cheap string check the walker makes for
// every file of every layer), and what it makes of one file's content. The
// walker owns all I/O; a cataloger never opens anything itself. Each
// ecosystem lives in its own package under catalog/, and
// catalog/catalogers lists them all.
package catalog

import (
	"io/fs"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// File is a file the walker hands a cataloger.
type File struct {
	// Path is slash-separated and relative to the image root, without a
	// leading slash ("lib/apk/db/installed").
	Path string
	Mode fs.FileMode
	// Content is the whole file. It is valid only during the Catalog call.
	Content []byte
}

// Cataloger finds packages of one ecosystem.
type Cataloger interface {
	// Name identifies the cataloger in caches and errors ("apk", "dpkg").
	Name() string
	// Version changes whenever the cataloger's output for the same input
	// changes; it is part of the per-layer cache key.
	Version() int
	// Wants reports whether the file at path (size bytes, mode) is one the
	// cataloger reads. It is called for every file and must be cheap.
	Wants(path string, size int64, mode fs.FileMode) bool
	// Catalog returns the packages in one file. Errors are recorded for
	// the file and the scan goes on.
	Catalog(f *File) ([]sbom.Package, error)
}

// Refiner is implemented by catalogers whose results depend on other files
// of the final view: npm drops a lockfile's packages when the installed
// node_modules tree beside it was cataloged. Refine gets the packages the
// cataloger found (FoundBy) and reports what is visible in the view.
type Refiner interface {
	Refine(pkgs []sbom.Package, exists func(path string) bool) []sbom.Package
}
