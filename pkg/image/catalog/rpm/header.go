package rpm

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// RPM header tags (rpmtag.h) that the cataloger reads.
const (
	tagName        = 1000
	tagVersion     = 1001
	tagRelease     = 1002
	tagEpoch       = 1003
	tagLicense     = 1014
	tagVendor      = 1011
	tagArch        = 1022
	tagSourceRPM   = 1044
	tagModularity  = 5096
	typeInt32      = 4
	typeString     = 6
	typeI18NString = 9
)

// maxEntries bounds a header's index; real headers have a few hundred.
const maxEntries = 1 << 16

type indexEntry struct {
	tag, typ, off, count uint32
}

// header is a parsed RPM header blob, as the rpm database stores it: the
// index count and data length, the index entries, then the data store, all
// big-endian (rpm's header.c, headerImport).
type header struct {
	entries map[uint32]indexEntry
	data    []byte
}

func parseHeader(b []byte) (*header, error) {
	if len(b) < 8 {
		return nil, errors.New("header shorter than 8 bytes")
	}
	il := binary.BigEndian.Uint32(b[0:4])
	dl := binary.BigEndian.Uint32(b[4:8])
	if il == 0 || il > maxEntries {
		return nil, fmt.Errorf("header with %d index entries", il)
	}
	start := 8 + uint64(il)*16
	if start+uint64(dl) > uint64(len(b)) {
		return nil, fmt.Errorf("header claims %d bytes, blob has %d", start+uint64(dl), len(b))
	}
	h := &header{entries: make(map[uint32]indexEntry, il), data: b[start : start+uint64(dl)]}
	for i := uint64(0); i < uint64(il); i++ {
		e := b[8+i*16:]
		ie := indexEntry{
			tag: binary.BigEndian.Uint32(e[0:4]), typ: binary.BigEndian.Uint32(e[4:8]),
			off: binary.BigEndian.Uint32(e[8:12]), count: binary.BigEndian.Uint32(e[12:16]),
		}
		if _, dup := h.entries[ie.tag]; !dup {
			h.entries[ie.tag] = ie
		}
	}
	return h, nil
}

// str returns a string tag's value ("" when absent or malformed).
func (h *header) str(tag uint32) string {
	e, ok := h.entries[tag]
	if !ok || (e.typ != typeString && e.typ != typeI18NString) || uint64(e.off) >= uint64(len(h.data)) {
		return ""
	}
	d := h.data[e.off:]
	for i, c := range d {
		if c == 0 {
			return string(d[:i])
		}
	}
	return ""
}

// int returns an INT32 tag's first value, and whether it is present.
func (h *header) int(tag uint32) (int, bool) {
	e, ok := h.entries[tag]
	if !ok || e.typ != typeInt32 || e.count == 0 || uint64(e.off)+4 > uint64(len(h.data)) {
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(h.data[e.off:]))), true
}
