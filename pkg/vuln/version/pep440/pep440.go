// Package pep440 compares Python package versions as PEP 440 defines
// (and the "packaging" library implements): epoch, release, pre-release
// (a < b < rc), post-release, development release and local version, with
// the spellings PEP 440 normalises (alpha, c, pre, preview, rev, r, -, _).
package pep440

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pattern is PEP 440's VERSION_PATTERN (Appendix B), which also accepts
// the non-normalised spellings.
var pattern = regexp.MustCompile(`^\s*v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?\s*$`)

// Version is a parsed version.
type Version struct {
	epoch   int64
	release []int64
	preL    int // 0 none, 1 a, 2 b, 3 rc
	preN    int64
	post    int64 // -1 none
	dev     int64 // -1 none
	local   []string
}

var preRank = map[string]int{"a": 1, "alpha": 1, "b": 2, "beta": 2, "c": 3, "rc": 3, "pre": 3, "preview": 3}

// Parse reads a version.
func Parse(s string) (Version, error) {
	m := pattern.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a PEP 440 version", s)
	}
	g := func(name string) string { return m[pattern.SubexpIndex(name)] }
	num := func(x string) int64 {
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	v := Version{epoch: num(g("epoch")), post: -1, dev: -1}
	for _, p := range strings.Split(g("release"), ".") {
		v.release = append(v.release, num(p))
	}
	for len(v.release) > 1 && v.release[len(v.release)-1] == 0 {
		v.release = v.release[:len(v.release)-1] // 1.0 == 1.0.0
	}
	if l := g("pre_l"); l != "" {
		v.preL, v.preN = preRank[l], num(g("pre_n"))
	}
	if g("post") != "" {
		v.post = num(g("post_n1") + g("post_n2"))
	}
	if g("dev") != "" {
		v.dev = num(g("dev_n"))
	}
	if l := g("local"); l != "" {
		v.local = strings.FieldsFunc(l, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	}
	return v, nil
}

// Compare returns -1, 0 or +1.
func Compare(a, b string) (int, error) {
	va, err := Parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// preKey orders the pre-release: a dev release of the final version
// (1.0.dev1) comes before any pre-release of it; no pre-release comes
// after all of them.
func (v Version) preKey() (int, int64) {
	switch {
	case v.preL == 0 && v.post < 0 && v.dev >= 0:
		return -1, 0
	case v.preL == 0:
		return 4, 0
	}
	return v.preL, v.preN
}

// Compare orders as packaging's _cmpkey does.
func (a Version) Compare(b Version) int {
	if c := cmp64(a.epoch, b.epoch); c != 0 {
		return c
	}
	for i := 0; i < max(len(a.release), len(b.release)); i++ {
		var x, y int64
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := cmp64(x, y); c != 0 {
			return c
		}
	}
	al, an := a.preKey()
	bl, bn := b.preKey()
	if al != bl {
		return cmp64(int64(al), int64(bl))
	}
	if c := cmp64(an, bn); c != 0 {
		return c
	}
	if c := cmp64(a.post, b.post); c != 0 { // none (-1) before any post
		return c
	}
	ad, bd := a.dev, b.dev
	if ad < 0 {
		ad = 1 << 62 // no dev release sorts after any
	}
	if bd < 0 {
		bd = 1 << 62
	}
	if c := cmp64(ad, bd); c != 0 {
		return c
	}
	return cmpLocal(a.local, b.local)
}

// cmpLocal: no local part sorts first; segments compare numbers
// numerically and above strings, strings lexically; more segments win.
func cmpLocal(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return cmp64(int64(len(a)), int64(len(b)))
	}
	for i := 0; i < min(len(a), len(b)); i++ {
		x, xerr := strconv.ParseInt(a[i], 10, 64)
		y, yerr := strconv.ParseInt(b[i], 10, 64)
		var c int
		switch {
		case xerr == nil && yerr == nil:
			c = cmp64(x, y)
		case xerr == nil:
			c = 1
		case yerr == nil:
			c = -1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp64(int64(len(a)), int64(len(b)))
}
