// Package maven compares Maven versions as Maven 3.9's ComparableVersion
// does (maven-artifact, the algorithm OSV's Maven ecosystem uses, with
// MNG-6964 and MNG-7644): items split
// on '.', '-' and digit/letter transitions, '-' opening a sub-list,
// trailing zeros and "final"/"ga"/"release" dropped, and qualifiers
// ordered alpha < beta < milestone < rc = cr < snapshot < "" < sp < others.
package maven

import (
	"fmt"
	"strconv"
	"strings"
)

type itemKind int

const (
	intItem itemKind = iota
	stringItem
	listItem
)

type item struct {
	kind itemKind
	num  string // digits without leading zeros ("" is 0)
	str  string // normalised qualifier
	list []*item
}

func (it *item) isNull() bool {
	switch it.kind {
	case intItem:
		return it.num == ""
	case stringItem:
		return it.str == ""
	}
	return len(it.list) == 0
}

var qualifiers = []string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"}

// comparable maps a qualifier to a string that sorts it in Maven's order.
func comparable(q string) string {
	for i, k := range qualifiers {
		if q == k {
			return strconv.Itoa(i)
		}
	}
	return strconv.Itoa(len(qualifiers)) + "-" + q
}

func newString(s string, followedByDigit bool) *item {
	if followedByDigit && len(s) == 1 {
		switch s {
		case "a":
			s = "alpha"
		case "b":
			s = "beta"
		case "m":
			s = "milestone"
		}
	}
	switch s {
	case "ga", "final", "release":
		s = ""
	case "cr":
		s = "rc"
	}
	return &item{kind: stringItem, str: s}
}

func newInt(s string) *item { return &item{kind: intItem, num: strings.TrimLeft(s, "0")} }

func parseItem(isDigit bool, s string) *item {
	if isDigit {
		return newInt(s)
	}
	return newString(s, false)
}

// normalize drops trailing null items, stopping at the first non-null
// item that is not a list.
func (it *item) normalize() {
	for i := len(it.list) - 1; i >= 0; i-- {
		if it.list[i].isNull() {
			it.list = append(it.list[:i], it.list[i+1:]...)
		} else if it.list[i].kind != listItem {
			break
		}
	}
}

// Parse builds the item tree of a version.
func Parse(v string) (*item, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return nil, fmt.Errorf("empty version")
	}
	root := &item{kind: listItem}
	list := root
	stack := []*item{root}
	isDigit, start := false, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.':
			if i == start {
				list.list = append(list.list, &item{kind: intItem})
			} else {
				list.list = append(list.list, parseItem(isDigit, v[start:i]))
			}
			isDigit, start = false, i+1
		case c == '-':
			if i == start {
				list.list = append(list.list, &item{kind: intItem})
			} else {
				list.list = append(list.list, parseItem(isDigit, v[start:i]))
			}
			start = i + 1
			sub := &item{kind: listItem}
			list.list = append(list.list, sub)
			list = sub
			stack = append(stack, sub)
			isDigit = false
		case c >= '0' && c <= '9':
			if !isDigit && i > start {
				// Maven 3.9 (MNG-7644): ".X1" is read as "-X1", so
				// 1.0.0.RC1 and 1.0.0-RC1 are the same release.
				if len(list.list) > 0 {
					sub := &item{kind: listItem}
					list.list = append(list.list, sub)
					list = sub
					stack = append(stack, sub)
				}
				list.list = append(list.list, newString(v[start:i], true))
				start = i
				sub := &item{kind: listItem}
				list.list = append(list.list, sub)
				list = sub
				stack = append(stack, sub)
			}
			isDigit = true
		default:
			if isDigit && i > start {
				list.list = append(list.list, parseItem(true, v[start:i]))
				start = i
				sub := &item{kind: listItem}
				list.list = append(list.list, sub)
				list = sub
				stack = append(stack, sub)
			}
			isDigit = false
		}
	}
	if len(v) > start {
		// The same for a trailing qualifier: 1.0.0.RC is 1.0.0-RC.
		if !isDigit && len(list.list) > 0 {
			sub := &item{kind: listItem}
			list.list = append(list.list, sub)
			list = sub
			stack = append(stack, sub)
		}
		list.list = append(list.list, parseItem(isDigit, v[start:]))
	}
	for i := len(stack) - 1; i >= 0; i-- {
		stack[i].normalize()
	}
	return root, nil
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

// compare compares it with other (nil meaning "nothing here").
func (it *item) compare(other *item) int {
	switch it.kind {
	case intItem:
		if other == nil {
			if it.num == "" {
				return 0
			}
			return 1
		}
		switch other.kind {
		case intItem:
			return cmpNum(it.num, other.num)
		default:
			return 1 // 1.1 > 1-sp, 1.1 > 1-1
		}
	case stringItem:
		if other == nil {
			return strings.Compare(comparable(it.str), comparable(""))
		}
		switch other.kind {
		case intItem, listItem:
			return -1
		}
		return strings.Compare(comparable(it.str), comparable(other.str))
	}
	if other == nil {
		// Maven 3.9 (MNG-6964): the first item that is not null decides,
		// so 1-0.alpha < 1 (3.8 looked at the first item only).
		for _, x := range it.list {
			if c := x.compare(nil); c != 0 {
				return c
			}
		}
		return 0
	}
	switch other.kind {
	case intItem:
		return -1
	case stringItem:
		return 1
	}
	for i := 0; i < max(len(it.list), len(other.list)); i++ {
		var l, r *item
		if i < len(it.list) {
			l = it.list[i]
		}
		if i < len(other.list) {
			r = other.list[i]
		}
		var c int
		switch {
		case l == nil && r == nil:
		case l == nil:
			c = -r.compare(nil)
		default:
			c = l.compare(r)
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// Compare returns -1, 0 or +1.
func Compare(a, b string) (int, error) {
	x, err := Parse(a)
	if err != nil {
		return 0, err
	}
	y, err := Parse(b)
	if err != nil {
		return 0, err
	}
	c := x.compare(y)
	switch {
	case c < 0:
		return -1, nil
	case c > 0:
		return 1, nil
	}
	return 0, nil
}
