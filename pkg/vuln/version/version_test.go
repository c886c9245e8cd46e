package version_test

import (
	"testing"

	"github.com/bulwarksec/bulwark/pkg/vuln/version/apk"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/dpkg"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/gem"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/maven"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/pep440"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/rpm"
	"github.com/bulwarksec/bulwark/pkg/vuln/version/semver"
)

type compareFunc func(a, b string) (int, error)

// ascending lists, per ecosystem, versions in the order the ecosystem's
// own documentation or test suite gives; equal lists versions that must
// compare equal.
var ecosystems = []struct {
	name      string
	cmp       compareFunc
	ascending [][]string
	equal     [][2]string
}{
	{"dpkg", dpkg.Compare, [][]string{
		{"1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+b1", "1.0.1"}, // deb-version(7)
		{"1.0-1", "1.0-1+deb12u1", "1.0-1.1", "1.0-2", "1:0.9"},
		{"2.30-1.1", "2.30-2", "2.30-10"},
		{"7.88.1-10+deb12u7", "7.88.1-10+deb12u8", "7.88.1-10+deb12u12"},
		{"1.2.3~rc1-1", "1.2.3-1"},
	}, [][2]string{{"1.0", "0:1.0"}, {"1.01", "1.1"}, {"1.2.3", "1.2.3-0"}}},
	{"apk", apk.Compare, [][]string{
		{"1.2.3_alpha", "1.2.3_beta", "1.2.3_pre", "1.2.3_rc1", "1.2.3", "1.2.3-r1", "1.2.3_p1", "1.2.3a", "1.2.3.1", "1.2.4"},
		{"1.01", "1.1"},
		{"3.1.7-r0", "3.1.7-r1", "3.1.8-r0"},
		{"1.2_rc1-r1", "1.2", "1.2-r1"},
		{"1.2.9", "1.2.10"},
		{"1.36.1-r7", "1.36.1-r29"},
	}, [][2]string{{"1.2.3-r0", "1.2.3-r0"}}},
	{"rpm", rpm.Compare, [][]string{ // rpm's tests/rpmvercmp.at
		{"1.0", "2.0"}, {"2.0.1", "2.0.1a"}, {"5.5p1", "5.5p10"}, {"10xyz", "10.1xyz"}, {"xyz10", "xyz10.1"},
		{"1.0a", "1.0aa"}, {"5.5p2", "5.6p1"}, {"6.0", "6.0.rc1"}, {"a", "1"},
		{"1.0~rc1", "1.0~rc2", "1.0"}, {"1.0", "1.0^", "1.0^git1", "1.0^git2", "1.0.1"},
		{"1.0~rc1", "1.0~rc1^git1"}, {"1.0^git1~pre", "1.0^git1"},
		{"0:1.0-1", "1:0.1-1"}, {"2.32.1-42.el8_8", "2.32.1-43.el8_8"},
	}, [][2]string{{"1.0", "1.0"}, {"2.0", "2_0"}, {"1.0", "1.0-5"}, {"0:2.0-1", "2.0-1"}, {"1.0010", "1.10"}}},
	{"semver", semver.Compare, [][]string{ // semver.org, section 11
		{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"},
		{"v0.0.0-20200622213623-75b288015ac9", "v0.0.0-20210226172049-e18ecbb05110", "v0.0.1"},
		{"v1.7.0", "v1.9.1", "v1.10.0"},
	}, [][2]string{{"v2.0.0+incompatible", "v2.0.0"}, {"1.2.3", "v1.2.3"}, {"1.0.0+build.1", "1.0.0+build.2"}}},
	{"pep440", pep440.Compare, [][]string{ // PEP 440, "Summary of permitted suffixes and relative ordering"
		{"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
			"1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"},
		{"2.0", "1!0.5"},
		{"1.26.12", "1.26.18", "2.0.7"},
	}, [][2]string{{"1.0", "1.0.0"}, {"1.0alpha1", "1.0a1"}, {"1.0-1", "1.0.post1"}, {"1.0.C1", "1.0rc1"}, {"v1.0", "1.0"}}},
	{"maven", maven.Compare, [][]string{ // maven-artifact's ComparableVersionTest, as of Maven 3.9
		{"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123"},
		// 3.9 reads ".a" as "-a" (MNG-7644): 2.0.a is 2.0-a, above 2.0 and
		// below 2-1 (3.8 put it above 2-1).
		{"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"},
	}, [][2]string{{"1", "1.0"}, {"1", "1.0.0"}, {"1", "1-0"}, {"1", "1.ga"}, {"1", "1-final"}, {"1", "1-release"}, {"1a", "1-a"}, {"1a", "1.0-a"}, {"1x", "1-x"}, {"1cr", "1rc"},
		// MNG-7644: a qualifier after '.' or '-' is the same release.
		{"2.0.a", "2.0.0.a"}, {"1.0.0.RC1", "1.0.0-RC1"}, {"1.0.0.alpha1", "1.0.0-alpha1"}, {"1.0.0.RC", "1.0.0-RC"}}},
	{"gem", gem.Compare, [][]string{
		{"1.0.a", "1.0.a9", "1.0.a10", "1.0.b", "1.0", "1.0.0.1", "1.1"},
		{"2.0.0.rc1", "2.0.0"}, {"1.9.3", "1.10.0"}, {"1.0.0-pre", "1.0.0"},
	}, [][2]string{{"1.0", "1"}, {"1.0.0", "1"}, {"1.01", "1.1"}}},
}

func TestOrderings(t *testing.T) {
	for _, e := range ecosystems {
		for _, seq := range e.ascending {
			for i := range seq {
				for j := range seq {
					got, err := e.cmp(seq[i], seq[j])
					want := 0
					switch {
					case i < j:
						want = -1
					case i > j:
						want = 1
					}
					if err != nil || got != want {
						t.Errorf("%s: Compare(%q, %q) = %d, %v; want %d", e.name, seq[i], seq[j], got, err, want)
					}
				}
			}
		}
		for _, p := range e.equal {
			if got, err := e.cmp(p[0], p[1]); err != nil || got != 0 {
				t.Errorf("%s: Compare(%q, %q) = %d, %v; want 0", e.name, p[0], p[1], got, err)
			}
		}
	}
}

func TestInvalid(t *testing.T) {
	for name, c := range map[string]struct {
		cmp compareFunc
		bad []string
	}{
		"dpkg":   {dpkg.Compare, []string{"", "a b", "x:1.0", "1.0-"}},
		"apk":    {apk.Compare, []string{"", "abc", "1.2_foo", "1..2", "1.2-r"}},
		"rpm":    {rpm.Compare, []string{"", "x:1"}},
		"semver": {semver.Compare, []string{"1.2", "1", "abc", "1.2.3.4", ""}},
		"pep440": {pep440.Compare, []string{"abc", "1.0-foo", ""}},
		"maven":  {maven.Compare, []string{""}},
		"gem":    {gem.Compare, []string{"abc", "", "1..2"}},
	} {
		for _, b := range c.bad {
			if _, err := c.cmp(b, "1.0.0"); err == nil {
				t.Errorf("%s: %q accepted", name, b)
			}
		}
	}
}

// TestMaven39: MNG-6964, a qualifier after a zero sub-version still makes a
// pre-release: 1-0.alpha < 1 (Maven 3.8 said equal).
func TestMaven39(t *testing.T) {
	for _, c := range [][2]string{{"1-0.alpha", "1"}, {"1-0.beta1", "1"}, {"1.0.0.RC1", "1.0.0"}} {
		if got, err := maven.Compare(c[0], c[1]); err != nil || got != -1 {
			t.Errorf("Compare(%q, %q) = %d, %v; want -1", c[0], c[1], got, err)
		}
	}
}
