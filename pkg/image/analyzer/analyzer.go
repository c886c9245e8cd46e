// Package analyzer runs the one pass over a target that every image check
// stands on: read the layers once (in parallel), build the container's
// filesystem view, detect the OS, and collect the packages the catalogers
// found, into an sbom.Inventory.
package analyzer

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogers"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/secretfile"
	"github.com/bulwarksec/bulwark/pkg/image/osinfo"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options configure an analysis.
type Options struct {
	// Catalogers default to catalogers.All().
	Catalogers []catalog.Cataloger
	// Inspectors look at files for the image rules; none by default, so an
	// SBOM does not pay for them. DefaultInspectors are those the image
	// rules need.
	Inspectors []imagefs.Inspector
	// Workers is how many layers are read at once; 0 means GOMAXPROCS.
	Workers int
	// MaxFileSize and MaxLayerBytes override imagefs's limits.
	MaxFileSize, MaxLayerBytes int64
	// Cache keeps per-layer results between runs; nil reads every layer.
	Cache imagefs.Cache
}

// Result is what an analysis found.
type Result struct {
	Inventory *sbom.Inventory
	View      *imagefs.View
	Layers    []source.Layer
	Config    *v1.ConfigFile
	// Warnings are files that could not be read or cataloged, each naming
	// its layer and path; the analysis went on without them.
	Warnings []string
	// Partial are the package databases and lockfiles still in the image
	// that a cataloger could read only in part, or not at all: the
	// packages in what was skipped are unknown, so nothing says they are
	// free of vulnerabilities.
	Partial []Partial
}

// Partial is one file a cataloger could not read whole.
type Partial struct {
	// Path is the file, without a leading slash; Layer the index of the
	// layer that holds it (-1 for a directory).
	Path      string
	Layer     int
	Cataloger string
	// Problems are what was skipped and why, one per entry.
	Problems []string
}

// DefaultInspectors returns the inspectors the image rules read: what
// executables need, and secret files.
func DefaultInspectors() []imagefs.Inspector {
	return []imagefs.Inspector{executable.New(), secretfile.New()}
}

// Bounds on the image config: a config is kilobytes, its history a few
// hundred entries (one per Dockerfile instruction).
const (
	MaxConfigSize = 16 << 20
	MaxHistory    = 10000
)

// Analyze reads target.
func Analyze(ctx context.Context, t *source.Target, opts Options) (*Result, error) {
	cats := opts.Catalogers
	if cats == nil {
		cats = catalogers.All()
	}
	ins := opts.Inspectors
	keepFn, keepID := keepFor(cats)
	iopts := imagefs.Options{Catalogers: cats, Inspectors: ins, Keep: keepFn, KeepID: keepID, MaxFileSize: opts.MaxFileSize,
		MaxLayerBytes: opts.MaxLayerBytes, Workers: opts.Workers, Cache: opts.Cache}
	res := &Result{}
	var layers []*imagefs.LayerResult
	if t.Kind == source.Dir {
		lr, err := imagefs.ReadDir(ctx, t.Root, iopts)
		if err != nil {
			return nil, err
		}
		layers = []*imagefs.LayerResult{lr}
	} else {
		raw, err := t.Image.RawConfigFile()
		if err != nil {
			return nil, fmt.Errorf("%s: reading image config: %w", t.Name, err)
		}
		if len(raw) > MaxConfigSize {
			return nil, fmt.Errorf("%s: the image config is %d bytes, over the %d-byte limit (real ones are kilobytes)", t.Name, len(raw), MaxConfigSize)
		}
		if res.Config, err = v1.ParseConfigFile(bytes.NewReader(raw)); err != nil {
			return nil, fmt.Errorf("%s: reading image config: %w", t.Name, err)
		}
		if n := len(res.Config.History); n > MaxHistory {
			// The history feeds the layer view and the history rules, each
			// per entry; beyond the cap it is not read, and says so.
			c := *res.Config
			c.History = c.History[:MaxHistory:MaxHistory]
			res.Config = &c
			res.Warnings = append(res.Warnings, fmt.Sprintf("the image config has %d history entries; the first %d were read", n, MaxHistory))
		}
		if res.Layers, err = t.Layers(); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		if layers, err = imagefs.ReadLayers(ctx, res.Layers, iopts); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	res.View = imagefs.Merge(layers)
	partial := map[[2]string]int{}
	for i, l := range layers {
		for _, e := range l.Errors {
			if e.Cataloger != "" && visibleIn(res.View, e.Path, i) {
				k := [2]string{e.Path, e.Cataloger}
				j, ok := partial[k]
				if !ok {
					j = len(res.Partial)
					partial[k] = j
					layer := i
					if t.Kind == source.Dir {
						layer = -1
					}
					res.Partial = append(res.Partial, Partial{Path: e.Path, Layer: layer, Cataloger: e.Cataloger})
				}
				res.Partial[j].Problems = append(res.Partial[j].Problems, strings.TrimPrefix(e.Err, e.Cataloger+": "))
			}
			where := "directory"
			if t.Kind != source.Dir {
				where = fmt.Sprintf("layer %d (%s)", i, l.DiffID)
			}
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %s: %s", where, e.Path, e.Err))
		}
	}
	res.Inventory = &sbom.Inventory{OS: osinfo.Detect(res.View), Packages: refine(cats, res.View)}
	res.Inventory.Finish()
	return res, nil
}

// visibleIn reports whether the file at p of layer i is what the image
// shows: no later layer replaced or deleted it.
func visibleIn(v *imagefs.View, p string, i int) bool {
	f, ok := v.Lookup(p)
	return ok && f.Layer == i
}

// keepFor adds to keep the files the catalogers' refiners read.
func keepFor(cats []catalog.Cataloger) (func(string) bool, string) {
	id := osinfo.KeepID + "+accounts@2+servers@1"
	var keepers []catalog.Keeper
	for _, c := range cats {
		if k, ok := c.(catalog.Keeper); ok {
			keepers = append(keepers, k)
			id += "+" + c.Name() + ":" + k.KeepID()
		}
	}
	if len(keepers) == 0 {
		return keep, id
	}
	return func(p string) bool {
		if keep(p) {
			return true
		}
		for _, k := range keepers {
			if k.Keep(p) {
				return true
			}
		}
		return false
	}, id
}

// keep are the small files kept whole: those OS detection reads, the
// account databases that decide whether the configured user exists, and
// the web server configurations whose listen directives harden reads.
func keep(p string) bool {
	return osinfo.Keep(p) || p == "etc/passwd" || p == "etc/group" || p == "etc/shadow" || IsServerConfig(p)
}

// ServerConfigs are the web server configuration files kept whole (they
// are small) for their listen directives, which harden reads, as path
// patterns.
var ServerConfigs = []string{
	"etc/nginx/nginx.conf", "etc/nginx/conf.d/*.conf", "etc/nginx/http.d/*.conf", "etc/nginx/sites-enabled/*",
	"etc/apache2/ports.conf", "usr/local/apache2/conf/httpd.conf", "etc/httpd/conf/httpd.conf",
}

// IsServerConfig reports whether p (without a leading slash) is one of
// ServerConfigs.
func IsServerConfig(p string) bool {
	// Every file of every layer passes here: refuse on the directory
	// before matching any pattern.
	if !strings.HasPrefix(p, "etc/nginx/") && !strings.HasPrefix(p, "etc/apache2/") && !strings.HasPrefix(p, "etc/httpd/") && !strings.HasPrefix(p, "usr/local/apache2/") {
		return false
	}
	for _, pat := range ServerConfigs {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// refineView is the view as catalog.Refiner sees it.
type refineView struct{ v *imagefs.View }

func (r refineView) Exists(p string) bool         { _, ok := r.v.Resolve(p); return ok }
func (r refineView) Deleted(p string) bool        { return r.v.Deleted(p) }
func (r refineView) Read(p string) ([]byte, bool) { return r.v.Raw(p) }

// refine lets catalogers that implement catalog.Refiner revise what they
// found in the light of the whole view.
func refine(cats []catalog.Cataloger, v *imagefs.View) []sbom.Package {
	pkgs := v.Packages()
	view := refineView{v}
	for _, c := range cats {
		r, ok := c.(catalog.Refiner)
		if !ok {
			continue
		}
		var mine, rest []sbom.Package
		for _, p := range pkgs {
			if p.FoundBy == c.Name() {
				mine = append(mine, p)
			} else {
				rest = append(rest, p)
			}
		}
		pkgs = append(rest, r.Refine(mine, view)...)
	}
	return pkgs
}
