package imagefs

import (
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// File is a visible file of the merged view.
type File struct {
	Entry
	// Layer is the index of the layer that last wrote the file.
	Layer int
}

// View is the filesystem the container sees.
type View struct {
	// Layers are the per-layer results the view was built from.
	Layers []*LayerResult
	// files indexes the visible entries into Layers: an entry is not
	// copied (a copy per file was 170 bytes a file, half a gigabyte for
	// a layer of 3M empty files).
	files map[string]ref
	// deleted are paths a lower layer wrote and an upper layer deleted.
	deleted map[string]bool

	sortOnce sync.Once
	sorted   []string
}

// ref is where a visible entry is: Layers[layer].Entries[index].
type ref struct{ layer, index int32 }

// file returns the visible entry at p.
func (v *View) file(p string) (File, bool) {
	r, ok := v.files[p]
	if !ok {
		return File{}, false
	}
	return File{Entry: v.Layers[r.layer].Entries[r.index], Layer: int(r.layer)}, true
}

// layerOf returns the layer of the visible entry at p.
func (v *View) layerOf(p string) (int, bool) {
	r, ok := v.files[p]
	return int(r.layer), ok
}

// Merge stacks layer results, base first, into the container's view:
// entries of upper layers replace lower ones, whiteouts delete lower paths
// (and what is under them), and opaque directories hide lower contents.
func Merge(layers []*LayerResult) *View {
	v := &View{Layers: layers, files: map[string]ref{}, deleted: map[string]bool{}}
	h := &hider{hidden: map[string]bool{}, opaque: map[string]bool{}, memo: map[string]bool{}}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		// Within a layer a later entry of the same path replaces an
		// earlier one, as extracting the tar would: read it backwards.
		for j := len(l.Entries) - 1; j >= 0; j-- {
			e := l.Entries[j]
			if _, seen := v.files[e.Path]; seen {
				continue
			}
			if h.isHidden(e.Path) {
				v.deleted[e.Path] = true
				continue
			}
			v.files[e.Path] = ref{layer: int32(i), index: int32(j)}
		}
		for _, w := range l.Whiteouts {
			h.hidden[w] = true
		}
		for _, o := range l.Opaque {
			h.opaque[o] = true
		}
		if len(l.Whiteouts)+len(l.Opaque) > 0 {
			clear(h.memo) // what is hidden below changed
		}
	}
	return v
}

// hider answers whether upper layers hide a path. Whether a directory is
// hidden is worked out once per directory (memo), so a tree n levels deep
// costs n lookups, not n² (each path asking again about every ancestor).
type hider struct {
	hidden map[string]bool // paths deleted by upper layers
	opaque map[string]bool // directories whose lower contents are hidden
	memo   map[string]bool
}

// isHidden reports whether an upper layer deleted p or a directory above
// it, or made a directory above it opaque.
func (h *hider) isHidden(p string) bool {
	if len(h.hidden) == 0 && len(h.opaque) == 0 {
		return false
	}
	if h.hidden[p] || h.opaque[""] && p != "" {
		return true
	}
	return h.dirHidden(path.Dir(p))
}

func (h *hider) dirHidden(d string) bool {
	if d == "." || d == "/" || d == "" {
		return false
	}
	if v, ok := h.memo[d]; ok {
		return v
	}
	v := h.hidden[d] || h.opaque[d] || h.dirHidden(path.Dir(d))
	h.memo[d] = v
	return v
}

// Deleted reports whether a lower layer wrote p and an upper layer deleted
// it, and p is not visible again.
func (v *View) Deleted(p string) bool {
	_, visible := v.files[p]
	return v.deleted[p] && !visible
}

// Lookup returns the visible entry at p (no link following).
func (v *View) Lookup(p string) (File, bool) {
	return v.file(p)
}

// Len is the number of visible entries.
func (v *View) Len() int { return len(v.files) }

// Walk calls fn for every visible entry in path order.
func (v *View) Walk(fn func(File)) {
	// Several rules walk the view: sort its paths once.
	v.sortOnce.Do(func() {
		v.sorted = make([]string, 0, len(v.files))
		for p := range v.files {
			v.sorted = append(v.sorted, p)
		}
		sort.Strings(v.sorted)
	})
	for _, p := range v.sorted {
		f, _ := v.file(p)
		fn(f)
	}
}

// maxLinks bounds symlink resolution, as the kernel's ELOOP does.
const maxLinks = 40

// Resolve follows symlinks in every component of p inside the image root:
// absolute targets start at the image root, "../" never climbs above it,
// and a loop or a dangling link returns false.
func (v *View) Resolve(p string) (File, bool) { return v.resolve(p, 0) }

func (v *View) resolve(p string, hops int) (File, bool) {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	for ; hops <= maxLinks; hops++ {
		parts := strings.Split(p, "/")
		cur := ""
		restarted := false
		for i, part := range parts {
			next := part
			if cur != "" {
				next = cur + "/" + part
			}
			f, ok := v.file(next)
			if !ok {
				return File{}, false
			}
			if f.Mode&fs.ModeSymlink != 0 {
				// Splice the link's target in place of this component.
				target := f.Link
				var base string
				if strings.HasPrefix(target, "/") {
					base = target
				} else {
					base = path.Join("/"+cur, target)
				}
				rest := strings.Join(parts[i+1:], "/")
				p = strings.TrimPrefix(path.Clean(base+"/"+rest), "/")
				restarted = true
				break
			}
			cur = next
		}
		if !restarted {
			f, ok := v.file(p)
			if ok && f.HardLink {
				return v.resolve(f.Link, hops+1)
			}
			return f, ok
		}
	}
	return File{}, false
}

// Packages returns the packages found in visible files, each located at
// its file and the layer that wrote it.
func (v *View) Packages() []sbom.Package {
	var out []sbom.Package
	for i, l := range v.Layers {
		// In path order: refiners keep the first of duplicates, so the
		// order must not be a map's.
		for _, p := range slices.Sorted(maps.Keys(l.Packages)) {
			pkgs := l.Packages[p]
			if l, ok := v.layerOf(p); !ok || l != i {
				continue
			}
			for _, pkg := range pkgs {
				pkg.Locations = []sbom.Location{{Layer: l.DiffID, Path: "/" + p}}
				out = append(out, pkg)
			}
		}
	}
	return out
}

// Raw returns the content of a small kept file as the container sees it,
// following symlinks.
func (v *View) Raw(p string) ([]byte, bool) {
	f, ok := v.Resolve(p)
	if !ok {
		return nil, false
	}
	b, ok := v.Layers[f.Layer].Raw[f.Path]
	return b, ok
}

// VisibleFact is a fact about a file the container sees.
type VisibleFact struct {
	Fact
	Path  string
	Layer int
}

// Facts returns the inspectors' facts about visible files, in path order.
func (v *View) Facts() []VisibleFact {
	var out []VisibleFact
	for i, l := range v.Layers {
		for p, fs := range l.Facts {
			if l, ok := v.layerOf(p); !ok || l != i {
				continue
			}
			for _, x := range fs {
				out = append(out, VisibleFact{Fact: x, Path: p, Layer: i})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// FactsOf returns the facts about the visible file at p (a resolved path,
// no link following).
func (v *View) FactsOf(p string) ([]Fact, bool) {
	l, ok := v.layerOf(p)
	if !ok {
		return nil, false
	}
	facts, ok := v.Layers[l].Facts[p]
	return facts, ok
}
