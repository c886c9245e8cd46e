// Package feedzip reads the zip archives advisory feeds are served as
// (OSV's per-ecosystem all.zip, the CVE JSON 5 lists): one JSON record per
// file, each bounded in size, a record that does not parse reported and
// skipped, a damaged archive an error.
package feedzip

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
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
// parse must not keep the bytes it is given.
func Each[R any](r io.ReaderAt, size int64, lim Limits, want func(name string) bool, parse func([]byte) (R, error), fn func(R) error, bad func(name string, err error)) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("not a zip archive: %w", err)
	}
	if lim.Records > 0 && len(zr.File) > lim.Records {
		return fmt.Errorf("%d files is more than %d records", len(zr.File), lim.Records)
	}
	shared := overlapping(zr.File)
	// The directory of an archive of 1.5M records is 375 MB of file
	// headers: each is let go once its record is read, so that the
	// records a caller keeps take the place of the headers read; and one
	// buffer holds each record in turn (parse must not keep it).
	var buf bytes.Buffer
	for i, f := range zr.File {
		zr.File[i] = nil
		if f.FileInfo().IsDir() || !want(f.Name) {
			continue
		}
		if other, ok := shared[f]; ok {
			bad(f.Name, fmt.Errorf("its data overlaps %s's: an archive made to decompress one record many times", other))
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
		buf.Reset()
		_, err = buf.ReadFrom(io.LimitReader(rc, lim.RecordSize+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		rec, err := parse(buf.Bytes())
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

// overlapping returns the files whose stored data overlaps an earlier
// file's, with that file's name. Archives a zip tool writes never overlap;
// one whose directory points many names at one compressed record would
// make a few megabytes decompress into gigabytes.
func overlapping(files []*zip.File) map[*zip.File]string {
	type span struct {
		start, end int64
		f          *zip.File
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			continue
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64), f})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := map[*zip.File]string{}
	var last span
	for i, s := range spans {
		if i > 0 && s.start < last.end && s.end > s.start {
			out[s.f] = last.f.Name
			continue
		}
		last = s
	}
	return out
}
