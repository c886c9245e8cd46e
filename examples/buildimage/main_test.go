package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbbuild"
	"github.com/bulwarksec/bulwark/pkg/vuln/match"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// TestDemo runs what `make demo` does, so the demo cannot rot: the image
// and feed assemble, the database builds, and the scan finds the four
// vulnerabilities the sample feed describes.
func TestDemo(t *testing.T) {
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join(wd, "..", "..")); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	out := t.TempDir()
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(out, "demo.db")
	if _, err := dbbuild.Build(context.Background(), filepath.Join(out, "demo-feeds"), dbPath, dbbuild.Options{}); err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tg, err := source.Open(context.Background(), "oci-dir:"+filepath.Join(out, "demo-image"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyzer.Analyze(context.Background(), tg, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if os := res.Inventory.OS; os == nil || os.ID != "alpine" || os.Libc != "musl" || len(res.Inventory.Packages) != 6 {
		t.Errorf("inventory: %+v, %d packages", os, len(res.Inventory.Packages))
	}
	m, err := match.Packages(db, res.Inventory.Packages)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Findings) != 4 {
		t.Errorf("%d findings, want 4: %+v", len(m.Findings), m.Findings)
	}
}
