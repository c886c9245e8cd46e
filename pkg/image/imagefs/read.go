// Package imagefs reads an image's layers once, as streams, and builds the
// filesystem view the container sees. Each layer is read on its own (so
// results can be cached by diff ID and layers read in parallel): its
// entries, whiteouts, the packages catalogers found in its files, and the
// small files kept for OS detection. Merge then stacks the layers, honouring
// whiteouts and opaque directories, so that every visible file keeps the
// layer that last wrote it.
package imagefs

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/semaphore"
)

// Limits that keep hostile layers from exhausting memory or time.
const (
	// DefaultMaxFileSize caps a single file read into memory for a
	// cataloger; larger files are skipped with a warning.
	DefaultMaxFileSize = 256 << 20
	// DefaultMaxLayerBytes caps the uncompressed bytes read from one layer
	// (a decompression bomb stops here with an error).
	DefaultMaxLayerBytes = 32 << 30
	// maxRawSize caps the small files kept for OS detection.
	maxRawSize = 64 << 10
	// maxLinkedContent caps wanted files kept for the rest of a layer in
	// case a hard link to them follows (package databases are small; large
	// binaries linked twice in one layer are rare and not worth the memory).
	maxLinkedContent = 4 << 20
	// maxScratch caps the buffer reused for files only inspectors read.
	maxScratch = 32 << 20
	// maxKeptForLinks caps what one layer keeps of wanted files for hard
	// links to them: hundreds of 4 MiB files of zeros compress to nothing.
	maxKeptForLinks = 64 << 20
	// DefaultContentMemory bounds the file contents held at once by all
	// the workers of one read, whatever the files declare (sparse files
	// declare hundreds of megabytes in a few bytes of layer).
	DefaultContentMemory = 320 << 20
	// DefaultMaxEntries caps the entries (files, directories, links,
	// whiteouts) of all the layers one read holds: each is kept for the
	// image view at about 200 bytes, and 3M empty files (a few megabytes
	// of layer) took 1.8 GB. The largest real images hold a few hundred
	// thousand.
	DefaultMaxEntries = 2_000_000
)

// Entry is one file, directory or link of a layer.
type Entry struct {
	Path string      `json:"path"`
	Mode fs.FileMode `json:"mode"`
	Size int64       `json:"size"`
	// Link is a symlink's target, or a hard link's target path.
	Link string `json:"link,omitempty"`
	// HardLink is true for a hard link (Link then names a path in the image).
	HardLink bool `json:"hardLink,omitempty"`
	UID      int  `json:"uid,omitempty"`
	GID      int  `json:"gid,omitempty"`
	// Caps are the file capabilities set on the file (its
	// security.capability extended attribute), by name: NET_BIND_SERVICE.
	Caps []string `json:"caps,omitempty"`
}

// FileError is a problem with one file of a layer; the walk goes on.
type FileError struct {
	Path string `json:"path"`
	Err  string `json:"error"`
	// Cataloger names the cataloger that wanted the file and could not
	// read it whole (entries skipped, a file it could not parse or that
	// was too large): its packages are not all known.
	Cataloger string `json:"cataloger,omitempty"`
}

// LayerResult is what one layer holds.
type LayerResult struct {
	DiffID string `json:"diffID"`
	// Stored is the digest of the layer's bytes as stored (compressed or
	// not), computed while they were read: a cached result is used for a
	// local layer only when its stored bytes hash to this again.
	Stored  string  `json:"stored"`
	Entries []Entry `json:"entries"`
	// Whiteouts are paths this layer deletes from the layers below.
	Whiteouts []string `json:"whiteouts,omitempty"`
	// Opaque are directories whose lower-layer contents this layer hides.
	Opaque []string `json:"opaque,omitempty"`
	// Packages found, by the path of the file they were found in.
	Packages map[string][]sbom.Package `json:"packages,omitempty"`
	// Raw holds small files kept whole (os-release ...), by path.
	Raw map[string][]byte `json:"raw,omitempty"`
	// Facts are what inspectors found, by path.
	Facts map[string][]Fact `json:"facts,omitempty"`
	// Errors are files that could not be read or cataloged.
	Errors []FileError `json:"errors,omitempty"`
	// Bytes is the uncompressed size of the layer.
	Bytes int64 `json:"bytes"`
}

// Fact is something an inspector learned about a file: its kind ("elf",
// "secret") and details.
type Fact struct {
	Kind string            `json:"kind"`
	Data map[string]string `json:"data,omitempty"`
}

// Inspector looks at files for the image rules, as catalogers do for
// packages: which paths it wants (cheaply), and what it makes of one.
type Inspector interface {
	Name() string
	// Version is part of the layer cache key, like a cataloger's.
	Version() int
	Wants(path string, size int64, mode fs.FileMode) bool
	// Inspect must not keep content: the walker reuses its memory.
	Inspect(path string, mode fs.FileMode, content []byte) ([]Fact, error)
}

// StreamInspector is an Inspector that can also read a file as it streams
// past, taking only the bytes it needs (an ELF file's headers): the walker
// then neither copies the file nor keeps it, and skips what is left.
type StreamInspector interface {
	Inspector
	// InspectStream reads what it needs of the size-byte file from r, and
	// no more than it needs.
	InspectStream(path string, mode fs.FileMode, size int64, r io.Reader) ([]Fact, error)
}

// Options configure reading.
type Options struct {
	Catalogers []catalog.Cataloger
	Inspectors []Inspector
	// Keep reports whether a small file should be kept whole in Raw.
	Keep func(path string) bool
	// KeepID names the Keep function and its version in cache keys.
	KeepID string
	// MaxFileSize and MaxLayerBytes override the defaults when positive.
	MaxFileSize   int64
	MaxLayerBytes int64
	// Workers is how many layers are read at once; 0 means GOMAXPROCS.
	Workers int
	// Cache, when set, is asked for each layer before it is read, and
	// given what was read.
	Cache Cache
	// Memory, shared by every layer read with these options, bounds the
	// file contents held at once; nil means DefaultContentMemory for each
	// call of ReadLayers, ReadLayer or ReadDir.
	Memory *semaphore.Weighted
	// MaxEntries overrides DefaultMaxEntries when positive.
	MaxEntries int

	entries *atomic.Int64 // counted against MaxEntries by every layer of a read
}

// withMemory returns opts with the budgets one read shares: content
// memory and entries.
func (o Options) withMemory() Options {
	if o.Memory == nil {
		o.Memory = semaphore.NewWeighted(DefaultContentMemory)
	}
	if o.entries == nil {
		o.entries = new(atomic.Int64)
	}
	return o
}

// countEntries counts n more entries against the read's budget.
func (o *Options) countEntries(n int) error {
	limit := int64(DefaultMaxEntries)
	if o.MaxEntries > 0 {
		limit = int64(o.MaxEntries)
	}
	if o.entries.Add(int64(n)) > limit {
		return fmt.Errorf("the image holds more than %d entries (files, directories, links and whiteouts), the limit; not read", limit)
	}
	return nil
}

// Cache stores layer results by key (see Key).
type Cache interface {
	Get(key string) (*LayerResult, bool)
	Put(key string, r *LayerResult) error
}

// Key is the cache key of a layer read with these options: the diff ID,
// and every cataloger's name and version, so that changing a cataloger
// invalidates exactly the results it contributed to.
func (o *Options) Key(diffID string) string {
	var b strings.Builder
	b.WriteString(diffID)
	for _, c := range o.Catalogers {
		fmt.Fprintf(&b, "|%s@%d", c.Name(), c.Version())
	}
	for _, in := range o.Inspectors {
		fmt.Fprintf(&b, "|inspect:%s@%d", in.Name(), in.Version())
	}
	fmt.Fprintf(&b, "|keep=%s|maxfile=%d|raw=%d|v%d", o.KeepID, o.maxFile(), maxRawSize, readerVersion)
	return b.String()
}

// MaxPathLen is the longest entry name read, Linux's PATH_MAX.
const MaxPathLen = 4096

// readerVersion changes whenever what the reader records changes.
const readerVersion = 5

func (o *Options) maxFile() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return DefaultMaxFileSize
}

func (o *Options) maxLayer() int64 {
	if o.MaxLayerBytes > 0 {
		return o.MaxLayerBytes
	}
	return DefaultMaxLayerBytes
}

// LayerError is a layer that could not be read at all.
type LayerError struct {
	Layer  int
	DiffID string
	Err    error
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("layer %d (%s): %v", e.Layer, e.DiffID, e.Err)
}

func (e *LayerError) Unwrap() error { return e.Err }

// ReadLayers reads layers concurrently, at most Workers at a time.
func ReadLayers(ctx context.Context, layers []source.Layer, opts Options) ([]*LayerResult, error) {
	opts = opts.withMemory() // one budget for all the workers
	out := make([]*LayerResult, len(layers))
	errs := make([]error, len(layers))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, l := range layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			// The key names what the result was verified against: the
			// stored digest and size the manifest claims and the diff ID
			// the config claims. A claim alone never selects a result: a registry's
			// blob is its digest (ContentAddressed), and a local layer's
			// bytes are hashed again before its cached result is used.
			key := opts.Key(fmt.Sprintf("%s+%d+%s", l.Digest, l.Size, l.DiffID))
			if opts.Cache != nil {
				if r, ok := opts.Cache.Get(key); ok && (l.ContentAddressed || storedDigest(l) == r.Stored) {
					out[i] = r
					if err := opts.countEntries(len(r.Entries) + len(r.Whiteouts) + len(r.Opaque)); err != nil {
						errs[i] = &LayerError{Layer: l.Index, DiffID: l.DiffID.String(), Err: err}
					}
					return
				}
			}
			out[i], errs[i] = ReadLayer(ctx, l, opts)
			if errs[i] == nil && opts.Cache != nil {
				// Only a verified result reaches the cache; one that cannot
				// be written only costs speed next time.
				_ = opts.Cache.Put(key, out[i])
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// ReadLayer reads one layer's stream and verifies it as it streams: the
// stored bytes against the digest and size the manifest claims, the
// uncompressed tar against the diff ID the config claims. A layer that is
// not what the image says it is yields an error naming it, never a result.
func ReadLayer(ctx context.Context, l source.Layer, opts Options) (*LayerResult, error) {
	lerr := func(err error) error { return &LayerError{Layer: l.Index, DiffID: l.DiffID.String(), Err: err} }
	rc, err := l.Open()
	if err != nil {
		return nil, lerr(err)
	}
	defer rc.Close()
	stored := &hashingReader{r: rc, h: sha256.New()}
	r, compressed, closeDec, err := decompress(stored)
	if err != nil {
		return nil, lerr(err)
	}
	defer closeDec()
	// The limit also bounds the drain below: trailing bytes after the tar
	// are counted like the tar's own. A plain tar's stored digest is its
	// diff ID: it is hashed once.
	tarBytes := io.Reader(&countingReader{r: r, max: opts.maxLayer()})
	tarHash := stored
	if compressed {
		tarHash = &hashingReader{r: tarBytes, h: sha256.New()}
		tarBytes = tarHash
	}
	res, err := readTar(ctx, tarBytes, l.DiffID.String(), opts)
	if err != nil {
		return nil, lerr(err)
	}
	// The tar reader stops at the end-of-archive marker; the digests cover
	// every byte, padding and trailers included.
	if _, err := io.Copy(io.Discard, tarBytes); err != nil {
		return nil, lerr(fmt.Errorf("reading layer: %w", err))
	}
	if _, err := io.Copy(io.Discard, stored); err != nil {
		return nil, lerr(fmt.Errorf("reading layer: %w", err))
	}
	if err := verify(l, stored, tarHash); err != nil {
		return nil, lerr(err)
	}
	res.Stored = stored.digest()
	return res, nil
}

// verify compares what was read with what the image claims.
func verify(l source.Layer, stored, tarHash *hashingReader) error {
	if got := tarHash.digest(); got != l.DiffID.String() {
		return fmt.Errorf("its uncompressed content has digest %s, not the diff ID %s the image config claims", got, l.DiffID)
	}
	if l.Digest.Algorithm == "sha256" {
		if got := stored.digest(); got != l.Digest.String() {
			return fmt.Errorf("its blob has digest %s, not the %s the manifest claims", got, l.Digest)
		}
	}
	if l.Size > 0 && stored.n != l.Size {
		return fmt.Errorf("its blob is %d bytes, not the %d the manifest claims", stored.n, l.Size)
	}
	return nil
}

// hashingReader hashes and counts what passes through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (h *hashingReader) digest() string { return "sha256:" + hex.EncodeToString(h.h.Sum(nil)) }

// storedDigest hashes a layer's stored bytes; "" when they cannot be read.
func storedDigest(l source.Layer) string {
	rc, err := l.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	h, _, err := v1.SHA256(rc)
	if err != nil {
		return ""
	}
	return h.String()
}

// decompress detects gzip and zstd by their magic numbers (media types lie
// more often than bytes do) and returns the tar stream, and whether it was
// compressed.
func decompress(r io.Reader) (io.Reader, bool, func(), error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, false, nil, fmt.Errorf("reading layer: %w", err)
	}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, closer, err := newGzipReader(br)
		if err != nil {
			return nil, false, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, true, closer, nil
	case len(magic) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return nil, false, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, true, zr.Close, nil
	}
	return br, false, func() {}, nil
}

// countingReader stops a decompression bomb: it fails once more than max
// bytes have been read.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

var errTooLarge = errors.New("layer exceeds the uncompressed size limit")

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, fmt.Errorf("%w of %d bytes (a decompression bomb?)", errTooLarge, c.max)
	}
	return n, err
}

// cleanPath turns a tar entry name into a path relative to the root. It
// reports false for names that climb out of the root ("../etc/passwd"),
// which are skipped and reported rather than clamped.
func cleanPath(name string) (string, bool) {
	name = strings.TrimPrefix(name, "./")
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			// Only an escape if it climbs above the root.
			c := path.Clean(name)
			if c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "/../") {
				return "", false
			}
			break
		}
	}
	c := strings.TrimPrefix(path.Clean("/"+name), "/")
	return c, c != ""
}

const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// walker holds the state of reading one layer (or directory).
type walker struct {
	opts Options
	res  *LayerResult
	// Hard links in a layer point at earlier entries; the content of
	// wanted files is kept so that a wanted hard link can be cataloged too.
	contents map[string][]byte
	scratch  []byte
	// kept counts the bytes in contents; unkept are wanted files not kept
	// once that reached maxKeptForLinks.
	kept   int64
	unkept map[string]bool
}

func newWalker(diffID string, opts Options) *walker {
	opts = opts.withMemory()
	return &walker{opts: opts, unkept: map[string]bool{}, res: &LayerResult{DiffID: diffID, Packages: map[string][]sbom.Package{}}, contents: map[string][]byte{}}
}

func (w *walker) fail(p, msg string) {
	w.res.Errors = append(w.res.Errors, FileError{Path: p, Err: msg})
}

// catalogFail records that cataloger c could not read all of the file at p.
func (w *walker) catalogFail(p string, c catalog.Cataloger, msg string) {
	w.res.Errors = append(w.res.Errors, FileError{Path: p, Err: c.Name() + ": " + msg, Cataloger: c.Name()})
}

// file records an entry and, when a cataloger wants it or it is kept for
// OS detection, reads it with read (called at most once) and catalogs it.
func (w *walker) file(e Entry, regular bool, read func(buf []byte) ([]byte, error), stream io.Reader) error {
	w.res.Entries = append(w.res.Entries, e)
	// A path written twice in one layer keeps only its last content.
	delete(w.res.Packages, e.Path)
	delete(w.res.Facts, e.Path)
	delete(w.res.Raw, e.Path)
	if !regular {
		return nil
	}
	size := e.Size
	if e.HardLink {
		size = int64(len(w.contents[e.Link]))
	}
	var wanting []catalog.Cataloger
	for _, c := range w.opts.Catalogers {
		if c.Wants(e.Path, size, e.Mode) {
			wanting = append(wanting, c)
		}
	}
	var inspecting []Inspector
	for _, in := range w.opts.Inspectors {
		if in.Wants(e.Path, size, e.Mode) {
			inspecting = append(inspecting, in)
		}
	}
	keep := w.opts.Keep != nil && w.opts.Keep(e.Path) && size <= maxRawSize
	if len(wanting) == 0 && len(inspecting) == 0 && !keep {
		return nil
	}
	// Files only inspectors want (executables, mostly) are streamed past
	// a StreamInspector, or read into one reused buffer; they are not kept
	// for hard links: their facts are.
	inspectOnly := len(wanting) == 0 && !keep
	if si, ok := inspecting0(inspecting); ok && inspectOnly && stream != nil && !e.HardLink {
		facts, err := inspectStream(si, e, stream)
		w.addFacts(e.Path, si, facts, err)
		return nil
	}
	var content []byte
	switch {
	case e.HardLink:
		c, ok := w.contents[e.Link]
		if !ok {
			if w.unkept[e.Link] {
				for _, c := range wanting {
					w.catalogFail(e.Path, c, fmt.Sprintf("a hard link to /%s, whose content was not kept (a layer keeps %d bytes for hard links)", e.Link, maxKeptForLinks))
				}
			}
			if facts := w.res.Facts[e.Link]; inspectOnly && len(facts) > 0 {
				w.res.Facts[e.Path] = append([]Fact(nil), facts...)
			}
			return nil // the target was not wanted, or is in another layer
		}
		content = c
	case e.Size > w.opts.maxFile():
		msg := fmt.Sprintf("%d bytes is over the %d-byte limit for files read into memory; skipped", e.Size, w.opts.maxFile())
		if len(wanting) == 0 {
			w.fail(e.Path, msg)
		}
		for _, c := range wanting {
			w.catalogFail(e.Path, c, msg)
		}
		return nil
	case inspectOnly:
		var err error
		if content, err = read(w.scratch); err != nil {
			return err
		}
		if cap(content) <= maxScratch {
			w.scratch = content[:0]
		}
	default:
		// Held until this file is cataloged, within the read's budget.
		n := min(max(e.Size, 0), DefaultContentMemory)
		if err := w.opts.Memory.Acquire(context.Background(), n); err != nil {
			return err
		}
		defer w.opts.Memory.Release(n)
		var err error
		if content, err = read(nil); err != nil {
			return err
		}
		switch {
		case e.Size > maxLinkedContent:
		case w.kept+int64(len(content)) <= maxKeptForLinks:
			w.contents[e.Path] = content
			w.kept += int64(len(content))
		default:
			w.unkept[e.Path] = true
		}
	}
	if keep {
		w.res.Raw = addRaw(w.res.Raw, e.Path, content)
	}
	for _, c := range wanting {
		pkgs, err := catalogFile(c, &catalog.File{Path: e.Path, Mode: e.Mode, Content: content})
		var skipped catalog.SkippedError
		if errors.As(err, &skipped) {
			// One warning per skipped entry: the packages around it are kept.
			for _, s := range skipped {
				w.catalogFail(e.Path, c, s.Error())
			}
		} else if err != nil {
			w.catalogFail(e.Path, c, err.Error())
		}
		for i := range pkgs {
			pkgs[i].FoundBy = c.Name()
		}
		w.res.Packages[e.Path] = append(w.res.Packages[e.Path], pkgs...)
	}
	for _, in := range inspecting {
		facts, err := inspectFile(in, e, content)
		w.addFacts(e.Path, in, facts, err)
	}
	return nil
}

func (w *walker) addFacts(p string, in Inspector, facts []Fact, err error) {
	if err != nil {
		w.fail(p, in.Name()+": "+err.Error())
	}
	if len(facts) > 0 {
		if w.res.Facts == nil {
			w.res.Facts = map[string][]Fact{}
		}
		w.res.Facts[p] = append(w.res.Facts[p], facts...)
	}
}

// inspecting0 returns the one inspector wanting a file when it can stream.
func inspecting0(ins []Inspector) (StreamInspector, bool) {
	if len(ins) != 1 {
		return nil, false
	}
	si, ok := ins[0].(StreamInspector)
	return si, ok
}

func inspectStream(in StreamInspector, e Entry, r io.Reader) (facts []Fact, err error) {
	defer func() {
		if r := recover(); r != nil {
			facts, err = nil, fmt.Errorf("inspector failed: %v", r)
		}
	}()
	return in.InspectStream(e.Path, e.Mode, e.Size, r)
}

func inspectFile(in Inspector, e Entry, content []byte) (facts []Fact, err error) {
	defer func() {
		if r := recover(); r != nil {
			facts, err = nil, fmt.Errorf("inspector failed: %v", r)
		}
	}()
	return in.Inspect(e.Path, e.Mode, content)
}

func readTar(ctx context.Context, r io.Reader, diffID string, opts Options) (*LayerResult, error) {
	cr := &countingReader{r: r, max: opts.maxLayer()}
	tr := tar.NewReader(cr)
	w := newWalker(diffID, opts)
	for n := 0; ; n++ {
		if n%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar after %d entries: %w", n, err)
		}
		if err := w.opts.countEntries(1); err != nil {
			return nil, err
		}
		if len(h.Name) > MaxPathLen {
			// No process opens such a path in one call (PATH_MAX), and
			// deep trees of them cost work that grows with the square of
			// their depth: a bounded cost, with a warning per entry.
			w.fail(h.Name[:64]+"...", fmt.Sprintf("path of %d bytes is over the %d-byte limit; skipped", len(h.Name), MaxPathLen))
			continue
		}
		p, ok := cleanPath(h.Name)
		if !ok {
			if h.Name != "./" && h.Name != "." && h.Name != "/" {
				w.fail(h.Name, "entry escapes the image root; skipped")
			}
			continue
		}
		dir, base := path.Split(p)
		if strings.HasPrefix(base, whiteoutPrefix) {
			if base == opaqueMarker {
				w.res.Opaque = append(w.res.Opaque, strings.TrimSuffix(dir, "/"))
			} else {
				w.res.Whiteouts = append(w.res.Whiteouts, dir+strings.TrimPrefix(base, whiteoutPrefix))
			}
			continue
		}
		e := Entry{Path: p, Mode: h.FileInfo().Mode(), Size: h.Size, UID: h.Uid, GID: h.Gid}
		if x, ok := h.PAXRecords["SCHILY.xattr.security.capability"]; ok {
			e.Caps = fileCaps(x)
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			e.Link = h.Linkname
		case tar.TypeLink:
			lp, ok := cleanPath(h.Linkname)
			if !ok {
				w.fail(p, "hard link escapes the image root; skipped")
				continue
			}
			e.Link, e.HardLink, e.Mode = lp, true, e.Mode&^fs.ModeType
		}
		// Sparse files are regular files whose holes the tar leaves out.
		regular := h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeLink || h.Typeflag == tar.TypeGNUSparse
		err = w.file(e, regular, func(buf []byte) ([]byte, error) {
			b := buf[:0]
			if int64(cap(b)) >= h.Size {
				b = b[:h.Size]
			} else {
				b = make([]byte, h.Size)
			}
			if _, err := io.ReadFull(tr, b); err != nil {
				if errors.Is(err, errTooLarge) {
					return nil, err
				}
				return nil, fmt.Errorf("reading %s: %w", p, err)
			}
			return b, nil
		}, tr)
		if err != nil {
			return nil, err
		}
	}
	w.res.Bytes = cr.n
	return w.res, nil
}

func addRaw(m map[string][]byte, p string, b []byte) map[string][]byte {
	if m == nil {
		m = map[string][]byte{}
	}
	m[p] = b
	return m
}

// catalogFile runs a cataloger on one file; a panic in a parser on hostile
// content becomes that file's error.
func catalogFile(c catalog.Cataloger, f *catalog.File) (pkgs []sbom.Package, err error) {
	defer func() {
		if r := recover(); r != nil {
			pkgs, err = nil, fmt.Errorf("cataloger failed: %v", r)
		}
	}()
	return c.Catalog(f)
}
