package vulndb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteOpenLookup(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db")
	c := &Contents{
		Meta:  Meta{Built: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), Vulns: 1},
		Vulns: map[string]*Vuln{"PYSEC-1": {ID: "PYSEC-1", Aliases: []string{"CVE-1"}, Severity: "high", Score: 7.5}},
		Packages: map[string]map[string][]Affected{
			"PyPI": {NormalizeName("PyPI", "Jinja2"): {{ID: "PYSEC-1", Ranges: []Range{{"i0", "f3.1.3"}}}}},
		},
	}
	if err := Write(p, c); err != nil {
		t.Fatal(err)
	}
	db, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Affected("PyPI", "jinja2")
	if err != nil || len(got) != 1 || got[0].Ranges[0][1].Kind() != 'f' || got[0].Ranges[0][1].Version() != "3.1.3" {
		t.Errorf("Affected = %+v, %v", got, err)
	}
	v, err := db.Vuln("PYSEC-1")
	if err != nil || v == nil || v.Score != 7.5 {
		t.Errorf("Vuln = %+v, %v", v, err)
	}
	if v, _ := db.Vuln("nope"); v != nil {
		t.Error("a missing advisory was found")
	}
	if got, _ := db.Affected("npm", "x"); got != nil {
		t.Error("an unknown ecosystem returned entries")
	}
	if d := cmp.Diff(c.Meta.Built, db.Meta.Built); d != "" {
		t.Error(d)
	}
}

func TestRefusesOtherSchemasAndJunk(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "db")
	c := &Contents{Vulns: map[string]*Vuln{}, Packages: map[string]map[string][]Affected{}}
	if err := Write(p, c); err != nil {
		t.Fatal(err)
	}
	// Rewrite the metadata with another schema version.
	db, _ := Open(p)
	db.Close()
	old := filepath.Join(dir, "old")
	c.Meta.SchemaVersion = 0
	if err := writeWithSchema(old, c, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(old); !errors.Is(err, ErrSchema) {
		t.Errorf("other schema: %v", err)
	}
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("this is not a database at all"), 0o644)
	if _, err := Open(junk); err == nil {
		t.Error("junk opened")
	}
	if _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestWriteInBatches: a database of more keys than one transaction writes
// holds every one of them (the write commits every batchPuts keys, so
// that bbolt never holds the whole database in memory).
func TestWriteInBatches(t *testing.T) {
	n := 2*batchPuts + 7
	c := &Contents{Vulns: map[string]*Vuln{}, Packages: map[string]map[string][]Affected{"npm": {}}}
	for i := range n {
		id := fmt.Sprintf("GHSA-%06d", i)
		c.Vulns[id] = &Vuln{ID: id}
		c.Packages["npm"][fmt.Sprintf("p%d", i)] = []Affected{{ID: id, Ranges: []Range{{"i0", "f1"}}}}
	}
	p := filepath.Join(t.TempDir(), "db")
	if err := Write(p, c); err != nil {
		t.Fatal(err)
	}
	db, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, i := range []int{0, batchPuts - 1, batchPuts, n - 1} {
		v, err := db.Vuln(fmt.Sprintf("GHSA-%06d", i))
		a, err2 := db.Affected("npm", fmt.Sprintf("p%d", i))
		if err != nil || err2 != nil || v == nil || len(a) != 1 {
			t.Errorf("key %d: %v %v %v %v", i, v, a, err, err2)
		}
	}
}
