// Package baseadvice explains an image's base and advises a better one: what
// the base is (distribution, release, libc, shell, package manager, size
// against the application's layers, name and digest where the image
// records them, end of life), what the application needs from a base
// (its libc, a shell, interpreters, native libraries), and which known
// bases fit, smallest first, each with its reasons.
package baseadvice

import (
	"path"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/eol"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

// Identity is what a base is.
type Identity struct {
	OS *sbom.OS `json:"os,omitempty"`
	// Libc is "glibc", "musl" or "" (none: static images).
	Libc string `json:"libc,omitempty"`
	// Shell is the shell at /bin/sh ("busybox", "dash", "bash"), "" for none.
	Shell string `json:"shell,omitempty"`
	// PackageManager is apk, apt, dnf, microdnf, yum, tdnf, zypper or "".
	PackageManager string `json:"packageManager,omitempty"`
	Distroless     bool   `json:"distroless,omitempty"`
	// Name and Digest are the base image's, when the image records them.
	Name   string `json:"name,omitempty"`
	Digest string `json:"digest,omitempty"`
	// BaseLayers counts the image's bottom layers that are the base's;
	// BaseBy says how that was decided.
	BaseLayers int    `json:"baseLayers"`
	BaseBy     string `json:"baseBy,omitempty"`
	BaseSize   int64  `json:"baseSize"`
	AppSize    int64  `json:"appSize"`
	// EOL is the release's end of life ("2025-05-09"), EOLPassed whether
	// that day has come.
	EOL       string `json:"eol,omitempty"`
	EOLPassed bool   `json:"eolPassed,omitempty"`
}

// Ways the base layers were found.
const (
	ByGiven      = "--base"
	ByAnnotation = "the base image its annotation names"
	ByHistory    = "the history (the base's CMD ends its part)"
	ByOSRelease  = "the layer that wrote /etc/os-release"
	ByWhole      = "the whole image (one layer)"
)

// Input is an analysed image and what is known about its base.
type Input struct {
	*analyzer.Result
	Layers      []layerview.Layer
	Annotations map[string]string
	// BaseLayers, when above 0, is the base's layer count, known from the
	// base image itself (--base, or the annotation's image read).
	BaseLayers int
	// BaseBy says how BaseLayers was learnt (ByGiven, ByAnnotation).
	BaseBy string
}

// Identify says what in's base is.
func Identify(in *Input, now time.Time) Identity {
	id := Identity{OS: in.Inventory.OS}
	if id.OS != nil {
		id.Libc = id.OS.Libc
		id.Distroless = id.OS.Distroless
		if c, ok := eol.Lookup(id.OS.ID, id.OS.Version); ok {
			id.EOL, id.EOLPassed = c.EOL.Format("2006-01-02"), c.Ended(now)
		}
	}
	id.Shell = shellOf(in.View)
	id.PackageManager = packageManager(in.View)
	id.Name, id.Digest = baseName(in)
	id.BaseLayers, id.BaseBy = baseLayers(in)
	for i, l := range in.Layers {
		if i < id.BaseLayers {
			id.BaseSize += l.Size
		} else {
			id.AppSize += l.Size
		}
	}
	return id
}

// shellOf names the shell at /bin/sh.
func shellOf(v *imagefs.View) string {
	f, ok := v.Resolve("bin/sh")
	if !ok {
		return ""
	}
	switch base := path.Base(f.Path); {
	case strings.Contains(base, "busybox"):
		return "busybox"
	case base == "sh":
		return "sh"
	default:
		return base // dash, bash, mksh
	}
}

var managers = []struct{ name, path string }{
	{"apk", "sbin/apk"}, {"apt", "usr/bin/apt-get"}, {"dnf", "usr/bin/dnf"}, {"microdnf", "usr/bin/microdnf"},
	{"yum", "usr/bin/yum"}, {"tdnf", "usr/bin/tdnf"}, {"zypper", "usr/bin/zypper"},
}

func packageManager(v *imagefs.View) string {
	for _, m := range managers {
		if _, ok := v.Resolve(m.path); ok {
			return m.name
		}
	}
	return ""
}

// baseName reads the base's name and digest from the manifest annotations
// (BuildKit writes them) or the same keys as config labels.
func baseName(in *Input) (string, string) {
	get := func(k string) string {
		if v := in.Annotations[k]; v != "" {
			return v
		}
		if in.Config != nil {
			return in.Config.Config.Labels[k]
		}
		return ""
	}
	return get("org.opencontainers.image.base.name"), get("org.opencontainers.image.base.digest")
}

// baseLayers decides how many bottom layers are the base's.
func baseLayers(in *Input) (int, string) {
	n := len(in.Layers)
	switch {
	case in.BaseLayers > 0:
		if in.BaseBy != "" {
			return in.BaseLayers, in.BaseBy
		}
		return in.BaseLayers, ByGiven
	case n == 0:
		return 0, ""
	case n == 1:
		return 1, ByWhole
	}
	// A base image's history ends with its CMD or ENTRYPOINT; the image's
	// own steps follow.
	if in.Config != nil {
		made := 0
		for _, h := range in.Config.History {
			if !h.EmptyLayer {
				made++
				continue
			}
			cmd := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h.CreatedBy), "/bin/sh -c #(nop)"))
			if made > 0 && made < n && (strings.HasPrefix(cmd, "CMD") || strings.HasPrefix(cmd, "ENTRYPOINT")) {
				return made, ByHistory
			}
		}
	}
	if f, ok := in.View.Resolve("etc/os-release"); ok && f.Layer+1 < n {
		return f.Layer + 1, ByOSRelease
	}
	return n, ByWhole
}
