// Package baseimage explains an image reference as a base: which registry
// and repository it names, whether it is pinned, and, for the official
// images whose tags follow known conventions (alpine, debian, ubuntu,
// centos, fedora, node, python, golang ...), which distribution and runtime
// release it carries and whether a slimmer variant of the same runtime
// exists.
package baseimage

import (
	// go-digest validates digests only for registered hash algorithms;
	// without these imports every "@sha256:" reference fails to parse in a
	// binary that happens not to import them elsewhere.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// Ref is a parsed image reference.
type Ref struct {
	// Original is the reference as written.
	Original string
	// Domain is the registry host ("docker.io" for Docker Hub).
	Domain string
	// Path is the repository path without the domain ("library/node").
	Path string
	Tag  string
	// Digest is the "sha256:..." pin, if any.
	Digest string
}

// ParseRef parses a reference the way Docker does: "alpine" is
// docker.io/library/alpine. It fails on references Docker would reject.
func ParseRef(s string) (Ref, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Ref{}, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	r := Ref{Original: s, Domain: reference.Domain(named), Path: reference.Path(named)}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	return r, nil
}

// Repository is domain/path ("docker.io/library/node").
func (r Ref) Repository() string { return r.Domain + "/" + r.Path }

// Official reports whether the reference names a Docker Official Image.
func (r Ref) Official() bool {
	return r.Domain == "docker.io" && strings.HasPrefix(r.Path, "library/")
}

// Short is the name users write: "node" for docker.io/library/node, the
// full repository otherwise.
func (r Ref) Short() string {
	if r.Official() {
		return strings.TrimPrefix(r.Path, "library/")
	}
	if r.Domain == "docker.io" {
		return r.Path
	}
	return r.Repository()
}

// Release is a product release found in a tag, such as node 18 or
// debian 12.
type Release struct {
	Product string
	Version string
}

// Info is what an official image's tag says about it.
type Info struct {
	// Runtime is the language runtime (node, python, golang ...), if any.
	Runtime *Release
	// Distro is the distribution the image is built on, when the tag or
	// the image names it (alpine 3.18, debian 12 ...).
	Distro *Release
	// Variant is "slim", "alpine", or "" for the full image.
	Variant string
}

// debian and ubuntu codenames, as used in official image tags.
var codenames = map[string]Release{
	"jessie": {"debian", "8"}, "stretch": {"debian", "9"}, "buster": {"debian", "10"},
	"bullseye": {"debian", "11"}, "bookworm": {"debian", "12"}, "trixie": {"debian", "13"}, "forky": {"debian", "14"},
	"trusty": {"ubuntu", "14.04"}, "xenial": {"ubuntu", "16.04"}, "bionic": {"ubuntu", "18.04"},
	"focal": {"ubuntu", "20.04"}, "jammy": {"ubuntu", "22.04"}, "noble": {"ubuntu", "24.04"},
	"kinetic": {"ubuntu", "22.10"}, "lunar": {"ubuntu", "23.04"}, "mantic": {"ubuntu", "23.10"},
	"oracular": {"ubuntu", "24.10"}, "plucky": {"ubuntu", "25.04"}, "questing": {"ubuntu", "25.10"},
}

// runtimes are official images whose tag starts with the runtime version.
var runtimes = map[string]bool{"node": true, "python": true, "golang": true, "ruby": true, "rust": true, "php": true, "openjdk": true, "eclipse-temurin": true}

// distros are official images whose tag starts with the distribution version.
var distros = map[string]bool{"alpine": true, "debian": true, "ubuntu": true, "centos": true, "fedora": true}

// Explain reads an official image's tag. It returns false for images it
// does not know and for tags it cannot read (latest, lts, digests only).
func (r Ref) Explain() (Info, bool) {
	if !r.Official() || r.Tag == "" {
		return Info{}, false
	}
	name := r.Short()
	parts := strings.Split(r.Tag, "-")
	var info Info
	switch {
	case distros[name]:
		v := parts[0]
		if name == "centos" {
			v = strings.TrimPrefix(v, "centos")
		}
		if rel, ok := codenames[v]; ok && rel.Product == name {
			v = rel.Version
		}
		if !isVersion(v) {
			return Info{}, false
		}
		info.Distro = &Release{Product: name, Version: v}
		if name == "alpine" {
			info.Variant = "alpine"
		}
	case runtimes[name]:
		if !isVersion(parts[0]) {
			return Info{}, false
		}
		info.Runtime = &Release{Product: name, Version: parts[0]}
		if name == "openjdk" || name == "eclipse-temurin" {
			info.Runtime.Product = "java"
		}
	default:
		return Info{}, false
	}
	for _, p := range parts[1:] {
		switch {
		case p == "slim":
			info.Variant = "slim"
		case p == "alpine":
			info.Variant = "alpine"
		case strings.HasPrefix(p, "alpine") && isVersion(p[len("alpine"):]):
			info.Variant = "alpine"
			info.Distro = &Release{Product: "alpine", Version: p[len("alpine"):]}
		case codenames[p].Product != "":
			rel := codenames[p]
			info.Distro = &rel
		case p == "jre" || p == "jdk":
			if info.Variant == "" {
				info.Variant = p
			}
		}
	}
	return info, true
}

func isVersion(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// Alternative returns a smaller base for the same runtime when the
// reference names a full official image that has one: a slim or
// distroless variant. It returns "" when there is none to suggest.
func (r Ref) Alternative() string {
	info, ok := r.Explain()
	if !ok || info.Variant != "" {
		return ""
	}
	name := r.Short()
	suffix := ""
	if info.Distro != nil && info.Distro.Product == "debian" {
		for _, p := range strings.Split(r.Tag, "-")[1:] {
			if _, ok := codenames[p]; ok {
				suffix = "-" + p
			}
		}
	}
	major := func(v string) string { m, _, _ := strings.Cut(v, "."); return m }
	switch {
	case info.Runtime == nil && name == "debian":
		return fmt.Sprintf("debian:%s-slim", strings.Split(r.Tag, "-")[0])
	case info.Runtime == nil:
		return ""
	}
	v := info.Runtime.Version
	switch name {
	case "node":
		return fmt.Sprintf("node:%s%s-slim or gcr.io/distroless/nodejs%s-debian12", v, suffix, major(v))
	case "python":
		return fmt.Sprintf("python:%s-slim%s", v, suffix)
	case "ruby":
		return fmt.Sprintf("ruby:%s-slim%s", v, suffix)
	case "golang":
		return "a build stage FROM " + r.Short() + ":" + r.Tag + " and a final stage FROM gcr.io/distroless/static-debian12 (or scratch) holding only the binary"
	case "rust":
		return "a build stage FROM " + r.Short() + ":" + r.Tag + " and a final stage FROM gcr.io/distroless/cc-debian12 holding only the binary"
	case "openjdk", "eclipse-temurin":
		return fmt.Sprintf("eclipse-temurin:%s-jre or gcr.io/distroless/java%s-debian12", v, major(v))
	}
	return ""
}
