package imagefs

import (
	"context"
	"strings"
	"testing"
)

// FuzzReadLayer feeds arbitrary bytes to the layer reader (as a plain,
// gzip or zstd stream) and merges the result: errors are fine, panics and
// unbounded work are not, and every path in the view stays inside the root.
func FuzzReadLayer(f *testing.F) {
	t := &testing.T{}
	seed := tarOf(t, entry{"etc/", ""}, entry{"etc/os-release", "ID=alpine"}, entry{"a/db", "x y"}, entry{"a/.wh.b", ""},
		entry{"l -> ../../x", ""}, entry{"h => a/db", ""}, entry{"../esc", "z"}, entry{"d/.wh..wh..opq", ""})
	f.Add(seed)
	f.Add(gz(seed))
	f.Add(zst(seed))
	f.Fuzz(func(t *testing.T, blob []byte) {
		l := layer(0, blob)
		o := opts
		o.MaxLayerBytes = 8 << 20
		o.MaxFileSize = 1 << 20
		res, err := ReadLayer(context.Background(), l, o)
		if err != nil {
			return
		}
		v := Merge([]*LayerResult{res, res})
		v.Walk(func(f File) {
			if strings.HasPrefix(f.Path, "/") || f.Path == ".." || strings.HasPrefix(f.Path, "../") || strings.Contains(f.Path, "/../") {
				t.Fatalf("path escapes the root: %q", f.Path)
			}
			v.Resolve(f.Path)
		})
		v.Packages()
	})
}
