package policy

import (
	"os"
	"testing"
)

// FuzzIgnoreFile: any bytes give entries or an error, never a panic, and
// every entry has the ID and reason the format requires.
func FuzzIgnoreFile(f *testing.F) {
	if b, err := os.ReadFile("testdata/valid.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("ignores:\n  - id: X\n    reason: y\n    paths: ['**/a', '[']\n"))
	f.Add([]byte("ignores: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := ParseIgnoreFile("f.yaml", data)
		if err != nil {
			return
		}
		for _, e := range ig {
			if e.ID == "" || e.Reason == "" {
				t.Fatalf("entry without id or reason: %+v", e)
			}
			e.matchesPath("a/b/Dockerfile")
		}
	})
}

// FuzzParseInline: comments never panic the inline ignore parser.
func FuzzParseInline(f *testing.F) {
	f.Add("# hadolint ignore=DL3008,DL3009")
	f.Add("bulwark:ignore-file=DF001")
	f.Fuzz(func(t *testing.T, s string) {
		if in, ok := ParseInline(s); ok && len(in.IDs) == 0 {
			t.Fatal("ok without IDs")
		}
	})
}
