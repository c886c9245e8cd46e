package rpm

import (
	"encoding/binary"
	"fmt"
)

// NDB, rpm's own format (Packages.db, SUSE since 15 SP3): a header, slot
// pages pointing at blobs, and blobs in 16-byte blocks, little-endian
// (rpm's lib/backend/ndb/rpmpkg.c).
const (
	ndbMagic     = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbPageSize  = 4096
	ndbSlotSize  = 16
	ndbBlockSize = 16
	ndbBlobHead  = 16
)

func isNDB(b []byte) bool {
	return len(b) >= 32 && binary.LittleEndian.Uint32(b[0:4]) == ndbMagic
}

func readNDB(b []byte) ([][]byte, error) {
	slotPages := binary.LittleEndian.Uint32(b[12:16])
	if slotPages == 0 || uint64(slotPages)*ndbPageSize > uint64(len(b)) {
		return nil, fmt.Errorf("ndb: %d slot pages in a %d-byte file", slotPages, len(b))
	}
	var out [][]byte
	// The first two slots' space holds the file header.
	for off := uint64(2 * ndbSlotSize); off+ndbSlotSize <= uint64(slotPages)*ndbPageSize; off += ndbSlotSize {
		s := b[off:]
		if binary.LittleEndian.Uint32(s[0:4]) != ndbSlotMagic {
			return out, fmt.Errorf("ndb: bad slot at offset %d", off)
		}
		idx := binary.LittleEndian.Uint32(s[4:8])
		blk := uint64(binary.LittleEndian.Uint32(s[8:12]))
		if idx == 0 {
			continue // a free slot
		}
		start := blk * ndbBlockSize
		if start+ndbBlobHead > uint64(len(b)) {
			return out, fmt.Errorf("ndb: package %d's blob is outside the file", idx)
		}
		h := b[start:]
		if binary.LittleEndian.Uint32(h[0:4]) != ndbBlobMagic || binary.LittleEndian.Uint32(h[4:8]) != idx {
			return out, fmt.Errorf("ndb: package %d has no blob at block %d", idx, blk)
		}
		n := uint64(binary.LittleEndian.Uint32(h[12:16]))
		if start+ndbBlobHead+n > uint64(len(b)) {
			return out, fmt.Errorf("ndb: package %d's blob runs past the end of the file", idx)
		}
		out = append(out, b[start+ndbBlobHead:start+ndbBlobHead+n])
	}
	return out, nil
}
