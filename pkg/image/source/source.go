// Package source opens what a user names on the command line as something
// Bulwark can read: a registry reference, an OCI layout directory, a
// `docker save` tarball or an OCI archive become a v1.Image (the seam
// go-containerregistry draws between where an image comes from and what is
// done with it); a root filesystem directory is read as it is.
package source

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Kind is where a target comes from.
type Kind string

// The kinds of target, named as their prefixes on the command line.
const (
	Registry      Kind = "registry"
	OCIDir        Kind = "oci-dir"
	DockerArchive Kind = "docker-archive"
	OCIArchive    Kind = "oci-archive"
	Dir           Kind = "dir"
)

var kinds = []Kind{Registry, OCIDir, DockerArchive, OCIArchive, Dir}

// Target is an opened target.
type Target struct {
	Kind Kind
	// Name is the target as the user wrote it.
	Name string
	// Image is the image, for every kind but Dir.
	Image v1.Image
	// Digest is the image's manifest digest, when it has one.
	Digest v1.Hash
	// Ref is a reference that names the image, where the source says one
	// (the registry reference; a docker-archive's RepoTags; an OCI
	// layout's io.containerd.image.name, or its ref.name when that is a
	// whole reference); "" otherwise.
	Ref string
	// Root is the directory, for Dir.
	Root string

	closer io.Closer
	// contentAddressed: the layers come from a registry by digest.
	contentAddressed bool
}

// Annotations returns the image manifest's annotations (nil for a
// directory). A docker-archive has no manifest of its own, and computing
// one would hash every layer: it has none.
func (t *Target) Annotations() map[string]string {
	if t.Image == nil || t.Kind == DockerArchive {
		return nil
	}
	m, err := t.Image.Manifest()
	if err != nil || m == nil {
		return nil
	}
	return m.Annotations
}

// Close releases files the target holds open.
func (t *Target) Close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}

type options struct {
	platform *v1.Platform
	insecure bool
	keychain authn.Keychain
	remote   []remote.Option
}

// Option configures Open.
type Option func(*options) error

// WithPlatform picks the image for platform ("linux/arm64", "linux/arm/v7")
// from a multi-platform index. The default is linux/amd64.
func WithPlatform(p string) Option {
	return func(o *options) error {
		if p == "" {
			return nil
		}
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			return fmt.Errorf("invalid platform %q: %w", p, err)
		}
		o.platform = plat
		return nil
	}
}

// WithInsecure allows plain HTTP registries (for local registries).
func WithInsecure(insecure bool) Option {
	return func(o *options) error { o.insecure = insecure; return nil }
}

// WithKeychain sets where registry credentials come from; the default is
// the Docker config and its credential helpers.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error { o.keychain = k; return nil }
}

// WithRemoteOptions passes options to go-containerregistry's remote
// package (a shared transport, for example).
func WithRemoteOptions(ro ...remote.Option) Option {
	return func(o *options) error { o.remote = append(o.remote, ro...); return nil }
}

// Open opens target. With a prefix ("oci-dir:", "docker-archive:",
// "oci-archive:", "dir:", "registry:") the kind is as said; without, an
// existing path is a directory (an OCI layout when it has an oci-layout
// file) or a tarball of the kind its content shows, and anything else is a
// registry reference.
func Open(ctx context.Context, target string, opts ...Option) (*Target, error) {
	o := &options{platform: &v1.Platform{OS: "linux", Architecture: "amd64"}, keychain: authn.DefaultKeychain}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	kind, rest, err := detect(target)
	if err != nil {
		return nil, err
	}
	t := &Target{Kind: kind, Name: target}
	switch kind {
	case Registry:
		err = openRemote(ctx, t, rest, o)
	case OCIDir:
		err = openLayout(t, rest, o)
	case DockerArchive:
		err = openDockerArchive(t, rest)
	case OCIArchive:
		err = openOCIArchive(t, rest, o)
	case Dir:
		st, serr := os.Stat(rest)
		switch {
		case serr != nil:
			err = inputerr.New(rest, 0, pathErr(serr))
		case !st.IsDir():
			err = inputerr.New(rest, 0, errors.New("not a directory"))
		default:
			t.Root = rest
		}
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// detect splits a target into its kind and the rest.
func detect(target string) (Kind, string, error) {
	for _, k := range kinds {
		if rest, ok := strings.CutPrefix(target, string(k)+":"); ok {
			if rest == "" {
				return "", "", fmt.Errorf("%s: nothing after the prefix", target)
			}
			return k, rest, nil
		}
	}
	st, err := os.Stat(target)
	if err != nil {
		return Registry, target, nil
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(target, "oci-layout")); err == nil {
			return OCIDir, target, nil
		}
		return Dir, target, nil
	}
	k, err := tarKind(target)
	if err != nil {
		return "", "", err
	}
	return k, target, nil
}

// tarKind tells a docker save tarball (manifest.json) from an OCI archive
// (oci-layout and index.json) by reading the tar's headers.
func tarKind(path string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", inputerr.New(path, 0, pathErr(err))
	}
	defer f.Close()
	tr := tar.NewReader(f)
	hasLayout := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", inputerr.New(path, 0, fmt.Errorf("not an image tarball (docker save or OCI archive): %w", err))
		}
		switch strings.TrimPrefix(h.Name, "./") {
		case "manifest.json":
			return DockerArchive, nil
		case "oci-layout":
			hasLayout = true
		case "index.json":
			if hasLayout {
				return OCIArchive, nil
			}
		}
	}
	if hasLayout {
		return OCIArchive, nil
	}
	return "", inputerr.New(path, 0, errors.New("not an image tarball: no manifest.json (docker save) or oci-layout (OCI archive)"))
}

func openRemote(ctx context.Context, t *Target, ref string, o *options) error {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return fmt.Errorf("%s: not a file, directory or image reference: %w", ref, err)
	}
	ropts := append([]remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain), remote.WithPlatform(*o.platform)}, o.remote...)
	img, err := remote.Image(r, ropts...)
	if err != nil {
		return fmt.Errorf("pulling %s: %w", ref, err)
	}
	t.Image, t.Ref, t.contentAddressed = img, r.Name(), true
	t.Digest, err = img.Digest()
	return err
}

func openDockerArchive(t *Target, path string) error {
	if _, err := os.Stat(path); err != nil {
		return inputerr.New(path, 0, pathErr(err))
	}
	// One pass indexes the archive; every name the manifest uses must
	// reach a file in a few links, before go-containerregistry's reader,
	// which rescans the archive for each link it follows, is asked.
	a, err := openArchive(path)
	if err != nil {
		return err
	}
	t.closer = a
	if err := checkLinks(a); err != nil {
		return inputerr.New(path, 0, err)
	}
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		return inputerr.New(path, 0, fmt.Errorf("reading docker archive: %w", err))
	}
	t.Image = img
	if m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(path) }); err == nil && len(m) == 1 && len(m[0].RepoTags) > 0 {
		t.Ref = m[0].RepoTags[0]
	}
	return nil
}

// checkLinks resolves the config and layers manifest.json names.
func checkLinks(a *archive) error {
	m, err := a.dockerManifest()
	if err != nil {
		return nil // go-containerregistry's reader says what is wrong
	}
	for _, im := range m {
		for _, n := range append([]string{im.Config}, im.Layers...) {
			if _, err := a.resolve(path.Clean(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// FromImage wraps an image built or opened elsewhere (in tests, or by a
// caller holding a v1.Image) as a Target.
func FromImage(label string, img v1.Image) *Target {
	t := &Target{Kind: Registry, Name: label, Image: img}
	t.Digest, _ = img.Digest()
	if _, err := name.ParseReference(label); err == nil && strings.Contains(label, "/") {
		t.Ref = label
	}
	return t
}
