// Package sharedtest finds ../shared beside the project checkout, where the
// real test data (images, feeds) and the published output schemas live.
// Tests that need it skip with a message when it is absent.
package sharedtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Dir returns the path of ../shared (relative to the module root), or
// skips the test when it is not there.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BULWARK_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if st, err := os.Stat(shared); err == nil && st.IsDir() {
				return shared
			}
			t.Skipf("skipping: %s is absent (real test data and schemas live there; set BULWARK_SHARED to use another place)", shared)
		}
		if filepath.Dir(dir) == dir {
			t.Skip("skipping: no go.mod found above the test, so ../shared cannot be located")
		}
	}
}

// Path returns a path inside ../shared, skipping when it does not exist.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s is absent", p)
	}
	return p
}

// Validate checks a JSON document against a schema in ../shared/schemas.
func Validate(t testing.TB, schemaFile string, doc []byte) {
	t.Helper()
	p := Path(t, "schemas", schemaFile)
	c := jsonschema.NewCompiler()
	// Schemas refer to each other by their published URLs ($id); serve
	// those from the local copies so that validation needs no network.
	others, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "*.json"))
	for _, o := range others {
		f, err := os.Open(o)
		if err != nil {
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			continue
		}
		if m, ok := doc.(map[string]any); ok {
			for _, k := range []string{"$id", "id"} {
				if id, ok := m[k].(string); ok && strings.HasPrefix(id, "http") {
					_ = c.AddResource(strings.TrimSuffix(id, "#"), doc)
				}
			}
		}
	}
	sch, err := c.Compile(p)
	if err != nil {
		t.Fatalf("compiling schema %s: %v", p, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("output does not validate against %s:\n%v", schemaFile, err)
	}
}

// Registry returns the address of the reference registry that .ci/run
// starts (BULWARK_TEST_REGISTRY), or skips the test when there is none.
func Registry(t testing.TB) string {
	t.Helper()
	r := os.Getenv("BULWARK_TEST_REGISTRY")
	if r == "" {
		t.Skip("skipping: no reference registry (BULWARK_TEST_REGISTRY); .ci/run starts one: eval \"$(.ci/registry.sh start)\"")
	}
	return r
}

// AliasBomb is a "billion laughs" YAML document: levels mappings, each
// a list of nine aliases of the one before, so that expanding it builds
// 9^levels nodes.
func AliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		prev := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "l%d: &l%d [%s%s]\n", i, i, strings.Repeat(prev+", ", 8), prev)
	}
	return b.String()
}
