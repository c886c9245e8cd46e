package php

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/catalog"
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
}
