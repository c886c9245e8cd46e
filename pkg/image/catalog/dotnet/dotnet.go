// Package dotnet catalogs .NET packages from the *.deps.json files the
// .NET SDK writes beside every application.
package dotnet

import (
	"encoding/json"
	"errors"
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
func (cataloger) Version() int { return 2 }

func (cataloger) Wants(p string, _ int64, mode fs.FileMode) bool {
	return mode.IsRegular() && strings.HasSuffix(p, ".deps.json")
}

// Catalog reads "libraries": {"Name/Version": {"type": ...}}. Types
// "package" and "runtimepack" (the .NET runtime a self-contained app
// carries, whose own CVEs must be found) are packages; "project" is the
// application itself and its project references, listed as Root. A library
// that the runtime target lists with no runtime, native or runtimeTargets
// assets ships no files (a reference package such as NETStandard.Library)
// and is left out, as Trivy does. Libraries are decoded one at a time: one
// of the wrong shape is skipped with its line.
func (cataloger) Catalog(f *catalog.File) ([]sbom.Package, error) {
	var skipped catalog.Skipped
	libs, err := catalog.JSONEntries(f.Content, "libraries")
	if err != nil {
		return nil, fmt.Errorf("deps.json: %w", err)
	}
	var meta struct {
		RuntimeTarget struct {
			Name string `json:"name"`
		} `json:"runtimeTarget"`
		Targets map[string]map[string]map[string]json.RawMessage `json:"targets"`
	}
	_ = json.Unmarshal(f.Content, &meta) // only narrows the list; a bad targets section keeps every library
	target := meta.Targets[meta.RuntimeTarget.Name]
	sort.Slice(libs, func(i, j int) bool { return libs[i].Key < libs[j].Key })
	var out []sbom.Package
	for _, l := range libs {
		var lib struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(l.Raw, &lib); err != nil {
			skipped.Add(l.Line, l.Key, err)
			continue
		}
		name, version, ok := strings.Cut(l.Key, "/")
		if !ok || name == "" || version == "" {
			skipped.Add(l.Line, l.Key, errors.New("not NAME/VERSION"))
			continue
		}
		p := sbom.Package{Name: name, Version: version, Type: sbom.TypeNuGet, Locations: []sbom.Location{{Path: f.Path}}}
		switch lib.Type {
		case "package":
			if t, listed := target[l.Key]; listed && t["runtime"] == nil && t["native"] == nil && t["runtimeTargets"] == nil && t["resources"] == nil {
				continue
			}
		case "runtimepack":
			p.Name = strings.TrimPrefix(name, "runtimepack.")
		case "project":
			p.Root = true
		default:
			continue
		}
		out = append(out, p)
	}
	return out, skipped.Err()
}
