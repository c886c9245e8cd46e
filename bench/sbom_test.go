package bench

import (
	"context"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/analyzer"
	"github.com/bulwarksec/bulwark/pkg/source"
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
