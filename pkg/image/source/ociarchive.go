package source

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// An OCI archive is an OCI layout in a tar file. go-containerregistry reads
// layouts from directories only, and extracting to disk is what Bulwark
// never does; so the tar's headers are read once to learn where each file
// sits, and blobs are then read in place through section readers.

// maxMetadata caps index, manifest and config blobs read into memory.
const maxMetadata = 8 << 20

type tarEntry struct{ offset, size int64 }

type archive struct {
	f       *os.File
	path    string
	entries map[string]tarEntry
	// links are symbolic and hard links, by name: docker save links a
	// layer stored once under every image that has it.
	links map[string]string
}

// maxLinkHops is how many links a name may pass through, as the kernel
// allows 40 (MAXSYMLINKS): a chain of thousands is an attack on the
// reader, which would otherwise rescan the archive per hop.
const maxLinkHops = 40

func openArchive(file string) (*archive, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, inputerr.New(file, 0, pathErr(err))
	}
	a := &archive{f: f, path: file, entries: map[string]tarEntry{}, links: map[string]string{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.Close()
			return nil, inputerr.New(file, 0, fmt.Errorf("reading tar: %w", err))
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		switch h.Typeflag {
		case tar.TypeSymlink:
			target := path.Join(path.Dir(name), h.Linkname)
			if strings.HasPrefix(h.Linkname, "/") {
				target = path.Clean(strings.TrimPrefix(h.Linkname, "/"))
			}
			a.links[name] = target
			continue
		case tar.TypeLink:
			a.links[name] = path.Clean(strings.TrimPrefix(h.Linkname, "./"))
			continue
		case tar.TypeReg:
		default:
			continue
		}
		// The tar reader has consumed the header; its position is the start
		// of the file's content.
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, inputerr.New(file, 0, err)
		}
		a.entries[name] = tarEntry{offset: off, size: h.Size}
	}
	return a, nil
}

func (a *archive) Close() error { return a.f.Close() }

// dockerImage is one image of a docker save archive's manifest.json.
type dockerImage struct {
	Config string
	Layers []string
}

// dockerManifest reads a docker save archive's manifest.json.
func (a *archive) dockerManifest() ([]dockerImage, error) {
	raw, err := a.read("manifest.json")
	if err != nil {
		return nil, err
	}
	var m []dockerImage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return m, nil
}

// resolve follows links from name to a regular entry, at most
// maxLinkHops of them.
func (a *archive) resolve(name string) (string, error) {
	for hops := 0; ; hops++ {
		if _, ok := a.entries[name]; ok {
			return name, nil
		}
		target, ok := a.links[name]
		if !ok {
			return name, nil
		}
		if hops == maxLinkHops {
			return "", fmt.Errorf("%s: more than %d links in a row", name, maxLinkHops)
		}
		name = target
	}
}

func (a *archive) open(name string) (*io.SectionReader, error) {
	name, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	e, ok := a.entries[name]
	if !ok {
		return nil, fmt.Errorf("%s is not in the archive", name)
	}
	return io.NewSectionReader(a.f, e.offset, e.size), nil
}

func (a *archive) read(name string) ([]byte, error) {
	r, err := a.open(name)
	if err != nil {
		return nil, err
	}
	if r.Size() > maxMetadata {
		return nil, fmt.Errorf("%s: %d bytes is too large for image metadata", name, r.Size())
	}
	return io.ReadAll(r)
}

func blobName(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

func (a *archive) blob(h v1.Hash) ([]byte, error) { return a.read(blobName(h)) }

func openOCIArchive(t *Target, spec string, o *options) error {
	file, sel := splitLayoutSpec(spec)
	a, err := openArchive(file)
	if err != nil {
		return err
	}
	t.closer = a
	raw, err := a.read("index.json")
	if err != nil {
		return inputerr.New(file, 0, fmt.Errorf("not an OCI archive: %w", err))
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return inputerr.New(file, 0, fmt.Errorf("index.json: %w", err))
	}
	d, err := choose(file, idx, sel, o.platform, func(h v1.Hash) (*v1.IndexManifest, error) {
		b, err := a.blob(h)
		if err != nil {
			return nil, err
		}
		return v1.ParseIndexManifest(bytes.NewReader(b))
	})
	if err != nil {
		return err
	}
	manifest, err := a.blob(d.Digest)
	if err != nil {
		return inputerr.New(file, 0, fmt.Errorf("manifest %s: %w", d.Digest, err))
	}
	m, err := v1.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		return inputerr.New(file, 0, fmt.Errorf("manifest %s: %w", d.Digest, err))
	}
	mt := d.MediaType
	if m.MediaType != "" {
		mt = m.MediaType
	}
	img, err := partial.CompressedToImage(&archiveImage{a: a, manifest: manifest, m: m, mediaType: mt})
	if err != nil {
		return inputerr.New(file, 0, err)
	}
	if err := verifyImage(img, d); err != nil {
		return inputerr.New(file, 0, err)
	}
	t.Image, t.Digest = img, d.Digest
	return nil
}

// archiveImage is the core go-containerregistry's partial package needs to
// make a full v1.Image.
type archiveImage struct {
	a         *archive
	manifest  []byte
	m         *v1.Manifest
	mediaType types.MediaType
}

func (i *archiveImage) RawConfigFile() ([]byte, error)      { return i.a.blob(i.m.Config.Digest) }
func (i *archiveImage) MediaType() (types.MediaType, error) { return i.mediaType, nil }
func (i *archiveImage) RawManifest() ([]byte, error)        { return i.manifest, nil }
func (i *archiveImage) Manifest() (*v1.Manifest, error)     { return i.m, nil }
func (i *archiveImage) ConfigName() (v1.Hash, error)        { return i.m.Config.Digest, nil }
func (i *archiveImage) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(i.manifest))
	return h, err
}
func (i *archiveImage) Size() (int64, error)           { return int64(len(i.manifest)), nil }
func (i *archiveImage) ConfigLayer() (v1.Layer, error) { return nil, errors.New("no config layer") }

func (i *archiveImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.m.Layers {
		if l.Digest == h {
			return &archiveLayer{a: i.a, desc: l}, nil
		}
	}
	return nil, fmt.Errorf("layer %s is not in the manifest", h)
}

type archiveLayer struct {
	a    *archive
	desc v1.Descriptor
}

func (l *archiveLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *archiveLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *archiveLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }

func (l *archiveLayer) Compressed() (io.ReadCloser, error) {
	r, err := l.a.open(blobName(l.desc.Digest))
	if err != nil {
		return nil, err
	}
	return io.NopCloser(r), nil
}
