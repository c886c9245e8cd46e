package version_test

import (
	"testing"

	"github.com/bulwarksec/bulwark/pkg/vuln/version"
)

// FuzzCompare: no comparator panics, and each is antisymmetric, on any
// input.
func FuzzCompare(f *testing.F) {
	for _, e := range ecosystems {
		for _, seq := range e.ascending {
			f.Add(e.name, seq[0], seq[len(seq)-1])
		}
	}
	names := map[string]string{"dpkg": "Debian:12", "apk": "Alpine:v3.20", "rpm": "Red Hat", "semver": "Go", "pep440": "PyPI", "maven": "Maven", "gem": "RubyGems"}
	f.Fuzz(func(t *testing.T, eco, a, b string) {
		cmp := version.For(names[eco])
		if cmp == nil {
			cmp = version.For(eco)
		}
		if cmp == nil {
			return
		}
		x, errA := cmp(a, b)
		y, errB := cmp(b, a)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("error depends on order: %v / %v", errA, errB)
		}
		if errA == nil && x != -y {
			t.Fatalf("%s: Compare(%q,%q)=%d, reversed %d", eco, a, b, x, y)
		}
	})
}

func TestFor(t *testing.T) {
	for eco, a := range map[string][2]string{
		"Debian:12": {"1.0~rc1", "1.0"}, "Ubuntu:22.04:LTS": {"1.0", "1:0.1"}, "Alpine:v3.20": {"1.2_rc1", "1.2"},
		"Go": {"v1.7.0", "v1.10.0"}, "npm": {"4.17.15", "4.17.21"}, "PyPI": {"1.0rc1", "1.0"},
		"Maven": {"1-SNAPSHOT", "1"}, "RubyGems": {"1.0.a", "1.0"}, "Rocky Linux:9": {"1.0-1.el9", "1.0-2.el9"},
		"NuGet": {"1.0.0.1", "1.0.0.2"}, "Packagist": {"v1.2.3", "1.10.0"}, "crates.io": {"0.9.0", "0.10.0"},
	} {
		cmp := version.For(eco)
		if cmp == nil {
			t.Errorf("no comparator for %s", eco)
			continue
		}
		if c, err := cmp(a[0], a[1]); err != nil || c != -1 {
			t.Errorf("%s: Compare(%q, %q) = %d, %v", eco, a[0], a[1], c, err)
		}
	}
	if version.For("Unknown") != nil {
		t.Error("comparator for an unknown ecosystem")
	}
}
