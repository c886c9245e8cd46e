package k8s_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// TestOneKubernetesRelease: every k8s.io module the build requires is at one
// release. The Pod Security checks (k8s.io/pod-security-admission) judge the
// types of k8s.io/api; a checker from one release reading types of another
// can miss a field that the newer release added.
func TestOneKubernetesRelease(t *testing.T) {
	path := filepath.Join("..", "..", "..", "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	release := map[string][]string{}
	for _, r := range f.Require {
		p, v := r.Mod.Path, r.Mod.Version
		// k8s.io/utils, klog and kube-openapi are versioned on their own
		// (pseudo-versions and v2).
		if !strings.HasPrefix(p, "k8s.io/") || !strings.HasPrefix(v, "v0.") || strings.HasPrefix(v, "v0.0.0-") {
			continue
		}
		if semver.Prerelease(v) != "" {
			t.Errorf("%s %s is a pre-release; use a released Kubernetes line", p, v)
		}
		release[v] = append(release[v], p)
	}
	if len(release) != 1 {
		t.Errorf("k8s.io modules at %d releases, want one: %v", len(release), release)
	}
}
