// Package apk compares Alpine package versions as apk-tools does
// (src/version.c): numbers separated by dots, an optional letter, suffixes
// (_alpha < _beta < _pre < _rc < none < _cvs < _svn < _git < _hg < _p) each
// with an optional number, an optional ~hash, and -rN.
package apk

import (
	"fmt"
	"strings"
)

type tokenKind int

// Token kinds in apk-tools' order; when two versions differ in kind at
// the same position, the one with the lower kind is newer (more numbers
// beat a letter, a letter beats the end), except pre-release suffixes.
const (
	tokDigit tokenKind = iota
	tokLetter
	tokSuffix
	tokSuffixNo
	tokHash
	tokRevision
	tokEnd
)

var suffixes = map[string]int{"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}

type token struct {
	kind tokenKind
	text string // digits, letter, hash
	num  int    // suffix rank
}

// tokenize splits a version into apk's tokens, or fails on what apk would
// reject.
func tokenize(s string) ([]token, error) {
	var out []token
	i := 0
	digits := func() string {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		d := s[i:j]
		i = j
		return d
	}
	if i >= len(s) || s[0] < '0' || s[0] > '9' {
		return nil, fmt.Errorf("version %q does not start with a digit", s)
	}
	out = append(out, token{kind: tokDigit, text: digits()})
	state := tokDigit
	for i < len(s) {
		c := s[i]
		switch {
		case c == '.' && state == tokDigit:
			i++
			d := digits()
			if d == "" {
				return nil, fmt.Errorf("version %q: '.' not followed by digits", s)
			}
			out = append(out, token{kind: tokDigit, text: d})
		case c >= 'a' && c <= 'z' && state == tokDigit:
			out = append(out, token{kind: tokLetter, text: string(c)})
			i++
			state = tokLetter
		case c == '_' && state <= tokSuffixNo:
			i++
			j := i
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			rank, ok := suffixes[s[i:j]]
			if !ok {
				return nil, fmt.Errorf("version %q: unknown suffix %q", s, s[i:j])
			}
			i = j
			out = append(out, token{kind: tokSuffix, num: rank})
			state = tokSuffix
			if d := digits(); d != "" {
				out = append(out, token{kind: tokSuffixNo, text: d})
				state = tokSuffixNo
			}
		case c == '~' && state < tokHash:
			j := i + 1
			for j < len(s) && strings.IndexByte("0123456789abcdef", s[j]) >= 0 {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("version %q: empty ~hash", s)
			}
			out = append(out, token{kind: tokHash, text: s[i+1 : j]})
			i = j
			state = tokHash
		case c == '-' && i+1 < len(s) && s[i+1] == 'r' && state < tokRevision:
			i += 2
			d := digits()
			if d == "" {
				return nil, fmt.Errorf("version %q: -r without a number", s)
			}
			out = append(out, token{kind: tokRevision, text: d})
			state = tokRevision
		default:
			return nil, fmt.Errorf("version %q: unexpected %q at %d", s, c, i)
		}
	}
	return out, nil
}

// cmpNum compares digit strings numerically.
func cmpNum(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
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
	ta, err := tokenize(strings.TrimSpace(a))
	if err != nil {
		return 0, err
	}
	tb, err := tokenize(strings.TrimSpace(b))
	if err != nil {
		return 0, err
	}
	for k := 0; ; k++ {
		x, y := token{kind: tokEnd}, token{kind: tokEnd}
		if k < len(ta) {
			x = ta[k]
		}
		if k < len(tb) {
			y = tb[k]
		}
		if x.kind == tokEnd && y.kind == tokEnd {
			return 0, nil
		}
		if x.kind != y.kind {
			// A pre-release suffix makes its side older; otherwise the
			// side that goes on with a lower kind is newer.
			if x.kind == tokSuffix && x.num < 0 {
				return -1, nil
			}
			if y.kind == tokSuffix && y.num < 0 {
				return 1, nil
			}
			if x.kind < y.kind {
				return 1, nil
			}
			return -1, nil
		}
		var c int
		switch x.kind {
		case tokDigit:
			// After the first number, a leading zero makes the part a
			// fraction, compared as text (apk: "1.01" < "1.1").
			if k > 0 && (strings.HasPrefix(x.text, "0") || strings.HasPrefix(y.text, "0")) {
				c = strings.Compare(x.text, y.text)
			} else {
				c = cmpNum(x.text, y.text)
			}
		case tokLetter, tokHash:
			c = strings.Compare(x.text, y.text)
		case tokSuffix:
			c = x.num - y.num
		case tokSuffixNo, tokRevision:
			c = cmpNum(x.text, y.text)
		}
		if c != 0 {
			if c < 0 {
				return -1, nil
			}
			return 1, nil
		}
	}
}
