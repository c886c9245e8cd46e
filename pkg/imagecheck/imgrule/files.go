package imgrule

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/eol"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/secretfile"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

var eolLookup = eol.Lookup

var img010 = &Rule{Rule: rule.Rule{
	ID: "IMG010", Aliases: []string{"CIS-DI-0008"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "setuid or setgid executable",
	Why: `A setuid or setgid executable runs with its owner's (usually root's) privileges whatever user starts
it: any flaw in it is a privilege escalation inside the container. Most containers need none
(su, passwd, mount and the like are for interactive systems).`,
	Fix:         "Remove the bits in the Dockerfile: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, or remove the programs.",
	ExampleLang: "text",
	Bad:         "-rwsr-xr-x root root /usr/bin/passwd",
	Good:        "-rwxr-xr-x root root /usr/bin/passwd",
}, check: func(p *pass) {
	p.files(func(f imagefs.File) {
		if f.Mode.IsRegular() && f.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			what := "setuid"
			if f.Mode&fs.ModeSetuid == 0 {
				what = "setgid"
			} else if f.Mode&fs.ModeSetgid != 0 {
				what = "setuid and setgid"
			}
			p.atFile(f.Path, f.Layer, fmt.Sprintf("/%s is %s (owner uid %d)", f.Path, what, f.UID))
		}
	})
}}

var img011 = &Rule{Rule: rule.Rule{
	ID: "IMG011", Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "World-writable file or directory",
	Why: `Any process in the container, whatever its user, can change a world-writable file, or add and
replace files in a world-writable directory that lacks the sticky bit: binaries, configuration
and data others trust. /tmp and /var/tmp are world-writable by design, with the sticky bit.`,
	Fix:         "Give ownership to the user that writes (`chown app`) and drop the others' write bit (`chmod o-w`); shared directories need the sticky bit (`chmod 1777`).",
	ExampleLang: "text",
	Bad:         "drwxrwxrwx /data",
	Good:        "drwxr-x--- app app /data",
}, check: func(p *pass) {
	p.files(func(f imagefs.File) {
		if f.Mode&fs.ModeSymlink != 0 || f.Mode.Perm()&0o002 == 0 {
			return
		}
		if f.Mode.IsDir() && f.Mode&fs.ModeSticky != 0 {
			return
		}
		if f.Path == "tmp" || f.Path == "var/tmp" || strings.HasPrefix(f.Path, "tmp/") || strings.HasPrefix(f.Path, "var/tmp/") {
			return
		}
		kind := "file"
		if f.Mode.IsDir() {
			kind = "directory without the sticky bit"
		}
		p.atFile(f.Path, f.Layer, fmt.Sprintf("/%s is a world-writable %s (mode %04o)", f.Path, kind, f.Mode.Perm()))
	})
}}

var img012 = &Rule{Rule: rule.Rule{
	ID: "IMG012", Aliases: []string{"CIS-DI-0010"}, Severity: finding.High, Kind: finding.KindSecret,
	Title: "Secret left in the image's files",
	Why: `Private keys, cloud and registry credentials, package-manager tokens, .env files and shell
histories copied or created during the build stay in their layer even if a later step deletes
them, and anyone who can pull the image can extract them. Only a short, masked excerpt is shown.`,
	Fix:         "Rebuild without the file (a .dockerignore, `RUN --mount=type=secret` for build-time credentials), then rotate the leaked secret: it is in every copy of the image.",
	ExampleLang: "text",
	Bad:         "/root/.ssh/id_rsa holding -----BEGIN OPENSSH PRIVATE KEY-----",
	Good:        "no key files in the image; keys mounted at run time",
}, check: func(p *pass) {
	for _, f := range p.in.View.Facts() {
		if f.Kind != secretfile.Name {
			continue
		}
		x := p.atFile(f.Path, f.Layer, fmt.Sprintf("/%s holds %s (%s)", f.Path, f.Data[secretfile.KeyWhat], f.Data[secretfile.KeyExcerpt]))
		if strings.Contains(f.Data[secretfile.KeyWhat], "private key") || strings.Contains(f.Data[secretfile.KeyWhat], "token") || strings.Contains(f.Data[secretfile.KeyWhat], "access key") {
			x.Severity = finding.Critical
		}
	}
}}

// cacheDirs are package-manager caches: useless at run time.
var cacheDirs = []struct{ dir, what string }{
	{"var/lib/apt/lists", "apt package lists"},
	{"var/cache/apt/archives", "apt's downloaded packages"},
	{"var/cache/apk", "apk's cache"},
	{"etc/apk/cache", "apk's cache"},
	{"var/cache/yum", "yum's cache"},
	{"var/cache/dnf", "dnf's cache"},
	{"var/cache/zypp", "zypper's cache"},
	{"root/.cache/pip", "pip's cache"},
	{"root/.npm/_cacache", "npm's cache"},
	{"usr/local/share/.cache/yarn", "yarn's cache"},
	{"root/.cache/yarn", "yarn's cache"},
	{"root/.cache/go-build", "Go's build cache"},
	{"root/go/pkg/mod/cache", "Go's module download cache"},
	{"root/.m2/repository", "Maven's local repository"},
	{"root/.gradle/caches", "Gradle's cache"},
}

var img020 = &Rule{Rule: rule.Rule{
	ID: "IMG020", Aliases: []string{"DKL-DI-0005"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Package-manager cache left in the image",
	Why: `Package lists and downloaded packages are needed while installing, never at run time. Left in a
layer they add megabytes to every pull and every node's disk, and stale package lists can make a
later "apt-get install" in a derived image fetch outdated versions.`,
	Fix:         "Clean in the same RUN that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, `yum clean all`), or use a cache mount: `RUN --mount=type=cache,target=/var/cache/apt ...`.",
	ExampleLang: "text",
	Bad:         "/var/lib/apt/lists holding 18 MB of package lists",
	Good:        "/var/lib/apt/lists empty",
}, check: func(p *pass) {
	sizes := map[string]int64{}
	files := map[string]int{}
	layer := map[string]int{}
	p.files(func(f imagefs.File) {
		if !f.Mode.IsRegular() {
			return
		}
		for _, c := range cacheDirs {
			if strings.HasPrefix(f.Path, c.dir+"/") && path.Base(f.Path) != "lock" && !strings.HasSuffix(f.Path, "/partial") {
				sizes[c.dir] += f.Size
				files[c.dir]++
				if f.Layer > layer[c.dir] {
					layer[c.dir] = f.Layer
				}
			}
		}
	})
	for _, c := range cacheDirs {
		if files[c.dir] == 0 || sizes[c.dir] == 0 {
			continue
		}
		p.atFile(c.dir, layer[c.dir], fmt.Sprintf("/%s holds %s: %d files, %s wasted", c.dir, c.what, files[c.dir], layerview.HumanBytes(sizes[c.dir])))
	}
}}

var img022 = &Rule{Rule: rule.Rule{
	ID: "IMG022", Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Very large layer",
	Why: `A single layer of hundreds of megabytes is slow to push and pull, cannot be shared with other
images, and is usually a sign of build tools, caches or data that do not belong in a runtime
image.`,
	Fix:         "Use a multi-stage build so only the artefacts reach the final image; clean caches in the RUN that creates them; move data to volumes.",
	ExampleLang: "text",
	Bad:         "a 1.2 GB layer made by `RUN apt-get install -y build-essential ...`",
	Good:        "build tools in a builder stage; a 40 MB final layer with the binary",
}, check: func(p *pass) {
	for i, l := range p.in.View.Layers {
		var size int64
		for _, e := range l.Entries {
			size += e.Size
		}
		if size <= p.opts.MaxLayerSize {
			continue
		}
		msg := fmt.Sprintf("layer %d holds %s (threshold %s)", i, layerview.HumanBytes(size), layerview.HumanBytes(p.opts.MaxLayerSize))
		if by := p.instruction(i); by != "" {
			msg += ", made by: " + by
		}
		p.add(finding.Location{Layer: l.DiffID}, msg)
	}
}}

// instruction returns the history entry that made layer i.
func (p *pass) instruction(i int) string {
	ins := layerview.Instructions(p.in.Config, len(p.in.View.Layers))
	if i < 0 || i >= len(ins) {
		return ""
	}
	by := ins[i]
	if len(by) > 120 {
		by = by[:117] + "..."
	}
	return by
}

var img030 = &Rule{Rule: rule.Rule{
	ID: "IMG030", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Binary needs a C library the image does not have",
	Why: `A binary linked against glibc (its loader is ld-linux*.so, or it needs libc.so.6) cannot run on
a musl image such as Alpine unless a compatibility layer provides that loader, and a musl binary
needs musl's loader on a glibc image. Either way the container fails at start with the misleading
"exec ...: no such file or directory" or "not found", though the file is there.`,
	Fix:         "Build the binary for the image's libc (CGO_ENABLED=0 for Go, a musl target for Rust and C), or use a base with the libc it needs (a Debian slim or distroless base for glibc binaries); on Alpine, `apk add gcompat` is a last resort.",
	ExampleLang: "text",
	Bad:         "/app/server (interpreter /lib64/ld-linux-x86-64.so.2) on Alpine, which has /lib/ld-musl-x86_64.so.1 only",
	Good:        "/app/server built with CGO_ENABLED=0 (static) on Alpine",
}, check: func(p *pass) {
	os := p.in.Inventory.OS
	if os == nil || os.Libc == "" {
		return
	}
	entry := p.entrypointPath()
	for _, f := range p.in.View.Facts() {
		if f.Kind != executable.KindELF {
			continue
		}
		need := executable.Libc(f.Fact)
		if need == "" || need == os.Libc {
			continue
		}
		if p.satisfied(f.Fact, need) {
			continue
		}
		what := "links " + need
		if interp := f.Data[executable.KeyInterp]; interp != "" {
			what = fmt.Sprintf("needs %s's loader %s", need, interp)
		}
		msg := fmt.Sprintf("/%s %s, but the image's libc is %s: it fails to start with \"not found\"", f.Path, what, os.Libc)
		x := p.atFile(f.Path, f.Layer, msg)
		if f.Path == entry {
			x.Message = "the entrypoint " + x.Message
			x.Severity = finding.Critical
		} else if f.Data[executable.KeyType] == "dyn" && f.Data[executable.KeyInterp] == "" {
			x.Severity = finding.Medium // a shared object: fails when something loads it
		}
	}
}}

// satisfied reports whether the image provides what a foreign-libc binary
// needs anyway: its loader resolves (gcompat installs ld-linux on Alpine),
// or a compatible libc.so.6 exists.
func (p *pass) satisfied(f imagefs.Fact, need string) bool {
	if interp := f.Data[executable.KeyInterp]; interp != "" {
		_, ok := p.in.View.Resolve(interp)
		return ok
	}
	if need == "glibc" {
		for _, dir := range []string{"lib", "lib64", "usr/lib", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu"} {
			if _, ok := p.in.View.Resolve(dir + "/libc.so.6"); ok {
				return true
			}
			if _, ok := p.in.View.Resolve(dir + "/libgcompat.so.0"); ok {
				return true
			}
		}
	}
	return false
}

// entrypointPath is the resolved path of the program the container runs.
func (p *pass) entrypointPath() string {
	return entrypoint.Resolve(p.cfg, p.in.View).Path
}

var img031 = &Rule{Rule: rule.Rule{
	ID: "IMG031", Severity: finding.Critical, Kind: finding.KindMisconfiguration,
	Title: "Entrypoint program or its interpreter is missing",
	Why: `The container runs ENTRYPOINT followed by CMD. When that program is not in the image (a typo, a
file copied to another path, a binary left in the build stage), or is a script whose #! interpreter
the image lacks, or the command is in shell form on an image without /bin/sh (distroless, scratch),
every container fails at start.`,
	Fix:         "Point ENTRYPOINT/CMD at a file that exists, in exec form (`[\"/app/server\"]`); on images without a shell, do not use shell form or shell scripts.",
	ExampleLang: "json",
	Bad:         `{"config": {"Cmd": ["/bin/sh", "-c", "/app/server"]}} on a distroless image`,
	Good:        `{"config": {"Entrypoint": ["/app/server"]}} with /app/server present`,
}, check: func(p *pass) {
	if !p.isImage() {
		return
	}
	c := entrypoint.Resolve(p.cfg, p.in.View)
	switch {
	case len(c.Args) == 0:
	case c.Shell:
		if _, ok := entrypoint.LookPath(p.cfg, p.in.View, c.Program()); !ok {
			p.atConfig(c.Field, "the command is in shell form (/bin/sh -c ...), but the image has no /bin/sh")
		}
	case c.Path == "":
		p.atConfig(c.Field, fmt.Sprintf("%s is not in the image (looked in %s)", c.Program(), lookedIn(c.Program())))
	case c.Interpreter != "":
		interp := c.InterpreterProgram()
		if _, ok := entrypoint.LookPath(p.cfg, p.in.View, interp); interp != "" && !ok {
			p.atConfig(c.Field, fmt.Sprintf("%s is a script for %s, which the image does not have", c.Program(), interp))
		}
	}
}}

func lookedIn(prog string) string {
	if strings.Contains(prog, "/") {
		return "the image's filesystem"
	}
	return "the image's PATH"
}
