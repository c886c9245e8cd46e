// Package feedzip reads the zip archives advisory feeds are served as
// (OSV's per-ecosystem all.zip, the CVE JSON 5 lists): one JSON record per
// file, each bounded in size, a record that does not parse reported and
// skipped, a damaged archive an error.
package feedzip

import (
	"archive/zip"
	"fmt"
	"io"
)

// Limits bound what one archive may hold.
type Limits struct {
	// Records caps the files in the archive; 0 means no cap.
	Records int
	// RecordSize caps one file's uncompressed size.
	RecordSize int64
}

// Each calls fn with each record of the archive whose file name want
// accepts, parsed by parse. Files over the size limit and records that do
// not parse go to bad with their name; an error from fn stops the walk.
func Each[R any](r io.ReaderAt, size int64, lim Limits, want func(name string) bool, parse func([]byte) (R, error), fn func(R) error, bad func(name string, err error)) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("not a zip archive: %w", err)
	}
	if lim.Records > 0 && len(zr.File) > lim.Records {
		return fmt.Errorf("%d files is more than %d records", len(zr.File), lim.Records)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !want(f.Name) {
			continue
		}
		if f.UncompressedSize64 > uint64(lim.RecordSize) {
			bad(f.Name, fmt.Errorf("%d bytes is too large for a record", f.UncompressedSize64))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, lim.RecordSize+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		rec, err := parse(b)
		if err != nil {
			bad(f.Name, err)
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}
