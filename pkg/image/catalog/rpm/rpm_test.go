package rpm

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/google/go-cmp/cmp"
)

// TestRealDatabases: each of the three formats yields exactly the packages
// rpm itself lists (packages.tsv beside each database).
func TestRealDatabases(t *testing.T) {
	for _, c := range []struct{ dir, file string }{
		{"libuuid", "Packages"}, {"sle15-bci", "Packages.db"}, {"cbl-mariner-2.0", "rpmdb.sqlite"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			dir := sharedtest.Path(t, "testdata", "rpmdb", c.dir)
			b, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			p := "var/lib/rpm/" + c.file
			if !New().Wants(p, int64(len(b)), 0o644) {
				t.Fatalf("does not want %s", p)
			}
			pkgs, err := New().Catalog(&catalog.File{Path: p, Content: b})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkgs {
				v := p.Version
				if !strings.Contains(v, ":") {
					v = "0:" + v
				}
				line := p.Name + "\t" + v + "\t" + p.Arch
				if p.SourceName != "" {
					line += "\t" + p.SourceName + "-" + p.SourceVersion + ".src.rpm"
				}
				got = append(got, line)
			}
			f, _ := os.Open(filepath.Join(dir, "packages.tsv"))
			defer f.Close()
			var want []string
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if l := sc.Text(); l != "" {
					want = append(want, l)
				}
			}
			sort.Strings(want)
			// Some lists leave out the source rpm column; compare what they have.
			if len(want) > 0 && strings.Count(want[0], "\t") == 2 {
				for i, g := range got {
					got[i] = strings.Join(strings.SplitN(g, "\t", 4)[:3], "\t")
				}
			}
			sort.Strings(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestGarbage(t *testing.T) {
	for name, b := range map[string][]byte{"text": []byte("hello"), "sqlite header only": append([]byte("SQLite format 3\x00"), make([]byte, 100)...)} {
		if _, err := New().Catalog(&catalog.File{Path: "var/lib/rpm/Packages", Content: b}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSplitSourceRPM(t *testing.T) {
	for in, want := range map[string]string{"bash-4.4-19.6.1.src.rpm": "bash 4.4-19.6.1", "file-5.32-7.14.1.src.rpm": "file 5.32-7.14.1", "nope.src.rpm": ""} {
		n, v, ok := splitSourceRPM(in)
		got := ""
		if ok {
			got = n + " " + v
		}
		if got != want {
			t.Errorf("splitSourceRPM(%q) = %q", in, got)
		}
	}
}

func FuzzCatalog(f *testing.F) {
	for _, c := range []string{"libuuid/Packages", "sle15-bci/Packages.db", "cbl-mariner-2.0/rpmdb.sqlite"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "rpmdb", c)); err == nil {
			if len(b) > 64<<10 {
				b = b[:64<<10]
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New().Catalog(&catalog.File{Path: "var/lib/rpm/Packages", Content: b})
	})
}

// FuzzKeepsRest: a header blob that does not parse, inserted among the
// real ones of a database, costs no other package.
func FuzzKeepsRest(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "rpmdb", "cbl-mariner-2.0", "rpmdb.sqlite"))
	if err != nil {
		f.Skip("skipping: ../shared/testdata/rpmdb is absent")
	}
	blobs, err := readSQLite(b)
	if err != nil || len(blobs) == 0 {
		f.Fatalf("reading the real database: %v", err)
	}
	// A few real headers are neighbours enough, and keep each run fast.
	blobs = blobs[:min(len(blobs), 6)]
	want, _ := packages("p", blobs)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 16}, uint(3))
	f.Add(blobs[0][:min(len(blobs[0]), 256)], uint(0))
	f.Fuzz(func(t *testing.T, bad []byte, at uint) {
		i := int(at % uint(len(blobs)+1))
		mixed := append(append(append([][]byte{}, blobs[:i]...), bad), blobs[i:]...)
		got, _ := packages("p", mixed)
		have := map[string]int{}
		for _, p := range got {
			have[p.Name+" "+p.Version]++
		}
		for _, p := range want {
			if have[p.Name+" "+p.Version] == 0 {
				t.Fatalf("package %s %s lost when a bad header was inserted before header %d", p.Name, p.Version, i)
			}
			have[p.Name+" "+p.Version]--
		}
	})
}
