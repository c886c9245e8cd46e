package cyclonedx

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGoldenAndSchema(t *testing.T) {
	inv, meta := sbom.Sample()
	var b bytes.Buffer
	if err := Write(&b, inv, meta); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.json")
	if *update {
		os.WriteFile(golden, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("differs from %s (-want +got):\n%s", golden, d)
	}
	sharedtest.Validate(t, "bom-1.6.schema.json", b.Bytes())
}

func TestEmptyInventoryValidates(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, &sbom.Inventory{}, sbom.Meta{Name: "dir:/x", Kind: "directory", ToolName: "bulwark", ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	sharedtest.Validate(t, "bom-1.6.schema.json", b.Bytes())
}
