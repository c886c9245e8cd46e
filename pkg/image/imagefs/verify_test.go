package imagefs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// mapCache is the smallest Cache, shared between reads as a disk cache is
// shared between scans.
type mapCache struct {
	mu sync.Mutex
	m  map[string]*LayerResult
}

func (c *mapCache) Get(k string) (*LayerResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok
}

func (c *mapCache) Put(k string, r *LayerResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = r
	return nil
}

func digestOf(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

// stored makes a layer whose manifest claims digest and size and whose
// config claims diffID, and whose bytes are blob.
func stored(blob []byte, digest, diffID v1.Hash, size int64) source.Layer {
	return source.Layer{DiffID: diffID, Digest: digest, Size: size,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil }}
}

// TestLayerClaimsAreVerified: a layer whose bytes are not what the image
// claims (diff ID, digest or size) is an error naming the layer, never a
// result; and no such claim can select another image's cached result, in
// either direction: an empty layer claiming a real layer's IDs does not
// make the real image report nothing, and a layer with a secret claiming
// them does not report the real layer's (clean) result.
func TestLayerClaimsAreVerified(t *testing.T) {
	real := gz(tarOf(t, entry{"var/", ""}, entry{"var/lib/", ""}, entry{"var/lib/db", "openssl musl"}))
	realLayer := stored(real, digestOf(real), diffIDOf(real), int64(len(real)))
	empty := gz(tarOf(t))
	secret := gz(tarOf(t, entry{"app/", ""}, entry{"app/db", "leaked key"}))

	for name, l := range map[string]source.Layer{
		"empty layer, real diff ID":              stored(empty, digestOf(empty), realLayer.DiffID, int64(len(empty))),
		"empty layer, real digest and diff ID":   stored(empty, realLayer.Digest, realLayer.DiffID, int64(len(empty))),
		"secret layer, real digest and diff ID":  stored(secret, realLayer.Digest, realLayer.DiffID, realLayer.Size),
		"real layer, wrong size":                 stored(real, realLayer.Digest, realLayer.DiffID, realLayer.Size+1),
		"real layer stored under another digest": stored(real, digestOf(empty), realLayer.DiffID, realLayer.Size),
	} {
		for _, cachedFirst := range []bool{false, true} {
			cache := &mapCache{m: map[string]*LayerResult{}}
			o := opts
			o.Cache = cache
			if cachedFirst {
				if _, err := ReadLayers(context.Background(), []source.Layer{realLayer}, o); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadLayers(context.Background(), []source.Layer{l}, o)
			var le *LayerError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), "claims") {
				t.Errorf("%s (real layer cached first: %v): error %v, want a layer error saying what the image claims", name, cachedFirst, err)
			}
			// The real image still reads as itself afterwards.
			res, err := ReadLayers(context.Background(), []source.Layer{realLayer}, o)
			if err != nil || len(res[0].Packages["var/lib/db"]) != 2 {
				t.Errorf("%s: the real layer after it: %v %+v", name, err, res)
			}
		}
	}
}

// TestRegistryLayersTrustTheirDigest: a registry's blob is what its digest
// names (go-containerregistry verifies it as it streams), so a cached
// result is used without reading the blob again; a local layer's bytes are
// hashed again first.
func TestRegistryLayersTrustTheirDigest(t *testing.T) {
	real := gz(tarOf(t, entry{"db", "a b"}))
	l := stored(real, digestOf(real), diffIDOf(real), int64(len(real)))
	cache := &mapCache{m: map[string]*LayerResult{}}
	o := opts
	o.Cache = cache
	if _, err := ReadLayers(context.Background(), []source.Layer{l}, o); err != nil {
		t.Fatal(err)
	}
	opened := 0
	l.Open = func() (io.ReadCloser, error) { opened++; return io.NopCloser(bytes.NewReader(real)), nil }
	ReadLayers(context.Background(), []source.Layer{l}, o)
	if opened != 1 {
		t.Errorf("a local layer's cached result: opened %d times, want 1 (hashed, not read)", opened)
	}
	opened = 0
	l.ContentAddressed = true
	ReadLayers(context.Background(), []source.Layer{l}, o)
	if opened != 0 {
		t.Errorf("a registry layer's cached result: opened %d times, want 0", opened)
	}
}
