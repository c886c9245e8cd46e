// Package php catalogs PHP packages from composer.lock and from what
// Composer installed (vendor/composer/installed.json, formats 1 and 2).
package php

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "php"

type cataloger struct{}

// New returns the PHP cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 2 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && (path.Base(p) == "composer.lock" || strings.HasSuffix(p, "vendor/composer/installed.json"))
}

type pkg struct {
	Name    string           `json:"name"`
	Version string           `json:"version"`
	License catalog.Licenses `json:"license"`
}

// Catalog reads composer.lock ("packages" and "packages-dev") and
// Composer's vendor/composer/installed.json (1: a bare list; 2: {"packages":
// [...]} with "dev-package-names"). Each entry is decoded on its own: one of
// the wrong shape is skipped with its line, the rest kept.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var out []sbom.Package
	var skipped catalog.Skipped
	add := func(entries []catalog.RawEntry, dev func(name string) bool) {
		for _, e := range entries {
			var p pkg
			if err := json.Unmarshal(e.Raw, &p); err != nil {
				skipped.Add(e.Line, "", err)
				continue
			}
			if p.Name == "" || p.Version == "" {
				skipped.Add(e.Line, p.Name, errors.New("package without name or version"))
				continue
			}
			out = append(out, sbom.Package{Name: p.Name, Version: strings.TrimPrefix(p.Version, "v"), Type: sbom.TypeComposer,
				Licenses: p.License, Dev: dev(p.Name), Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	no := func(string) bool { return false }
	if path.Base(f.Path) == "composer.lock" {
		prod, err := catalog.JSONEntries(f.Content, "packages")
		if err != nil {
			return nil, fmt.Errorf("composer.lock: %w", err)
		}
		devs, err := catalog.JSONEntries(f.Content, "packages-dev")
		if err != nil {
			return nil, fmt.Errorf("composer.lock: %w", err)
		}
		add(prod, no)
		add(devs, func(string) bool { return true })
		return out, skipped.Err()
	}
	entries, err := catalog.JSONEntries(f.Content, "packages")
	if err != nil || entries == nil {
		// Composer 1 wrote the bare list.
		if entries, err = catalog.JSONEntries(f.Content); err != nil {
			return nil, fmt.Errorf("installed.json: %w", err)
		}
	}
	var meta struct {
		DevNames []string `json:"dev-package-names"`
	}
	_ = json.Unmarshal(f.Content, &meta)
	add(entries, func(name string) bool { return slices.Contains(meta.DevNames, name) })
	return out, skipped.Err()
}
