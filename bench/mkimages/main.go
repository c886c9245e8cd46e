// Command mkimages writes the docker-archive images the peer comparisons
// in bench/ read (Dive and Dockle take docker-archive files): the real
// images of ../shared/testdata as docker-archives, and testimage.Bad built
// on the real Alpine 3.18.9, whose history has the Dockerfile lines that
// Dockle's history checks read.
//
//	go run ./bench/mkimages -shared ../shared/testdata -o /tmp/bulwark-images
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	shared := flag.String("shared", "../shared/testdata", "the shared test data")
	out := flag.String("o", "", "output directory")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "mkimages: -o is required")
		os.Exit(2)
	}
	if err := run(*shared, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkimages:", err)
		os.Exit(1)
	}
}

func run(shared, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	p, err := layout.FromPath(filepath.Join(shared, "images", "alpine-oci"))
	if err != nil {
		return err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	images := map[string]v1.Image{}
	for _, d := range m.Manifests {
		ref := d.Annotations["org.opencontainers.image.ref.name"]
		img, err := idx.Image(d.Digest)
		if err != nil {
			return err
		}
		images[ref] = img
	}
	bad, err := testimage.Bad(images["alpine-3.18.9"])
	if err != nil {
		return err
	}
	images["bad"] = bad
	for ref, img := range images {
		tag, err := name.NewTag("example.local/" + ref + ":latest")
		if err != nil {
			return err
		}
		file := filepath.Join(out, ref+".docker.tar")
		if err := tarball.WriteToFile(file, tag, img); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		fmt.Println(file)
	}
	return nil
}
