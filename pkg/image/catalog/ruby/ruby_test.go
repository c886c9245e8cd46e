package ruby

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/google/go-cmp/cmp"
)

func names(ps []sbom.Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name+"@"+p.Version)
	}
	return out
}

func TestGemfileLock(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "Gemfile.lock"))
	got, err := New().Catalog(&catalog.File{Path: "app/Gemfile.lock", Content: b})
	if err != nil {
		t.Fatal(err)
	}
	// fromgit is a GIT gem: third-party code, listed.
	if d := cmp.Diff([]string{"fromgit@0.1.0", "actionpack@7.2.1", "nokogiri@1.16.7", "rack@3.1.7"}, names(got)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestGemspecNames(t *testing.T) {
	for file, want := range map[string]string{
		"rails-7.2.1.gemspec": "rails@7.2.1", "rails-html-sanitizer-1.6.0.gemspec": "rails-html-sanitizer@1.6.0",
		"nokogiri-1.16.7-x86_64-linux.gemspec": "nokogiri@1.16.7", "net-http-0.4.1.gemspec": "net-http@0.4.1", "weird.gemspec": "",
	} {
		p := "usr/local/lib/ruby/gems/3.3.0/specifications/" + file
		if !New().Wants(p, 10, 0o644) {
			t.Errorf("does not want %s", p)
		}
		got, _ := New().Catalog(&catalog.File{Path: p})
		if g := names(got); (want == "" && len(g) != 0) || (want != "" && (len(g) != 1 || g[0] != want)) {
			t.Errorf("%s: %v, want %s", file, g, want)
		}
	}
	if New().Wants("app/foo.gemspec", 10, 0o644) {
		t.Error("a gemspec outside specifications/ is a project, not an installed gem")
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"app/Gemfile.lock"}
	if b, err := os.ReadFile(filepath.Join("testdata", "Gemfile.lock")); err == nil {
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		pkgs, _ := New().Catalog(&catalog.File{Path: kinds[int(kind)%len(kinds)], Mode: 0o755, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}

// TestGitAndPathGems: GIT gems (third-party code from a repository) are
// listed; PATH gems (the project's own folders) are not.
func TestGitAndPathGems(t *testing.T) {
	lock := "GIT\n  remote: https://github.com/rails/rails.git\n  revision: abc\n  specs:\n    rails (7.2.0.alpha)\n\nPATH\n  remote: engines/billing\n  specs:\n    billing (0.1.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.8)\n"
	got, err := New().Catalog(&catalog.File{Path: "app/Gemfile.lock", Content: []byte(lock)})
	if err != nil || len(got) != 2 || got[0].Name != "rails" || got[1].Name != "rack" {
		t.Errorf("%+v %v", got, err)
	}
}

// FuzzKeepsRest: one bad indented line inserted anywhere inside a section
// of a valid Gemfile.lock keeps every gem. (A line at column 0 starts a new
// section, as Bundler reads it, so it is no entry of the section.)
func FuzzKeepsRest(f *testing.F) {
	valid, err := os.ReadFile(filepath.Join("testdata", "Gemfile.lock"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("  specs:"), uint(3))
	f.Add([]byte("  rack (3.1.7"), uint(7))
	f.Add([]byte("    (1.0)"), uint(0))
	f.Fuzz(func(t *testing.T, bad []byte, at uint) {
		want, _ := New().Catalog(&catalog.File{Path: "app/Gemfile.lock", Content: valid})
		lines := strings.Split(string(valid), "\n")
		var inside []int
		for i := 1; i < len(lines); i++ {
			if strings.HasPrefix(lines[i-1], " ") || strings.HasPrefix(lines[i], " ") {
				inside = append(inside, i)
			}
		}
		j := inside[int(at%uint(len(inside)))]
		line := "  " + strings.NewReplacer("\n", "", "\r", "").Replace(string(bad))
		mixed := strings.Join(slices.Insert(lines, j, line), "\n")
		got, _ := New().Catalog(&catalog.File{Path: "app/Gemfile.lock", Content: []byte(mixed)})
		have := map[string]int{}
		for _, p := range got {
			have[p.Name+" "+p.Version]++
		}
		for _, p := range want {
			if have[p.Name+" "+p.Version] == 0 {
				t.Fatalf("gem %s %s lost when %q was inserted at line %d", p.Name, p.Version, line, j+1)
			}
			have[p.Name+" "+p.Version]--
		}
	})
}
