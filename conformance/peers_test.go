// Package conformance runs other scanners' own cataloger fixtures
// (../shared/testdata/peers/<peer>/<case>) through Bulwark's analysis and
// compares the packages found with what those scanners' tests expect. A
// difference passes only when docs/conformance.md lists it with a reason;
// an entry there that no longer happens fails too, so the table stays true.
//
//	make conformance        # one line per case, a table per ecosystem
package conformance

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/source"
)

// differencesFile is the committed table of deliberate differences.
const differencesFile = "../docs/conformance.md"

type peerCase struct {
	Ecosystem   string  `json:"ecosystem"`
	Expectation string  `json:"expectation"`
	Note        *string `json:"note"`
}

// difference is one row of docs/conformance.md.
type difference struct {
	Case, Package, Kind, Why string
	used                     bool
}

type tally struct{ cases, expected, found, missing, extra, allowed, failed int }

func TestPeers(t *testing.T) {
	peers := sharedtest.Path(t, "testdata", "peers")
	diffs := readDifferences(t)
	dirs, _ := filepath.Glob(filepath.Join(peers, "*", "*", "case.json"))
	if len(dirs) == 0 {
		t.Skipf("skipping: no cases under %s", peers)
	}
	slices.Sort(dirs)
	totals := map[string]*tally{}
	var lines []string
	for _, cj := range dirs {
		dir := filepath.Dir(cj)
		id := filepath.Base(dir)
		var c peerCase
		if b, err := os.ReadFile(cj); err != nil || json.Unmarshal(b, &c) != nil {
			t.Errorf("%s: unreadable case.json", dir)
			continue
		}
		tl := totals[c.Ecosystem]
		if tl == nil {
			tl = &tally{}
			totals[c.Ecosystem] = tl
		}
		tl.cases++
		found, unpinned, warnings, err := catalog(filepath.Join(dir, "root"))
		if err != nil {
			tl.failed++
			t.Errorf("%s: %v (a peer reads this input; Bulwark must not fail on it)", id, err)
			lines = append(lines, fmt.Sprintf("FAIL %-55s %-7s error: %v", id, c.Ecosystem, err))
			continue
		}
		want, hasWant := readExpected(t, filepath.Join(dir, "expected.tsv"), c.Ecosystem)
		status := "ok"
		var missing, extra []string
		devLeftOut, unpinnedLeftOut := 0, 0
		// One name and version found both as a dependency and as a dev
		// dependency (two install paths) is one package, as compared here.
		for k := range found {
			if strings.HasSuffix(k, "\tdev") && found[strings.TrimSuffix(k, "\tdev")] {
				delete(found, k)
			}
		}
		if hasWant {
			for k := range want {
				if !found[k] {
					missing = append(missing, k)
				}
			}
			for k := range found {
				// A range's lower bound (Unpinned) is what Trivy lists only
				// with --detection-priority comprehensive: where the peer's
				// test ran without it, the package is no extra.
				if unpinned[k] && !want[k] {
					unpinnedLeftOut++
					continue
				}
				// The peers' expectations leave development dependencies
				// out unless their test marks them (see the README of
				// peers/): a dev package the peer does not list is no extra.
				if !want[k] && !(strings.HasSuffix(k, "\tdev") && !want[strings.TrimSuffix(k, "\tdev")]) {
					extra = append(extra, k)
				} else if !want[k] && !want[strings.TrimSuffix(k, "\tdev")] {
					devLeftOut++
				}
			}
		}
		// Packages are compared on name and version. The dev mark is
		// checked where the peer's test sets it: "not-dev" (the peer marks
		// it, Bulwark does not) is a difference. Where Bulwark marks a
		// package dev that the peer's expectation leaves unmarked, the file
		// itself says so (composer's packages-dev, npm's "dev": true; the
		// peers' parser tests often do not record the mark), so it counts
		// as found and is only shown in the case's line.
		var devs, notDevs []string
		missing, extra, devs = pairDev(missing, extra, false)
		missing, extra, notDevs = pairDev(missing, extra, true)
		slices.Sort(missing)
		slices.Sort(extra)
		// A renamed package counts as missing and extra in the tallies,
		// and as one difference to explain.
		nMissing, nExtra := len(missing), len(extra)
		tl.expected += len(want)
		tl.found += len(want) - nMissing
		tl.missing += nMissing
		tl.extra += nExtra
		var renamed []string
		missing, extra, renamed = pairRenamed(missing, extra)
		check := func(kind string, list []string) {
			for _, p := range list {
				if d := lookup(diffs, id, p, kind); d != nil {
					d.used = true
					tl.allowed++
					continue
				}
				status = "FAIL"
				t.Errorf("%s: %s %s (not in %s)", id, kind, p, differencesFile)
			}
		}
		check("missing", missing)
		check("extra", extra)
		check("not-dev", notDevs)
		check("renamed", renamed)
		if status == "FAIL" {
			tl.failed++
		}
		note := ""
		if devLeftOut > 0 {
			note += fmt.Sprintf(" (%d dev, which the peer leaves out)", devLeftOut)
		}
		if unpinnedLeftOut > 0 {
			note += fmt.Sprintf(" (%d range lower bounds, which the peer leaves out)", unpinnedLeftOut)
		}
		if len(devs) > 0 {
			note += fmt.Sprintf(" (%d marked dev here only)", len(devs))
		}
		if len(warnings) > 0 {
			note += fmt.Sprintf(" (%d warnings)", len(warnings))
		}
		lines = append(lines, fmt.Sprintf("%-4s %-55s %-7s expected %3d found %3d missing %2d extra %2d%s",
			status, id, c.Ecosystem, len(want), len(want)-nMissing, nMissing, nExtra, note))
	}
	for _, d := range diffs {
		if !d.used {
			t.Errorf("%s: %s %s %s is listed but no longer happens; remove the row", differencesFile, d.Case, d.Kind, d.Package)
		}
	}
	var b strings.Builder
	b.WriteString("\n" + strings.Join(lines, "\n") + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ecosystem\tcases\texpected\tfound\tmissing\textra\tlisted\tfailed\t")
	eco := make([]string, 0, len(totals))
	for e := range totals {
		eco = append(eco, e)
	}
	slices.Sort(eco)
	var sum tally
	for _, e := range eco {
		x := totals[e]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", e, x.cases, x.expected, x.found, x.missing, x.extra, x.allowed, x.failed)
		sum.cases += x.cases
		sum.expected += x.expected
		sum.found += x.found
		sum.missing += x.missing
		sum.extra += x.extra
		sum.allowed += x.allowed
		sum.failed += x.failed
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", sum.cases, sum.expected, sum.found, sum.missing, sum.extra, sum.allowed, sum.failed)
	tw.Flush()
	t.Log(b.String())
}

// catalog analyses root as a directory target and returns the packages
// found as normalised keys (name, version, and "dev" for a development
// dependency), and which of them are a range's lower bound.
func catalog(root string) (found, unpinned map[string]bool, warnings []string, err error) {
	ctx := context.Background()
	tg, err := source.Open(ctx, "dir:"+root)
	if err != nil {
		return nil, nil, nil, err
	}
	defer tg.Close()
	res, err := analyzer.Analyze(ctx, tg, analyzer.Options{Workers: 1})
	if err != nil {
		return nil, nil, nil, err
	}
	found, unpinned = map[string]bool{}, map[string]bool{}
	for _, p := range res.Inventory.Packages {
		k := key(typeEcosystem(p.Type), p.Name, p.Version, p.Dev)
		found[k] = true
		if p.Unpinned {
			unpinned[k] = true
		}
	}
	return found, unpinned, res.Warnings, nil
}

// typeEcosystem maps a package type to the case.json ecosystem whose
// normalisation applies.
func typeEcosystem(typ string) string {
	switch typ {
	case sbom.TypePyPI:
		return "python"
	case sbom.TypeComposer:
		return "php"
	case sbom.TypeGoModule:
		return "go"
	}
	return typ
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// key normalises a package as the peers' expected sets were written (see
// ../shared/testdata/peers/README.md): Python names by PEP 503, a PHP
// version's leading v and the v of Go's stdlib version dropped.
func key(eco, name, version string, dev bool) string {
	switch eco {
	case "python":
		name = strings.ToLower(pep503.ReplaceAllString(name, "-"))
	case "php":
		version = strings.TrimPrefix(version, "v")
	case "go":
		if name == "stdlib" {
			version = strings.TrimPrefix(strings.TrimPrefix(version, "go"), "v")
		}
	}
	k := name + "\t" + version
	if dev {
		k += "\tdev"
	}
	return k
}

func readExpected(t *testing.T, path, eco string) (map[string]bool, bool) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// "name<TAB>version [flags]": flags say how the peer's test expects
		// the package (dev, root, workspace, noversion); dev is part of the
		// comparison, the others only describe the package.
		name, version, _ := strings.Cut(line, "\t")
		var flags []string
		if i := strings.LastIndex(version, " ["); i >= 0 && strings.HasSuffix(version, "]") {
			flags = strings.Split(version[i+2:len(version)-1], ",")
			version = version[:i]
		}
		want[key(eco, name, version, slices.Contains(flags, "dev"))] = true
	}
	return want, true
}

// readDifferences reads the table rows of docs/conformance.md:
//
//	| case | package | difference | why |
//
// where package is "name version" ("name version dev" for a development
// dependency) and difference is missing or extra.
func readDifferences(t *testing.T) []*difference {
	b, err := os.ReadFile(differencesFile)
	if err != nil {
		t.Fatalf("%s: %v", differencesFile, err)
	}
	var out []*difference
	for i, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 4 || cells[0] == "case" || strings.HasPrefix(cells[0], "---") {
			continue
		}
		for j := range cells {
			cells[j] = strings.Trim(strings.TrimSpace(cells[j]), "`")
		}
		if !slices.Contains([]string{"missing", "extra", "not-dev", "renamed"}, cells[2]) {
			t.Errorf("%s:%d: difference %q is not missing, extra, not-dev or renamed", differencesFile, i+1, cells[2])
			continue
		}
		if strings.TrimSpace(cells[3]) == "" {
			t.Errorf("%s:%d: a difference needs its reason", differencesFile, i+1)
		}
		out = append(out, &difference{Case: cells[0], Package: cells[1], Kind: cells[2], Why: cells[3]})
	}
	return out
}

// pairDev takes out of missing and extra the packages that differ only in
// the dev mark: with peerDev false, missing "n v" beside extra "n v dev";
// with peerDev true, missing "n v dev" beside extra "n v". It returns the
// pairs as "n v".
func pairDev(missing, extra []string, peerDev bool) (m, e, pairs []string) {
	ex := map[string]bool{}
	for _, k := range extra {
		ex[k] = true
	}
	used := map[string]bool{}
	for _, k := range missing {
		base, isDev := strings.CutSuffix(k, "\tdev")
		other := k + "\tdev"
		if peerDev {
			other = base
		}
		if isDev == peerDev && ex[other] && !used[other] {
			used[other] = true
			pairs = append(pairs, base)
			continue
		}
		m = append(m, k)
	}
	for _, k := range extra {
		if !used[k] {
			e = append(e, k)
		}
	}
	slices.Sort(pairs)
	return m, e, pairs
}

// pairRenamed takes out of missing and extra a package found under another
// name: the one missing and the one extra package of a case with the same
// version (and dev mark). One package named differently is one difference,
// not two. It returns the pairs as "peer-name version as bulwark-name".
func pairRenamed(missing, extra []string) (m, e, pairs []string) {
	rest := func(k string) string { _, r, _ := strings.Cut(k, "\t"); return r }
	count := func(list []string, r string) (n int, at int) {
		for i, k := range list {
			if rest(k) == r {
				n, at = n+1, i
			}
		}
		return n, at
	}
	used := map[int]bool{}
	for _, k := range missing {
		r := rest(k)
		nm, _ := count(missing, r)
		ne, at := count(extra, r)
		if nm == 1 && ne == 1 {
			used[at] = true
			name, _, _ := strings.Cut(extra[at], "\t")
			pairs = append(pairs, k+" as "+name)
			continue
		}
		m = append(m, k)
	}
	for i, k := range extra {
		if !used[i] {
			e = append(e, k)
		}
	}
	slices.Sort(pairs)
	return m, e, pairs
}

func lookup(diffs []*difference, id, pkg, kind string) *difference {
	want := strings.Join(strings.Fields(strings.ReplaceAll(pkg, "\t", " ")), " ")
	for _, d := range diffs {
		if d.Case == id && d.Kind == kind && d.Package == want {
			return d
		}
	}
	return nil
}
