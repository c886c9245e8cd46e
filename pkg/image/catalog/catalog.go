// Package catalog defines what an ecosystem cataloger is: a name, a
// version, which paths it wants (a cheap string check the walker makes for
// every file of every layer), and what it makes of one file's content. The
// walker owns all I/O; a cataloger never opens anything itself. Each
// ecosystem lives in its own package under catalog/, and
// catalog/catalogers lists them all.
package catalog

import (
	"bytes"
	"fmt"
	"io/fs"
	"iter"
	"strings"

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
// of the final view: npm drops a lockfile's package where the installed
// node_modules tree has it, or where a later layer deleted it. Refine gets
// the packages the cataloger found (FoundBy) and the view.
type Refiner interface {
	Refine(pkgs []sbom.Package, view View) []sbom.Package
}

// View is what a Refiner may ask of the container's filesystem.
type View interface {
	// Exists reports whether path is visible (links followed).
	Exists(path string) bool
	// Deleted reports whether a lower layer had path and an upper layer
	// deleted it (a whiteout or an opaque directory).
	Deleted(path string) bool
	// Read returns the content of a visible file that a Keeper asked to
	// keep; false for any other file.
	Read(path string) ([]byte, bool)
}

// Keeper is implemented by refiners that read other small files of the
// view (a project's package.json beside its yarn.lock): the walker keeps
// those files whole, and View.Read returns them.
type Keeper interface {
	// Keep reports whether the file at path is one Refine reads. It is
	// called for every file and must be cheap.
	Keep(path string) bool
	// KeepID names Keep's choice in cache keys; change it with Keep.
	KeepID() string
}

// EntryError is one entry of a file that a cataloger skipped: a stanza
// without a version, a record of the wrong type. The cataloger keeps every
// other entry of the file; the walker records each EntryError as a warning
// naming the file and the line.
type EntryError struct {
	// Line is the 1-based line where the entry starts; 0 when the format
	// has no lines (a binary database), then Entry names it.
	Line  int
	Entry string
	Err   error
}

func (e *EntryError) Error() string {
	switch {
	case e.Line > 0 && e.Entry != "":
		return fmt.Sprintf("line %d: %s: %v; entry skipped", e.Line, e.Entry, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %v; entry skipped", e.Line, e.Err)
	case e.Entry != "":
		return fmt.Sprintf("%s: %v; entry skipped", e.Entry, e.Err)
	}
	return fmt.Sprintf("%v; entry skipped", e.Err)
}

func (e *EntryError) Unwrap() error { return e.Err }

// Skipped gathers the entries a cataloger skipped in one file. Its Err is
// nil when nothing was skipped, so a cataloger can end with
// `return pkgs, skipped.Err()`.
type Skipped []*EntryError

// Add records a skipped entry.
func (s *Skipped) Add(line int, entry string, err error) {
	*s = append(*s, &EntryError{Line: line, Entry: entry, Err: err})
}

// Err returns the skipped entries as one error, or nil.
func (s Skipped) Err() error {
	if len(s) == 0 {
		return nil
	}
	return SkippedError(s)
}

// SkippedError is the error a cataloger returns beside the packages it
// kept; the walker reports each entry on its own line.
type SkippedError []*EntryError

func (s SkippedError) Error() string {
	parts := make([]string, len(s))
	for i, e := range s {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Lines yields the lines of a file in memory with their 1-based numbers,
// without the line ending (LF or CRLF). Unlike bufio.Scanner it has no
// line-length limit, so one long line costs nothing but itself.
func Lines(b []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		for n := 1; len(b) > 0; n++ {
			line := b
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				line, b = b[:i], b[i+1:]
			} else {
				b = nil
			}
			if !yield(n, bytes.TrimSuffix(line, []byte("\r"))) {
				return
			}
		}
	}
}
