// Package gem compares RubyGems versions as Gem::Version does: segments
// split on '.' and between digits and letters, a letter segment making the
// version a pre-release (older than the release), trailing zero segments
// ignored ("1.0" == "1").
package gem

import (
	"fmt"
	"regexp"
	"strings"
)

var valid = regexp.MustCompile(`^\s*[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*)?\s*$`)

type segment struct {
	num   string // digits without leading zeros, or
	str   string // letters
	isNum bool
}

// segments splits as Gem::Version#segments does, "-" meaning ".pre.".
func segments(v string) ([]segment, error) {
	v = strings.TrimSpace(v)
	if !valid.MatchString(v) {
		return nil, fmt.Errorf("%q is not a RubyGems version", v)
	}
	v = strings.ReplaceAll(v, "-", ".pre.")
	var out []segment
	for _, part := range strings.Split(v, ".") {
		i := 0
		for i < len(part) {
			j := i
			isNum := part[i] >= '0' && part[i] <= '9'
			for j < len(part) && (part[j] >= '0' && part[j] <= '9') == isNum {
				j++
			}
			s := part[i:j]
			if isNum {
				out = append(out, segment{num: strings.TrimLeft(s, "0"), isNum: true})
			} else {
				out = append(out, segment{str: s})
			}
			i = j
		}
	}
	return canonical(out), nil
}

// canonical drops zero segments at the end of the release part and at the
// end of the whole version, as Gem::Version#canonical_segments does.
func canonical(s []segment) []segment {
	pre := len(s)
	for i, x := range s {
		if !x.isNum {
			pre = i
			break
		}
	}
	release, rest := s[:pre], s[pre:]
	for len(release) > 0 && release[len(release)-1].isNum && release[len(release)-1].num == "" {
		release = release[:len(release)-1]
	}
	for len(rest) > 0 && rest[len(rest)-1].isNum && rest[len(rest)-1].num == "" {
		rest = rest[:len(rest)-1]
	}
	return append(append([]segment(nil), release...), rest...)
}

func cmpNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// Compare returns -1, 0 or +1.
func Compare(a, b string) (int, error) {
	x, err := segments(a)
	if err != nil {
		return 0, err
	}
	y, err := segments(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < max(len(x), len(y)); i++ {
		// A missing segment is 0.
		l, r := segment{isNum: true}, segment{isNum: true}
		if i < len(x) {
			l = x[i]
		}
		if i < len(y) {
			r = y[i]
		}
		var c int
		switch {
		case l.isNum && r.isNum:
			c = cmpNum(l.num, r.num)
		case l.isNum:
			c = 1 // a number beats letters: 1.0 > 1.0.a
		case r.isNum:
			c = -1
		default:
			c = strings.Compare(l.str, r.str)
		}
		if c != 0 {
			return c, nil
		}
	}
	return 0, nil
}
