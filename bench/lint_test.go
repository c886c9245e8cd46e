// Package bench holds Bulwark's benchmarks. Go benchmarks here measure
// Bulwark alone (allocations, throughput); the scripts beside them run
// Bulwark and its peers side by side on the same inputs (see README.md).
package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/bench/corpus"
	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/lint"
)

// The corpus the script and these benchmarks use: 1,000 generated files.
const (
	corpusSize = 1000
	corpusSeed = 2026
)

var opts = dfrule.Options{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), TrustedRegistries: []string{"docker.io"}}

// BenchmarkLintCorpus lints the corpus in memory on one goroutine: the cost
// of parsing and checking, without file I/O. Reports Dockerfiles/s.
func BenchmarkLintCorpus(b *testing.B) {
	files := corpus.Generate(corpusSize, corpusSeed)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			if _, _, err := lint.LintBytes("Dockerfile", f, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(files))/b.Elapsed().Seconds(), "dockerfiles/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(files)), "ns/dockerfile")
}

// BenchmarkLintDir lints the corpus from disk the way `bulwark lint DIR`
// does: discovery, reading, all cores.
func BenchmarkLintDir(b *testing.B) {
	dir := b.TempDir()
	if err := corpus.Write(dir, corpus.Generate(corpusSize, corpusSeed)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := lint.Lint(context.Background(), []string{dir}, lint.Options{Rules: opts})
		if len(res.Errors) > 0 || len(res.Files) != corpusSize {
			b.Fatalf("%d files, errors %v", len(res.Files), res.Errors)
		}
	}
	b.ReportMetric(float64(b.N*corpusSize)/b.Elapsed().Seconds(), "dockerfiles/s")
}

// TestCorpusParses keeps the generator honest: every file must parse, and
// together they must make every rule fire somewhere.
func TestCorpusParses(t *testing.T) {
	fired := map[string]bool{}
	for i, f := range corpus.Generate(corpusSize, corpusSeed) {
		fs, _, err := lint.LintBytes("Dockerfile", f, opts)
		if err != nil {
			t.Fatalf("file %d: %v\n%s", i, err, f)
		}
		for _, x := range fs {
			fired[x.ID] = true
		}
	}
	for _, r := range dfrule.All {
		if !fired[r.ID] {
			t.Errorf("%s never fires on the corpus", r.ID)
		}
	}
}

// TestWriteCorpus lets the script write the corpus to disk for the peer tools:
// BULWARK_WRITE_CORPUS=DIR go test ./bench -run TestWriteCorpus.
func TestWriteCorpus(t *testing.T) {
	dir := os.Getenv("BULWARK_WRITE_CORPUS")
	if dir == "" {
		t.Skip("set BULWARK_WRITE_CORPUS=DIR to write the corpus")
	}
	if err := corpus.Write(filepath.Clean(dir), corpus.Generate(corpusSize, corpusSeed)); err != nil {
		t.Fatal(err)
	}
}
