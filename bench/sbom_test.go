package bench

import (
	"context"
	"os"
	"testing"

	gname "github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/source"
)

// BenchmarkSBOMDebianCold analyses the Debian bookworm docker-archive with
// no layer cache: decompression, tar walk, catalogers, merge.
func BenchmarkSBOMDebianCold(b *testing.B) {
	img := sharedtest.Path(b, "testdata", "images", "debian-bookworm.docker.tar")
	b.ReportAllocs()
	for range b.N {
		t, err := source.Open(context.Background(), img)
		if err != nil {
			b.Fatal(err)
		}
		res, err := analyzer.Analyze(context.Background(), t, analyzer.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Inventory.Packages) < 88 {
			b.Fatalf("%d packages", len(res.Inventory.Packages))
		}
		t.Close()
	}
}

// TestWriteOCILayout writes the multi-layer vulnapp image from the shared
// layout as a single-image OCI layout, an input every tool reads the same
// way: BULWARK_WRITE_OCI=DIR go test ./bench -run TestWriteOCILayout.
func TestWriteOCILayout(t *testing.T) {
	dir, tarPath := os.Getenv("BULWARK_WRITE_OCI"), os.Getenv("BULWARK_WRITE_DOCKER")
	if dir == "" && tarPath == "" {
		t.Skip("set BULWARK_WRITE_OCI=DIR (and/or BULWARK_WRITE_DOCKER=FILE) to write the image")
	}
	name := os.Getenv("BULWARK_IMAGE")
	if name == "" {
		name = "example.local/vulnapp:alpine3.18-multilayer"
	}
	src := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	tg, err := source.Open(context.Background(), "oci-dir:"+src+":"+name)
	if err != nil {
		t.Fatal(err)
	}
	if tarPath != "" {
		// docker save's format, for peers that read only that (osv-scanner).
		tag, _ := gname.NewTag(name)
		if err := tarball.WriteToFile(tarPath, tag, tg.Image); err != nil {
			t.Fatal(err)
		}
		if dir == "" {
			return
		}
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(tg.Image); err != nil {
		t.Fatal(err)
	}
}
