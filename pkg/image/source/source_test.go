package source

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

const (
	alpine318 = "sha256:d7451327d72472de4134bce23c775c9f1afd5ae85fc1837677245744226a5c64"
	alpine320 = "sha256:1cf15bcb5ee46adf16e7e30f16ea6ce8514864fe657093c58e70625f57e456a6"
)

func TestOCIDirSelection(t *testing.T) {
	dir := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	ctx := context.Background()
	for _, c := range []struct{ spec, digest, err string }{
		{"oci-dir:" + dir + ":example.local/alpine:3.20.3", alpine320, ""},
		{"oci-dir:" + dir + ":alpine-3.18.9", alpine318, ""},
		{"oci-dir:" + dir + "@" + alpine318, alpine318, ""},
		{dir, "", "holds 3 images; pick one"},
		{"oci-dir:" + dir + ":nope", "", "no image nope in the layout; it holds: example.local/alpine:3.18.9"},
	} {
		tg, err := Open(ctx, c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Open(%s) error = %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Open(%s): %v", c.spec, err)
		}
		if tg.Kind != OCIDir || tg.Digest.String() != c.digest {
			t.Errorf("Open(%s) = %s %s", c.spec, tg.Kind, tg.Digest)
		}
		if err := validate.Image(tg.Image, validate.Fast); err != nil {
			t.Errorf("validate %s: %v", c.spec, err)
		}
	}
}

func TestDockerArchive(t *testing.T) {
	p := sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar")
	for _, spec := range []string{p, "docker-archive:" + p} {
		tg, err := Open(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := tg.Image.Layers()
		if err != nil || len(ls) != 1 || tg.Kind != DockerArchive {
			t.Errorf("%s: kind %s, %d layers, %v", spec, tg.Kind, len(ls), err)
		}
	}
}

// tarDir writes dir as a tar file, the way `tar -C dir -cf out .` does.
func tarDir(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		if err := tw.WriteHeader(&tar.Header{Name: "./" + filepath.ToSlash(rel), Mode: 0o644, Size: info.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOCIArchive(t *testing.T) {
	dir := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	out := filepath.Join(t.TempDir(), "alpine.tar")
	tarDir(t, dir, out)
	if _, err := Open(context.Background(), out+":example.local/alpine:3.18.9"); err == nil {
		t.Fatal("a path with a selector that does not exist as a file should not open by detection")
	}
	tg, err := Open(context.Background(), "oci-archive:"+out+":example.local/alpine:3.18.9")
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if tg.Kind != OCIArchive || tg.Digest.String() != alpine318 {
		t.Errorf("kind %s digest %s", tg.Kind, tg.Digest)
	}
	if err := validate.Image(tg.Image); err != nil {
		t.Errorf("validate: %v", err)
	}
	if _, err := Open(context.Background(), out); err == nil || !strings.Contains(err.Error(), "holds 3 images") {
		t.Errorf("detected OCI archive without a choice: %v", err)
	}
}

func TestDirAndErrors(t *testing.T) {
	d := t.TempDir()
	tg, err := Open(context.Background(), d)
	if err != nil || tg.Kind != Dir || tg.Root != d {
		t.Errorf("dir: %+v %v", tg, err)
	}
	junk := filepath.Join(d, "junk.tar")
	os.WriteFile(junk, []byte("not a tar at all, just text that is long enough to fail the header read........................................................................................................................................................................................................................................................................................................................................................................................................................................................................."), 0o644)
	for spec, want := range map[string]string{
		junk:                          "not an image tarball",
		"dir:" + junk:                 "not a directory",
		"docker-archive:/nonexistent": "no such file",
		"oci-dir:" + d:                "not an OCI layout",
		"oci-archive:":                "nothing after the prefix",
		"Not A Reference!":            "not a file, directory or image reference",
	} {
		if _, err := Open(context.Background(), spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) error = %v, want %q", spec, err, want)
		}
	}
}

// TestTooManyLayers: an image claiming more layers than any runtime
// stacks is refused before any per-layer work.
func TestTooManyLayers(t *testing.T) {
	cfg, err := empty.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	for range MaxLayers + 1 {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)})
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromImage("x", img).Layers(); err == nil || !strings.Contains(err.Error(), "1001 layers") {
		t.Errorf("err %v", err)
	}
}

// linkedArchive writes a docker archive of a small image whose config is
// reached through hops symbolic links, and whose layer file is a link too
// (docker save links a layer stored once).
func linkedArchive(t *testing.T, hops int) string {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := tarball.Write(name.MustParseReference("example.local/x:1"), img, &src); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var order []string
	tr := tar.NewReader(&src)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(tr)
		files[h.Name], order = b, append(order, h.Name)
	}
	var m []map[string]any
	json.Unmarshal(files["manifest.json"], &m)
	cfg, layer := m[0]["Config"].(string), m[0]["Layers"].([]any)[0].(string)
	out := filepath.Join(t.TempDir(), "linked.tar")
	f, _ := os.Create(out)
	tw := tar.NewWriter(f)
	add := func(h *tar.Header, b []byte) {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	for _, n := range order {
		if n != "manifest.json" {
			add(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}, files[n])
		}
	}
	prev := cfg
	for i := range hops {
		l := fmt.Sprintf("link%d.json", i)
		add(&tar.Header{Name: l, Linkname: prev, Typeflag: tar.TypeSymlink}, nil)
		prev = l
	}
	add(&tar.Header{Name: "shared/layer.tar", Linkname: "../" + layer, Typeflag: tar.TypeSymlink}, nil)
	m[0]["Config"], m[0]["Layers"] = prev, []string{"shared/layer.tar"}
	mj, _ := json.Marshal(m)
	add(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(mj)), Typeflag: tar.TypeReg}, mj)
	tw.Close()
	f.Close()
	return out
}

// TestArchiveLinks: a docker archive whose layer is a link to a file
// stored once reads; one whose config is reached through a chain of
// thousands of links is refused before any reader rescans it per link.
func TestArchiveLinks(t *testing.T) {
	tg, err := Open(context.Background(), "docker-archive:"+linkedArchive(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := tg.Layers()
	tg.Close()
	if err != nil || len(ls) != 1 {
		t.Fatalf("layers %v %v", ls, err)
	}
	if _, err := Open(context.Background(), "docker-archive:"+linkedArchive(t, 5000)); err == nil || !strings.Contains(err.Error(), "more than 40 links") {
		t.Errorf("err %v", err)
	}
}
