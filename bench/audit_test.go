package bench

import (
	"os"
	"testing"

	"github.com/bulwarksec/bulwark/bench/manifests"
	"github.com/bulwarksec/bulwark/pkg/runtime/audit"
)

const manifestSeed = 2026

// TestWriteManifests writes the audit corpus where BULWARK_WRITE_MANIFESTS
// says (bench/audit.sh uses it); without it, it checks that a part of the
// corpus parses and that its findings cover the rule families.
func TestWriteManifests(t *testing.T) {
	if dir := os.Getenv("BULWARK_WRITE_MANIFESTS"); dir != "" {
		if err := manifests.Write(dir, corpusSize, manifestSeed); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := t.TempDir()
	if err := manifests.Write(dir, 100, manifestSeed); err != nil {
		t.Fatal(err)
	}
	res := audit.Audit([]string{dir}, audit.Options{})
	if len(res.Errors) > 0 || len(res.Files) != 100 {
		t.Fatalf("%d files, errors %v", len(res.Files), res.Errors)
	}
	ids := map[string]bool{}
	for _, f := range res.Findings {
		ids[f.ID] = true
	}
	if len(ids) < 15 {
		t.Errorf("the corpus hits only %d rules: %v", len(ids), ids)
	}
}

// BenchmarkAuditCorpus audits the 1,000-file corpus from disk, as the
// command does.
func BenchmarkAuditCorpus(b *testing.B) {
	dir := b.TempDir()
	if err := manifests.Write(dir, corpusSize, manifestSeed); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := audit.Audit([]string{dir}, audit.Options{}); len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
	}
	b.ReportMetric(float64(b.N*corpusSize)/b.Elapsed().Seconds(), "files/s")
}
