package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// BenchmarkScanDebian scans the Debian docker-archive with no layer cache
// and no database: the one pass, with and without the image and secret
// checks, so their overhead shows.
func BenchmarkScanDebian(b *testing.B) {
	benchScan(b, sharedtest.Path(b, "testdata", "images", "debian-bookworm.docker.tar"))
}

// BenchmarkScanVulnapp is the same on the three-layer Alpine image with a
// Go binary and node_modules.
func BenchmarkScanVulnapp(b *testing.B) {
	benchScan(b, "oci-dir:"+sharedtest.Path(b, "testdata", "images", "alpine-oci")+":vulnapp-alpine3.18-multilayer")
}

func benchScan(b *testing.B, img string) {
	for _, c := range []struct {
		name     string
		scanners []scan.Scanner
	}{
		{"vuln", []scan.Scanner{scan.Vuln}},
		{"all", scan.AllScanners},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				t, err := source.Open(context.Background(), img)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := scan.Run(context.Background(), t, scan.Options{Scanners: c.scanners}); err != nil {
					b.Fatal(err)
				}
				t.Close()
			}
		})
	}
}

// BenchmarkScanBad is the same on testimage.Bad written as a
// docker-archive: small, so fixed costs show.
func BenchmarkScanBad(b *testing.B) {
	img, err := testimage.Bad(nil)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "bad.tar")
	if err := tarball.WriteToFile(file, name.MustParseReference("example.local/bad:1"), img); err != nil {
		b.Fatal(err)
	}
	benchScan(b, "docker-archive:"+file)
}
