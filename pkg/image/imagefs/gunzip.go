//go:build !(cgo && isal)

package imagefs

import (
	"io"

	"github.com/klauspost/compress/gzip"
)

// GunzipImplementation names the gzip decompressor this build uses.
const GunzipImplementation = "klauspost/compress"

// newGzipReader returns the pure-Go decompressor, the fastest there is
// without cgo; builds with the isal tag use ISA-L instead.
func newGzipReader(r io.Reader) (io.Reader, func(), error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	return zr, func() { zr.Close() }, nil
}
