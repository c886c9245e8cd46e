// The end-to-end match tests: real images read by the image wing, matched by
// the vulnerability wing. They live here because scan is where the two meet;
// the match package itself imports no image code.
package scan

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbbuild"
	"github.com/bulwarksec/bulwark/pkg/vuln/match"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
	"github.com/google/go-cmp/cmp"
)

var (
	dbOnce sync.Once
	dbPath string
	dbErr  error
)

// realDB builds the database from the real feeds once per test run.
func realDB(t *testing.T) *vulndb.DB {
	t.Helper()
	feeds := sharedtest.Path(t, "testdata", "feeds")
	dbOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulwark-match-")
		if err != nil {
			dbErr = err
			return
		}
		dbPath = filepath.Join(dir, "db")
		_, dbErr = dbbuild.Build(context.Background(), feeds, dbPath, dbbuild.Options{})
	})
	if dbErr != nil {
		t.Fatal(dbErr)
	}
	db, err := vulndb.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func matchImage(t *testing.T, db *vulndb.DB, target string) *match.Result {
	t.Helper()
	tg, err := source.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	res, err := analyzer.Analyze(context.Background(), tg, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Packages(db, res.Inventory.Packages)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expected reads an expected-results TSV, keeping the columns asked for.
func expected(t *testing.T, name string, cols ...int) []string {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, "testdata", "expected", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fields := strings.Split(l, "\t")
		var keep []string
		for _, c := range cols {
			if c < len(fields) {
				keep = append(keep, fields[c])
			}
		}
		out = append(out, strings.Join(keep, "\t"))
	}
	sort.Strings(out)
	return out
}

func TestAlpineSecdb(t *testing.T) {
	db := realDB(t)
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	for name, file := range map[string]string{
		"example.local/alpine:3.18.9": "alpine-minirootfs-3.18.9-x86_64.expected-secdb.tsv",
		"example.local/alpine:3.20.3": "alpine-minirootfs-3.20.3-x86_64.expected-secdb.tsv",
	} {
		res := matchImage(t, db, "oci-dir:"+layout+":"+name)
		var got []string
		for _, f := range res.Findings {
			got = append(got, strings.Join([]string{f.Package.Name, f.Package.Version, f.FixedVersion, f.ID}, "\t"))
		}
		sort.Strings(got)
		// package, origin, installed, fixed, CVE -> package, installed, fixed, CVE
		want := expected(t, file, 0, 2, 3, 4)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
		if len(res.Unmatchable) != 0 {
			t.Errorf("%s: unmatchable %v", name, res.Unmatchable)
		}
	}
}

func TestGoBinaries(t *testing.T) {
	db := realDB(t)
	for _, bin := range []string{"vulnapp-gin1.7.0-linux-amd64", "oldstdlib-go1.22.0-linux-amd64"} {
		dir := t.TempDir()
		src := sharedtest.Path(t, "testdata", "binaries", "go", bin)
		if err := os.Symlink(src, filepath.Join(dir, "app")); err != nil {
			t.Fatal(err)
		}
		// The directory walker does not follow links; copy the binary in.
		b, _ := os.ReadFile(src)
		os.Remove(filepath.Join(dir, "app"))
		os.WriteFile(filepath.Join(dir, "app"), b, 0o755)
		res := matchImage(t, db, "dir:"+dir)
		var got []string
		for _, f := range res.Findings {
			v := f.Package.Version
			if f.Package.Name == "stdlib" {
				v = "v" + v
			}
			got = append(got, f.Package.Name+"@"+v+"\t"+f.ID+"\t"+strings.Join(f.Aliases, ","))
		}
		sort.Strings(got)
		want := expected(t, bin+".expected-go-vulndb.tsv", 0, 1, 2)
		for i, w := range want {
			// The expected file repeats an alias a record lists twice.
			fields := strings.Split(w, "\t")
			var aliases []string
			for _, a := range strings.Split(fields[2], ",") {
				if !slices.Contains(aliases, a) {
					aliases = append(aliases, a)
				}
			}
			want[i] = fields[0] + "\t" + fields[1] + "\t" + strings.Join(aliases, ",")
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", bin, d)
		}
	}
}

func TestNpmApp(t *testing.T) {
	db := realDB(t)
	app := sharedtest.Path(t, "testdata", "apps", "node", "vulnerable-node-app")
	res := matchImage(t, db, "dir:"+app)
	var got []string
	for _, f := range res.Findings {
		dir := strings.TrimSuffix(strings.TrimPrefix(f.Location.Path, "/"), "/package.json")
		got = append(got, f.Package.Name+"@"+f.Package.Version+"\t"+dir+"\t"+f.ID)
	}
	sort.Strings(got)
	if d := cmp.Diff(expected(t, "vulnerable-node-app.expected-osv.tsv", 0, 1, 2), got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestPyPIDistPackages(t *testing.T) {
	db := realDB(t)
	dir := sharedtest.Path(t, "testdata", "apps", "python", "debian-bookworm-dist-packages-metadata")
	res := matchImage(t, db, "dir:"+dir)
	seen := map[string]bool{}
	var got []string
	for _, f := range res.Findings {
		k := strings.ToLower(f.Package.Name) + "\t" + f.Package.Version + "\t" + f.ID
		if !seen[k] {
			seen[k] = true
			got = append(got, k)
		}
	}
	sort.Strings(got)
	want := expected(t, "debian-bookworm-dist-packages-metadata.expected-pypi-osv.tsv", 0, 1, 2)
	for i := range want {
		want[i] = strings.ToLower(want[i][:strings.Index(want[i], "\t")]) + want[i][strings.Index(want[i], "\t"):]
	}
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestGoldenFindings records, per real image, every finding (ID, package,
// version, fixed version or status, severity, layer) in testdata; run with
// -update after a deliberate change and review the diff.
func TestGoldenFindings(t *testing.T) {
	db := realDB(t)
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	for name, target := range map[string]string{
		"debian-bookworm":    sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar"),
		"alpine-3.18.9":      "oci-dir:" + layout + ":example.local/alpine:3.18.9",
		"alpine-3.20.3":      "oci-dir:" + layout + ":example.local/alpine:3.20.3",
		"vulnapp-multilayer": "oci-dir:" + layout + ":example.local/vulnapp:alpine3.18-multilayer",
	} {
		res := matchImage(t, db, target)
		var b strings.Builder
		for _, f := range res.Findings {
			fixed := f.FixedVersion
			if fixed == "" {
				fixed = f.Status
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Package.Name, f.Package.Version, fixed, f.Severity, f.Layer)
		}
		golden := filepath.Join("testdata", "match", name+".golden")
		if *update {
			os.MkdirAll(filepath.Join("testdata", "match"), 0o755)
			os.WriteFile(golden, []byte(b.String()), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if d := cmp.Diff(string(want), b.String()); d != "" {
			t.Errorf("%s differs (-want +got):\n%s", golden, d)
		}
	}
}
