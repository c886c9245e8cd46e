package source

import (
	"fmt"
	"io"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Layer is one layer of an image, opened in the form it is stored in.
type Layer struct {
	// Index is the layer's position, from 0 (the base).
	Index int
	// DiffID is the digest of the uncompressed tar: the layer's identity
	// whether it is stored compressed or not, and the cache key.
	DiffID v1.Hash
	// Digest is the digest of the stored blob, where there is one.
	Digest v1.Hash
	// Size is the stored size in bytes (0 when unknown).
	Size      int64
	MediaType types.MediaType
	// Open returns the layer as stored: gzip, zstd or a plain tar. The
	// reader detects which from the first bytes, so that a faster
	// decompressor than go-containerregistry's can be used.
	Open func() (io.ReadCloser, error)
	// ContentAddressed says the stored bytes were fetched from a registry
	// by their digest: what is stored under Digest is what every puller
	// verifies and gets, so a result recorded for Digest holds without
	// reading the blob again. Local layouts and archives are not: their
	// files can hold anything under any name.
	ContentAddressed bool
}

// MaxLayers bounds the layers of an image: the layout and archive readers
// do work per layer that grows with the manifest, and no runtime starts an
// image of more than a few hundred layers.
const MaxLayers = 1000

// Layers lists the image's layers, base first.
func (t *Target) Layers() ([]Layer, error) {
	if t.Image == nil {
		return nil, fmt.Errorf("%s is a directory, not an image", t.Name)
	}
	cfg, err := t.Image.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	if n := len(cfg.RootFS.DiffIDs); n > MaxLayers {
		return nil, fmt.Errorf("the image config lists %d layers; more than %d is no image a runtime can start (overlayfs stacks about 128)", n, MaxLayers)
	}
	if t.Kind == DockerArchive {
		return t.archiveLayers(cfg)
	}
	// A docker-archive has no manifest of its own (computing one hashes
	// every layer); the others do, and it is read once here.
	if m, err := t.Image.Manifest(); err == nil && len(m.Layers) > MaxLayers {
		return nil, fmt.Errorf("the manifest lists %d layers; more than %d is no image a runtime can start (overlayfs stacks about 128)", len(m.Layers), MaxLayers)
	}
	ls, err := t.Image.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading image manifest: %w", err)
	}
	if len(ls) != len(cfg.RootFS.DiffIDs) {
		return nil, fmt.Errorf("the manifest lists %d layers but the config %d diff IDs", len(ls), len(cfg.RootFS.DiffIDs))
	}
	out := make([]Layer, len(ls))
	for i, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, _ := l.Size()
		mt, _ := l.MediaType()
		out[i] = Layer{Index: i, DiffID: cfg.RootFS.DiffIDs[i], Digest: d, Size: size, MediaType: mt, Open: l.Compressed, ContentAddressed: t.contentAddressed}
	}
	return out, nil
}

// archiveLayers reads a docker save tarball's layers in place: its
// manifest.json names the layer files, which the tar index locates.
func (t *Target) archiveLayers(cfg *v1.ConfigFile) ([]Layer, error) {
	a := t.closer.(*archive) // indexed when the target was opened
	m, err := a.dockerManifest()
	if err != nil {
		return nil, err
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("manifest.json lists %d images; one is supported", len(m))
	}
	if len(m[0].Layers) != len(cfg.RootFS.DiffIDs) {
		return nil, fmt.Errorf("manifest.json lists %d layers but the config %d diff IDs", len(m[0].Layers), len(cfg.RootFS.DiffIDs))
	}
	out := make([]Layer, len(m[0].Layers))
	for i, name := range m[0].Layers {
		name, err := a.resolve(path.Clean(name))
		if err != nil {
			return nil, err
		}
		e, ok := a.entries[name]
		if !ok {
			return nil, fmt.Errorf("manifest.json names %s, which is not in the archive", name)
		}
		out[i] = Layer{Index: i, DiffID: cfg.RootFS.DiffIDs[i], Size: e.size, MediaType: types.DockerLayer,
			Open: func() (io.ReadCloser, error) {
				r, err := a.open(name)
				if err != nil {
					return nil, err
				}
				return io.NopCloser(r), nil
			}}
	}
	return out, nil
}
