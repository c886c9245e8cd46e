package baseadvice

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Candidate is a base image the advice can propose.
type Candidate struct {
	Name string `json:"name"`
	// Libc is "glibc", "musl" or "" (none).
	Libc           string `json:"libc,omitempty"`
	Shell          bool   `json:"shell"`
	PackageManager string `json:"packageManager,omitempty"`
	// Runtimes the image provides (python3, node, java).
	Runtimes []string `json:"runtimes,omitempty"`
	// Libraries it provides beyond libc, by soname prefix ("libssl.so").
	Libraries []string `json:"libraries,omitempty"`
	// Size is the uncompressed size in bytes: measured when Measured is
	// true, otherwise the typical size of the linux/amd64 image.
	Size     int64 `json:"size"`
	Measured bool  `json:"measured"`
	// Vulnerabilities counts known vulnerabilities by severity, when the
	// candidate was scanned.
	Vulnerabilities map[string]int `json:"vulnerabilities,omitempty"`
	// Note says why it was not measured, or what else to know.
	Note string `json:"note,omitempty"`
}

const mb = 1 << 20

// Known are the bases advice considers. Sizes are typical uncompressed
// linux/amd64 sizes (as `docker images` shows them) at the time of
// writing, rounded; `bulwark base` replaces them with measurements when
// the image is reachable or given with --candidate.
var Known = []Candidate{
	{Name: "gcr.io/distroless/static-debian12", Size: 2 * mb},
	{Name: "cgr.dev/chainguard/static", Size: 1 * mb},
	{Name: "gcr.io/distroless/base-debian12", Libc: "glibc", Libraries: []string{"libssl.so", "libcrypto.so"}, Size: 20 * mb},
	{Name: "cgr.dev/chainguard/glibc-dynamic", Libc: "glibc", Libraries: []string{"libssl.so", "libcrypto.so", "libstdc++.so", "libgcc_s.so"}, Size: 7 * mb},
	{Name: "gcr.io/distroless/cc-debian12", Libc: "glibc", Libraries: []string{"libssl.so", "libcrypto.so", "libstdc++.so", "libgcc_s.so", "libgomp.so"}, Size: 23 * mb},
	{Name: "gcr.io/distroless/python3-debian12", Libc: "glibc", Runtimes: []string{"python3"}, Libraries: []string{"libssl.so", "libcrypto.so", "libstdc++.so", "libgcc_s.so"}, Size: 53 * mb},
	{Name: "gcr.io/distroless/nodejs22-debian12", Libc: "glibc", Runtimes: []string{"node"}, Libraries: []string{"libssl.so", "libcrypto.so", "libstdc++.so", "libgcc_s.so"}, Size: 130 * mb},
	{Name: "gcr.io/distroless/java21-debian12", Libc: "glibc", Runtimes: []string{"java"}, Libraries: []string{"libssl.so", "libcrypto.so", "libstdc++.so", "libgcc_s.so", "libz.so"}, Size: 190 * mb},
	{Name: "alpine:3.22", Libc: "musl", Shell: true, PackageManager: "apk", Libraries: []string{"libssl.so", "libcrypto.so", "libz.so"}, Size: 8 * mb},
	{Name: "cgr.dev/chainguard/wolfi-base", Libc: "glibc", Shell: true, PackageManager: "apk", Libraries: []string{"libssl.so", "libcrypto.so", "libz.so"}, Size: 13 * mb},
	{Name: "debian:12-slim", Libc: "glibc", Shell: true, PackageManager: "apt", Libraries: []string{"libz.so", "libstdc++.so", "libgcc_s.so"}, Size: 75 * mb},
	{Name: "ubuntu:24.04", Libc: "glibc", Shell: true, PackageManager: "apt", Libraries: []string{"libz.so", "libstdc++.so", "libgcc_s.so"}, Size: 78 * mb},
}

// Option is a candidate judged against the application's needs.
type Option struct {
	Candidate
	Fits    bool     `json:"fits"`
	Reasons []string `json:"reasons"`
}

// Advise judges candidates against needs: fitting ones first, smallest
// first.
func Advise(needs Needs, cands []Candidate) []Option {
	out := make([]Option, 0, len(cands))
	for _, c := range cands {
		if !c.Measured && unneededRuntime(needs, c) {
			continue // a language image for a language the application does not use
		}
		out = append(out, judge(needs, c))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Fits != out[j].Fits {
			return out[i].Fits
		}
		return out[i].Size < out[j].Size
	})
	return out
}

func judge(n Needs, c Candidate) Option {
	o := Option{Candidate: c, Fits: true}
	no := func(format string, a ...any) {
		o.Fits = false
		o.Reasons = append(o.Reasons, fmt.Sprintf(format, a...))
	}
	yes := func(format string, a ...any) { o.Reasons = append(o.Reasons, fmt.Sprintf(format, a...)) }
	by := strings.Join(n.LibcBy, ", ")
	switch {
	case n.Libc == "glibc" && c.Libc == "musl":
		no("links glibc (%s): %s has musl; it does not fit without rebuilding for musl (or CGO_ENABLED=0 for Go)", by, c.Name)
	case n.Libc == "glibc" && c.Libc == "":
		no("links glibc (%s): %s has no libc", by, c.Name)
	case n.Libc == "musl" && c.Libc != "musl":
		no("links musl (%s): %s has %s; rebuild for glibc, or stay on Alpine", by, c.Name, orNone(c.Libc))
	case n.Libc != "":
		yes("links %s (%s): %s has it", n.Libc, by, c.Name)
	case len(n.Static) > 0:
		yes("static binaries (%s) need no libc: %s fits", strings.Join(n.Static, ", "), c.Name)
	}
	if n.Shell != "" {
		if c.Shell {
			yes("%s: %s has /bin/sh", n.Shell, c.Name)
		} else {
			no("%s: %s has no shell", n.Shell, c.Name)
		}
	}
	for _, r := range n.Interpreters {
		switch {
		case slices.Contains(c.Runtimes, r):
			yes("runs %s: %s provides it", r, c.Name)
		case r == "bash" && c.Shell && c.PackageManager != "":
			yes("runs bash: install it with %s", c.PackageManager)
		case c.PackageManager != "":
			yes("runs %s: install it with %s (or use an official %s image on this base)", r, c.PackageManager, r)
		default:
			no("runs %s: %s has neither %s nor a package manager to install it", r, c.Name, r)
		}
	}
	var missing []string
	for _, l := range n.Libraries {
		if !providesLib(c, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		if c.PackageManager != "" {
			yes("loads %s: install the packages that provide them with %s", strings.Join(missing, ", "), c.PackageManager)
		} else {
			no("loads %s, which %s does not have and cannot install", strings.Join(missing, ", "), c.Name)
		}
	}
	if len(o.Reasons) == 0 {
		yes("needs nothing from the base that %s lacks", c.Name)
	}
	return o
}

func unneededRuntime(n Needs, c Candidate) bool {
	for _, r := range c.Runtimes {
		if !slices.Contains(n.Interpreters, r) {
			return true
		}
	}
	return false
}

func providesLib(c Candidate, soname string) bool {
	for _, l := range c.Libraries {
		if strings.HasPrefix(soname, l) {
			return true
		}
	}
	return false
}

func orNone(libc string) string {
	if libc == "" {
		return "no libc"
	}
	return libc
}
