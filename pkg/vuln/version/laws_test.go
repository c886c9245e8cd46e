package version_test

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// gen draws versions from a grammar close to what each ecosystem allows,
// with the characters that make comparison tricky over-represented.
func gen(name string) *rapid.Generator[string] {
	num := rapid.SampledFrom([]string{"0", "1", "2", "9", "10", "01", "007", "123"})
	pick := func(t *rapid.T, label string, xs ...string) string { return rapid.SampledFrom(xs).Draw(t, label) }
	return rapid.Custom(func(t *rapid.T) string {
		n := rapid.IntRange(1, 4).Draw(t, "parts")
		parts := make([]string, n)
		for i := range parts {
			parts[i] = num.Draw(t, fmt.Sprint("n", i))
		}
		core := strings.Join(parts, ".")
		switch name {
		case "dpkg":
			return pick(t, "epoch", "", "1:", "2:") + core + pick(t, "up", "", "~rc1", "~~", "+b1", "a", "+dfsg") + pick(t, "rev", "", "-1", "-1+deb12u1", "-0.1", "-2~bpo1")
		case "apk":
			return core + pick(t, "letter", "", "a", "b") + pick(t, "suffix", "", "_rc1", "_alpha", "_p2", "_beta3_p1", "_git") + pick(t, "rev", "", "-r0", "-r1", "-r12")
		case "rpm":
			return pick(t, "epoch", "", "1:") + core + pick(t, "mod", "", "~rc1", "^git1", "a", ".rc1", "p1") + pick(t, "rel", "", "-1", "-1.el9", "-2.fc40", "-1~pre")
		case "semver":
			for i, p := range parts {
				if parts[i] = strings.TrimLeft(p, "0"); parts[i] == "" {
					parts[i] = "0" // semver forbids leading zeros
				}
			}
			c := strings.Join(append(parts, "0", "0")[:3], ".")
			return pick(t, "v", "", "v") + c + pick(t, "pre", "", "-alpha", "-alpha.1", "-beta.11", "-rc.1", "-0.20200622213623-75b288015ac9") + pick(t, "build", "", "+incompatible", "+b.1")
		case "pep440":
			return pick(t, "epoch", "", "1!") + core + pick(t, "pre", "", "a1", "b2", "rc1", "alpha3", ".c1") + pick(t, "post", "", ".post1", "-2", "rev3") + pick(t, "dev", "", ".dev1", "dev") + pick(t, "local", "", "+abc.5", "+5", "+abc.7")
		case "maven":
			return core + pick(t, "q", "", "-alpha-1", "-SNAPSHOT", "-sp", "-rc2", ".ga", "-1", "b", "-abc", "-m1", "-final")
		case "gem":
			return core + pick(t, "pre", "", ".a", ".a9", ".rc1", ".pre", ".0.b2")
		}
		return core
	})
}

// TestOrderLaws checks, for every comparator, that equal is reflexive,
// the order antisymmetric and transitive, on generated versions.
func TestOrderLaws(t *testing.T) {
	for _, e := range ecosystems {
		t.Run(e.name, func(t *testing.T) {
			g := gen(e.name)
			rapid.Check(t, func(t *rapid.T) {
				a, b, c := g.Draw(t, "a"), g.Draw(t, "b"), g.Draw(t, "c")
				cmp := func(x, y string) int {
					r, err := e.cmp(x, y)
					if err != nil {
						t.Fatalf("Compare(%q, %q): %v", x, y, err)
					}
					return r
				}
				if cmp(a, a) != 0 {
					t.Fatalf("%q != itself", a)
				}
				if ab, ba := cmp(a, b), cmp(b, a); ab != -ba {
					t.Fatalf("Compare(%q,%q)=%d but Compare(%q,%q)=%d", a, b, ab, b, a, ba)
				}
				if cmp(a, b) <= 0 && cmp(b, c) <= 0 && cmp(a, c) > 0 {
					t.Fatalf("not transitive: %q <= %q <= %q but %q > %q", a, b, c, a, c)
				}
			})
		})
	}
}
