// Package testimage builds images in code, with go-containerregistry, for
// tests and the peer comparisons in bench/: layers from a list of files,
// build history with the Dockerfile lines that made them, and Bad, an
// image with one of everything the image rules look for.
package testimage

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is a tar entry. Mode 0 means 0644 (0755 for directories, whose
// names end in "/"); Link makes a symlink; whiteouts are written by name
// (".wh.x").
type File struct {
	Name    string
	Content string
	Mode    int64
	Link    string
	UID     int
	// PAX are extended header records: "SCHILY.xattr.security.capability"
	// carries file capabilities.
	PAX map[string]string
}

// Layer makes an uncompressed layer of files, in order.
func Layer(files ...File) (v1.Layer, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: f.Mode, Uid: f.UID, Typeflag: tar.TypeReg, Size: int64(len(f.Content)), PAXRecords: f.PAX}
		if len(f.PAX) > 0 {
			h.Format = tar.FormatPAX
		}
		switch {
		case strings.HasSuffix(f.Name, "/"):
			h.Typeflag, h.Size = tar.TypeDir, 0
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case f.Link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.Link, 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", f.Name, err)
		}
		if _, err := tw.Write([]byte(f.Content)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// Step is one build step: the history line, and the files of the layer
// it made (none for a metadata step such as ENV).
type Step struct {
	CreatedBy string
	Files     []File
	Empty     bool
}

// Build appends steps to base (nil: an empty image) and sets cfg.
func Build(base v1.Image, cfg v1.Config, steps ...Step) (v1.Image, error) {
	img := base
	if img == nil {
		img = empty.Image
	}
	for _, s := range steps {
		h := v1.History{CreatedBy: s.CreatedBy, EmptyLayer: s.Empty}
		var err error
		if s.Empty {
			// mutate.Append needs a layer: add the history entry alone.
			var cf *v1.ConfigFile
			if cf, err = img.ConfigFile(); err == nil {
				cf = cf.DeepCopy()
				cf.History = append(cf.History, h)
				img, err = mutate.ConfigFile(img, cf)
			}
		} else {
			var l v1.Layer
			if l, err = Layer(s.Files...); err == nil {
				img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: h})
			}
		}
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.CreatedBy, err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config = cfg
	cf.OS, cf.Architecture = "linux", "amd64"
	return mutate.ConfigFile(img, cf)
}

// GlibcELF is a minimal x86-64 executable whose loader is glibc's: enough
// for debug/elf (and for the kernel to look for that loader).
func GlibcELF() string { return elfWithInterp("/lib64/ld-linux-x86-64.so.2") }

// StaticELF is a minimal x86-64 executable with no loader and no
// libraries: what Go builds with CGO_ENABLED=0.
func StaticELF() string { return elfWithInterp("") }

func elfWithInterp(interp string) string {
	phnum := uint16(1)
	if interp == "" {
		phnum = 0
	} else {
		interp += "\x00"
	}
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	b.Write(make([]byte, 8))
	le(uint16(2))  // ET_EXEC
	le(uint16(62)) // EM_X86_64
	le(uint32(1))  // version
	le(uint64(0))  // entry
	le(uint64(64)) // program headers right after the header
	le(uint64(0))  // no section headers
	le(uint32(0))  // flags
	le(uint16(64)) // header size
	le(uint16(56)) // program header size
	le(phnum)      // program headers
	le(uint16(64)) // section header size
	le(uint16(0))
	le(uint16(0))
	if phnum == 0 {
		return b.String()
	}
	le(uint32(3)) // PT_INTERP
	le(uint32(4))
	le(uint64(120)) // the loader path follows the program header
	le(uint64(0))
	le(uint64(0))
	le(uint64(len(interp)))
	le(uint64(len(interp)))
	le(uint64(1))
	b.WriteString(interp)
	return b.String()
}

// AlpineRoot is a minimal musl root filesystem, for when the real Alpine
// image in ../shared/testdata is not at hand.
var AlpineRoot = []File{
	{Name: "etc/"}, {Name: "etc/os-release", Content: "ID=alpine\nVERSION_ID=3.18.9\n"},
	{Name: "etc/passwd", Content: "root:x:0:0:root:/root:/bin/sh\n"},
	{Name: "etc/group", Content: "root:x:0:\n"},
	{Name: "etc/shadow", Content: "root:*:19000:0:::::\n", Mode: 0o640},
	{Name: "lib/"}, {Name: "lib/ld-musl-x86_64.so.1", Content: strings.Repeat("x", 100), Mode: 0o755},
	{Name: "bin/"}, {Name: "bin/busybox", Content: strings.Repeat("b", 100), Mode: 0o755}, {Name: "bin/sh", Link: "/bin/busybox"},
	{Name: "tmp/", Mode: 0o1777},
}

// Bad builds on base (an Alpine image; nil uses AlpineRoot) an image with
// one of each problem the image rules and Dockle look for, made by
// history entries with the Dockerfile lines that would make them: runs as
// root, no HEALTHCHECK, a secret in ENV and in a build ARG, apk and its
// cache, sudo, a setuid file, a private key and a .env file, a file
// deleted in a later layer, and a glibc binary as the entrypoint on musl.
func Bad(base v1.Image) (v1.Image, error) {
	var steps []Step
	if base == nil {
		steps = append(steps, Step{CreatedBy: "/bin/sh -c #(nop) ADD file:5b3b8bd1a0c1 in / ", Files: AlpineRoot})
	}
	big := strings.Repeat("z", 2<<20)
	steps = append(steps,
		Step{CreatedBy: "/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Empty: true},
		Step{CreatedBy: "/bin/sh -c apk update && apk add curl", Files: []File{
			{Name: "var/"}, {Name: "var/cache/"}, {Name: "var/cache/apk/"},
			{Name: "var/cache/apk/APKINDEX.2c4ac24e.tar.gz", Content: strings.Repeat("i", 300<<10)},
		}},
		Step{CreatedBy: "/bin/sh -c sudo chmod u+s /usr/local/bin/tool", Files: []File{
			{Name: "usr/"}, {Name: "usr/local/"}, {Name: "usr/local/bin/"},
			{Name: "usr/local/bin/tool", Content: "#!/bin/sh\necho tool\n", Mode: 0o4755},
		}},
		Step{CreatedBy: "/bin/sh -c #(nop) ADD https://example.com/big.tgz /tmp/big.tgz ", Files: []File{{Name: "tmp/", Mode: 0o1777}, {Name: "tmp/big.tgz", Content: big}}},
		Step{CreatedBy: "|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c rm /tmp/big.tgz && npm ci", Files: []File{{Name: "tmp/"}, {Name: "tmp/.wh.big.tgz"}}},
		Step{CreatedBy: "/bin/sh -c #(nop) COPY dir:9a7e in /app ", Files: []File{
			{Name: "app/"}, {Name: "app/server", Content: GlibcELF(), Mode: 0o755},
			{Name: "app/.env", Content: "DEBUG=1\nDB_PASSWORD=s3cr3t-Passw0rd-value\n"},
			{Name: "root/", Mode: 0o700}, {Name: "root/.ssh/", Mode: 0o700},
			{Name: "root/.ssh/id_rsa", Content: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n", Mode: 0o600},
		}},
		Step{CreatedBy: `/bin/sh -c #(nop)  ENTRYPOINT ["/app/server"]`, Empty: true},
	)
	cfg := v1.Config{
		Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Entrypoint: []string{"/app/server"},
	}
	if base != nil {
		bc, err := base.ConfigFile()
		if err == nil && len(bc.History) == 0 {
			// Give the base's layers history entries, so that history
			// and layers line up as a real build's do.
			n := len(bc.RootFS.DiffIDs)
			bc = bc.DeepCopy()
			for i := 0; i < n; i++ {
				bc.History = append(bc.History, v1.History{CreatedBy: "/bin/sh -c #(nop) ADD file:alpine-minirootfs in / "})
			}
			if base, err = mutate.ConfigFile(base, bc); err != nil {
				return nil, err
			}
		}
	}
	return Build(base, cfg, steps...)
}
