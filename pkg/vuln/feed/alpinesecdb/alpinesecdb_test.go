package alpinesecdb

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	src := `{"distroversion": "v3.20", "reponame": "main", "packages": [
		{"pkg": {"name": "openssl", "secfixes": {"3.3.2-r1": ["CVE-2024-9143"], "0": ["CVE-2022-0001"], "1.0-r0": ["CVE-2020-1 CVE-2020-2", "XSA-7 note"]}}},
		{"pkg": {"name": "nofixes"}}]}`
	db, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if db.Ecosystem() != "Alpine:v3.20" || db.Repo != "main" {
		t.Errorf("%+v", db)
	}
	ids := 0
	for _, f := range db.Fixes {
		ids += len(f.IDs)
	}
	if len(db.Fixes) != 3 || ids != 5 {
		t.Errorf("fixes %+v", db.Fixes)
	}
	for _, bad := range []string{"{", `{"packages": []}`, "[]"} {
		if _, err := Read(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"distroversion": "v3.20", "packages": [{"pkg": {"name": "a", "secfixes": {"1-r0": ["CVE-1"]}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = Read(strings.NewReader(string(b))) })
}
