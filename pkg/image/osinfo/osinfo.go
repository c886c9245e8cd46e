// Package osinfo tells which operating system an image is: the
// distribution and release from os-release (with /etc/alpine-release and
// /etc/debian_version as fallbacks), and the C library by the dynamic
// loader actually present, not by what the distribution usually ships.
package osinfo

import (
	"bufio"
	"bytes"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
)

// Files the detector reads; the walker keeps them whole.
var files = []string{"etc/os-release", "usr/lib/os-release", "etc/alpine-release", "etc/debian_version", "etc/lsb-release"}

// KeepID names Keep's file list in layer cache keys; change it with the list.
const KeepID = "osinfo@1"

// Keep reports whether the walker should keep path for Detect. os-release
// is often a symlink, so its usual targets are kept too.
func Keep(p string) bool {
	for _, f := range files {
		if p == f {
			return true
		}
	}
	return false
}

// Detect returns the operating system of the view, or nil when it has no
// recognisable one (scratch images, static binaries).
func Detect(v *imagefs.View) *sbom.OS {
	os := &sbom.OS{}
	if b, ok := v.Raw("etc/os-release"); ok {
		parseOSRelease(b, os)
	} else if b, ok := v.Raw("usr/lib/os-release"); ok {
		parseOSRelease(b, os)
	}
	if b, ok := v.Raw("etc/alpine-release"); ok && (os.ID == "" || os.ID == "alpine") {
		os.ID = "alpine"
		if r := strings.TrimSpace(string(b)); r != "" {
			os.Version = r
		}
	}
	if b, ok := v.Raw("etc/debian_version"); ok && (os.ID == "" || os.ID == "debian") && os.Version == "" {
		os.ID = "debian"
		os.Version = strings.TrimSpace(string(b))
	}
	_, hasStatus := v.Lookup("var/lib/dpkg/status")
	hasStatusD := false
	os.Libc = libc(v, &hasStatusD)
	os.Distroless = hasStatusD && !hasStatus
	if os.ID == "" && os.Libc == "" {
		return nil
	}
	return os
}

// parseOSRelease reads os-release(5): KEY=value lines, values optionally
// quoted.
func parseOSRelease(b []byte, os *sbom.OS) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			os.ID = strings.ToLower(v)
		case "VERSION_ID":
			os.Version = v
		case "VERSION_CODENAME":
			os.Codename = v
		case "PRETTY_NAME":
			os.Name = v
		}
	}
}

// libc finds the dynamic loader: ld-musl-<arch>.so.1 means musl,
// ld-linux*.so.* means glibc. Only loaders that resolve to a real file
// count, so a dangling symlink does not. Alpine's gcompat installs an
// ld-linux shim next to musl's loader; glibc proper also ships libc.so.6,
// which tells the two apart.
func libc(v *imagefs.View, statusD *bool) string {
	var musl, glibcLoader, glibcLib bool
	v.Walk(func(f imagefs.File) {
		if strings.HasPrefix(f.Path, "var/lib/dpkg/status.d/") {
			*statusD = true
		}
		dir, base := path.Split(f.Path)
		if !strings.HasPrefix(dir, "lib") && !strings.HasPrefix(dir, "usr/lib") {
			return
		}
		isMusl := strings.HasPrefix(base, "ld-musl-") && strings.HasSuffix(base, ".so.1")
		isGlibc := strings.HasPrefix(base, "ld-linux") && strings.Contains(base, ".so.")
		isLibc6 := base == "libc.so.6"
		if !isMusl && !isGlibc && !isLibc6 {
			return
		}
		if r, ok := v.Resolve(f.Path); !ok || !r.Mode.IsRegular() {
			return
		}
		musl = musl || isMusl
		glibcLoader = glibcLoader || isGlibc
		glibcLib = glibcLib || isLibc6
	})
	switch {
	case glibcLoader && (glibcLib || !musl):
		return "glibc"
	case musl:
		return "musl"
	}
	return ""
}
