package yamldoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// reference is the YAML library's own conversion (quadratic in keys per
// mapping), with sigs.k8s.io/yaml's key rule: what Value must equal.
func reference(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	var fix func(any) (any, error)
	fix = func(v any) (any, error) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				c, err := fix(x)
				if err != nil {
					return nil, err
				}
				t[k] = c
			}
		case map[any]any:
			out := map[string]any{}
			for k, x := range t {
				switch k.(type) {
				case string, int, int64, uint64, float64, bool, nil, time.Time:
				default:
					return nil, fmt.Errorf("key %T", k)
				}
				c, err := fix(x)
				if err != nil {
					return nil, err
				}
				ks := fmt.Sprint(k)
				if k == nil {
					ks = "null"
				}
				out[ks] = c
			}
			return out, nil
		case []any:
			for i, x := range t {
				c, err := fix(x)
				if err != nil {
					return nil, err
				}
				t[i] = c
			}
		}
		return v, nil
	}
	v, err := fix(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

var valueCases = []string{
	"a: 1\nb: [x, 2, 3.5, true, null, ~]\nc: {d: e}\n",
	"n: 0x1F\no: 0o17\nf: 1e3\ng: -0.5\nh: 1_000\nt: 2001-12-14t21:59:43.10-05:00\nq: '1'\nb: yes\n",
	"base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
	"a: &a {p: 1}\nb: &b {p: 2, q: 2}\nm:\n  <<: [*a, *b]\n",
	"m:\n  y: 3\n  <<: {y: 4, z: 5}\n",
	"1: one\ntrue: t\n~: n\n3.5: f\n",
	"l: &l [1, 2]\nm: [*l, *l]\n",
	"s: !!str 123\ni: !!int '7'\nbin: !!binary aGVsbG8=\n",
	"- a\n- b: [c, {d: e}]\n",
	"k: |\n  multi\n  line\n",
}

func TestValueEqualsTheLibrary(t *testing.T) {
	for _, src := range valueCases {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		want, err := reference(&n)
		if err != nil {
			t.Fatalf("%q: reference: %v", src, err)
		}
		v, err := Value(&n)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		got, _ := json.Marshal(v)
		if string(got) != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", src, got, want)
		}
	}
}

func TestValueLimits(t *testing.T) {
	bomb := sharedtest.AliasBomb(10)
	for _, c := range []struct{ name, src, err string }{
		{"alias bomb", bomb, "excessive aliasing"},
		{"collection key", "? [a]\n: b\n", "a mapping key must be a scalar"},
		{"merge of a scalar", "m:\n  <<: 1\n", "a merge (<<) takes a mapping"},
		{"two spellings of one field", "7: a\n7.0: b\n", `line 2: key "7.0" is the same field as the key at line 1`},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(c.src), &n); err != nil {
			t.Fatal(err)
		}
		_, err := Value(&n)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
}

// FuzzValue: wherever the YAML library converts a document, Value gives
// the same JSON, and Value never fails in a way other than an error.
func FuzzValue(f *testing.F) {
	for _, s := range valueCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		docs, err := Parse("f", []byte(src))
		if err != nil || len(docs) == 0 {
			return
		}
		if mergesNonStringKeys(docs[0]) {
			// The library is inconsistent there: a mapping whose own keys
			// are all strings becomes map[string]any, and keys merged into
			// it keep their text ("000"), where elsewhere they are numbers
			// (0). Value always writes the number, as sigs.k8s.io/yaml does.
			return
		}
		v, err := Value(docs[0])
		want, rerr := reference(docs[0])
		if err != nil {
			if errors.Is(err, ErrAliasing) {
				return
			}
			if rerr == nil && !strings.Contains(err.Error(), "is the same field as") {
				t.Fatalf("Value failed (%v) where the library did not:\n%q", err, src)
			}
			return
		}
		if rerr != nil {
			return // the library refuses more (e.g. merges of non-mappings it tolerates differently)
		}
		got, jerr := json.Marshal(v)
		if jerr != nil {
			return // NaN and the like fail both ways in encoding/json
		}
		if string(got) != string(want) {
			t.Fatalf("%q:\n got %s\nwant %s", src, got, want)
		}
	})
}

// mergesNonStringKeys reports whether a tree has a merge key and a key
// that is not a string.
func mergesNonStringKeys(root *yaml.Node) bool {
	var merge, nonString bool
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if depth > 100 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch n.Content[i].ShortTag() {
				case "!!merge":
					merge = true
				case "!!str":
				default:
					nonString = true
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return merge && nonString
}
