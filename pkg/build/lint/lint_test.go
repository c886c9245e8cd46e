package lint

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func render(r *Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %d:%d %s %s\n", f.ID, f.Location.Line, f.Location.Column, f.Severity, f.Message)
	}
	for _, s := range r.Suppressed {
		fmt.Fprintf(&b, "ignored %s %d by %s\n", s.Finding.ID, s.Finding.Location.Line, filepath.Base(s.By))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	return b.String()
}

// TestGolden lints each example under testdata and compares the findings
// with testdata/<name>.golden; run with -update to rewrite them.
func TestGolden(t *testing.T) {
	for _, name := range []string{"multistage", "heredoc", "windows", "ignored", "clean", "bad"} {
		t.Run(name, func(t *testing.T) {
			r := Lint(context.Background(), []string{filepath.Join("testdata", name)}, Options{Rules: dfrule.Options{Now: testNow}})
			got := render(r)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("findings differ from %s (-want +got):\n%s", golden, d)
			}
		})
	}
}

func TestBadInputIsOneErrorPerFileWithLine(t *testing.T) {
	r := Lint(context.Background(), []string{"testdata/bad", "testdata/clean", "testdata/does-not-exist"}, Options{})
	if len(r.Files) != 1 || r.Files[0] != filepath.Join("testdata", "clean", "Dockerfile") {
		t.Errorf("files linted = %v, want only the clean one", r.Files)
	}
	wantLines := map[string]int{"beforefrom": 1, "binary": 0, "empty": 0, "heredoc": 2, "unknown": 2, "does-not-exist": 0}
	if len(r.Errors) != len(wantLines) {
		t.Fatalf("got %d errors, want %d: %v", len(r.Errors), len(wantLines), r.Errors)
	}
	for _, err := range r.Errors {
		var ie *inputerr.Error
		if !errors.As(err, &ie) {
			t.Errorf("error %v is not an *inputerr.Error", err)
			continue
		}
		key := filepath.Base(filepath.Dir(ie.File))
		if strings.HasSuffix(ie.File, "does-not-exist") {
			key = "does-not-exist"
		}
		if want, ok := wantLines[key]; !ok || ie.Line != want {
			t.Errorf("%v: line %d, want %d", err, ie.Line, want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is more than one line: %q", err)
		}
	}
}

func TestStdin(t *testing.T) {
	r := Lint(context.Background(), []string{"-"}, Options{Stdin: strings.NewReader("FROM alpine:latest\nUSER 1000\n")})
	if len(r.Errors) != 0 || len(r.Files) != 1 || r.Files[0] != "-" {
		t.Fatalf("stdin: files %v errors %v", r.Files, r.Errors)
	}
	found := false
	for _, f := range r.Findings {
		if f.ID == "DF001" && f.Location.File == "-" && f.Location.Line == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("DF001 not reported on stdin: %v", r.Findings)
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"Dockerfile", "api.Dockerfile", "Dockerfile.dev", "Containerfile", "Dockerfile.dockerignore", "README.md", "node_modules/x/Dockerfile", "sub/Dockerfile"} {
		p := filepath.Join(dir, n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("FROM scratch\n"), 0o644)
	}
	files, errs := Discover([]string{dir})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"Containerfile", "Dockerfile", "Dockerfile.dev", "api.Dockerfile", "sub/Dockerfile"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Discover (-want +got):\n%s", d)
	}
	_, errs = Discover([]string{t.TempDir()})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no Dockerfile found") {
		t.Errorf("empty directory: %v", errs)
	}
}

func TestSymlinkLoopIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Skip(err)
	}
	files, errs := Discover([]string{dir})
	if len(files) != 1 || len(errs) != 0 {
		t.Errorf("files %v errors %v", files, errs)
	}
}
