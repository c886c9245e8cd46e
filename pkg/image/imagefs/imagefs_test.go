package imagefs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
)

// entry is a tar entry for tests: "name" regular with content, "name/"
// directory, "name -> target" symlink, "name => target" hard link.
type entry struct{ name, content string }

func tarOf(t testing.TB, es ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.content))}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case strings.Contains(e.name, " -> "):
			name, target, _ := strings.Cut(e.name, " -> ")
			h.Name, h.Linkname, h.Typeflag, h.Size = name, target, tar.TypeSymlink, 0
		case strings.Contains(e.name, " => "):
			name, target, _ := strings.Cut(e.name, " => ")
			h.Name, h.Linkname, h.Typeflag, h.Size = name, target, tar.TypeLink, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.content))
		}
	}
	tw.Close()
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func zst(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	return w.EncodeAll(b, nil)
}

// layer makes a layer of a stored blob that is what it claims: its diff ID
// is the digest of the blob's uncompressed bytes.
func layer(i int, blob []byte) source.Layer {
	return source.Layer{Index: i, DiffID: diffIDOf(blob),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil }}
}

// diffIDOf is the digest of a blob's uncompressed bytes (zero when it does
// not decompress).
func diffIDOf(blob []byte) v1.Hash {
	r, _, closeDec, err := decompress(bytes.NewReader(blob))
	if err != nil {
		return v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	}
	defer closeDec()
	h := sha256.New()
	io.Copy(h, r)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// fakeCataloger wants files named "db" and reports one package per line.
type fakeCataloger struct{}

func (fakeCataloger) Name() string { return "fake" }
func (fakeCataloger) Version() int { return 1 }
func (fakeCataloger) Wants(p string, _ int64, m fs.FileMode) bool {
	return strings.HasSuffix(p, "/db") || p == "db"
}
func (fakeCataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	if string(f.Content) == "panic" {
		panic("hostile input")
	}
	var out []sbom.Package
	for _, l := range strings.Fields(string(f.Content)) {
		out = append(out, sbom.Package{Name: l, Version: "1", Type: "fake"})
	}
	return out, nil
}

var opts = Options{Catalogers: []catalog.Cataloger{fakeCataloger{}}, Keep: func(p string) bool { return strings.HasSuffix(p, "os-release") }}

func read(t *testing.T, o Options, blobs ...[]byte) (*View, error) {
	t.Helper()
	var ls []source.Layer
	for i, b := range blobs {
		ls = append(ls, layer(i, b))
	}
	res, err := ReadLayers(context.Background(), ls, o)
	if err != nil {
		return nil, err
	}
	return Merge(res), nil
}

func paths(v *View) []string {
	var out []string
	v.Walk(func(f File) { out = append(out, f.Path) })
	return out
}

func TestWhiteoutsAndOpaque(t *testing.T) {
	base := tarOf(t, entry{"etc/", ""}, entry{"etc/motd", "hi"}, entry{"etc/keep", "k"},
		entry{"app/", ""}, entry{"app/a/db", "one two"}, entry{"app/a/x", ""}, entry{"opt/", ""}, entry{"opt/old", ""}, entry{"var/", ""}, entry{"var/lib/", ""}, entry{"var/lib/db", "three"})
	upper := tarOf(t, entry{"etc/.wh.motd", ""}, entry{"app/.wh.a", ""}, entry{"opt/.wh..wh..opq", ""}, entry{"opt/new", ""}, entry{"var/lib/db", "four"})
	for name, blobs := range map[string][][]byte{"tar": {base, upper}, "gzip": {gz(base), gz(upper)}, "zstd": {zst(base), zst(upper)}} {
		v, err := read(t, opts, blobs...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []string{"app", "etc", "etc/keep", "opt", "opt/new", "var", "var/lib", "var/lib/db"}
		if d := cmp.Diff(want, paths(v)); d != "" {
			t.Errorf("%s: view (-want +got):\n%s", name, d)
		}
		pk := v.Packages()
		if len(pk) != 1 || pk[0].Name != "four" || pk[0].Locations[0].Path != "/var/lib/db" || pk[0].Locations[0].Layer != diffIDOf(upper).String() {
			t.Errorf("%s: packages %+v", name, pk)
		}
	}
}

func TestSymlinks(t *testing.T) {
	v, err := read(t, opts, tarOf(t,
		entry{"usr/", ""}, entry{"usr/lib/", ""}, entry{"usr/lib/os-release", "ID=x"},
		entry{"etc/", ""}, entry{"etc/os-release -> ../usr/lib/os-release", ""},
		entry{"lib -> usr/lib", ""},
		entry{"loop1 -> loop2", ""}, entry{"loop2 -> loop1", ""},
		entry{"escape -> ../../../../usr/lib/os-release", ""},
		entry{"abs -> /etc/os-release", ""},
		entry{"dangling -> nowhere", ""},
	))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"etc/os-release": "usr/lib/os-release", "lib/os-release": "usr/lib/os-release", "escape": "usr/lib/os-release", "abs": "usr/lib/os-release"} {
		f, ok := v.Resolve(p)
		if !ok || f.Path != want {
			t.Errorf("Resolve(%s) = %q, %v; want %s", p, f.Path, ok, want)
		}
	}
	for _, p := range []string{"loop1", "dangling", "missing"} {
		if _, ok := v.Resolve(p); ok {
			t.Errorf("Resolve(%s) succeeded", p)
		}
	}
	if b, ok := v.Raw("etc/os-release"); !ok || string(b) != "ID=x" {
		t.Errorf("Raw through symlink = %q %v", b, ok)
	}
}

func TestHostileEntries(t *testing.T) {
	v, err := read(t, opts, tarOf(t,
		entry{"../../etc/passwd", "root"}, entry{"/abs/db", "ok"}, entry{"a/../../b", "x"},
		entry{"bad/db", "panic"}, entry{"hl => ../../x", ""}, entry{"l/db => abs/db", ""},
	))
	if err != nil {
		t.Fatal(err)
	}
	got := paths(v)
	if d := cmp.Diff([]string{"abs/db", "bad/db", "l/db"}, got); d != "" {
		t.Errorf("view (-want +got):\n%s", d)
	}
	var msgs []string
	for _, e := range v.Layers[0].Errors {
		msgs = append(msgs, e.Path+": "+e.Err)
	}
	want := []string{"../../etc/passwd: entry escapes the image root; skipped", "a/../../b: entry escapes the image root; skipped", "bad/db: fake: cataloger failed: hostile input", "hl: hard link escapes the image root; skipped"}
	if d := cmp.Diff(want, msgs); d != "" {
		t.Errorf("errors (-want +got):\n%s", d)
	}
	if pk := v.Packages(); len(pk) != 2 {
		t.Errorf("packages from the file and its hard link: %+v", pk)
	}
}

func TestLimits(t *testing.T) {
	big := tarOf(t, entry{"db", strings.Repeat("x ", 5000)}, entry{"zeros", strings.Repeat("\x00", 1<<20)})
	o := opts
	o.MaxFileSize = 1000
	v, err := read(t, o, gz(big))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Layers[0].Errors) != 1 || !strings.Contains(v.Layers[0].Errors[0].Err, "over the 1000-byte limit") {
		t.Errorf("errors = %+v", v.Layers[0].Errors)
	}
	o.MaxLayerBytes = 64 << 10
	if _, err := read(t, o, gz(big)); !errors.Is(err, errTooLarge) {
		t.Errorf("bomb: err = %v", err)
	}
	var le *LayerError
	if _, err := read(t, o, gz(big)); !errors.As(err, &le) || !strings.Contains(err.Error(), "layer 0 (sha256:") {
		t.Errorf("layer error does not name the layer: %v", err)
	}
}

func TestCorruptLayers(t *testing.T) {
	good := gz(tarOf(t, entry{"a", strings.Repeat("a", 10000)}))
	for name, blob := range map[string][]byte{
		"corrupt gzip":   append(append([]byte{}, good[:20]...), bytes.Repeat([]byte{0xff}, 100)...),
		"truncated gzip": good[:len(good)/2],
		"truncated tar":  tarOf(t, entry{"a", strings.Repeat("a", 10000)})[:2000],
		"not a tar":      []byte(strings.Repeat("hello world ", 100)),
	} {
		if _, err := read(t, opts, blob); err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: multi-line error %q", name, err)
		}
	}
}

// sparseTar returns a tar with one GNU sparse file whose logical size is
// 10 GiB and whose stored data is a single 512-byte block, then a normal
// file: the walker must neither read nor hold the holes.
func sparseTar(t *testing.T) []byte {
	t.Helper()
	octal := func(b []byte, v int64) {
		s := strconv.FormatInt(v, 8)
		if len(s) < len(b)-1 {
			s = strings.Repeat("0", len(b)-1-len(s)) + s
		}
		copy(b, s) // a full-width field needs no terminating NUL
	}
	blk := make([]byte, 512)
	copy(blk, "usr/bin/huge")
	octal(blk[100:108], 0o755)
	octal(blk[108:116], 0)
	octal(blk[116:124], 0)
	octal(blk[124:136], 512) // stored bytes
	octal(blk[136:148], 0)
	blk[156] = 'S'
	copy(blk[257:265], "ustar  \x00")
	octal(blk[386:398], 10<<30-512) // one data region at the end of the file
	octal(blk[398:410], 512)
	octal(blk[483:495], 10<<30) // real size
	copy(blk[148:156], "        ")
	var sum int64
	for _, c := range blk {
		sum += int64(c)
	}
	octal(blk[148:155], sum)
	blk[155] = ' '
	data := bytes.Repeat([]byte{'x'}, 512)
	rest := tarOf(t, entry{"etc/after", "ok"})
	return append(append(blk, data...), rest...)
}

func TestSparseFile(t *testing.T) {
	o := opts
	o.Catalogers = append(o.Catalogers, wantAll{})
	v, err := read(t, o, sparseTar(t))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := v.Lookup("usr/bin/huge")
	if !ok || f.Size != 10<<30 {
		t.Fatalf("sparse entry = %+v %v", f, ok)
	}
	if _, ok := v.Lookup("etc/after"); !ok {
		t.Error("the entry after the sparse file is missing")
	}
	if len(v.Layers[0].Errors) != 1 || !strings.Contains(v.Layers[0].Errors[0].Err, "over the") {
		t.Errorf("errors = %+v", v.Layers[0].Errors)
	}
}

// wantAll wants every file, as a binary cataloger wants executables.
type wantAll struct{ fakeCataloger }

func (wantAll) Name() string                                  { return "all" }
func (wantAll) Wants(string, int64, fs.FileMode) bool         { return true }
func (wantAll) Catalog(*catalog.File) ([]sbom.Package, error) { return nil, nil }
