package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONEntries(t *testing.T) {
	doc := []byte("{\n  \"x\": [1, {\"a\": 2}],\n  \"packages\": [\n    {\"name\": \"a\"},\n    \"oops\",\n    {\"name\": \"c\"}\n  ],\n  \"map\": {\n    \"k\": {\"v\": 1}\n  }\n}\n")
	got, err := JSONEntries(doc, "packages")
	if err != nil {
		t.Fatal(err)
	}
	want := []RawEntry{{Line: 4, Raw: json.RawMessage(`{"name": "a"}`)}, {Line: 5, Raw: json.RawMessage(`"oops"`)}, {Line: 6, Raw: json.RawMessage(`{"name": "c"}`)}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("array (-want +got):\n%s", d)
	}
	got, err = JSONEntries(doc, "map")
	if err != nil || len(got) != 1 || got[0].Key != "k" || got[0].Line != 9 {
		t.Errorf("object: %+v %v", got, err)
	}
	if got, err := JSONEntries(doc, "absent"); err != nil || got != nil {
		t.Errorf("absent key: %+v %v", got, err)
	}
	if got, err := JSONEntries([]byte(`[{"a":1},{"b":2}]`)); err != nil || len(got) != 2 {
		t.Errorf("top-level array: %+v %v", got, err)
	}
}

func TestLicenses(t *testing.T) {
	for in, want := range map[string][]string{
		`"MIT"`: {"MIT"}, `["MIT", "ISC"]`: {"MIT", "ISC"}, `{"type": "BSD"}`: {"BSD"},
		`[{"type": "MIT", "url": "u"}]`: {"MIT"}, `42`: nil, `null`: nil, `{"x": 1}`: nil,
	} {
		var l Licenses
		if err := json.Unmarshal([]byte(in), &l); err != nil {
			t.Errorf("%s: %v", in, err)
		}
		if d := cmp.Diff(want, []string(l)); d != "" {
			t.Errorf("%s (-want +got):\n%s", in, d)
		}
	}
}
