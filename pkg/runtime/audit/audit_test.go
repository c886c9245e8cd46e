package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
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
	res := Audit([]string{"-", "testdata/tree/values.yaml", "testdata/missing.yaml"}, Options{Stdin: strings.NewReader("services:\n  a:\n    image: a:1\n"), Keep: true})
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

// TestBounds: what one manifest file can make the audit hold is bounded
// (issue 13, item 10): objects and nodes per file, findings listed per
// rule; files read from a directory are let go once checked.
func TestBounds(t *testing.T) {
	pods := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: c, image: nginx}]}\n", i)
		}
		return b.String()
	}
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Past the per-rule limit the rest of a rule is one summary with its
	// severity, so the gate still sees it.
	res := Audit([]string{write("many.yaml", pods(finding.DefaultPerRule+5))}, Options{})
	var listed, summaries int
	for _, f := range res.Findings {
		if f.ID == "RT032" {
			listed++
			if strings.HasPrefix(f.Message, "5 more RT032 findings") {
				summaries++
				if f.Severity != finding.Medium {
					t.Errorf("summary severity %v; want the rule's", f.Severity)
				}
			}
		}
	}
	if listed != finding.DefaultPerRule+1 || summaries != 1 || len(res.Parsed) != 0 {
		t.Errorf("RT032 listed %d (%d summaries), %d files kept; want %d and one summary, none kept without Keep", listed, summaries, len(res.Parsed), finding.DefaultPerRule+1)
	}
	for name, c := range map[string]struct{ src, msg string }{
		"objects.yaml": {pods(k8s.MaxObjects + 1), "more than 10000 YAML documents"},
		"list.yaml":    {"apiVersion: v1\nkind: List\nitems:\n" + strings.Repeat("- {apiVersion: v1, kind: ConfigMap}\n", k8s.MaxObjects), "more than 10000 objects"},
		"nodes.yaml":   {strings.Repeat("---\na: ["+strings.Repeat("1,", k8s.MaxNodes/8)+"1]\n", 9), "more than 1048576 YAML nodes in the file"},
	} {
		res := Audit([]string{write(name, c.src)}, Options{})
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), name) || !strings.Contains(res.Errors[0].Error(), c.msg) {
			t.Errorf("%s: errors %v; want one naming the file and %q", name, res.Errors, c.msg)
		}
	}
}
