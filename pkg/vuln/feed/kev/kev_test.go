package kev

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	c, err := Read(strings.NewReader(`{"catalogVersion": "2025.08.25", "vulnerabilities": [{"cveID": "CVE-2024-9143", "dateAdded": "2025-01-01"}]}`))
	if err != nil || c.Version != "2025.08.25" || c.Added["CVE-2024-9143"] != "2025-01-01" {
		t.Errorf("%+v %v", c, err)
	}
	if _, err := Read(strings.NewReader(`{}`)); err == nil {
		t.Error("not a catalog: no error")
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"vulnerabilities": [{"cveID": "CVE-1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = Read(strings.NewReader(string(b))) })
}
