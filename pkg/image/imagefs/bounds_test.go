package imagefs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// deepLayers is a directory chain depth levels deep in one layer, and an
// upper layer with a whiteout elsewhere, so the merge must ask of every
// path whether an upper layer hides it.
func deepLayers(depth int) []*LayerResult {
	base := &LayerResult{}
	p := ""
	for range depth {
		p += "d/"
		base.Entries = append(base.Entries, Entry{Path: strings.TrimSuffix(p, "/")})
	}
	upper := &LayerResult{Whiteouts: []string{"other"}}
	return []*LayerResult{base, upper}
}

// BenchmarkMergeDeep: merging a tree n levels deep grows with the size of
// its paths (n² bytes in all), not with n³ (every path asking again about
// every ancestor): doubling the depth about quadruples the time.
func BenchmarkMergeDeep(b *testing.B) {
	for _, depth := range []int{1000, 2000, 4000} {
		layers := deepLayers(depth)
		b.Run(fmt.Sprint(depth), func(b *testing.B) {
			for b.Loop() {
				Merge(layers)
			}
		})
	}
}

// TestMergeDeepIsBounded: 5,000 levels (the hostile layer's shape, scaled down) merge
// with each directory's hiddenness worked out once.
func TestMergeDeepIsBounded(t *testing.T) {
	layers := deepLayers(5000)
	v := Merge(layers)
	if v.Len() != 5000 {
		t.Fatalf("%d entries", v.Len())
	}
	h := &hider{hidden: map[string]bool{"x": true}, opaque: map[string]bool{}, memo: map[string]bool{}}
	for _, e := range layers[0].Entries {
		h.isHidden(e.Path)
	}
	if len(h.memo) != 4999 {
		t.Errorf("%d directories remembered, want one per directory (4999)", len(h.memo))
	}
}

// TestLongPathsSkipped: an entry whose name is over PATH_MAX is skipped
// with a warning; the rest of the layer is read.
func TestLongPathsSkipped(t *testing.T) {
	long := strings.Repeat("d/", MaxPathLen/2+1) + "f"
	v, err := read(t, opts, tarOf(t, entry{"etc/os-release", "ID=alpine"}, entry{long, "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Lookup("etc/os-release"); !ok {
		t.Error("the rest of the layer was lost")
	}
	if len(v.Layers[0].Errors) != 1 || !strings.Contains(v.Layers[0].Errors[0].Err, "limit") {
		t.Errorf("errors %+v", v.Layers[0].Errors)
	}
}

// TestKeptForLinksIsBounded: a layer of many wanted 4 MiB files (zeros
// compress to nothing) keeps at most maxKeptForLinks of them for hard
// links; a hard link to one not kept is a cataloger failure of its own,
// not a silent miss.
func TestKeptForLinksIsBounded(t *testing.T) {
	zeros := strings.Repeat("\x00", 4<<20)
	var es []entry
	n := maxKeptForLinks/(4<<20) + 1
	for i := range n {
		es = append(es, entry{fmt.Sprintf("d%d/db", i), zeros})
	}
	es = append(es, entry{fmt.Sprintf("link/db => d%d/db", n-1), ""})
	v, err := read(t, opts, gz(tarOf(t, es...)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range v.Layers[0].Errors {
		found = found || e.Path == "link/db" && e.Cataloger == "fake" && strings.Contains(e.Err, "not kept")
	}
	if !found {
		t.Errorf("errors %+v", v.Layers[0].Errors)
	}
}

// TestEntriesAreBounded: the entries all the layers of one read hold are
// counted against one budget (3M empty files in a few megabytes of layer
// took 1.8 GB), read or taken from the cache; past it the read is an
// error naming the layer, never a view missing files.
func TestEntriesAreBounded(t *testing.T) {
	files := func(prefix string, n int) []byte {
		es := make([]entry, n)
		for i := range es {
			es[i] = entry{fmt.Sprintf("%s%d", prefix, i), ""}
		}
		return gz(tarOf(t, es...))
	}
	o := opts
	o.MaxEntries = 1000
	if _, err := read(t, o, files("a", 600), files("b", 400)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	var le *LayerError
	if _, err := read(t, o, files("a", 600), files("b", 401)); !errors.As(err, &le) || !strings.Contains(err.Error(), "more than 1000 entries") {
		t.Fatalf("past the limit across layers: %v; want a layer error naming the limit", err)
	}
	cache := &mapCache{m: map[string]*LayerResult{}}
	o.Cache = cache
	big := files("c", 900)
	if _, err := read(t, o, big); err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, o, big, files("d", 200)); !errors.As(err, &le) {
		t.Fatalf("a cached layer's entries must count too: %v", err)
	}
}
