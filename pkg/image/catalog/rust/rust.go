// Package rust catalogs Rust crates from Cargo.lock and from the
// dependency list cargo-auditable embeds in binaries (the .dep-v0 section,
// zlib-compressed JSON).
package rust

import (
	"bytes"
	"compress/zlib"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "rust"

const (
	minBinary = 64 << 10
	// maxAudit caps the decompressed dependency list (real ones are a few KB).
	maxAudit = 8 << 20
)

type cataloger struct{}

// New returns the Rust cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

func (cataloger) Wants(p string, size int64, mode fs.FileMode) bool {
	if !mode.IsRegular() {
		return false
	}
	return path.Base(p) == "Cargo.lock" || size >= minBinary && mode.Perm()&0o111 != 0
}

func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	if path.Base(f.Path) == "Cargo.lock" {
		return cargoLock(f)
	}
	if !isExecutable(f.Content) {
		return nil, nil
	}
	return auditable(f)
}

// cargoLock reads the [[package]] tables of Cargo.lock, with the same
// reader Refine uses for the dependency graph.
func cargoLock(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	for _, p := range lockGraph(string(f.Content)) {
		if p.name != "" && p.version != "" {
			out = append(out, sbom.Package{Name: p.name, Version: p.version, Type: sbom.TypeCargo, Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	return out, nil
}

// auditable reads cargo-auditable's section. Binaries without it yield
// nothing.
func auditable(f *catalog.File) ([]sbom.Package, error) {
	sec := depSection(f.Content)
	if sec == nil {
		return nil, nil
	}
	zr, err := zlib.NewReader(sec)
	if err != nil {
		return nil, fmt.Errorf(".dep-v0: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxAudit+1))
	if err != nil || len(data) > maxAudit {
		return nil, fmt.Errorf(".dep-v0: unreadable or too large")
	}
	return auditPackages(f.Path, data)
}

// auditPackages reads the JSON of cargo-auditable's section entry by
// entry: a package of the wrong shape costs that package only.
func auditPackages(loc string, data []byte) ([]sbom.Package, error) {
	entries, err := catalog.JSONEntries(data, "packages")
	if err != nil {
		return nil, fmt.Errorf(".dep-v0: %w", err)
	}
	var out []sbom.Package
	var skipped catalog.Skipped
	for i, e := range entries {
		var p struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Source  string `json:"source"`
			Kind    string `json:"kind"`
			Root    bool   `json:"root"`
		}
		if err := json.Unmarshal(e.Raw, &p); err != nil {
			skipped.Add(0, fmt.Sprintf(".dep-v0 package %d", i+1), err)
			continue
		}
		// Build dependencies are not in the binary. The binary's own crate
		// and local path crates are first-party: listed as Root, as Trivy
		// lists them, and not matched.
		if p.Kind == "build" || p.Name == "" || p.Version == "" {
			continue
		}
		out = append(out, sbom.Package{Name: p.Name, Version: p.Version, Type: sbom.TypeCargo, Root: p.Root || p.Source != "crates.io",
			Locations: []sbom.Location{{Path: loc}}})
	}
	return out, skipped.Err()
}

func isExecutable(b []byte) bool {
	for _, m := range [][]byte{{0x7f, 'E', 'L', 'F'}, {'M', 'Z'}, {0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// depSection opens cargo-auditable's section: .dep-v0 in ELF and PE,
// __DATA,.dep-v0 in Mach-O.
func depSection(b []byte) io.Reader {
	r := bytes.NewReader(b)
	if ef, err := elf.NewFile(r); err == nil {
		if s := ef.Section(".dep-v0"); s != nil {
			return s.Open()
		}
		return nil
	}
	if pf, err := pe.NewFile(r); err == nil {
		if s := pf.Section(".dep-v0"); s != nil {
			// A PE section is padded to its file alignment; zlib stops at
			// the end of its stream.
			return s.Open()
		}
		return nil
	}
	if mf, err := macho.NewFile(r); err == nil {
		for _, s := range mf.Sections {
			if s.Name == ".dep-v0" {
				return s.Open()
			}
		}
	}
	return nil
}
