package feedzip

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// TestSharedRecordsSkipped: an archive whose directory points a second
// name at the first file's compressed record is read once, the second
// name reported as bad; a normal archive reads every record.
func TestSharedRecordsSkipped(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range []string{"a.json", "b.json", "c.json"} {
		w, _ := zw.Create(n)
		w.Write([]byte(`{"id": "` + n + `"}`))
	}
	zw.Close()
	read := func(data []byte) (got, bad []string) {
		err := Each(bytes.NewReader(data), int64(len(data)), Limits{RecordSize: 1 << 20}, func(string) bool { return true },
			func(b []byte) (string, error) { return string(b), nil },
			func(r string) error { got = append(got, r); return nil },
			func(name string, err error) { bad = append(bad, name+": "+err.Error()) })
		if err != nil {
			t.Fatal(err)
		}
		return got, bad
	}
	if got, bad := read(b.Bytes()); len(got) != 3 || len(bad) != 0 {
		t.Fatalf("a normal archive: %v %v", got, bad)
	}
	// Point b.json's directory entry at a.json's local header (offset 0).
	data := bytes.Clone(b.Bytes())
	cd := bytes.Index(data, []byte("PK\x01\x02"))
	second := cd + 4 + bytes.Index(data[cd+4:], []byte("PK\x01\x02"))
	binary.LittleEndian.PutUint32(data[second+42:], 0)
	got, bad := read(data)
	if len(bad) != 1 || !strings.Contains(bad[0], "overlaps") || len(got) != 2 {
		t.Errorf("records %v, bad %v", got, bad)
	}
}
