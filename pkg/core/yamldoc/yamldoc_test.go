package yamldoc

import (
	"fmt"
	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	bomb := sharedtest.AliasBomb(10)
	for _, c := range []struct {
		name, src string
		opts      []Option
		docs      int
		err       string
	}{
		{"two documents and an empty one", "a: 1\n---\n---\nb: 2\n", nil, 2, ""},
		{"empty", "", nil, 0, ""},
		{"duplicate key", "a: 1\nb:\n  c: 1\n  c: 2\n", nil, 0, `f:4: key "c" is already defined at line 3`},
		{"10,000 repeated keys, refused at once", "s:\n" + strings.Repeat("  k: v\n", 10_000), nil, 0, `f:3: key "k" is already defined at line 2`},
		{"same key in sibling mappings", "- a: 1\n- a: 2\n", nil, 1, ""},
		{"too many nodes", "[1, 2, 3, 4, 5, 6]\n", []Option{MaxNodes(5)}, 0, "more than 5 YAML nodes"},
		{"too many keys", "a: 1\nb: 2\nc: 3\n", []Option{MaxKeys(2)}, 0, "f:1: more than 2 keys in one mapping"},
		{"syntax", "a: [1\n", nil, 0, "f:1: did not find expected ',' or ']'"},
		// A tree keeps aliases as nodes: nothing expands here.
		{"alias bomb", bomb, nil, 1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			docs, err := Parse("f", []byte(c.src), c.opts...)
			if c.err == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("error %v, want %q", err, c.err)
			}
			if err == nil && len(docs) != c.docs {
				t.Errorf("%d documents, want %d", len(docs), c.docs)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	bomb := sharedtest.AliasBomb(10)
	type doc struct {
		A int               `yaml:"a"`
		M map[string]string `yaml:"m"`
	}
	var many strings.Builder
	many.WriteString("m:\n")
	for i := range DefaultMaxKeys + 1 {
		fmt.Fprintf(&many, "  k%d: v\n", i)
	}
	var v any
	if err := Decode("f", []byte(bomb), &v, false); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("alias bomb: %v", err)
	}
	for _, c := range []struct {
		name, src string
		strict    bool
		err       string
	}{
		{"ok", "a: 1\nm: {x: y}\n", true, ""},
		{"empty", "  \n", true, ""},
		{"unknown field, strict", "a: 1\nb: 2\n", true, "f:2: field b not found"},
		{"unknown field, lax", "a: 1\nb: 2\n", false, ""},
		{"wrong type", "a: [1]\n", true, "f:1: cannot unmarshal"},
		{"two documents", "a: 1\n---\na: 2\n", true, "more than one YAML document"},
		{"duplicate", "m:\n  x: 1\n  x: 2\n", true, `f:3: key "x" is already defined`},
		{"more keys than the library's quadratic check should see", many.String(), true, "more than 10000 keys in one mapping"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			err := Decode("f", []byte(c.src), &d, c.strict)
			if c.err == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("error %v, want %q", err, c.err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a: 1\nm: {x: y}\n", "a: &x [1]\nb: *x\n", "- a\n- b: [c, {d: e}]\n", "a: 1\n---\nb: 2\n", "a: 1\na: 2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var v struct {
			A any            `yaml:"a"`
			M map[string]any `yaml:"m"`
		}
		_ = Decode("f", []byte(src), &v, false)
		_, _ = Parse("f", []byte(src))
	})
}

// BenchmarkRepeatedKeys: the input that took the YAML library over a
// minute when decoded into a struct.
func BenchmarkRepeatedKeys(b *testing.B) {
	src := []byte("severity:\n" + strings.Repeat("  k: high\n", 10_000))
	var v struct {
		Severity map[string]string `yaml:"severity"`
	}
	for b.Loop() {
		if Decode("f", src, &v, true) == nil {
			b.Fatal("accepted")
		}
	}
}
