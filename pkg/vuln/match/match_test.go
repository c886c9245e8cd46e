package match_test

import (
	"testing"

	"github.com/bulwarksec/bulwark/pkg/vuln/match"
	"github.com/bulwarksec/bulwark/pkg/vuln/version"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

func TestRangeEvaluation(t *testing.T) {
	cmpFn := version.For("npm")
	for _, c := range []struct {
		v      string
		ranges []vulndb.Range
		hit    bool
		fixed  string
	}{
		{"1.0.0", []vulndb.Range{{"i0", "f1.2.0"}}, true, "1.2.0"},
		{"1.2.0", []vulndb.Range{{"i0", "f1.2.0"}}, false, ""},
		{"1.5.0", []vulndb.Range{{"i0", "f1.2.0", "i1.4.0", "f1.6.0"}}, true, "1.6.0"},
		{"1.3.0", []vulndb.Range{{"f1.2.0", "i0", "i1.4.0", "f1.6.0"}}, false, ""},
		{"2.0.0", []vulndb.Range{{"i1.0.0", "l2.0.0"}}, true, ""},
		{"2.0.1", []vulndb.Range{{"i1.0.0", "l2.0.0"}}, false, ""},
		{"0.9.0", []vulndb.Range{{"i1.0.0"}}, false, ""},
		{"3.0.0", []vulndb.Range{{"i1.0.0"}}, true, ""},
	} {
		hit, fixed, err := match.Affects(cmpFn, c.v, vulndb.Affected{ID: "X", Ranges: c.ranges})
		if err != nil || hit != c.hit || fixed != c.fixed {
			t.Errorf("%s in %v: hit %v fixed %q err %v; want %v %q", c.v, c.ranges, hit, fixed, err, c.hit, c.fixed)
		}
	}
	if hit, _, _ := match.Affects(cmpFn, "1.0.1", vulndb.Affected{Versions: []string{"1.0.1"}}); !hit {
		t.Error("listed version not matched")
	}
	if _, _, err := match.Affects(cmpFn, "not-a-version", vulndb.Affected{Ranges: []vulndb.Range{{"i0", "f1.0.0"}}}); err == nil {
		t.Error("an invalid installed version matched silently")
	}
}
