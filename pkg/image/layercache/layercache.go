// Package layercache keeps what a layer yielded (its entries, packages and
// kept files) on disk, keyed by the layer's diff ID and the versions of the
// catalogers that read it, so that a second image on the same base reads
// only its own layers, and a cataloger change re-reads only what it
// touches (the lesson of trivy's fanal cache).
package layercache

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/klauspost/compress/zstd"
)

// formatVersion changes whenever the stored form of a LayerResult does.
const formatVersion = 1

// maxEntry caps what is read back from one cache file.
const maxEntry = 512 << 20

// Cache is a directory of cached layer results. It is safe for concurrent
// use by one or more processes: entries are written to a temporary file
// and renamed into place.
type Cache struct {
	dir string
}

// DefaultDir is the cache under the user's cache directory.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "bulwark", "layers"), nil
}

// New opens (creating) a cache in dir.
func New(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", dir, err)
	}
	return &Cache{dir: dir}, nil
}

func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("v%d/%s", formatVersion, key)))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(c.dir, name[:2], name+".gob.zst")
}

// Get returns the cached result for key. A missing, unreadable or corrupt
// entry is a miss (and a corrupt one is removed).
func (c *Cache) Get(key string) (*imagefs.LayerResult, bool) {
	p := c.path(key)
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxEntry))
	if err != nil {
		return nil, false
	}
	defer zr.Close()
	var r imagefs.LayerResult
	if err := gob.NewDecoder(io.LimitReader(zr, maxEntry)).Decode(&r); err != nil {
		os.Remove(p)
		return nil, false
	}
	return &r, true
}

// Put stores r under key.
func (c *Cache) Put(key string, r *imagefs.LayerResult) error {
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(zw).Encode(r); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Clear removes every entry.
func (c *Cache) Clear() error {
	if !strings.Contains(c.dir, "bulwark") {
		return errors.New("refusing to clear a cache directory not named for bulwark")
	}
	return os.RemoveAll(c.dir)
}
