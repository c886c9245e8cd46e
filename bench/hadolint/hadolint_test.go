package hadolint

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/lint"
)

// TestSuite runs every case of Hadolint's rule specs whose DL code a
// Bulwark rule names as an alias, and reports how many agree. It is a
// measurement, not a gate: it fails only when the suite cannot be read.
// HADOLINT_REPO is a checkout of github.com/hadolint/hadolint (see
// ../hadolint.sh); HADOLINT_REPORT, if set, receives the report.
func TestSuite(t *testing.T) {
	repo := os.Getenv("HADOLINT_REPO")
	if repo == "" {
		t.Skip("HADOLINT_REPO is not set: run bench/hadolint.sh to measure agreement with Hadolint's rule specs")
	}
	specs, err := filepath.Glob(filepath.Join(repo, "test", "Hadolint", "Rule", "DL*Spec.hs"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no DL*Spec.hs under %s/test/Hadolint/Rule (err %v)", repo, err)
	}
	aliased := map[string]string{}
	for _, r := range dfrule.All {
		for _, a := range r.Aliases {
			if strings.HasPrefix(a, "DL") {
				aliased[a] = r.ID
			}
		}
	}
	type tally struct{ agree, differ, notModelled int }
	perRule := map[string]*tally{}
	var diffs, skips []string
	unaliased := map[string]int{}
	for _, spec := range specs {
		src, err := os.ReadFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		cases, skipped := Extract(filepath.Base(spec), src)
		for _, s := range skipped {
			skips = append(skips, fmt.Sprintf("%s:%d %s (%s): %s", s.File, s.Line, s.Rule, s.Name, s.Reason))
		}
		for _, c := range cases {
			id, ok := aliased[c.Rule]
			if !ok {
				unaliased[c.Rule]++
				continue
			}
			tl := perRule[c.Rule]
			if tl == nil {
				tl = &tally{}
				perRule[c.Rule] = tl
			}
			opts := dfrule.Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
			modelled := true
			for k, v := range c.Config {
				switch k {
				case "allowedRegistries":
					opts.TrustedRegistries = strings.Split(v, ",")
				default:
					modelled = false
				}
			}
			if !modelled {
				tl.notModelled++
				continue
			}
			df := c.Dockerfile + "\n"
			if !hasFrom.MatchString(df) {
				// Hadolint checks instructions before any FROM; BuildKit
				// (and so Bulwark) refuses them. The snippets stand for a
				// stage's body, so give them one.
				df = "FROM scratch\n" + df
			}
			if c.OnBuild {
				df = wrapOnBuild(df)
			}
			fs, _, err := lint.LintBytes("Dockerfile", []byte(df), opts)
			n := 0
			for _, f := range fs {
				if slices.Contains(f.Aliases, c.Rule) {
					n++
				}
			}
			got := fmt.Sprint(n)
			ok = err == nil && (c.Count < 0 && n > 0 || n == c.Count)
			if err != nil {
				got = "parse error: " + err.Error()
			}
			if ok {
				tl.agree++
				continue
			}
			tl.differ++
			want := fmt.Sprint(c.Count)
			if c.Count < 0 {
				want = ">=1"
			}
			diffs = append(diffs, fmt.Sprintf("%s:%d %s as %s (%q, %s): want %s, got %s\n%s", c.File, c.Line, c.Rule, id, c.Name, c.Helper, want, got, indent(df)))
		}
	}
	var b strings.Builder
	codes := make([]string, 0, len(perRule))
	for c := range perRule {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var agree, total int
	fmt.Fprintf(&b, "| Hadolint | Bulwark | cases | agree | differ | not modelled |\n|---|---|---|---|---|---|\n")
	for _, c := range codes {
		tl := perRule[c]
		agree += tl.agree
		total += tl.agree + tl.differ
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", c, aliased[c], tl.agree+tl.differ+tl.notModelled, tl.agree, tl.differ, tl.notModelled)
	}
	fmt.Fprintf(&b, "\nAgreement on aliased rules: %d of %d cases (%.1f%%).\n", agree, total, 100*float64(agree)/float64(max(total, 1)))
	fmt.Fprintf(&b, "\nDifferences:\n%s\n", strings.Join(diffs, "\n"))
	fmt.Fprintf(&b, "\nAssertions the extractor could not read (%d):\n%s\n", len(skips), strings.Join(skips, "\n"))
	un := make([]string, 0, len(unaliased))
	for c, n := range unaliased {
		un = append(un, fmt.Sprintf("%s (%d)", c, n))
	}
	sort.Strings(un)
	fmt.Fprintf(&b, "\nCases of Hadolint rules no Bulwark rule aliases: %s\n", strings.Join(un, ", "))
	if out := os.Getenv("HADOLINT_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("agreement on aliased rules: %d of %d cases", agree, total)
}

var hasFrom = regexp.MustCompile(`(?im)^\s*(onbuild\s+)?from\s`)

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
