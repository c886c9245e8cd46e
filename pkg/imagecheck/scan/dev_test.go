package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// everyVersion is a database in which every package of every ecosystem is
// affected by one advisory named after it.
type everyVersion struct{}

func (everyVersion) Affected(_, name string) ([]vulndb.Affected, error) {
	return []vulndb.Affected{{ID: "TEST-" + name, Ranges: []vulndb.Range{{"i0"}}}}, nil
}
func (everyVersion) Vuln(id string) (*vulndb.Vuln, error) {
	return &vulndb.Vuln{ID: id, Severity: "high"}, nil
}

// TestDevDependencies: a development dependency is listed, marked, and left
// out of vulnerability findings unless IncludeDev asks for it.
func TestDevDependencies(t *testing.T) {
	dir := t.TempDir()
	lock := `{"packages": [{"name": "a/prod", "version": "1.0"}], "packages-dev": [{"name": "a/dev", "version": "2.0"}]}`
	if err := os.WriteFile(filepath.Join(dir, "composer.lock"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, includeDev := range []bool{false, true} {
		tg, err := source.Open(context.Background(), "dir:"+dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), tg, Options{Scanners: []Scanner{Vuln}, DB: everyVersion{}, IncludeDev: includeDev})
		tg.Close()
		if err != nil {
			t.Fatal(err)
		}
		dev := false
		for _, p := range res.Inventory.Packages {
			if p.Name == "a/dev" {
				dev = p.Dev
			}
		}
		if !dev {
			t.Errorf("a/dev is not listed as a development dependency: %+v", res.Inventory.Packages)
		}
		ids := map[string]bool{}
		for _, f := range res.Findings {
			ids[f.ID] = true
		}
		if !ids["TEST-a/prod"] || ids["TEST-a/dev"] != includeDev {
			t.Errorf("IncludeDev %v: findings %v", includeDev, ids)
		}
	}
}

// TestUnpinned: a requirement range is listed with its lower bound and
// matched only with IncludeUnpinned (--detection-priority comprehensive);
// a pinned requirement is matched either way.
func TestUnpinned(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("flask==3.0.3\nurllib3>=1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, comprehensive := range []bool{false, true} {
		tg, err := source.Open(context.Background(), "dir:"+dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), tg, Options{Scanners: []Scanner{Vuln}, DB: everyVersion{}, IncludeUnpinned: comprehensive})
		tg.Close()
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, p := range res.Inventory.Packages {
			listed = listed || (p.Name == "urllib3" && p.Version == "1.26" && p.Unpinned)
		}
		if !listed {
			t.Errorf("urllib3 1.26 is not listed as unpinned: %+v", res.Inventory.Packages)
		}
		ids := map[string]bool{}
		for _, f := range res.Findings {
			ids[f.ID] = true
		}
		if !ids["TEST-flask"] || ids["TEST-urllib3"] != comprehensive {
			t.Errorf("IncludeUnpinned %v: findings %v", comprehensive, ids)
		}
	}
}
