package rtrule

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
)

// admissionFixtures is k8s.io/pod-security-admission's own test data, in
// the module cache: LEVEL/vVERSION/{pass,fail}/NAME.yaml, one Pod each,
// with the verdict admission gives at that level and version.
func admissionFixtures(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "test", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("admission fixtures not found at %s (go mod download k8s.io/pod-security-admission)", dir)
	}
	return dir
}

// TestAdmissionFixtures runs every fixture of the admission library at its
// level and version: the verdict must be admission's.
func TestAdmissionFixtures(t *testing.T) {
	root := admissionFixtures(t)
	n := 0
	for _, level := range []Level{Baseline, Restricted} {
		ids := IDsAt(level)
		versions, err := os.ReadDir(filepath.Join(root, string(level)))
		if err != nil {
			t.Fatal(err)
		}
		for _, vd := range versions {
			v, err := ParseVersion(vd.Name())
			if err != nil {
				t.Fatalf("%s: %v", vd.Name(), err)
			}
			for _, verdict := range []string{"pass", "fail"} {
				files, _ := filepath.Glob(filepath.Join(root, string(level), vd.Name(), verdict, "*.yaml"))
				for _, file := range files {
					src, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					f, err := k8s.Parse(file, src)
					if err != nil || len(f.Workloads) != 1 {
						t.Errorf("%s: %v", file, err)
						continue
					}
					n++
					var hit []string
					for _, fd := range Workload(f.Workloads[0], AtVersion(v)) {
						if slices.Contains(ids, fd.ID) {
							hit = append(hit, fd.ID+" "+fd.Message)
						}
					}
					if got := len(hit) == 0; got != (verdict == "pass") {
						rel, _ := filepath.Rel(root, file)
						t.Errorf("%s: admission says %s, Bulwark found %q", rel, verdict, hit)
					}
				}
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d fixtures", n)
	}
	t.Logf("%d fixtures", n)
}
