// Command mkhostile writes the large hostile inputs of issue 13 (item 10),
// at full size, for bench/hostile.sh to measure peak memory on: they are
// too big for tests, which build the same shapes scaled down in code.
//
//	go run ./bench/mkhostile -o /tmp/bulwark-hostile
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	out := flag.String("o", "", "output directory")
	files := flag.Int("files", 3_000_000, "empty files in the one layer of empty-files")
	runs := flag.Int("runs", 200_000, "RUN lines of the Dockerfile")
	pods := flag.Int("pods", 100_000, "Pods in the YAML stream")
	records := flag.Int("records", 1_500_000, "records in the OSV zip")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "mkhostile: -o is required")
		os.Exit(2)
	}
	steps := []struct {
		name string
		f    func(string) error
	}{
		{"empty-files", func(p string) error { return emptyFiles(p, *files) }},
		{"Dockerfile.runs", func(p string) error { return dockerfile(p, *runs) }},
		{"pods.yaml", func(p string) error { return podsYAML(p, *pods) }},
		{"feeds", func(p string) error { return osvZip(p, *records) }},
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	for _, s := range steps {
		p := filepath.Join(*out, s.name)
		if _, err := os.Stat(p); err == nil {
			continue // made by an earlier run
		}
		if err := s.f(p); err != nil {
			fail(fmt.Errorf("%s: %w", s.name, err))
		}
		fmt.Println(p)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkhostile:", err)
	os.Exit(1)
}

// emptyFiles is an OCI layout whose one layer holds n empty files, 1,000
// to a directory: a few megabytes compressed.
func emptyFiles(dir string, n int) error {
	open := func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			for i := range n {
				name := fmt.Sprintf("data/%d/%d", i/1000, i)
				if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
			pw.CloseWithError(tw.Close())
		}()
		return pr, nil
	}
	l, err := tarball.LayerFromOpener(open)
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img)
}

// dockerfile is one stage of n RUN lines (about 20 bytes each).
func dockerfile(p string, n int) error {
	var b bytes.Buffer
	b.WriteString("FROM alpine:3.18\n")
	for i := range n {
		b.WriteString("RUN echo " + strconv.Itoa(i) + "\n")
	}
	return os.WriteFile(p, b.Bytes(), 0o644)
}

// podsYAML is a stream of n minimal Pods (about 100 bytes each).
func podsYAML(p string, n int) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: c, image: nginx}]}\n", i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// osvZip is a feed directory whose osv/npm/all.zip holds n small
// records, one per entry, as OSV's exports do.
func osvZip(dir string, n int) error {
	zdir := filepath.Join(dir, "osv", "npm")
	if err := os.MkdirAll(zdir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(zdir, "all.zip"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	zw := zip.NewWriter(bw)
	for i := range n {
		id := fmt.Sprintf("GHSA-%04d-%04d-x", i/10000, i%10000)
		w, err := zw.Create(id + ".json")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, `{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"pkg%d"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.%d"}]}]}]}`, id, i, i%100)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
