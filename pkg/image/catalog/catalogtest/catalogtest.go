// Package catalogtest checks catalogers the way the ecosystems' own tools
// read their files: one bad entry costs that entry only. It is for tests,
// as net/http/httptest is.
package catalogtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// KeepsRest is the "one bad entry keeps the rest" property for formats of
// entries separated by sep (a blank line for apk and dpkg): it catalogs
// valid, inserts bad as one more entry before entry at (modulo the count),
// catalogs again, and fails when a package of the first result is missing
// from the second.
func KeepsRest(t *testing.T, c catalog.Cataloger, path string, valid, bad []byte, at uint, sep string) {
	t.Helper()
	want, _ := c.Catalog(&catalog.File{Path: path, Content: valid})
	for bytes.Contains(bad, []byte(sep)) {
		bad = bytes.ReplaceAll(bad, []byte(sep), []byte(sep[:len(sep)/2]))
	}
	entries := bytes.Split(valid, []byte(sep))
	i := int(at % uint(len(entries)+1))
	mixed := slices.Concat(bytes.Join(entries[:i], []byte(sep)), []byte(sep), bad, []byte(sep), bytes.Join(entries[i:], []byte(sep)))
	got, _ := c.Catalog(&catalog.File{Path: path, Content: mixed})
	have := map[string]int{}
	for _, p := range got {
		have[p.Name+" "+p.Version]++
	}
	for _, p := range want {
		k := p.Name + " " + p.Version
		if have[k] == 0 {
			t.Fatalf("%s: package %s lost when the entry %q was inserted before entry %d", c.Name(), k, bad, i)
		}
		have[k]--
	}
}

// Must fails the test unless err lists exactly n skipped entries.
func Must(t *testing.T, err error, n int) {
	t.Helper()
	var s catalog.SkippedError
	got := 0
	if err != nil {
		if !errors.As(err, &s) {
			t.Fatalf("error %v is not a list of skipped entries", err)
		}
		got = len(s)
	}
	if got != n {
		t.Fatalf("%d entries skipped, want %d (%v)", got, n, fmt.Sprint(err))
	}
}

// KeepsRestJSON is KeepsRest for JSON lockfiles: the entries are the array
// (or object) reached by keys from the top level of valid; bad (any JSON
// value; other bytes become a string) is inserted among them, before entry
// at, and no package of valid may be lost. An input that is not such a
// document is left alone.
func KeepsRestJSON(t *testing.T, c catalog.Cataloger, path string, valid, bad []byte, at uint, keys ...string) {
	t.Helper()
	var doc any
	if json.Unmarshal(valid, &doc) != nil {
		return
	}
	want, _ := c.Catalog(&catalog.File{Path: path, Content: valid})
	var badV any
	if json.Unmarshal(bad, &badV) != nil {
		badV = string(bad)
	}
	parent := doc
	for i, k := range keys {
		m, ok := parent.(map[string]any)
		if !ok {
			return
		}
		if i == len(keys)-1 {
			switch list := m[k].(type) {
			case []any:
				j := int(at % uint(len(list)+1))
				m[k] = slices.Insert(list, j, badV)
			case map[string]any:
				list[fmt.Sprintf("zz-bad-entry-%d", at)] = badV
			default:
				return
			}
			break
		}
		parent = m[k]
	}
	if len(keys) == 0 {
		list, ok := doc.([]any)
		if !ok {
			return
		}
		doc = slices.Insert(list, int(at%uint(len(list)+1)), badV)
	}
	mixed, err := json.Marshal(doc)
	if err != nil {
		return
	}
	got, _ := c.Catalog(&catalog.File{Path: path, Content: mixed})
	have := map[string]int{}
	for _, p := range got {
		have[p.Name+" "+p.Version]++
	}
	for _, p := range want {
		k := p.Name + " " + p.Version
		if have[k] == 0 {
			t.Fatalf("%s: package %s lost when the entry %s was inserted", c.Name(), k, bad)
		}
		have[k]--
	}
}
