package audit

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestAuditTree(t *testing.T) {
	res := Audit([]string{"testdata/tree"}, Options{})
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if strings.Join(res.Files, ",") != "testdata/tree/compose.yaml,testdata/tree/k8s/web.yaml" {
		t.Errorf("files: %v", res.Files)
	}
	ids := map[string]bool{}
	for _, f := range res.Findings {
		ids[f.ID] = true
	}
	for _, id := range []string{"RT001", "RT002", "RT041", "RT043"} {
		if !ids[id] {
			t.Errorf("no %s in %v", id, ids)
		}
	}
	if len(res.Notes) != 1 || res.Notes[0] != "1 object that is not a workload skipped (ConfigMap 1)" {
		t.Errorf("notes: %q", res.Notes)
	}
}

func TestStdinAndNamedFiles(t *testing.T) {
	res := Audit([]string{"-", "testdata/tree/values.yaml", "testdata/missing.yaml"}, Options{Stdin: strings.NewReader("services:\n  a:\n    image: a:1\n")})
	if len(res.Files) != 1 || res.Files[0] != "-" || res.Parsed[0].Compose == nil {
		t.Errorf("files: %v", res.Files)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "testdata/missing.yaml: no such file") {
		t.Errorf("errors: %v", res.Errors)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "values.yaml: neither Kubernetes objects nor a Compose file") {
		t.Errorf("notes: %q", res.Notes)
	}
}

// FuzzAudit: manifest or Compose bytes to findings never panic, and every
// failure is an input error naming the file.
func FuzzAudit(f *testing.F) {
	for _, p := range []string{"testdata/tree/k8s/web.yaml", "testdata/tree/compose.yaml"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res := Audit([]string{"-"}, Options{Stdin: bytes.NewReader(b)})
		for _, err := range res.Errors {
			if !strings.HasPrefix(err.Error(), "-:") && !strings.HasPrefix(err.Error(), "-: ") {
				t.Fatalf("error does not name the input: %v", err)
			}
		}
	})
}
