package imgrule

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/finding"
	"github.com/bulwarksec/bulwark/pkg/imagefs"
	"github.com/bulwarksec/bulwark/pkg/rule"
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

var img021 = &Rule{Rule: rule.Rule{
	ID: "IMG021", Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Space wasted by files overwritten or deleted in later layers",
	Why: `A file written in one layer and overwritten or deleted in a later one is still in the earlier layer:
every pull downloads it, every node stores it, and deleting it only hides it. The efficiency score
is computed as Dive computes it (needed bytes over stored bytes); ` + "`--min-efficiency 0.95`" + ` fails
the gate below it, like ` + "`dive --ci`" + `.`,
	Fix:         "Create and delete temporary files in the same RUN; clean caches where they are made; do not chmod or chown files in a later layer (that copies them); use a multi-stage build.",
	ExampleLang: "dockerfile",
	Bad:         "RUN curl -o /tmp/big.tgz https://example.com/big.tgz\nRUN tar -xzf /tmp/big.tgz -C /opt\nRUN rm /tmp/big.tgz",
	Good:        "RUN curl -o /tmp/big.tgz https://example.com/big.tgz && tar -xzf /tmp/big.tgz -C /opt && rm /tmp/big.tgz",
}, check: func(p *pass) {
	e := ComputeEfficiency(p.in.View.Layers)
	if e.WastedBytes == 0 {
		return
	}
	var worst []string
	for i, w := range e.Worst {
		if i == 3 {
			break
		}
		worst = append(worst, fmt.Sprintf("%s (%s in %d layers)", w.Path, humanBytes(w.Bytes), w.Copies))
	}
	p.add(finding.Location{}, fmt.Sprintf("%s wasted by files overwritten or deleted in later layers; efficiency %.1f%%; worst: %s",
		humanBytes(e.WastedBytes), e.Score*100, strings.Join(worst, ", ")))
}}
