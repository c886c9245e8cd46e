// Package php catalogs PHP packages from composer.lock and from what
// Composer installed (vendor/composer/installed.json, formats 1 and 2).
package php

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
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
func (cataloger) Version() int { return 1 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && (path.Base(p) == "composer.lock" || strings.HasSuffix(p, "vendor/composer/installed.json"))
}

type pkg struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	License []string `json:"license"`
}

func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var pkgs []pkg
	if path.Base(f.Path) == "composer.lock" {
		var lock struct {
			Packages    []pkg `json:"packages"`
			PackagesDev []pkg `json:"packages-dev"`
		}
		if err := json.Unmarshal(f.Content, &lock); err != nil {
			return nil, fmt.Errorf("composer.lock: %w", err)
		}
		pkgs = append(lock.Packages, lock.PackagesDev...)
	} else {
		// Composer 2 wraps the list in {"packages": [...]}; Composer 1
		// wrote the bare list.
		var v2 struct {
			Packages []pkg `json:"packages"`
		}
		if err := json.Unmarshal(f.Content, &v2); err == nil {
			pkgs = v2.Packages
		} else if err := json.Unmarshal(f.Content, &pkgs); err != nil {
			return nil, fmt.Errorf("installed.json: %w", err)
		}
	}
	var out []sbom.Package
	for _, p := range pkgs {
		if p.Name == "" || p.Version == "" {
			continue
		}
		out = append(out, sbom.Package{Name: p.Name, Version: strings.TrimPrefix(p.Version, "v"), Type: sbom.TypeComposer, Licenses: p.License, Locations: []sbom.Location{{Path: f.Path}}})
	}
	return out, nil
}
