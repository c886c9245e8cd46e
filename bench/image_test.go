package bench

import (
	"context"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/scan"
	"github.com/bulwarksec/bulwark/pkg/source"
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
