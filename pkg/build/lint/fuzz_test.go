package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
)

// FuzzLint runs the whole Dockerfile-to-findings path (parser, shell
// parser, every rule, inline ignores) on arbitrary input: no panics, and
// findings point inside the file.
func FuzzLint(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/Dockerfile")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, r := range dfrule.All {
		f.Add([]byte(r.Bad))
		f.Add([]byte(r.Good))
	}
	opts := dfrule.Options{Now: testNow, TrustedRegistries: []string{"docker.io"}}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs, _, err := LintBytes("Dockerfile", src, opts)
		if err != nil {
			return
		}
		file, _ := dockerfile.ParseBytes("Dockerfile", src)
		for _, x := range fs {
			if x.Location.Line < 1 || x.Location.Line > file.NumLines() || x.ID == "" || x.Message == "" {
				t.Fatalf("finding %s %q at line %d of %d", x.ID, x.Message, x.Location.Line, file.NumLines())
			}
		}
	})
}
