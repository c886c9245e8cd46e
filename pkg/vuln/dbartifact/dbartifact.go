// Package dbartifact carries the vulnerability database through an OCI
// registry as an artifact (one layer, the database file), so that a fleet
// pulls it from its own registry instead of the internet.
package dbartifact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// Media types of the artifact.
const (
	ConfigMediaType types.MediaType = "application/vnd.bulwarksec.db.config.v1+json"
	LayerMediaType  types.MediaType = "application/vnd.bulwarksec.db.v1.bbolt"
)

// maxSize caps a database pulled from a registry.
const maxSize = 2 << 30

// Option configures registry access.
type Option func(*options)

type options struct {
	keychain authn.Keychain
	insecure bool
	remote   []remote.Option
}

// WithInsecure allows plain-HTTP registries.
func WithInsecure(b bool) Option { return func(o *options) { o.insecure = b } }

// WithRemoteOptions passes options to go-containerregistry's remote package.
func WithRemoteOptions(ro ...remote.Option) Option {
	return func(o *options) { o.remote = append(o.remote, ro...) }
}

func build(opts []Option) (*options, []name.Option) {
	o := &options{keychain: authn.DefaultKeychain}
	for _, f := range opts {
		f(o)
	}
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	return o, nopts
}

// Push uploads the database file at path to ref and returns the digest.
func Push(ctx context.Context, path, ref string, opts ...Option) (v1.Hash, error) {
	db, err := vulndb.Open(path)
	if err != nil {
		return v1.Hash{}, err
	}
	meta := db.Meta
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		return v1.Hash{}, err
	}
	o, nopts := build(opts)
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return v1.Hash{}, err
	}
	layer := static.NewLayer(b, LayerMediaType)
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, Annotations: map[string]string{
		"org.opencontainers.image.title": "bulwark.db",
	}})
	if err != nil {
		return v1.Hash{}, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, ConfigMediaType)
	img = mutate.Annotations(img, map[string]string{
		"org.opencontainers.image.created": meta.Built.UTC().Format(time.RFC3339),
		"dev.bulwarksec.db.schema":         strconv.Itoa(meta.SchemaVersion),
	}).(v1.Image)
	ropts := append([]remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)}, o.remote...)
	if err := remote.Write(r, img, ropts...); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing to %s: %w", ref, err)
	}
	return img.Digest()
}

// Pull downloads the database from ref into path, replacing the file only
// once the download is complete, its digest verified and the database
// opens with this bulwark's schema.
func Pull(ctx context.Context, ref, path string, opts ...Option) (v1.Hash, error) {
	o, nopts := build(opts)
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return v1.Hash{}, err
	}
	ropts := append([]remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)}, o.remote...)
	img, err := remote.Image(r, ropts...)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("pulling %s: %w", ref, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return v1.Hash{}, err
	}
	if m.Config.MediaType != ConfigMediaType || len(m.Layers) != 1 || m.Layers[0].MediaType != LayerMediaType {
		return v1.Hash{}, fmt.Errorf("%s is not a Bulwark database artifact", ref)
	}
	if m.Layers[0].Size > maxSize {
		return v1.Hash{}, fmt.Errorf("%s: database of %d bytes is too large", ref, m.Layers[0].Size)
	}
	ls, err := img.Layers()
	if err != nil {
		return v1.Hash{}, err
	}
	rc, err := ls[0].Compressed() // stored as is; go-containerregistry verifies the digest at EOF
	if err != nil {
		return v1.Hash{}, err
	}
	defer rc.Close()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return v1.Hash{}, err
	}
	tmp, err := os.CreateTemp(dir, ".bulwark-db-pull-*")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(rc, maxSize+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return v1.Hash{}, fmt.Errorf("downloading the database: %w", err)
	}
	if n != m.Layers[0].Size {
		return v1.Hash{}, fmt.Errorf("downloaded %d bytes, the manifest says %d", n, m.Layers[0].Size)
	}
	db, err := vulndb.Open(tmp.Name())
	if err != nil {
		if errors.Is(err, vulndb.ErrSchema) {
			return v1.Hash{}, fmt.Errorf("%s: %w", ref, err)
		}
		return v1.Hash{}, err
	}
	db.Close()
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}
