package dockerfile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser: it must return a file or
// an error, never panic, and every position it reports must be inside the
// file.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../lint/testdata/*/Dockerfile")
	more, _ := filepath.Glob("../lint/testdata/bad/*/Dockerfile")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("FROM a\nRUN sh -c 'x; bash -c \"y <<E\ny\nE\"'\n"))
	f.Add([]byte("FROM a\nRUN <<A <<B\na\nA\nb\nB\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := ParseBytes("Dockerfile", src)
		if err != nil {
			return
		}
		n := file.NumLines()
		for _, s := range file.Stages {
			for _, in := range append(s.Instructions, s.FromInstruction) {
				if in.Line < 1 || in.EndLine > n || in.Line > in.EndLine {
					t.Fatalf("instruction %s spans %d-%d of %d lines", in.Keyword, in.Line, in.EndLine, n)
				}
				if in.Script == nil {
					continue
				}
				for _, c := range in.Script.Commands {
					if c.Line < 1 || c.Line > n {
						t.Fatalf("command %s at line %d of %d", c.Name, c.Line, n)
					}
				}
			}
		}
	})
}
