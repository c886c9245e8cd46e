// Package outdated finds newer tags of a base image on the same line and
// variant (3.19-alpine -> 3.20-alpine, 1.22-bookworm -> 1.23-bookworm),
// the way Renovate reads image tags: a version of dot-separated numbers,
// then a variant suffix that must stay the same.
package outdated

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Version is a tag split into its numbers and its variant.
type Version struct {
	Tag     string
	Nums    []int
	Variant string
}

var tagRE = regexp.MustCompile(`^v?(\d+(?:\.\d+)*)(.*)$`)

// Parse reads a tag; ok is false for tags without a leading version
// (latest, stable, bookworm).
func Parse(tag string) (Version, bool) {
	m := tagRE.FindStringSubmatch(tag)
	if m == nil {
		return Version{}, false
	}
	v := Version{Tag: tag, Variant: m[2]}
	for _, p := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, false
		}
		v.Nums = append(v.Nums, n)
	}
	return v, true
}

// Less compares versions number by number.
func (v Version) Less(w Version) bool {
	for i := range min(len(v.Nums), len(w.Nums)) {
		if v.Nums[i] != w.Nums[i] {
			return v.Nums[i] < w.Nums[i]
		}
	}
	return len(v.Nums) < len(w.Nums)
}

// Newer returns the tags of the same variant and precision as current
// that are newer than it, oldest first. A prerelease-looking variant
// (rc, beta, alpha) is never proposed for a release.
func Newer(current string, tags []string) []Version {
	cur, ok := Parse(current)
	if !ok {
		return nil
	}
	var out []Version
	for _, t := range tags {
		v, ok := Parse(t)
		if !ok || v.Variant != cur.Variant || len(v.Nums) != len(cur.Nums) || !cur.Less(v) {
			continue
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// Major reports whether w changes v's first number.
func Major(v, w Version) bool {
	return len(v.Nums) > 0 && len(w.Nums) > 0 && v.Nums[0] != w.Nums[0]
}
