package php

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/catalogtest"
)

func TestCatalog(t *testing.T) {
	for file, want := range map[string]string{"composer.lock": "monolog/monolog@2.9.1 phpunit/phpunit@10.5.0", "installed-v2.json": "guzzlehttp/guzzle@7.8.1", "installed-v1.json": "symfony/console@5.4.0"} {
		b, _ := os.ReadFile(filepath.Join("testdata", file))
		as := "app/composer.lock"
		if file != "composer.lock" {
			as = "app/vendor/composer/installed.json"
		}
		if !New().Wants(as, 10, 0o644) {
			t.Errorf("does not want %s", as)
		}
		got, err := New().Catalog(&catalog.File{Path: as, Content: b})
		s := ""
		for i, p := range got {
			if i > 0 {
				s += " "
			}
			s += p.Name + "@" + p.Version
		}
		if err != nil || s != want {
			t.Errorf("%s: %q %v, want %q", file, s, err, want)
		}
	}
	if _, err := New().Catalog(&catalog.File{Path: "composer.lock", Content: []byte("{")}); err == nil {
		t.Error("invalid composer.lock: no error")
	}
	// A licence written as a string (Composer accepts it), and an entry of
	// the wrong type, cost nothing but that entry.
	lock := []byte("{\"packages\": [\n{\"name\": \"a/a\", \"version\": \"1.0\", \"license\": \"MIT\"},\n42,\n{\"name\": \"b/b\", \"version\": \"v2.0\"}\n],\n\"packages-dev\": [{\"name\": \"c/c\", \"version\": \"3.0\"}]}")
	got, err := New().Catalog(&catalog.File{Path: "composer.lock", Content: lock})
	catalogtest.Must(t, err, 1)
	if len(got) != 3 || got[0].Licenses[0] != "MIT" || got[1].Version != "2.0" || !got[2].Dev || got[0].Dev {
		t.Errorf("lenient composer.lock: %+v", got)
	}
}

func FuzzCatalog(f *testing.F) {
	kinds := []string{"app/composer.lock", "app/vendor/composer/installed.json"}
	if b, err := os.ReadFile(filepath.Join("testdata", "composer.lock")); err == nil {
		f.Add(b, uint8(0), []byte(`{"name": "x", "license": 42}`), uint(1))
		f.Add(b, uint8(0), []byte(`"not an object"`), uint(0))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "installed-v2.json")); err == nil {
		f.Add(b, uint8(1), []byte(`{"version": "1.0"}`), uint(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, kind uint8, bad []byte, at uint) {
		path := kinds[int(kind)%len(kinds)]
		catalogtest.KeepsRestJSON(t, New(), path, b, bad, at, "packages")
		pkgs, _ := New().Catalog(&catalog.File{Path: path, Mode: 0o755, Content: b})
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}
