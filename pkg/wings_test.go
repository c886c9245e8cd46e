// Package pkg_test holds the floor plan of the library: which wings exist
// under pkg/ and which other wings each may import. Imports run one way, from
// the wings that orchestrate down to core; a new import that runs back up or
// sideways fails here and has to be argued for by changing the table.
package pkg_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/bulwarksec/bulwark/"

// wings lists every folder directly under pkg/ with the wings it may import.
// core imports no wing. Keep docs/ARCHITECTURE.md's table in step.
var wings = map[string][]string{
	// finding, rule, policy, VEX, config, input errors, the inventory model,
	// and the knowledge two wings share (base-image names, end of life,
	// secret patterns, YAML reading).
	"core": nil,
	// reading images: sources, the layer walk, catalogers, inspectors.
	"image": {"core"},
	// the vulnerability database, its feeds, matching, version order.
	"vuln": {"core"},
	// Dockerfiles: parser, rules, lint.
	"build": {"core"},
	// Kubernetes and Compose: models, rules, audit, fix, harden (harden
	// reads the image it hardens).
	"runtime": {"core", "image"},
	// image checks and the scan that runs them with the vulnerability match;
	// the Dockerfile rules also judge an image's build history.
	"imagecheck": {"core", "image", "vuln", "build"},
	// signatures, keys, prune, pin, outdated; pin finds references in
	// Dockerfiles and manifests.
	"registry": {"core", "build", "runtime"},
	// output formats: table, JSON, SARIF, CycloneDX, SPDX.
	"report": {"core", "image"},
}

// testOnly are the packages outside pkg/ that tests (never library code)
// may import.
var testOnly = map[string]bool{
	"internal/testimage":  true,
	"internal/sharedtest": true,
}

func TestImportsRunOneWay(t *testing.T) {
	fset := token.NewFileSet()
	var bad []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || !strings.Contains(path, "/") {
			return nil // this file
		}
		wing := strings.SplitN(filepath.ToSlash(path), "/", 2)[0]
		allowed, ok := wings[wing]
		if !ok {
			bad = append(bad, path+": pkg/"+wing+" is not a listed wing (add it to wings with the wings it may import)")
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			rel := strings.TrimPrefix(p, module)
			if !strings.HasPrefix(rel, "pkg/") {
				if !(isTest && testOnly[rel]) {
					bad = append(bad, path+": imports "+rel+" (library code imports only pkg/)")
				}
				continue
			}
			to := strings.SplitN(strings.TrimPrefix(rel, "pkg/"), "/", 2)[0]
			if to == wing || slices.Contains(allowed, to) {
				continue
			}
			bad = append(bad, path+": wing "+wing+" imports "+rel+" (wing "+to+"); allowed: "+strings.Join(allowed, ", "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// TestWingsListed keeps the table honest: every listed wing exists and
// every wing it allows is listed.
func TestWingsListed(t *testing.T) {
	for w, allowed := range wings {
		if st, err := os.Stat(w); err != nil || !st.IsDir() {
			t.Errorf("wing %s is listed but pkg/%s is not a folder", w, w)
		}
		for _, a := range allowed {
			if _, ok := wings[a]; !ok {
				t.Errorf("wing %s allows %s, which is not a wing", w, a)
			}
			if a == w {
				t.Errorf("wing %s lists itself", w)
			}
		}
	}
}
