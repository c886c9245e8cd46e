// Package dotnet catalogs .NET packages from the *.deps.json files the
// .NET SDK writes beside every application.
package dotnet

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Name is the cataloger's name.
const Name = "dotnet"

type cataloger struct{}

// New returns the .NET cataloger.
func New() catalog.Cataloger { return cataloger{} }

var _ catalog.Cataloger = cataloger{}

func (cataloger) Name() string { return Name }
func (cataloger) Version() int { return 1 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && strings.HasSuffix(p, ".deps.json")
}

// Catalog reads "libraries": {"Name/Version": {"type": "package"}}; project
// references (type "project") are the application itself.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var deps struct {
		Libraries map[string]struct {
			Type string `json:"type"`
		} `json:"libraries"`
	}
	if err := json.Unmarshal(f.Content, &deps); err != nil {
		return nil, fmt.Errorf("deps.json: %w", err)
	}
	keys := make([]string, 0, len(deps.Libraries))
	for k := range deps.Libraries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []sbom.Package
	for _, k := range keys {
		if deps.Libraries[k].Type != "package" {
			continue
		}
		name, version, ok := strings.Cut(k, "/")
		if !ok || name == "" || version == "" {
			continue
		}
		out = append(out, sbom.Package{Name: name, Version: version, Type: sbom.TypeNuGet, Locations: []sbom.Location{{Path: f.Path}}})
	}
	return out, nil
}
