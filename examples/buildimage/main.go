// Command buildimage assembles the demo's inputs without Docker: the
// example image (examples/image/rootfs as one layer, an OCI layout) and the
// sample feed (examples/feeds/osv-src zipped into osv/<Ecosystem>/all.zip,
// the layout `bulwark db build --from` reads).
//
//	go run ./examples/buildimage OUTDIR
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: buildimage OUTDIR")
		os.Exit(2)
	}
	out := os.Args[1]
	if err := run(out); err != nil {
		fmt.Fprintln(os.Stderr, "buildimage:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	layerTar, err := tarDir("examples/image/rootfs")
	if err != nil {
		return err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil })
	if err != nil {
		return err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "COPY rootfs / # examples/image", Comment: "bulwark demo"}})
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Cmd = []string{"node", "/app/server.js"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	dir := filepath.Join(out, "demo-image")
	os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "demo"})); err != nil {
		return err
	}
	// The sample feed, zipped per ecosystem.
	src := "examples/feeds/osv-src"
	ecos, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ecos {
		if !e.IsDir() {
			continue
		}
		zp := filepath.Join(out, "demo-feeds", "osv", e.Name(), "all.zip")
		if err := zipDir(filepath.Join(src, e.Name()), zp); err != nil {
			return err
		}
	}
	fmt.Printf("image: oci-dir:%s; feeds: %s\n", dir, filepath.Join(out, "demo-feeds"))
	return nil
}

// tarDir makes a layer of a directory with fixed owners and times, so the
// layer's digest is the same on every machine.
func tarDir(root string) ([]byte, error) {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != root {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, p := range paths {
		st, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, p)
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if st.IsDir() {
			h.Name += "/"
			h.Mode, h.Typeflag = 0o755, tar.TypeDir
		} else {
			h.Size = st.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if !st.IsDir() {
			c, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			tw.Write(c)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func zipDir(dir, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		c, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			return err
		}
		w.Write(c)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
