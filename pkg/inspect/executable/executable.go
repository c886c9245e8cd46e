// Package executable inspects what executables and shared objects need
// at run time: for ELF files the dynamic loader (PT_INTERP) and the
// libraries they link (DT_NEEDED), for scripts the interpreter on their #!
// line. The image rules compare that with what the image has: a glibc
// binary on a musl image, or a bash script on an image without bash, fails
// to start with a misleading "not found".
package executable

import (
	"bytes"
	"debug/elf"
	"io/fs"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/imagefs"
)

// Inspector and fact names.
const (
	Name       = "executable"
	KindELF    = "elf"
	KindScript = "script"
)

// Fact keys.
const (
	KeyInterp = "interp" // the loader, e.g. /lib/ld-musl-x86_64.so.1
	KeyNeeded = "needed" // DT_NEEDED, comma-separated
	KeyType   = "type"   // "exec" or "dyn"
)

type inspector struct{}

// New returns the ELF inspector.
func New() imagefs.Inspector { return inspector{} }

func (inspector) Name() string { return Name }
func (inspector) Version() int { return 1 }

// Wants executables and shared objects; kernel modules and debug files are
// left alone.
func (inspector) Wants(p string, size int64, mode fs.FileMode) bool {
	if !mode.IsRegular() || size < 4 {
		return false
	}
	base := path.Base(p)
	if strings.Contains(p, "/debug/") {
		return false
	}
	return mode.Perm()&0o111 != 0 || strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")
}

func (inspector) Inspect(p string, mode fs.FileMode, content []byte) ([]imagefs.Fact, error) {
	if bytes.HasPrefix(content, []byte("#!")) {
		if mode.Perm()&0o111 == 0 {
			return nil, nil
		}
		line, _, _ := bytes.Cut(content[2:], []byte("\n"))
		return []imagefs.Fact{{Kind: KindScript, Data: map[string]string{KeyInterp: strings.TrimSpace(string(line))}}}, nil
	}
	if !bytes.HasPrefix(content, []byte{0x7f, 'E', 'L', 'F'}) {
		return nil, nil
	}
	f, err := elf.NewFile(bytes.NewReader(content))
	if err != nil {
		return nil, nil // truncated or exotic: not something a rule can judge
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return nil, nil
	}
	data := map[string]string{KeyType: "exec"}
	if f.Type == elf.ET_DYN {
		data[KeyType] = "dyn"
	}
	for _, prog := range f.Progs {
		// Sizes come from the file: a loader path is short, and nothing is
		// larger than the file itself.
		if prog.Type == elf.PT_INTERP && prog.Filesz > 0 && prog.Filesz <= 4096 && prog.Filesz <= uint64(len(content)) {
			b := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(b, 0); err == nil {
				data[KeyInterp] = strings.TrimRight(string(b), "\x00")
			}
		}
	}
	if sane(f, len(content)) {
		if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
			data[KeyNeeded] = strings.Join(libs, ",")
		}
	}
	return []imagefs.Fact{{Kind: KindELF, Data: data}}, nil
}

// sane reports whether every section with content fits in the file, so
// reading the dynamic section allocates no more than the file's size.
func sane(f *elf.File, size int) bool {
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && (s.Size > uint64(size) || s.Offset > uint64(size) || s.Offset+s.Size > uint64(size)) {
			return false
		}
	}
	return true
}

// Libc says which C library an ELF fact shows the file needs: "glibc",
// "musl" or "" (static, or neither).
func Libc(f imagefs.Fact) string {
	interp := f.Data[KeyInterp]
	switch {
	case strings.Contains(interp, "ld-musl"):
		return "musl"
	case strings.Contains(interp, "ld-linux"):
		return "glibc"
	}
	for _, lib := range strings.Split(f.Data[KeyNeeded], ",") {
		switch {
		case lib == "libc.so.6":
			return "glibc"
		case strings.HasPrefix(lib, "libc.musl-"):
			return "musl"
		}
	}
	return ""
}
