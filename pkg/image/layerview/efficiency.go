package layerview

import (
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
)

// Wasted is one path stored more than once across the layers.
type Wasted struct {
	Path string `json:"path"`
	// Bytes is what all its copies take (Dive counts all of them).
	Bytes  int64 `json:"bytes"`
	Copies int   `json:"copies"`
}

// Efficiency is Dive's measure of how much of an image's bytes are
// needed: for every path, its smallest copy over the sum of all its copies
// across layers (a deletion counts as a copy of what it deletes, zero for a
// file, the directory's contents for a directory).
type Efficiency struct {
	Score       float64  `json:"score"`
	WastedBytes int64    `json:"wastedBytes"`
	Worst       []Wasted `json:"worst,omitempty"`
}

// ComputeEfficiency measures layers as Dive does (filetree.Efficiency),
// from the entries the single pass recorded.
func ComputeEfficiency(layers []*imagefs.LayerResult) Efficiency {
	type acc struct {
		sum, min int64
		n        int
	}
	paths := map[string]*acc{}
	add := func(p string, size int64) {
		a := paths[p]
		if a == nil {
			a = &acc{min: -1}
			paths[p] = a
		}
		a.sum += size
		if a.min < 0 || size < a.min {
			a.min = size
		}
		a.n++
	}
	stacked := map[string]int64{} // visible files so far, for sizing deletions
	for _, l := range layers {
		if len(l.Whiteouts) > 0 || len(l.Opaque) > 0 {
			keys := make([]string, 0, len(stacked))
			for k := range stacked {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			under := func(dir string) (int64, []string) {
				var total int64
				var hit []string
				i := sort.SearchStrings(keys, dir+"/")
				for ; i < len(keys) && strings.HasPrefix(keys[i], dir+"/"); i++ {
					total += stacked[keys[i]]
					hit = append(hit, keys[i])
				}
				return total, hit
			}
			for _, w := range l.Whiteouts {
				size, hit := under(w)
				add(w, size)
				delete(stacked, w)
				for _, h := range hit {
					delete(stacked, h)
				}
			}
			for _, o := range l.Opaque {
				_, hit := under(o)
				for _, h := range hit {
					delete(stacked, h)
				}
			}
		}
		for _, e := range l.Entries {
			if e.Mode.IsDir() {
				continue
			}
			add(e.Path, e.Size)
			stacked[e.Path] = e.Size
		}
	}
	var sumMin, sumAll int64
	var out Efficiency
	for p, a := range paths {
		sumMin += a.min
		sumAll += a.sum
		if a.n >= 2 {
			out.WastedBytes += a.sum
			out.Worst = append(out.Worst, Wasted{Path: "/" + p, Bytes: a.sum, Copies: a.n})
		}
	}
	out.Score = 1
	if sumAll > 0 {
		out.Score = float64(sumMin) / float64(sumAll)
	}
	sort.Slice(out.Worst, func(i, j int) bool {
		if out.Worst[i].Bytes != out.Worst[j].Bytes {
			return out.Worst[i].Bytes > out.Worst[j].Bytes
		}
		return out.Worst[i].Path < out.Worst[j].Path
	})
	if len(out.Worst) > 10 {
		out.Worst = out.Worst[:10]
	}
	return out
}
