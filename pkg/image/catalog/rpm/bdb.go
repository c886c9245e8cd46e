package rpm

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Berkeley DB hash databases (the Packages file of rpm before 4.16): a
// metadata page, hash pages whose items are key/data pairs, and large data
// (every rpm header) stored "off page" in chains of overflow pages. Only
// the little-endian form, the one x86 and arm64 systems write, is read.
const (
	bdbHashMagic   = 0x061561
	bdbPageHeader  = 26
	bdbPageHash    = 13 // P_HASH
	bdbPageHashOld = 2  // P_HASH_UNSORTED
	bdbPageOver    = 7  // P_OVERFLOW
	bdbKeyData     = 1  // H_KEYDATA
	bdbOffPage     = 3  // H_OFFPAGE
)

func isBDB(b []byte) bool {
	return len(b) >= 512 && binary.LittleEndian.Uint32(b[12:16]) == bdbHashMagic
}

func readBDB(b []byte) ([][]byte, error) {
	pageSize := binary.LittleEndian.Uint32(b[20:24])
	lastPage := binary.LittleEndian.Uint32(b[32:36])
	if pageSize < 512 || pageSize > 64<<10 || pageSize&(pageSize-1) != 0 {
		return nil, fmt.Errorf("berkeley db: page size %d", pageSize)
	}
	if uint64(lastPage+1)*uint64(pageSize) > uint64(len(b)) {
		return nil, fmt.Errorf("berkeley db: %d pages of %d bytes claimed, file has %d bytes", lastPage+1, pageSize, len(b))
	}
	page := func(n uint32) []byte { return b[uint64(n)*uint64(pageSize) : uint64(n+1)*uint64(pageSize)] }
	var out [][]byte
	for n := uint32(1); n <= lastPage; n++ {
		p := page(n)
		if t := p[25]; t != bdbPageHash && t != bdbPageHashOld {
			continue
		}
		entries := int(binary.LittleEndian.Uint16(p[20:22]))
		if bdbPageHeader+entries*2 > len(p) {
			return out, fmt.Errorf("berkeley db: page %d holds %d entries", n, entries)
		}
		// Items alternate key, data; the data items hold the headers.
		for i := 1; i < entries; i += 2 {
			off := int(binary.LittleEndian.Uint16(p[bdbPageHeader+i*2:]))
			if off+12 > len(p) {
				continue
			}
			switch p[off] {
			case bdbOffPage:
				pgno := binary.LittleEndian.Uint32(p[off+4:])
				total := binary.LittleEndian.Uint32(p[off+8:])
				data, err := overflow(page, lastPage, pgno, total)
				if err != nil {
					return out, err
				}
				out = append(out, data)
			case bdbKeyData:
				// Small data kept on the page; rpm headers never are, but
				// take it rather than skip it.
				end := len(p)
				if i > 1 {
					end = int(binary.LittleEndian.Uint16(p[bdbPageHeader+(i-1)*2:]))
				}
				if off+1 < end && end <= len(p) {
					out = append(out, p[off+1:end])
				}
			}
		}
	}
	return out, nil
}

// overflow follows a chain of overflow pages and joins their content.
func overflow(page func(uint32) []byte, last, pgno, total uint32) ([]byte, error) {
	if total > 256<<20 {
		return nil, fmt.Errorf("berkeley db: %d-byte item", total)
	}
	out := make([]byte, 0, total)
	for hops := uint32(0); pgno != 0; hops++ {
		if pgno > last || hops > last {
			return nil, errors.New("berkeley db: broken overflow chain")
		}
		p := page(pgno)
		if p[25] != bdbPageOver {
			return nil, fmt.Errorf("berkeley db: page %d is not an overflow page", pgno)
		}
		used := int(binary.LittleEndian.Uint16(p[22:24]))
		if bdbPageHeader+used > len(p) {
			return nil, errors.New("berkeley db: overflow page overfull")
		}
		out = append(out, p[bdbPageHeader:bdbPageHeader+used]...)
		pgno = binary.LittleEndian.Uint32(p[16:20])
	}
	if uint32(len(out)) != total {
		return nil, fmt.Errorf("berkeley db: item of %d bytes, chain holds %d", total, len(out))
	}
	return out, nil
}
