// Package gobinary catalogs the modules compiled into Go executables (ELF,
// Mach-O and PE) from their embedded build information, and the Go
// toolchain that built them as the module "stdlib", the way the Go
// vulnerability database names the standard library.
package gobinary

import (
	"bytes"
	"debug/buildinfo"
	"encoding/binary"
	"fmt"
	"io/fs"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "gobinary"

// minSize skips files too small to be a Go executable (the smallest are
// over a megabyte; scripts are far smaller).
const minSize = 64 << 10

type cataloger struct{}

// New returns the Go binary cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

// Wants executables (any exec bit) and Windows .exe files of plausible size.
func (cataloger) Wants(path string, size int64, mode fs.FileMode) bool {
	return mode.IsRegular() && size >= minSize && (mode.Perm()&0o111 != 0 || strings.HasSuffix(path, ".exe"))
}

// magic numbers of the executable formats debug/buildinfo reads.
var magics = [][]byte{{0x7f, 'E', 'L', 'F'}, {'M', 'Z'}, {0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}}

// Catalog reads the build information. Executables that are not Go, or
// were built without module support, yield nothing and no error.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	isExe := false
	for _, m := range magics {
		if bytes.HasPrefix(f.Content, m) {
			isExe = true
		}
	}
	if !isExe {
		return nil, nil
	}
	var skipped catalog.Skipped
	bi, err := buildinfo.Read(bytes.NewReader(f.Content))
	if err != nil {
		// Go's parser gives up on the whole record at one malformed line;
		// the record is still there, line by line.
		var ok bool
		if bi, skipped, ok = lineByLine(f.Content); !ok {
			return nil, nil // not a Go binary, or stripped of build info
		}
	}
	loc := []sbom.Location{{Path: f.Path}}
	var out []sbom.Package
	if v := StdlibVersion(bi.GoVersion); v != "" {
		out = append(out, sbom.Package{Name: "stdlib", Version: v, Type: sbom.TypeGoModule, Locations: loc})
	}
	if m := bi.Main; m.Path != "" {
		v := m.Version
		if v == "" || v == "(devel)" {
			// Built from a checkout: the release may still be stamped in
			// with -ldflags "-X main.version=v1.0.0", which the build
			// settings record (Trivy and Syft read it too).
			v = ldflagsVersion(bi.Settings)
		}
		// Without a version the main module is the code built from a
		// checkout: listed as the project (Root, not matched), as the peers
		// list it, so the SBOM names what the binary is.
		out = append(out, sbom.Package{Name: m.Path, Version: v, Type: sbom.TypeGoModule, Root: v == "", Locations: loc})
	}
	for _, d := range bi.Deps {
		if d == nil {
			continue
		}
		// A replaced module is what was compiled in.
		if d.Replace != nil {
			d = d.Replace
		}
		if d.Path == "" || d.Version == "" {
			continue // replaced by a local directory: no version to match
		}
		out = append(out, sbom.Package{Name: d.Path, Version: d.Version, Type: sbom.TypeGoModule, Locations: loc})
	}
	return out, skipped.Err()
}

// The linker writes the module information between these markers
// (cmd/go/internal/modload's infoStart and infoEnd).
var (
	infoStart = []byte("0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6")
	infoEnd   = []byte("\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")
)

// buildInfoMagic starts the build information header (debug/buildinfo).
var buildInfoMagic = []byte("\xff Go buildinf:")

// record finds the toolchain version and the module information the way
// debug/buildinfo does for Go 1.18 and later (both inline after the
// header, as length-prefixed strings), or, for older binaries, the module
// information between its markers.
func record(b []byte) (goVersion string, mod []byte, ok bool) {
	if k := bytes.Index(b, buildInfoMagic); k >= 0 && k+32 < len(b) && b[k+15]&2 != 0 {
		p := b[k+32:]
		if vl, n := binary.Uvarint(p); n > 0 && vl <= uint64(len(p)-n) {
			goVersion, p = string(p[n:n+int(vl)]), p[n+int(vl):]
			if ml, m := binary.Uvarint(p); m > 0 && ml <= uint64(len(p)-m) {
				mod = p[m : m+int(ml)]
			}
		}
	}
	if mod == nil {
		i := bytes.Index(b, infoStart)
		if i < 0 {
			return "", nil, false
		}
		j := bytes.Index(b[i:], infoEnd)
		if j < 0 {
			return "", nil, false
		}
		mod = b[i : i+j+len(infoEnd)]
	}
	if len(mod) < len(infoStart)+len(infoEnd) || !bytes.HasPrefix(mod, infoStart) || !bytes.HasSuffix(mod, infoEnd) {
		return "", nil, false
	}
	return goVersion, mod[len(infoStart) : len(mod)-len(infoEnd)], true
}

// lineByLine reads the module information of a binary whose record Go's
// parser refused, one line at a time: a malformed line is a skipped entry
// and every other module is kept.
func lineByLine(b []byte) (*debug.BuildInfo, catalog.Skipped, bool) {
	var skipped catalog.Skipped
	gov, mod, ok := record(b)
	if !ok {
		return nil, nil, false
	}
	bi := &debug.BuildInfo{GoVersion: gov}
	var last *debug.Module
	module := func(f []string) (*debug.Module, bool) {
		if len(f) != 3 && len(f) != 4 || f[1] == "" {
			return nil, false
		}
		m := &debug.Module{Path: f[1], Version: f[2]}
		if len(f) == 4 {
			m.Sum = f[3]
		}
		return m, true
	}
	for n, line := range strings.Split(string(mod), "\n") {
		f := strings.Split(line, "\t")
		bad := false
		switch f[0] {
		case "path":
			if len(f) == 2 {
				bi.Path = f[1]
			}
		case "mod":
			m, ok := module(f)
			if bad = !ok; ok {
				bi.Main, last = *m, nil
			}
		case "dep":
			m, ok := module(f)
			if bad = !ok; ok {
				bi.Deps = append(bi.Deps, m)
				last = m
			}
		case "=>":
			m, ok := module(f)
			if bad = !ok || last == nil; !bad {
				last.Replace = m
			}
		case "build":
			if k, v, ok := strings.Cut(strings.Join(f[1:], "\t"), "="); ok {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
		}
		if bad {
			skipped.Add(n+1, f[0], fmt.Errorf("malformed build information line %q", line))
		}
	}
	return bi, skipped, bi.Main.Path != "" || len(bi.Deps) > 0
}

// StdlibVersion turns a toolchain version ("go1.22.0", "go1.21.3
// X:boringcrypto", "devel go1.23-abc") into the semantic version the Go
// vulnerability database uses for stdlib ("1.22.0"); "" for development
// toolchains, which match nothing.
func StdlibVersion(gov string) string {
	v, _, _ := strings.Cut(gov, " ")
	if !strings.HasPrefix(v, "go1") {
		return ""
	}
	v = strings.TrimPrefix(v, "go")
	// Pre-releases: go1.22rc1 -> 1.22.0-rc.1, as the vulnerability database writes them.
	for _, pre := range []string{"rc", "beta"} {
		if i := strings.Index(v, pre); i > 0 {
			base := v[:i]
			if strings.Count(base, ".") == 1 {
				base += ".0"
			}
			return base + "-" + pre + "." + v[i+len(pre):]
		}
	}
	if strings.Count(v, ".") == 1 {
		v += ".0" // go1.20 is 1.20.0
	}
	return v
}

// versionVar matches the name of a variable that holds a release version
// ("main.version", "github.com/x/y/internal/version.Version",
// "main.appVersion").
var versionVar = regexp.MustCompile(`(?i)(^|\.)(app|build|git|release)?ver(sion)?$`)

// semverish is a release version as -X stamps it: v1.2.3, 1.2.3-rc.1.
var semverish = regexp.MustCompile(`^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]*)?$`)

// ldflagsVersion finds "-X pkg.version=v1.2.3" in the -ldflags build
// setting and returns the version with Go's leading v, or "".
func ldflagsVersion(settings []debug.BuildSetting) string {
	for _, s := range settings {
		if s.Key != "-ldflags" {
			continue
		}
		fields := strings.Fields(strings.Trim(s.Value, `"'`))
		for i, f := range fields {
			var kv string
			switch {
			case f == "-X" && i+1 < len(fields):
				kv = fields[i+1]
			case strings.HasPrefix(f, "-X="):
				kv = strings.TrimPrefix(f, "-X=")
			default:
				continue
			}
			name, value, ok := strings.Cut(strings.Trim(kv, `"'`), "=")
			if !ok || !versionVar.MatchString(name) || !semverish.MatchString(value) {
				continue
			}
			if !strings.HasPrefix(value, "v") {
				value = "v" + value
			}
			return value
		}
	}
	return ""
}
