// Package semver compares Semantic Versions (semver.org 2.0.0) as the Go
// module system, npm and Cargo do: with or without a leading "v",
// pre-releases before the release, build metadata ignored (so Go's
// "+incompatible" compares equal to the plain version, as Go treats it),
// and Go pseudo-versions ordered as the pre-releases they are.
package semver

import (
	"fmt"
	"strings"

	"golang.org/x/mod/semver"
)

// canonical adds the "v" golang.org/x/mod/semver expects and checks the
// version is complete (MAJOR.MINOR.PATCH): the shorthands x/mod accepts
// ("v1.2") are not versions a package can have.
func canonical(s string) (string, error) {
	s = strings.TrimSpace(s)
	v := s
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	core := v[1:]
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	if !semver.IsValid(v) || strings.Count(core, ".") != 2 {
		return "", fmt.Errorf("%q is not a semantic version", s)
	}
	return v, nil
}

// Valid reports whether s is a semantic version.
func Valid(s string) bool {
	_, err := canonical(s)
	return err == nil
}

// Compare returns -1, 0 or +1.
func Compare(a, b string) (int, error) {
	va, err := canonical(a)
	if err != nil {
		return 0, err
	}
	vb, err := canonical(b)
	if err != nil {
		return 0, err
	}
	return semver.Compare(va, vb), nil
}
