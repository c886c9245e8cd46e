// Package executable inspects what executables and shared objects need
// at run time: for ELF files the dynamic loader (PT_INTERP) and the
// libraries they link (DT_NEEDED), for scripts the interpreter on their #!
// line. The image rules compare that with what the image has: a glibc
// binary on a musl image, or a bash script on an image without bash, fails
// to start with a misleading "not found".
package executable

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
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

func (in inspector) Inspect(p string, mode fs.FileMode, content []byte) ([]imagefs.Fact, error) {
	return in.InspectStream(p, mode, int64(len(content)), bytes.NewReader(content))
}

// InspectStream reads a script's #! line, or an ELF file's headers, loader
// path and DT_NEEDED names, and nothing else of the file.
func (inspector) InspectStream(_ string, mode fs.FileMode, size int64, r io.Reader) ([]imagefs.Fact, error) {
	head := make([]byte, min(size, 256))
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if bytes.HasPrefix(head, []byte("#!")) {
		if mode.Perm()&0o111 == 0 {
			return nil, nil
		}
		line, _, _ := bytes.Cut(head[2:], []byte("\n"))
		return []imagefs.Fact{{Kind: KindScript, Data: map[string]string{KeyInterp: strings.TrimSpace(string(line))}}}, nil
	}
	if !bytes.HasPrefix(head, []byte{0x7f, 'E', 'L', 'F'}) {
		return nil, nil
	}
	info, err := readELF(head, r, size)
	if err != nil || (info.typ != etExec && info.typ != etDyn) {
		return nil, nil // truncated or exotic: not something a rule can judge
	}
	data := map[string]string{KeyType: "exec"}
	if info.typ == etDyn {
		data[KeyType] = "dyn"
	}
	if info.interp != "" {
		data[KeyInterp] = info.interp
	}
	if len(info.needed) > 0 {
		data[KeyNeeded] = strings.Join(info.needed, ",")
	}
	return []imagefs.Fact{{Kind: KindELF, Data: data}}, nil
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
