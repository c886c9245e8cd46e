package rpm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// rpm 4.16 and later keep headers in SQLite (rpmdb.sqlite): a table
// Packages(hnum INTEGER PRIMARY KEY, blob BLOB). Reading it needs only the
// table B-tree of the file format (https://www.sqlite.org/fileformat2.html),
// so this reader walks it in memory instead of linking an SQL engine or
// writing the database to a temporary file.

var sqliteMagic = []byte("SQLite format 3\x00")

func isSQLite(b []byte) bool { return len(b) >= 100 && bytes.HasPrefix(b, sqliteMagic) }

type sqliteDB struct {
	b        []byte
	pageSize int
	usable   int
	pages    int
}

func readSQLite(b []byte) ([][]byte, error) {
	ps := int(binary.BigEndian.Uint16(b[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("sqlite: page size %d", ps)
	}
	db := &sqliteDB{b: b, pageSize: ps, usable: ps - int(b[20]), pages: len(b) / ps}
	if db.usable < 480 {
		return nil, errors.New("sqlite: too many reserved bytes per page")
	}
	root := 0
	err := db.walk(1, 0, map[int]bool{}, func(rec []byte) error {
		cols, err := record(rec)
		if err != nil || len(cols) < 4 {
			return nil
		}
		if string(cols[0]) == "table" && string(cols[1]) == "Packages" {
			root = int(decodeInt(cols[3]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if root < 1 || root > db.pages {
		return nil, errors.New("sqlite: no Packages table")
	}
	var out [][]byte
	err = db.walk(root, 0, map[int]bool{}, func(rec []byte) error {
		cols, err := record(rec)
		if err != nil {
			return err
		}
		if len(cols) >= 2 && len(cols[1]) > 0 {
			out = append(out, cols[1])
		}
		return nil
	})
	return out, err
}

func (db *sqliteDB) page(n int) ([]byte, int, error) {
	if n < 1 || n > db.pages {
		return nil, 0, fmt.Errorf("sqlite: page %d out of range", n)
	}
	p := db.b[(n-1)*db.pageSize : n*db.pageSize]
	hdr := 0
	if n == 1 {
		hdr = 100 // the database header precedes page 1's B-tree header
	}
	return p, hdr, nil
}

// walk visits every record of the table B-tree rooted at page n.
func (db *sqliteDB) walk(n, depth int, seen map[int]bool, fn func([]byte) error) error {
	if depth > 40 || seen[n] {
		return errors.New("sqlite: B-tree loop")
	}
	seen[n] = true
	p, h, err := db.page(n)
	if err != nil {
		return err
	}
	if h+8 > len(p) {
		return errors.New("sqlite: short page")
	}
	kind := p[h]
	cells := int(binary.BigEndian.Uint16(p[h+3:]))
	hdrLen := 8
	if kind == 0x05 {
		hdrLen = 12
	} else if kind != 0x0d {
		return fmt.Errorf("sqlite: page %d is not a table page (type %#x)", n, kind)
	}
	ptrs := h + hdrLen
	if ptrs+cells*2 > len(p) {
		return errors.New("sqlite: cell pointers past the page")
	}
	for i := 0; i < cells; i++ {
		off := int(binary.BigEndian.Uint16(p[ptrs+i*2:]))
		if off >= len(p) {
			return errors.New("sqlite: cell outside its page")
		}
		if kind == 0x05 {
			if off+4 > len(p) {
				return errors.New("sqlite: short interior cell")
			}
			if err := db.walk(int(binary.BigEndian.Uint32(p[off:])), depth+1, seen, fn); err != nil {
				return err
			}
			continue
		}
		rec, err := db.payload(p, off)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if kind == 0x05 {
		return db.walk(int(binary.BigEndian.Uint32(p[h+8:])), depth+1, seen, fn)
	}
	return nil
}

// payload returns a leaf cell's record, following overflow pages.
func (db *sqliteDB) payload(p []byte, off int) ([]byte, error) {
	size, n := varint(p[off:])
	if n == 0 || size > 256<<20 {
		return nil, errors.New("sqlite: bad payload size")
	}
	off += n
	if _, n = varint(p[off:]); n == 0 { // the rowid
		return nil, errors.New("sqlite: bad rowid")
	}
	off += n
	P, U := int(size), db.usable
	X := U - 35
	local := P
	if P > X {
		M := ((U-12)*32/255 - 23)
		K := M + (P-M)%(U-4)
		local = M
		if K <= X {
			local = K
		}
	}
	if off+local > len(p) {
		return nil, errors.New("sqlite: payload past the page")
	}
	out := make([]byte, 0, P)
	out = append(out, p[off:off+local]...)
	if local == P {
		return out, nil
	}
	if off+local+4 > len(p) {
		return nil, errors.New("sqlite: missing overflow pointer")
	}
	next := int(binary.BigEndian.Uint32(p[off+local:]))
	for hops := 0; len(out) < P; hops++ {
		if next == 0 || hops > db.pages {
			return nil, errors.New("sqlite: broken overflow chain")
		}
		op, _, err := db.page(next)
		if err != nil {
			return nil, err
		}
		take := min(P-len(out), U-4)
		out = append(out, op[4:4+take]...)
		next = int(binary.BigEndian.Uint32(op[0:4]))
	}
	return out, nil
}

// record splits a record into its column values (raw bytes: integers in
// big-endian of their serial size, text and blobs as stored).
func record(r []byte) ([][]byte, error) {
	hsize, n := varint(r)
	if n == 0 || hsize > uint64(len(r)) {
		return nil, errors.New("sqlite: bad record header")
	}
	var types []uint64
	for pos := n; pos < int(hsize); {
		t, k := varint(r[pos:])
		if k == 0 {
			return nil, errors.New("sqlite: bad serial type")
		}
		types = append(types, t)
		pos += k
	}
	var cols [][]byte
	pos := int(hsize)
	for _, t := range types {
		var l int
		switch {
		case t <= 4:
			l = int(t)
		case t == 5:
			l = 6
		case t == 6 || t == 7:
			l = 8
		case t == 8 || t == 9 || t == 10 || t == 11:
			l = 0
		default:
			l = int((t - 12) / 2)
		}
		if pos+l > len(r) {
			return nil, errors.New("sqlite: record shorter than its header")
		}
		cols = append(cols, r[pos:pos+l])
		pos += l
	}
	return cols, nil
}

// varint reads SQLite's big-endian variable-length integer; n is 0 on
// error.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

func decodeInt(b []byte) int64 {
	var v int64
	for i, c := range b {
		if i == 0 {
			v = int64(int8(c))
			continue
		}
		v = v<<8 | int64(c)
	}
	return v
}
