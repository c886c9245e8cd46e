// Command mkregistry fills a registry repository for bench/registry.sh:
// -tags N tags over -images M distinct small images (so several tags share
// a digest, as release aliases do), with creation times a day apart; or,
// with -base, -tags images that share one base image's layers (the real
// Alpine 3.18.9 of ../shared/testdata) and add one small layer each.
//
//	go run ./bench/mkregistry -repo 127.0.0.1:5123/bench/prune -tags 1000 -images 400
//	go run ./bench/mkregistry -repo 127.0.0.1:5123/bench/scan -tags 20 -base ../shared/testdata/images/alpine-oci
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func main() {
	repoName := flag.String("repo", "", "repository to fill")
	tags := flag.Int("tags", 1000, "tags to push")
	images := flag.Int("images", 400, "distinct images behind them")
	base := flag.String("base", "", "OCI layout whose alpine-3.18.9 image every tag builds on")
	flag.Parse()
	repo, err := name.NewRepository(*repoName)
	if err != nil {
		fail(err)
	}
	if *base != "" {
		if err := shared(repo, *base, *tags); err != nil {
			fail(err)
		}
		return
	}
	imgs := make([]v1.Image, *images)
	now := time.Now()
	for i := range imgs {
		img, err := random.Image(32, 1)
		if err != nil {
			fail(err)
		}
		if imgs[i], err = mutate.CreatedAt(img, v1.Time{Time: now.Add(-time.Duration(i) * 24 * time.Hour)}); err != nil {
			fail(err)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, *tags)
	for t := range *tags {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := remote.Write(repo.Tag(fmt.Sprintf("t-%04d", t)), imgs[t%*images]); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fail(err)
	}
}

func shared(repo name.Repository, dir string, n int) error {
	p, err := layout.FromPath(dir)
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
	var base v1.Image
	for _, d := range m.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] == "alpine-3.18.9" {
			if base, err = idx.Image(d.Digest); err != nil {
				return err
			}
		}
	}
	if base == nil {
		return fmt.Errorf("%s has no alpine-3.18.9", dir)
	}
	for i := range n {
		img, err := testimage.Build(base, v1.Config{Entrypoint: []string{"/app"}}, testimage.Step{CreatedBy: "COPY app /", Files: []testimage.File{{Name: "app", Content: fmt.Sprintf("#!/bin/sh\necho %d\n", i), Mode: 0o755}}})
		if err != nil {
			return err
		}
		if err := remote.Write(repo.Tag(fmt.Sprintf("v%d", i)), img); err != nil {
			return err
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkregistry:", err)
	os.Exit(1)
}
