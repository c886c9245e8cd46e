package osv

import (
	"archive/zip"
	"bytes"
	"testing"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for n, c := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(c))
	}
	zw.Close()
	return b.Bytes()
}

func TestReadZip(t *testing.T) {
	z := zipOf(t, map[string]string{
		"GO-1.json":   `{"id": "GO-1", "aliases": ["CVE-2024-1"], "future_field": {"x": 1}, "affected": [{"package": {"ecosystem": "Go", "name": "m"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}], "ecosystem_specific": {"urgency": "low"}}]}`,
		"broken.json": `{"id": `,
		"noid.json":   `{"summary": "x"}`,
		"README.md":   "not a record",
	})
	var got []*Record
	var bad []string
	err := ReadZip(bytes.NewReader(z), int64(len(z)), func(r *Record) error { got = append(got, r); return nil }, func(n string, err error) { bad = append(bad, n) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "GO-1" || got[0].Affected[0].Urgency() != "low" || got[0].CVEs()[0] != "CVE-2024-1" {
		t.Errorf("records %+v", got)
	}
	if len(bad) != 2 {
		t.Errorf("bad = %v, want the two unreadable records", bad)
	}
	if err := ReadZip(bytes.NewReader([]byte("junk")), 4, nil, nil); err == nil {
		t.Error("junk archive: no error")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err == nil {
			r.CVEs()
			for i := range r.Affected {
				r.Affected[i].Urgency()
			}
		}
	})
}
