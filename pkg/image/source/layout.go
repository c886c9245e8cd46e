package source

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Annotations that name an image in an OCI layout, as skopeo's oci:
// transport and containerd read them.
const (
	annotationRefName        = "org.opencontainers.image.ref.name"
	annotationContainerdName = "io.containerd.image.name"
)

// selector picks one image of a layout: by name, by digest, or the only one.
type selector struct {
	name   string
	digest string
}

// splitLayoutSpec splits "PATH", "PATH:NAME" and "PATH@sha256:...". Names
// may hold ':' themselves ("example.local/alpine:3.20"), so the path is
// the first prefix before a ':' that exists; a path that exists whole is
// taken whole.
func splitLayoutSpec(spec string) (string, selector) {
	if _, err := os.Stat(spec); err == nil {
		return spec, selector{}
	}
	if i := strings.LastIndex(spec, "@sha256:"); i > 0 {
		return spec[:i], selector{digest: spec[i+1:]}
	}
	for i := 0; i < len(spec); i++ {
		if spec[i] != ':' || i == 0 {
			continue
		}
		if _, err := os.Stat(spec[:i]); err == nil {
			return spec[:i], selector{name: spec[i+1:]}
		}
	}
	if i := strings.Index(spec, ":"); i > 0 {
		return spec[:i], selector{name: spec[i+1:]}
	}
	return spec, selector{}
}

// describe names a layout entry for messages.
func describe(d v1.Descriptor) string {
	for _, k := range []string{annotationContainerdName, annotationRefName} {
		if n := d.Annotations[k]; n != "" {
			return n + " (" + d.Digest.String() + ")"
		}
	}
	return d.Digest.String()
}

func (s selector) matches(d v1.Descriptor) bool {
	switch {
	case s.digest != "":
		return d.Digest.String() == s.digest
	case s.name != "":
		return d.Annotations[annotationRefName] == s.name || d.Annotations[annotationContainerdName] == s.name
	}
	return true
}

// choose selects the descriptor of one image from a layout's index, then
// resolves a multi-platform index to the platform's manifest.
func choose(where string, idx *v1.IndexManifest, sel selector, plat *v1.Platform, nested func(v1.Hash) (*v1.IndexManifest, error)) (v1.Descriptor, error) {
	var found []v1.Descriptor
	for _, d := range idx.Manifests {
		if d.MediaType.IsImage() || d.MediaType.IsIndex() {
			if sel.matches(d) {
				found = append(found, d)
			}
		}
	}
	var names []string
	for _, d := range idx.Manifests {
		names = append(names, describe(d))
	}
	sort.Strings(names)
	switch {
	case len(found) == 0 && (sel.name != "" || sel.digest != ""):
		want := sel.name
		if want == "" {
			want = sel.digest
		}
		return v1.Descriptor{}, inputerr.New(where, 0, fmt.Errorf("no image %s in the layout; it holds: %s", want, strings.Join(names, ", ")))
	case len(found) == 0:
		return v1.Descriptor{}, inputerr.New(where, 0, errors.New("the layout holds no image"))
	case len(found) > 1:
		return v1.Descriptor{}, inputerr.New(where, 0, fmt.Errorf("the layout holds %d images; pick one with %s:PATH:NAME or %s:PATH@sha256:...: %s", len(found), OCIDir, OCIDir, strings.Join(names, ", ")))
	}
	d := found[0]
	for depth := 0; d.MediaType.IsIndex(); depth++ {
		if depth > 4 {
			return v1.Descriptor{}, inputerr.New(where, 0, errors.New("image indexes nested too deep"))
		}
		inner, err := nested(d.Digest)
		if err != nil {
			return v1.Descriptor{}, inputerr.New(where, 0, fmt.Errorf("reading index %s: %w", d.Digest, err))
		}
		var match *v1.Descriptor
		for i, m := range inner.Manifests {
			if m.Platform != nil && m.Platform.Satisfies(*plat) && (m.MediaType.IsImage() || m.MediaType.IsIndex()) {
				match = &inner.Manifests[i]
				break
			}
		}
		if match == nil {
			return v1.Descriptor{}, inputerr.New(where, 0, fmt.Errorf("index %s has no image for %s", d.Digest, plat))
		}
		d = *match
	}
	return d, nil
}

func openLayout(t *Target, spec string, o *options) error {
	dir, sel := splitLayoutSpec(spec)
	p, err := layout.FromPath(dir)
	if err != nil {
		return inputerr.New(dir, 0, fmt.Errorf("not an OCI layout: %w", pathErr(err)))
	}
	ii, err := p.ImageIndex()
	if err != nil {
		return inputerr.New(dir, 0, fmt.Errorf("reading index.json: %w", err))
	}
	idx, err := ii.IndexManifest()
	if err != nil {
		return inputerr.New(dir, 0, fmt.Errorf("reading index.json: %w", err))
	}
	d, err := choose(dir, idx, sel, o.platform, func(h v1.Hash) (*v1.IndexManifest, error) {
		inner, err := ii.ImageIndex(h)
		if err != nil {
			return nil, err
		}
		return inner.IndexManifest()
	})
	if err != nil {
		return err
	}
	img, err := p.Image(d.Digest)
	if err != nil {
		return inputerr.New(dir, 0, fmt.Errorf("reading image %s: %w", d.Digest, err))
	}
	if err := verifyImage(img, d); err != nil {
		return inputerr.New(dir, 0, err)
	}
	t.Image, t.Digest, t.Ref = img, d.Digest, refOf(d)
	return nil
}

// verifyImage checks that a local layout's manifest and config blobs are
// what their descriptors claim (digest and size), as a registry client
// checks what it pulls: a layout's files can hold anything under any name.
// The layers are verified as they stream (imagefs.ReadLayer).
func verifyImage(img v1.Image, d v1.Descriptor) error {
	raw, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("reading manifest %s: %w", d.Digest, err)
	}
	if err := matches("manifest", raw, d.Digest, d.Size); err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("reading manifest %s: %w", d.Digest, err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("reading config %s: %w", m.Config.Digest, err)
	}
	return matches("config", cfg, m.Config.Digest, m.Config.Size)
}

// matches compares a blob with the digest and size that name it.
func matches(what string, b []byte, want v1.Hash, size int64) error {
	got, n, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return err
	}
	if want.Algorithm == "sha256" && got != want {
		return fmt.Errorf("the %s blob stored as %s has digest %s", what, want, got)
	}
	if size > 0 && n != size {
		return fmt.Errorf("the %s blob %s is %d bytes, not the %d its descriptor claims", what, want, n, size)
	}
	return nil
}

// refOf is the reference a layout entry's annotations give, if whole.
func refOf(d v1.Descriptor) string {
	if n := d.Annotations[annotationContainerdName]; n != "" {
		return n
	}
	// ref.name is often only a tag ("3.18.9"); take it only when it names
	// a repository too.
	if n := d.Annotations[annotationRefName]; strings.Contains(n, "/") {
		if _, err := name.ParseReference(n); err == nil {
			return n
		}
	}
	return ""
}
