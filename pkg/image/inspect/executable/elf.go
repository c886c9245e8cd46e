package executable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"sort"
	"sync"
)

// This is a reader of the few ELF structures the rules need (the header,
// program headers, the loader path and the dynamic section's DT_NEEDED
// names) that works on a stream: it reads those byte ranges as the file
// goes past and skips the rest. debug/elf wants the whole file in memory
// (its section headers sit at the end), which for an image's binaries
// means copying most of the image into fresh memory; reading only the
// ranges keeps the image checks' cost near zero (bench/image.sh).

const (
	ptLoad    = 1
	ptDynamic = 2
	ptInterp  = 3
	dtNeeded  = 1
	dtStrtab  = 5
	etExec    = 2
	etDyn     = 3
	// keepMax caps the bytes kept from the start of the file to find
	// DT_NEEDED names in: the string table sits in the first segment.
	// When that segment is read-only (linkers separate code by default
	// since 2018) it holds only tables and is kept up to keepMaxTables
	// (libLLVM's is 40 MB); when it is the code too, up to keepMax (libLLVM-15 of Debian 12 has
	// its string table 4.1 MB in).
	keepMax       = 8 << 20
	keepMaxTables = 64 << 20
	pfX           = 1
)

var errNotELF = errors.New("not ELF")

// buffers hold the kept start of files between calls (layers are read in
// parallel, so one buffer per goroutine at a time).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type elfInfo struct {
	typ    uint16
	interp string
	needed []string
}

type prog struct {
	typ, flags         uint32
	off, vaddr, filesz uint64
}

// streamReader reads forward only, counting its position.
type streamReader struct {
	r   io.Reader
	pos uint64
}

func (s *streamReader) readTo(buf *bytes.Buffer, end uint64) error {
	if end <= s.pos {
		return nil
	}
	n, err := io.CopyN(buf, s.r, int64(end-s.pos))
	s.pos += uint64(n)
	return err
}

func (s *streamReader) skipTo(off uint64) error {
	if off <= s.pos {
		return nil
	}
	n, err := io.CopyN(io.Discard, s.r, int64(off-s.pos))
	s.pos += uint64(n)
	return err
}

// readELF reads what the rules need from an ELF file of size bytes whose
// first bytes are head (already read from r).
func readELF(head []byte, r io.Reader, size int64) (*elfInfo, error) {
	s := &streamReader{r: r, pos: uint64(len(head))}
	kept := buffers.Get().(*bytes.Buffer)
	defer func() {
		if kept.Cap() <= keepMax {
			kept.Reset()
			buffers.Put(kept)
		}
	}()
	kept.Reset()
	kept.Write(head)
	if err := s.readTo(kept, min(64, uint64(size))); err != nil && err != io.EOF {
		return nil, err
	}
	b := kept.Bytes()
	if len(b) < 52 || !bytes.HasPrefix(b, []byte("\x7fELF")) {
		return nil, errNotELF
	}
	is64 := b[4] == 2
	var bo binary.ByteOrder = binary.LittleEndian
	if b[5] == 2 {
		bo = binary.BigEndian
	}
	info := &elfInfo{typ: bo.Uint16(b[16:])}
	var phoff uint64
	var phentsize, phnum uint16
	if is64 {
		if len(b) < 64 {
			return nil, errNotELF
		}
		phoff, phentsize, phnum = bo.Uint64(b[32:]), bo.Uint16(b[54:]), bo.Uint16(b[56:])
	} else {
		phoff, phentsize, phnum = uint64(bo.Uint32(b[28:])), bo.Uint16(b[42:]), bo.Uint16(b[44:])
	}
	want := uint64(56)
	if !is64 {
		want = 32
	}
	if phnum == 0 || uint64(phentsize) < want || phoff > keepMax || uint64(phnum)*uint64(phentsize) > 64<<10 {
		return info, nil // no program headers to read: nothing more to learn
	}
	phEnd := phoff + uint64(phnum)*uint64(phentsize)
	if phEnd > uint64(size) {
		return nil, errNotELF // truncated: it cannot run
	}
	if err := s.readTo(kept, phEnd); err != nil {
		return nil, errNotELF
	}
	b = kept.Bytes()
	var progs []prog
	for i := range uint64(phnum) {
		p := b[phoff+i*uint64(phentsize):]
		var pr prog
		pr.typ = bo.Uint32(p)
		if is64 {
			pr.flags, pr.off, pr.vaddr, pr.filesz = bo.Uint32(p[4:]), bo.Uint64(p[8:]), bo.Uint64(p[16:]), bo.Uint64(p[32:])
		} else {
			pr.off, pr.vaddr, pr.filesz, pr.flags = uint64(bo.Uint32(p[4:])), uint64(bo.Uint32(p[8:])), uint64(bo.Uint32(p[16:])), bo.Uint32(p[24:])
		}
		if pr.off > uint64(size) || pr.filesz > uint64(size)-pr.off {
			continue // the header lies about the file: skip the entry
		}
		progs = append(progs, pr)
	}
	// What to read, in file order: the loader path, the dynamic section,
	// and the first loaded segment (for the string table), kept whole.
	keepEnd := phEnd
	var interp, dynamic *prog
	for i := range progs {
		p := &progs[i]
		switch p.typ {
		case ptInterp:
			if p.filesz > 0 && p.filesz <= 4096 && interp == nil {
				interp = p
			}
		case ptDynamic:
			if p.filesz <= 1<<20 && dynamic == nil {
				dynamic = p
			}
		case ptLoad:
			limit := uint64(keepMax)
			if p.flags&pfX == 0 {
				limit = keepMaxTables
			}
			if p.off == 0 && keepEnd < min(p.filesz, limit) {
				keepEnd = min(p.filesz, limit)
			}
		}
	}
	if dynamic == nil {
		keepEnd = phEnd // no libraries to name: the prefix is enough
	}
	if interp != nil && interp.off+interp.filesz > keepEnd && interp.off < keepEnd+4096 {
		keepEnd = interp.off + interp.filesz
	}
	if err := s.readTo(kept, min(keepEnd, uint64(size))); err != nil && err != io.EOF {
		return info, nil
	}
	b = kept.Bytes()
	rangeOf := func(p *prog) []byte {
		if p.off+p.filesz <= uint64(len(b)) {
			return b[p.off : p.off+p.filesz]
		}
		return nil
	}
	var extra []*prog
	for _, p := range []*prog{interp, dynamic} {
		if p != nil && rangeOf(p) == nil {
			extra = append(extra, p)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].off < extra[j].off })
	far := map[*prog][]byte{}
	for _, p := range extra {
		if p.off < s.pos {
			continue // overlaps what was read and not kept
		}
		if err := s.skipTo(p.off); err != nil {
			return info, nil
		}
		var buf bytes.Buffer
		if err := s.readTo(&buf, p.off+p.filesz); err != nil {
			return info, nil
		}
		far[p] = buf.Bytes()
	}
	get := func(p *prog) []byte {
		if p == nil {
			return nil
		}
		if r := rangeOf(p); r != nil {
			return r
		}
		return far[p]
	}
	if ib := get(interp); ib != nil {
		info.interp = string(bytes.TrimRight(ib, "\x00"))
	}
	dyn := get(dynamic)
	if dyn == nil {
		return info, nil
	}
	var offsets []uint64
	var strtab uint64
	entry := uint64(16)
	if !is64 {
		entry = 8
	}
	for i := uint64(0); i+entry <= uint64(len(dyn)); i += entry {
		var tag, val uint64
		if is64 {
			tag, val = bo.Uint64(dyn[i:]), bo.Uint64(dyn[i+8:])
		} else {
			tag, val = uint64(bo.Uint32(dyn[i:])), uint64(bo.Uint32(dyn[i+4:]))
		}
		if tag == 0 {
			break
		}
		switch tag {
		case dtNeeded:
			offsets = append(offsets, val)
		case dtStrtab:
			strtab = val
		}
	}
	// The string table is named by address: find its place in the file.
	strOff, ok := uint64(0), false
	for _, p := range progs {
		if p.typ == ptLoad && strtab >= p.vaddr && strtab-p.vaddr < p.filesz {
			strOff, ok = p.off+(strtab-p.vaddr), true
			break
		}
	}
	if !ok {
		return info, nil
	}
	for _, o := range offsets {
		start := strOff + o
		if start >= uint64(len(b)) {
			continue // the table is beyond what was kept
		}
		end := bytes.IndexByte(b[start:], 0)
		if end < 0 {
			continue
		}
		info.needed = append(info.needed, string(b[start:start+uint64(end)]))
	}
	return info, nil
}
