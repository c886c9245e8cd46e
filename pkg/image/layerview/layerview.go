// Package layerview summarizes an image's layers the way people look at
// them with `docker history` and Dive: per layer its size, the instruction
// that made it, and how many files it added, changed and removed. It reads
// the entries the one pass over the layers recorded, never the layers.
package layerview

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Layer is one layer of an image.
type Layer struct {
	Index  int    `json:"index"`
	DiffID string `json:"diffID"`
	// Size is the bytes of the files the layer holds (what Dive shows).
	Size int64 `json:"size"`
	// StoredSize is the compressed blob's size, where known.
	StoredSize int64 `json:"storedSize,omitempty"`
	// Instruction is the history entry that made the layer; metadata-only
	// entries (ENV, LABEL ...) make no layer and are folded away.
	Instruction string `json:"instruction,omitempty"`
	Added       int    `json:"added"`
	Changed     int    `json:"changed"`
	Removed     int    `json:"removed"`
	// Base is true for the base image's layers, when the base is known.
	Base bool `json:"base,omitempty"`
}

// Build summarizes layers (as read, base first) with the image's history.
// cfg may be nil (a directory target has no history).
func Build(layers []*imagefs.LayerResult, stored []source.Layer, cfg *v1.ConfigFile) []Layer {
	instr := Instructions(cfg, len(layers))
	present := map[string]bool{} // visible non-directory paths so far
	out := make([]Layer, len(layers))
	for i, l := range layers {
		out[i] = Layer{Index: i, DiffID: l.DiffID, Instruction: instr[i]}
		if i < len(stored) {
			out[i].StoredSize = stored[i].Size
		}
		if len(l.Whiteouts) > 0 || len(l.Opaque) > 0 {
			keys := make([]string, 0, len(present))
			for k := range present {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			remove := func(p string, self bool) {
				if self && present[p] {
					delete(present, p)
					out[i].Removed++
				}
				for j := sort.SearchStrings(keys, p+"/"); j < len(keys) && strings.HasPrefix(keys[j], p+"/"); j++ {
					if present[keys[j]] {
						delete(present, keys[j])
						out[i].Removed++
					}
				}
			}
			for _, w := range l.Whiteouts {
				remove(w, true)
			}
			for _, o := range l.Opaque {
				remove(o, false)
			}
		}
		seen := map[string]bool{}
		for _, e := range l.Entries {
			if e.Mode.IsDir() || seen[e.Path] {
				continue
			}
			seen[e.Path] = true
			out[i].Size += e.Size
			if present[e.Path] {
				out[i].Changed++
			} else {
				out[i].Added++
				present[e.Path] = true
			}
		}
	}
	return out
}

// Instructions returns, for each of n layers, the history entry that made
// it, or "" where the history does not say (it is missing, or does not
// match the layers).
func Instructions(cfg *v1.ConfigFile, n int) []string {
	out := make([]string, n)
	if cfg == nil {
		return out
	}
	var made []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			made = append(made, Instruction(h.CreatedBy))
		}
	}
	if len(made) != n {
		return out // history from another build than these layers: do not guess
	}
	return made
}

// Instruction turns a history entry's created_by into the Dockerfile
// line it came from: the classic builder writes `/bin/sh -c #(nop) CMD
// ["x"]` and `/bin/sh -c apt-get ...`, BuildKit `RUN /bin/sh -c ... #
// buildkit`.
func Instruction(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimSpace(strings.TrimSuffix(s, "# buildkit"))
	switch {
	case strings.HasPrefix(s, "/bin/sh -c #(nop) "):
		return strings.TrimSpace(strings.TrimPrefix(s, "/bin/sh -c #(nop) "))
	case strings.HasPrefix(s, "/bin/sh -c "):
		return "RUN " + strings.TrimSpace(strings.TrimPrefix(s, "/bin/sh -c "))
	case strings.HasPrefix(s, "RUN /bin/sh -c "):
		return "RUN " + strings.TrimSpace(strings.TrimPrefix(s, "RUN /bin/sh -c "))
	case strings.HasPrefix(s, "|"):
		// Classic builder with build args: "|2 A=b C=d /bin/sh -c cmd".
		if _, cmd, ok := strings.Cut(s, "/bin/sh -c "); ok {
			return "RUN " + strings.TrimSpace(cmd)
		}
	}
	return s
}

// HumanBytes prints a size as people read it: 1.5 MB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
