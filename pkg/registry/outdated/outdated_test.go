package outdated

import (
	"strings"
	"testing"
)

func TestNewer(t *testing.T) {
	tags := []string{"3.18-alpine", "3.19-alpine", "3.20-alpine", "3.20", "3.21-slim", "3.21-alpine3.20", "3.20.1-alpine", "latest", "4.0-alpine", "3.9-alpine", "3.19-alpine-rc1"}
	for _, c := range []struct{ current, want string }{
		{"3.19-alpine", "3.20-alpine 4.0-alpine"},
		{"3.9-alpine", "3.18-alpine 3.19-alpine 3.20-alpine 4.0-alpine"},
		{"3.20", ""},
		{"3.20.0-alpine", "3.20.1-alpine"},
		{"latest", ""},
	} {
		var got []string
		for _, v := range Newer(c.current, tags) {
			got = append(got, v.Tag)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %q, want %q", c.current, got, c.want)
		}
	}
	a, _ := Parse("1.22-bookworm")
	b, _ := Parse("2.0-bookworm")
	if !Major(a, b) {
		t.Error("1 -> 2 is a major change")
	}
}
