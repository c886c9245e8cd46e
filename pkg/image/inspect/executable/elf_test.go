package executable

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// reference reads the same facts with debug/elf from the whole file.
func reference(b []byte) (typ, interp, needed string, ok bool) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return "", "", "", false
	}
	defer f.Close()
	switch f.Type {
	case elf.ET_EXEC:
		typ = "exec"
	case elf.ET_DYN:
		typ = "dyn"
	default:
		return "", "", "", false
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			d := make([]byte, p.Filesz)
			p.ReadAt(d, 0)
			interp = strings.TrimRight(string(d), "\x00")
		}
	}
	libs, _ := f.ImportedLibraries()
	return typ, interp, strings.Join(libs, ","), true
}

func compare(t *testing.T, name string, b []byte) bool {
	t.Helper()
	typ, interp, needed, ok := reference(b)
	if !ok {
		return false
	}
	facts, err := New().Inspect(name, 0o755, b)
	if err != nil || len(facts) != 1 {
		t.Errorf("%s: %v %+v; debug/elf reads it", name, err, facts)
		return true
	}
	d := facts[0].Data
	if d[KeyType] != typ || d[KeyInterp] != interp || d[KeyNeeded] != needed {
		t.Errorf("%s:\n got type %s interp %q needed %q\nwant type %s interp %q needed %q", name, d[KeyType], d[KeyInterp], d[KeyNeeded], typ, interp, needed)
	}
	return true
}

// TestAgainstDebugELF: on every ELF file of the real Debian image, the
// streaming reader finds what debug/elf finds reading the whole file.
func TestAgainstDebugELF(t *testing.T) {
	img, err := tarball.ImageFromPath(sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar"), nil)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			if h.Typeflag != tar.TypeReg || h.Size < 64 {
				continue
			}
			b, _ := io.ReadAll(tr)
			if bytes.HasPrefix(b, []byte("\x7fELF")) && compare(t, h.Name, b) {
				n++
			}
		}
		rc.Close()
	}
	if n < 300 {
		t.Errorf("only %d ELF files compared", n)
	}
	t.Logf("%d ELF files agree with debug/elf", n)
}

// TestAgainstDebugELFHost does the same on this machine's own binaries
// (other compilers and linkers than Debian's), when there are any.
func TestAgainstDebugELFHost(t *testing.T) {
	n := 0
	for _, dir := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/local/go/bin", "/usr/local/go/pkg/tool/linux_amd64"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.Type().IsRegular() || n >= 2000 {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil || !bytes.HasPrefix(b, []byte("\x7fELF")) {
				continue
			}
			if compare(t, filepath.Join(dir, e.Name()), b) {
				n++
			}
		}
	}
	if n == 0 {
		t.Skip("skipping: no ELF files on this machine")
	}
	t.Logf("%d host ELF files agree with debug/elf", n)
}
