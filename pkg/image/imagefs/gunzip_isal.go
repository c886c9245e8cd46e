//go:build cgo && isal

package imagefs

/*
#cgo LDFLAGS: -lisal
#include <isa-l/igzip_lib.h>
#include <stdlib.h>

static struct inflate_state *bw_new(void) {
	struct inflate_state *s = malloc(sizeof(struct inflate_state));
	if (s) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP;
	}
	return s;
}

static void bw_reset(struct inflate_state *s) {
	isal_inflate_reset(s);
	s->crc_flag = ISAL_GZIP;
}

// bw_step runs one inflate call on Go buffers and forgets them before it
// returns, as cgo's pointer rules require.
static int bw_step(struct inflate_state *s, uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_len,
                   uint32_t *used, uint32_t *made, int *done) {
	s->next_in = in;
	s->avail_in = in_len;
	s->next_out = out;
	s->avail_out = out_len;
	int ret = isal_inflate(s);
	*used = in_len - s->avail_in;
	*made = out_len - s->avail_out;
	*done = s->block_state == ISAL_BLOCK_FINISH;
	s->next_in = NULL;
	s->next_out = NULL;
	return ret;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// GunzipImplementation names the gzip decompressor this build uses.
const GunzipImplementation = "isa-l"

// isalReader decompresses gzip with Intel's ISA-L (igzip), about three
// times faster than any pure-Go inflate; builds with the isal tag use it
// (make build does when libisal-dev is installed).
type isalReader struct {
	s      *C.struct_inflate_state
	src    io.Reader
	in     []byte
	pos    int
	n      int
	srcEOF bool
	done   bool
	err    error
}

func newGzipReader(r io.Reader) (io.Reader, func(), error) {
	s := C.bw_new()
	if s == nil {
		return nil, nil, errors.New("gzip: out of memory")
	}
	z := &isalReader{s: s, src: r, in: make([]byte, 256<<10)}
	closer := func() {
		if z.s != nil {
			C.free(unsafe.Pointer(z.s))
			z.s = nil
		}
	}
	return z, closer, nil
}

func (z *isalReader) fill() {
	if z.srcEOF || z.pos < z.n {
		return
	}
	n, err := io.ReadFull(z.src, z.in)
	z.pos, z.n = 0, n
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		z.srcEOF = true
	} else if err != nil {
		z.err = err
	}
}

func (z *isalReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if z.done {
			// A gzip file may hold several members back to back.
			z.fill()
			if z.err != nil {
				return 0, z.err
			}
			if z.pos == z.n {
				return 0, io.EOF
			}
			C.bw_reset(z.s)
			z.done = false
		}
		z.fill()
		if z.err != nil {
			return 0, z.err
		}
		var used, made C.uint32_t
		var done C.int
		var in *C.uint8_t
		if z.pos < z.n {
			in = (*C.uint8_t)(unsafe.Pointer(&z.in[z.pos]))
		}
		out := p
		if len(out) > 1<<30 {
			out = out[:1<<30]
		}
		ret := C.bw_step(z.s, in, C.uint32_t(z.n-z.pos), (*C.uint8_t)(unsafe.Pointer(&out[0])), C.uint32_t(len(out)), &used, &made, &done)
		z.pos += int(used)
		z.done = done != 0
		if ret < 0 {
			z.err = fmt.Errorf("gzip: %s", isalError(int(ret)))
			if made == 0 {
				return 0, z.err
			}
		}
		if made > 0 {
			return int(made), nil
		}
		if !z.done && z.pos == z.n && z.srcEOF {
			z.err = io.ErrUnexpectedEOF
			return 0, z.err
		}
	}
}

func isalError(code int) string {
	switch code {
	case -1:
		return "invalid deflate block"
	case -2:
		return "invalid deflate symbol"
	case -3:
		return "invalid lookback distance"
	case -4:
		return "invalid gzip header"
	case -5:
		return "unsupported compression method"
	case -6:
		return "checksum mismatch"
	}
	return fmt.Sprintf("error %d", code)
}
