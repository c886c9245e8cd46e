package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, s *Streams, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	if s == nil {
		s = &Streams{}
	}
	s.Out, s.Err = &out, &errb
	if s.In == nil {
		s.In = strings.NewReader("")
	}
	if s.WorkDir == "" {
		s.WorkDir = t.TempDir() // no stray .bulwark.yaml from the checkout
	}
	code := Run(context.Background(), args, s)
	return result{code, out.String(), errb.String()}
}

const lintdata = "../../pkg/build/lint/testdata"

func TestLintSARIFOnExamplesValidates(t *testing.T) {
	r := run(t, nil, "lint", "--format", "sarif", lintdata+"/multistage", lintdata+"/heredoc", lintdata+"/windows", lintdata+"/ignored", lintdata+"/clean")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	sharedtest.Validate(t, "sarif-schema-2.1.0.json", []byte(r.stdout))
	if !strings.Contains(r.stdout, `"startLine": 16`) || !strings.Contains(r.stdout, `"ruleId": "DF039"`) {
		t.Errorf("SARIF lacks the DF039 result at line 16")
	}
}

func TestExitCodes(t *testing.T) {
	multi := lintdata + "/multistage"
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"clean", []string{"lint", lintdata + "/clean"}, 0, ""},
		{"findings without gate", []string{"lint", multi}, 0, ""},
		{"gate trips", []string{"lint", "--fail-on", "high", multi}, 1, ""},
		{"gate above findings", []string{"lint", "--fail-on", "critical", multi}, 0, ""},
		{"ignore lifts gate", []string{"lint", "--fail-on", "high", "--ignore", "DF030", multi}, 0, ""},
		{"alias in --ignore", []string{"lint", "--fail-on", "high", "--ignore", "DL3002,DF030", multi}, 0, ""},
		{"bad input", []string{"lint", lintdata + "/bad/unknown", lintdata + "/clean"}, 2, "bulwark: " + lintdata + "/bad/unknown/Dockerfile:2: unknown instruction: RUNN"},
		{"missing path", []string{"lint", "nope/Dockerfile"}, 2, "bulwark: nope/Dockerfile: no such file or directory"},
		{"unknown flag", []string{"lint", "--frmat", "json"}, 2, "unknown flag: --frmat"},
		{"unknown format", []string{"lint", "--format", "xml", multi}, 2, `--format: unknown format "xml"`},
		{"bad fail-on", []string{"lint", "--fail-on", "urgent", multi}, 2, `--fail-on: unknown severity "urgent"`},
		{"unknown command", []string{"lnt"}, 2, `unknown command "lnt"`},
		{"missing ignore file", []string{"lint", "--ignore-file", "nope.yaml", multi}, 2, "nope.yaml: no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, nil, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			if c.stderr != "" && !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, c.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", r.stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if l != "" && !strings.HasPrefix(l, "bulwark: ") {
					t.Errorf("stderr line not prefixed: %q", l)
				}
			}
		})
	}
}

func TestBadInputStillReportsOtherFiles(t *testing.T) {
	r := run(t, nil, "lint", "--format", "json", lintdata+"/bad/unknown", lintdata+"/multistage")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2", r.code)
	}
	var rep struct {
		Findings []struct{ ID string }
		Errors   []struct {
			File string
			Line int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 || len(rep.Errors) != 1 || rep.Errors[0].Line != 2 {
		t.Errorf("report: %d findings, errors %+v", len(rep.Findings), rep.Errors)
	}
}

func TestStdin(t *testing.T) {
	r := run(t, &Streams{In: strings.NewReader("FROM ubuntu:latest\n")}, "lint", "--format", "json", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"file": "-"`) || !strings.Contains(r.stdout, `"DL3007"`) {
		t.Errorf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	r := run(t, nil, "lint", "--format", "json", "--output", out, lintdata+"/multistage")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q", r.code, r.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !json.Valid(b) {
		t.Fatalf("report file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	r = run(t, nil, "lint", "--output", filepath.Join(dir, "missing", "r.txt"), lintdata+"/multistage")
	if r.code != 2 || !strings.Contains(r.stderr, "writing") {
		t.Errorf("unwritable output: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestColor(t *testing.T) {
	tty := func() bool { return true }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	if r := run(t, &Streams{IsTerminal: tty, Getenv: env("")}, "lint", lintdata+"/multistage"); !strings.Contains(r.stdout, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	if r := run(t, &Streams{IsTerminal: tty, Getenv: env("1")}, "lint", lintdata+"/multistage"); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
	if r := run(t, nil, "lint", lintdata+"/multistage"); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour when not a terminal")
	}
}

func TestConfigAndIgnoreFile(t *testing.T) {
	wd := t.TempDir()
	sub := filepath.Join(wd, "svc")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(wd, ".bulwark.yaml"), []byte("failOn: medium\nseverity:\n  DF036: critical\ntrustedRegistries: [ghcr.io/acme]\n"), 0o644)
	os.WriteFile(filepath.Join(wd, ".bulwarkignore.yaml"), []byte("ignores:\n  - id: DF002\n    reason: pinned in CI\n  - id: DF030\n    paths: ['svc/**']\n    reason: gosu drops privileges\n"), 0o644)
	df := filepath.Join(sub, "Dockerfile")
	os.WriteFile(df, []byte("FROM alpine:3.22\n"), 0o644)
	r := run(t, &Streams{WorkDir: sub}, "lint", "--format", "json", df)
	var rep struct {
		Findings []struct {
			ID       string
			Severity string
		}
		Suppressed int
	}
	json.Unmarshal([]byte(r.stdout), &rep)
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.ID] = f.Severity
	}
	if got["DF036"] != "critical" || got["DF003"] == "" || got["DF002"] != "" || got["DF030"] != "" || rep.Suppressed != 2 {
		t.Errorf("findings %v suppressed %d; stderr %s", got, rep.Suppressed, r.stderr)
	}
	if r.code != 1 {
		t.Errorf("failOn from config: exit %d, want 1", r.code)
	}
	os.WriteFile(filepath.Join(wd, ".bulwark.yaml"), []byte("failOn: [\n"), 0o644)
	if r := run(t, &Streams{WorkDir: sub}, "lint", df); r.code != 2 || !strings.Contains(r.stderr, ".bulwark.yaml:1:") {
		t.Errorf("bad config: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"lint", "--help"}, {"version", "--help"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%v: exit %d, no examples in\n%s", args, r.code, r.stdout)
		}
	}
	if r := run(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "bulwark ") {
		t.Errorf("version: %q", r.stdout)
	}
}

func TestSBOMFormatsOnRealImages(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	deb := sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar")
	for _, target := range []string{"oci-dir:" + layout + ":example.local/vulnapp:alpine3.18-multilayer", deb} {
		for format, schema := range map[string]string{"cyclonedx": "bom-1.6.schema.json", "spdx": "spdx-schema.json"} {
			r := run(t, nil, "sbom", "--no-cache", "-f", format, target)
			if r.code != 0 {
				t.Fatalf("%s %s: exit %d: %s", format, target, r.code, r.stderr)
			}
			sharedtest.Validate(t, schema, []byte(r.stdout))
		}
	}
	r := run(t, nil, "sbom", "--no-cache", "-f", "json", deb)
	var rep struct {
		SchemaVersion int
		Target        struct {
			OS struct{ ID, Version, Libc string }
		}
		Packages []struct{ Name, Ecosystem, Purl string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != 1 || rep.Target.OS.ID != "debian" || rep.Target.OS.Libc != "glibc" || len(rep.Packages) != 88 {
		t.Errorf("json: %+v, %d packages", rep.Target, len(rep.Packages))
	}
}

func TestSBOMBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.tar")
	os.WriteFile(junk, []byte(strings.Repeat("x", 2048)), 0o644)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"sbom", junk}, "junk.tar: not an image tarball"},
		{[]string{"sbom", "-f", "xml", dir}, `--format: unknown format "xml"`},
		{[]string{"sbom"}, "accepts 1 arg"},
		{[]string{"sbom", "oci-dir:" + dir}, "not an OCI layout"},
	} {
		r := run(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.msg) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q, want %q", c.args, r.code, r.stderr, c.msg)
		}
	}
}

func TestDBAndScan(t *testing.T) {
	feeds := sharedtest.Path(t, "testdata", "feeds")
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	db := filepath.Join(t.TempDir(), "bulwark.db")
	r := run(t, nil, "db", "build", "--from", feeds, "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "advisories") {
		t.Fatalf("db build: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "db", "status", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "osv/Go") || !strings.Contains(r.stdout, "Alpine:v3.20") {
		t.Errorf("db status: %s %s", r.stdout, r.stderr)
	}
	img := "oci-dir:" + layout + ":example.local/alpine:3.18.9"
	// Without --offline a fresh database is used as it is: no update is
	// tried (none could succeed here).
	if r := run(t, nil, "scan", "--no-cache", "--db", db, "--scanners", "vuln", img); r.code != 0 || strings.Contains(r.stderr, "update failed") {
		t.Errorf("scan with a fresh database: exit %d %s", r.code, r.stderr)
	}
	r = run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln", "-f", "json", img)
	if r.code != 0 {
		t.Fatalf("scan: exit %d %s", r.code, r.stderr)
	}
	var rep struct {
		Findings []struct {
			ID, Severity, FixedVersion, Status, Layer string
			Package                                   struct{ Name, Ecosystem string }
		}
		Packages []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].ID != "CVE-2024-9143" || rep.Findings[0].FixedVersion != "3.1.7-r1" ||
		rep.Findings[0].Status != "fixed" || rep.Findings[0].Package.Ecosystem != "Alpine:v3.18" || rep.Findings[0].Layer == "" || len(rep.Packages) != 15 {
		t.Errorf("scan report: %+v", rep)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--fail-on", "medium"}, 1},
		{[]string{"--fail-on", "high"}, 0},
		{[]string{"--fail-on", "medium", "--ignore", "CVE-2024-9143"}, 0},
		{[]string{"--fail-on-kev"}, 0},
	} {
		args := append([]string{"scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln"}, c.args...)
		if r := run(t, nil, append(args, img)...); r.code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, r.code, c.code, r.stderr)
		}
	}
	r = run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "-f", "sarif", img)
	sharedtest.Validate(t, "sarif-schema-2.1.0.json", []byte(r.stdout))
	none := filepath.Join(t.TempDir(), "none.db")
	r = run(t, nil, "scan", "--offline", "--db", none, "--scanners", "vuln", img)
	if r.code != 2 || !strings.Contains(r.stderr, "no vulnerability database at "+none+"; run 'bulwark db update'") {
		t.Errorf("no database, vuln only: exit %d %s", r.code, r.stderr)
	}
	// Without a database the image checks still run, the report says the
	// vulnerabilities were not checked, and the exit code is theirs.
	r = run(t, nil, "scan", "--offline", "--db", none, "-f", "json", "--fail-on", "critical", img)
	var noDB struct {
		Findings []struct{ ID, Kind string }
		Checks   []struct {
			Name   string
			Ran    bool
			Reason string
		}
	}
	json.Unmarshal([]byte(r.stdout), &noDB)
	if r.code != 0 || !strings.Contains(r.stderr, "vulnerabilities were NOT checked: no vulnerability database at") ||
		len(noDB.Checks) != 3 || noDB.Checks[0].Name != "vuln" || noDB.Checks[0].Ran || !noDB.Checks[1].Ran || len(noDB.Findings) == 0 {
		t.Errorf("no database: exit %d %s %+v", r.code, r.stderr, noDB)
	}
	for _, f := range noDB.Findings {
		if f.Kind == "vulnerability" {
			t.Errorf("vulnerability %s without a database", f.ID)
		}
	}
	if r := run(t, nil, "scan", "--offline", "--db", none, "--fail-on", "high", img); r.code != 1 || !strings.Contains(r.stdout, "Vulnerabilities: NOT CHECKED") {
		t.Errorf("no database, image checks gate: exit %d %s", r.code, r.stdout)
	}
}

func TestScanVEXAndGrace(t *testing.T) {
	feeds := sharedtest.Path(t, "testdata", "feeds")
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	db := filepath.Join(t.TempDir(), "bulwark.db")
	if r := run(t, nil, "db", "build", "--from", feeds, "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	img := "oci-dir:" + layout + ":example.local/alpine:3.18.9"
	r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln", "-f", "json", "--vex", "../../pkg/core/vex/testdata/v020.json", "--fail-on", "medium", img)
	var rep struct {
		Findings           []struct{ ID string }
		SuppressedFindings []struct{ ID, By, Reason string }
	}
	json.Unmarshal([]byte(r.stdout), &rep)
	if len(rep.Findings) != 1 || len(rep.SuppressedFindings) != 1 || !strings.Contains(rep.SuppressedFindings[0].Reason, "VEX: not_affected (vulnerable_code_not_in_execute_path)") {
		t.Errorf("VEX: %+v (stderr %s)", rep, r.stderr)
	}
	if r.code != 1 {
		t.Errorf("the unsuppressed libcrypto3 finding should still fail the gate: exit %d", r.code)
	}
	// CVE-2024-9143 was published in October 2024: a grace period of
	// years keeps it out of the gate.
	r = run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln", "--fail-on", "medium", "--grace-period", "20000d", img)
	if r.code != 0 || !strings.Contains(r.stderr, "within the 20000d grace period") {
		t.Errorf("grace: exit %d stderr %s", r.code, r.stderr)
	}
	if r := run(t, nil, "scan", "--offline", "--db", db, "--grace-period", "soon", img); r.code != 2 {
		t.Errorf("bad grace period: exit %d", r.code)
	}
}

func TestScanCycloneDX(t *testing.T) {
	feeds := sharedtest.Path(t, "testdata", "feeds")
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	db := filepath.Join(t.TempDir(), "bulwark.db")
	if r := run(t, nil, "db", "build", "--from", feeds, "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "-f", "cyclonedx", "oci-dir:"+layout+":example.local/vulnapp:alpine3.18-multilayer")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	sharedtest.Validate(t, "bom-1.6.schema.json", []byte(r.stdout))
	var bom struct {
		Vulnerabilities []struct {
			ID      string
			Affects []struct{ Ref string }
		}
	}
	json.Unmarshal([]byte(r.stdout), &bom)
	if len(bom.Vulnerabilities) < 50 || len(bom.Vulnerabilities[0].Affects) != 1 {
		t.Errorf("%d vulnerabilities; first %+v", len(bom.Vulnerabilities), bom.Vulnerabilities[0])
	}
}

func TestScanBase(t *testing.T) {
	feeds := sharedtest.Path(t, "testdata", "feeds")
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	db := filepath.Join(t.TempDir(), "bulwark.db")
	if r := run(t, nil, "db", "build", "--from", feeds, "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	base := "oci-dir:" + layout + ":example.local/alpine:3.18.9"
	app := "oci-dir:" + layout + ":example.local/vulnapp:alpine3.18-multilayer"
	r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--base", base, "-f", "json", app)
	var rep struct {
		Target struct {
			Base struct{ Layers, Findings int }
		}
		Findings []struct {
			ID       string
			FromBase bool
		}
	}
	json.Unmarshal([]byte(r.stdout), &rep)
	fromBase := 0
	for _, f := range rep.Findings {
		if f.FromBase {
			fromBase++
			if f.ID != "CVE-2024-9143" {
				t.Errorf("%s marked as from the base", f.ID)
			}
		}
	}
	if rep.Target.Base.Layers != 1 || rep.Target.Base.Findings != 2 || fromBase != 2 {
		t.Errorf("base: %+v, %d findings from base", rep.Target.Base, fromBase)
	}
	// The base image alone: its medium findings fail --fail-on medium only
	// while the base counts.
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--base", base, "--fail-on", "medium", base); r.code != 1 {
		t.Errorf("fail-on-base (default true): exit %d", r.code)
	}
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--base", base, "--scanners", "vuln", "--fail-on", "medium", "--fail-on-base=false", base); r.code != 0 {
		t.Errorf("--fail-on-base=false: exit %d", r.code)
	}
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--base", "oci-dir:"+layout+":example.local/alpine:3.20.3", app); r.code != 2 || !strings.Contains(r.stderr, "is not the base of this image") {
		t.Errorf("wrong base: exit %d %s", r.code, r.stderr)
	}
}

func TestBase(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	app := "oci-dir:" + layout + ":vulnapp-alpine3.18-multilayer"
	none := filepath.Join(t.TempDir(), "none.db")
	r := run(t, nil, "base", "--offline", "--no-cache", "--db", none, "-f", "json", "--base", "oci-dir:"+layout+":alpine-3.18.9",
		"--candidate", "alpine:3.20=oci-dir:"+layout+":alpine-3.20.3", app)
	var a struct {
		Base struct {
			OS         struct{ ID, Version string }
			Libc       string
			BaseLayers int
			EOLPassed  bool
		}
		Needs struct {
			Static       []string
			Interpreters []string
		}
		Candidates []struct {
			Name     string
			Fits     bool
			Measured bool
			Reasons  []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil || r.code != 0 {
		t.Fatalf("exit %d %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if a.Base.OS.ID != "alpine" || a.Base.Libc != "musl" || a.Base.BaseLayers != 1 || !a.Base.EOLPassed || len(a.Needs.Static) != 1 {
		t.Errorf("base: %+v needs %+v", a.Base, a.Needs)
	}
	if !strings.Contains(r.stderr, "vulnerabilities were not counted") {
		t.Errorf("stderr: %s", r.stderr)
	}
	measured := false
	for _, c := range a.Candidates {
		if c.Name == "alpine:3.20" {
			measured = c.Measured && c.Fits
		}
	}
	if !measured {
		t.Errorf("the given candidate was not measured: %+v", a.Candidates)
	}
	r = run(t, nil, "base", "--offline", "--db", none, app)
	if r.code != 0 || !strings.Contains(r.stdout, "Candidates (fitting first") || !strings.Contains(r.stdout, "END OF LIFE since 2025-05-09") {
		t.Errorf("table: exit %d %s", r.code, r.stdout)
	}
	if r := run(t, nil, "base", "--offline", "--db", none, "docker-archive:/nonexistent.tar"); r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("bad input: exit %d %q", r.code, r.stderr)
	}
}

// TestScanImageChecks: the image checks on testimage.Bad, the efficiency
// gate and the layer-size threshold, without a database.
func TestScanImageChecks(t *testing.T) {
	img, err := testimage.Bad(nil)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "bad.tar")
	if err := tarball.WriteToFile(archive, name.MustParseReference("example.local/bad:1"), img); err != nil {
		t.Fatal(err)
	}
	target := "docker-archive:" + archive
	r := run(t, nil, "scan", "--offline", "--no-cache", "--scanners", "image,secret", "--max-layer-size", "1MB", "-f", "json", target)
	var rep struct {
		Findings []struct{ ID, Message string }
		Layers   []struct {
			Instruction             string
			Size                    int64
			Added, Changed, Removed int
		}
		Efficiency struct {
			Score       float64
			WastedBytes int64
		}
		Checks []struct {
			Name string
			Ran  bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("exit %d %v %s", r.code, err, r.stderr)
	}
	if strings.Contains(r.stderr, "NOT checked") {
		t.Errorf("vulnerabilities were not chosen, so not reported as unchecked: %s", r.stderr)
	}
	var large bool
	for _, f := range rep.Findings {
		if f.ID == "IMG022" && strings.Contains(f.Message, "made by: ADD https://example.com/big.tgz /tmp/big.tgz") {
			large = true
		}
	}
	if !large || len(rep.Layers) != 6 || rep.Layers[4].Removed != 1 || rep.Efficiency.WastedBytes != 2<<20 || len(rep.Checks) != 3 || rep.Checks[0].Ran {
		t.Errorf("report: %+v", rep)
	}
	// On the minimal base the 2 MB written and deleted is most of the
	// image: 12.8% (Dive agrees; see pkg/imagecheck/scan TestPeers).
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--scanners", "image", "--min-efficiency", "0.2", target); r.code != 1 || !strings.Contains(r.stderr, "efficiency 12.8% is below --min-efficiency 20.0%") {
		t.Errorf("--min-efficiency 0.2: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--scanners", "image", "--min-efficiency", "0.1", target); r.code != 0 {
		t.Errorf("--min-efficiency 0.1: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "scan", "--offline", "--no-cache", "--scanners", "image", "--min-efficiency", "0.2", "--ignore", "IMG021", target); r.code != 0 {
		t.Errorf("ignored IMG021 must not fail the gate: exit %d", r.code)
	}
	for _, bad := range [][]string{{"--scanners", "config"}, {"--min-efficiency", "2"}, {"--max-layer-size", "big"}} {
		if r := run(t, nil, append(append([]string{"scan", "--offline"}, bad...), target)...); r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d %q", bad, r.code, r.stderr)
		}
	}
}

func TestAudit(t *testing.T) {
	tree := "../../pkg/runtime/audit/testdata/tree"
	r := run(t, nil, "audit", "-f", "sarif", tree)
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	sharedtest.Validate(t, "sarif-schema-2.1.0.json", []byte(r.stdout))
	if r := run(t, nil, "audit", "--level", "baseline", tree+"/k8s/web.yaml"); r.code != 1 {
		t.Errorf("--level baseline on a privileged pod: exit %d", r.code)
	}
	restricted := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: a
    image: a:1
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`
	s := &Streams{In: strings.NewReader(restricted)}
	if r := run(t, s, "audit", "--level", "restricted", "-"); r.code != 0 {
		t.Errorf("a restricted pod fails --level restricted: exit %d %s", r.code, r.stdout)
	}
	s = &Streams{In: strings.NewReader(strings.Replace(restricted, "runAsNonRoot: true", "runAsNonRoot: false", 1))}
	if r := run(t, s, "audit", "--level", "baseline", "-"); r.code != 0 {
		t.Errorf("runAsNonRoot false is allowed at baseline: exit %d", r.code)
	}
	s = &Streams{In: strings.NewReader(strings.Replace(restricted, "runAsNonRoot: true", "runAsNonRoot: false", 1))}
	if r := run(t, s, "audit", "--level", "restricted", "-"); r.code != 1 || !strings.Contains(r.stdout, "RT022") {
		t.Errorf("runAsNonRoot false at restricted: exit %d %s", r.code, r.stdout)
	}
	s = &Streams{In: strings.NewReader("apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: maybe\n")}
	if r := run(t, s, "audit", "-"); r.code != 2 || r.stderr != "bulwark: -:4: spec.hostNetwork: want bool, got a string\n" {
		t.Errorf("bad input: exit %d %q", r.code, r.stderr)
	}
	if r := run(t, nil, "audit", "--level", "strict", tree); r.code != 2 {
		t.Errorf("bad level: exit %d", r.code)
	}
}

// TestHardenAuditRoundTrip: harden's output for a real image passes audit
// at the restricted level with no finding, image-aware too; a manifest
// that trusts runAsNonRoot with a root image does not.
func TestHardenAuditRoundTrip(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	img := "oci-dir:" + layout + ":vulnapp-alpine3.18-multilayer"
	dir := t.TempDir()
	for _, c := range []struct{ format, file string }{{"k8s", "pod.yaml"}, {"compose", "compose.yaml"}} {
		out := filepath.Join(dir, c.file)
		r := run(t, nil, "harden", "--no-cache", "--format", c.format, "--image", "example.local/vulnapp:1@sha256:36cb2ccf94fc0e0a2f4b7b3d3a4c4e0ad1b6b6f4a08e05a4d8cfcf3f9c7b1a2e", "-o", out, img)
		if r.code != 0 || !strings.Contains(r.stderr, "runs as root") {
			t.Fatalf("harden %s: exit %d %s", c.format, r.code, r.stderr)
		}
		r = run(t, nil, "audit", "--level", "restricted", "--no-cache", "--image-map", "example.local/vulnapp:1@sha256:36cb2ccf94fc0e0a2f4b7b3d3a4c4e0ad1b6b6f4a08e05a4d8cfcf3f9c7b1a2e="+img, out)
		if r.code != 0 || !strings.Contains(r.stdout, "0 findings") {
			t.Errorf("audit of harden's %s output: exit %d\n%s%s", c.format, r.code, r.stdout, r.stderr)
		}
	}
	manifest := filepath.Join(dir, "trusting.yaml")
	os.WriteFile(manifest, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    image: example.local/vulnapp:1\n"), 0o644)
	r := run(t, nil, "audit", "--no-cache", "--image-map", "example.local/vulnapp:1="+img, manifest)
	if !strings.Contains(r.stdout, "RT051") || !strings.Contains(r.stdout, "will not start (CreateContainerConfigError)") {
		t.Errorf("RT051 missing: %s %s", r.stdout, r.stderr)
	}
	for _, f := range []string{"docker", "podman", "json"} {
		if r := run(t, nil, "harden", "--no-cache", "-f", f, img); r.code != 0 || !strings.Contains(r.stdout, "sha256:") {
			t.Errorf("harden -f %s: exit %d %s", f, r.code, r.stderr)
		}
	}
	if r := run(t, nil, "harden", "-f", "helm", img); r.code != 2 {
		t.Errorf("bad format: exit %d", r.code)
	}
}

// TestAuditImageAwareFromRegistry: --image-aware reads each container's
// image from its registry (the reference registry in CI), by tag and by
// digest; harden reads it from there too, and the round trip holds.
func TestAuditImageAwareFromRegistry(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	host := testRegistry(t)
	ref := fmt.Sprintf("%s/audit-aware/vulnapp-%d:1", host, time.Now().UnixNano())
	digest := pushOCI(t, layout, "vulnapp-alpine3.18-multilayer", ref)
	dir := t.TempDir()
	manifest := filepath.Join(dir, "pod.yaml")
	os.WriteFile(manifest, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    image: "+ref+"\n  - name: b\n    image: "+ref+"@"+digest+"\n"), 0o644)
	r := run(t, nil, "audit", "--image-aware", "--no-cache", manifest)
	if strings.Count(r.stdout, "RT051") != 2 {
		t.Errorf("RT051 for both containers: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Compose: the same image, no user, read_only without a tmpfs for /tmp.
	composeFile := filepath.Join(dir, "compose.yaml")
	os.WriteFile(composeFile, []byte("services:\n  app:\n    image: "+ref+"\n    read_only: true\n"), 0o644)
	r = run(t, nil, "audit", "--image-aware", "--no-cache", composeFile)
	if !strings.Contains(r.stdout, "RT053") || !strings.Contains(r.stdout, "RT054") || !strings.Contains(r.stdout, "/tmp (temporary files") {
		t.Errorf("Compose, image-aware: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "hardened.yaml")
	if r := run(t, nil, "harden", "--no-cache", "--format", "k8s", "--kind", "deployment", "-o", out, ref); r.code != 0 {
		t.Fatalf("harden from the registry: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "audit", "--level", "restricted", "--image-aware", "--no-cache", out); r.code != 0 || !strings.Contains(r.stdout, "0 findings") {
		t.Errorf("audit of harden's output, image-aware: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "harden", "--no-cache", "--format", "compose", "-o", composeFile, ref); r.code != 0 {
		t.Fatalf("harden --format compose: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "audit", "--level", "restricted", "--image-aware", "--no-cache", composeFile); r.code != 0 || !strings.Contains(r.stdout, "0 findings") {
		t.Errorf("audit of harden's Compose output, image-aware: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestAuditFix(t *testing.T) {
	src, err := os.ReadFile("../../pkg/runtime/audit/testdata/tree/k8s/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "web.yaml")
	os.WriteFile(file, src, 0o644)
	r := run(t, nil, "audit", "--diff", file)
	if r.code != 0 || !strings.Contains(r.stdout, "+      automountServiceAccountToken: false") || !strings.Contains(r.stdout, "+          type: RuntimeDefault") || strings.Contains(r.stdout, "readOnlyRootFilesystem") {
		t.Errorf("--diff: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "--image-aware") {
		t.Errorf("--diff without the image should say what it left: %s", r.stderr)
	}
	if b, _ := os.ReadFile(file); string(b) != string(src) {
		t.Error("--diff changed the file")
	}
	r = run(t, nil, "audit", "--fix", "-f", "json", file)
	var rep struct{ Findings []struct{ ID string } }
	json.Unmarshal([]byte(r.stdout), &rep)
	left := map[string]bool{}
	for _, f := range rep.Findings {
		left[f.ID] = true
	}
	// What the fix must not decide for people stays: privileged (so no
	// allowPrivilegeEscalation: false, which the API server rejects beside
	// it), host network, the unpinned image, limits; and without the
	// image, runAsNonRoot, the read-only root and capabilities.
	if !left["RT002"] || !left["RT001"] || !left["RT021"] || !left["RT022"] || left["RT024"] || !left["RT030"] || left["RT033"] {
		t.Errorf("after --fix: %v\n%s", left, r.stderr)
	}
	// With the image (the real Debian image, root, no step-down tool): a
	// read-only root with /tmp mounted, and no capabilities dropped.
	deb := sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar")
	aware := filepath.Join(t.TempDir(), "web.yaml")
	os.WriteFile(aware, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: debian:12\n"), 0o644)
	r = run(t, nil, "audit", "--fix", "--no-cache", "--image-map", "debian:12=docker-archive:"+deb, aware)
	b, _ := os.ReadFile(aware)
	if !strings.Contains(string(b), "readOnlyRootFilesystem: true") || !strings.Contains(string(b), "mountPath: /tmp") || strings.Contains(string(b), "drop:") || strings.Contains(string(b), "runAsNonRoot") || !strings.Contains(r.stderr, "runs as root") {
		t.Errorf("--fix --image-map: exit %d\n%s\n%s", r.code, b, r.stderr)
	}
	fixed, _ := os.ReadFile(file)
	if !strings.Contains(string(fixed), "      - name: app\n") {
		t.Errorf("sequence indentation changed:\n%s", fixed)
	}
	// A file that does not parse is not touched.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: maybe\n"), 0o644)
	if r := run(t, nil, "audit", "--fix", bad); r.code != 2 {
		t.Errorf("--fix on a bad file: exit %d", r.code)
	}
	if b, _ := os.ReadFile(bad); !strings.Contains(string(b), "maybe") || strings.Contains(string(b), "runAsNonRoot") {
		t.Errorf("bad file rewritten:\n%s", b)
	}
}

// testRegistry is the reference registry when CI started one, else
// go-containerregistry's in-memory registry.
func testRegistry(t *testing.T) string {
	t.Helper()
	if r := os.Getenv("BULWARK_TEST_REGISTRY"); r != "" {
		return r
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func pushRandom(t *testing.T, ref string) string {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

func TestPin(t *testing.T) {
	host := testRegistry(t)
	repo := host + "/pin-test/app"
	digest := pushRandom(t, repo+":1")
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("FROM "+repo+":1\nRUN true\n"), 0o644)
	if r := run(t, nil, "pin", "--check", dir); r.code != 1 || !strings.Contains(r.stdout, "1 of 1 image references not pinned") {
		t.Errorf("--check: exit %d %s", r.code, r.stdout)
	}
	if r := run(t, nil, "pin", dir); r.code != 0 {
		t.Fatalf("pin: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(df); string(b) != "FROM "+repo+":1@"+digest+"\nRUN true\n" {
		t.Errorf("pinned Dockerfile:\n%s", b)
	}
	if r := run(t, nil, "pin", "--check", dir); r.code != 0 {
		t.Errorf("--check after pin: exit %d %s", r.code, r.stdout)
	}
	// A multi-arch image is pinned to its index, not to one platform.
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	iref, _ := name.ParseReference(host + "/pin-test/multi:2")
	if err := remote.WriteIndex(iref, idx); err != nil {
		t.Fatal(err)
	}
	idig, _ := idx.Digest()
	compose := filepath.Join(dir, "compose.yaml")
	os.WriteFile(compose, []byte("services:\n  app:\n    image: "+iref.String()+"  # multi-arch\n"), 0o644)
	if r := run(t, nil, "pin", compose); r.code != 0 {
		t.Fatalf("pin compose: exit %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(compose); string(b) != "services:\n  app:\n    image: "+iref.String()+"@"+idig.String()+"  # multi-arch\n" {
		t.Errorf("pinned compose.yaml:\n%s", b)
	}
}

func TestSignVerifyCLI(t *testing.T) {
	host := testRegistry(t)
	ref := host + "/sign-test/app:1"
	pushRandom(t, ref)
	env := map[string]string{"BULWARK_PASSWORD": "s3cret"}
	dir, s := withKey(t, env)
	if r := run(t, s(), "sign", "--key", filepath.Join(dir, "k.key"), "-a", "env=prod", ref); r.code != 0 {
		t.Fatalf("sign: %d %s", r.code, r.stderr)
	}
	r := run(t, s(), "verify", "--key", filepath.Join(dir, "k.pub"), "--require-annotation", "env=prod", ref)
	if r.code != 0 || !strings.Contains(r.stdout, `"env":"prod"`) {
		t.Errorf("verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, s(), "verify", "--key", filepath.Join(dir, "k.pub"), "--require-annotation", "env=dev", ref); r.code != 1 || !strings.Contains(r.stderr, "verification failed") {
		t.Errorf("verify with a missing annotation: %d %s", r.code, r.stderr)
	}
	env["BULWARK_PASSWORD"] = "wrong"
	if r := run(t, s(), "sign", "--key", filepath.Join(dir, "k.key"), ref); r.code != 2 || !strings.Contains(r.stderr, "wrong password") {
		t.Errorf("sign with a wrong password: %d %s", r.code, r.stderr)
	}
	delete(env, "BULWARK_PASSWORD")
	if r := run(t, s(), "sign", "--key", filepath.Join(dir, "k.key"), ref); r.code != 2 || !strings.Contains(r.stderr, "set BULWARK_PASSWORD") {
		t.Errorf("sign without a password: %d %s", r.code, r.stderr)
	}
}

// TestAttestAndBundleCLI: attest (v2 .att and v3 bundle) and sign --bundle
// through the commands, against the reference registry in CI; a wrong key
// and a missing predicate type are refused with exit 1.
func TestAttestAndBundleCLI(t *testing.T) {
	host := testRegistry(t)
	dir := t.TempDir()
	env := map[string]string{"COSIGN_PASSWORD": "pw"} // cosign's variable works too
	s := func() *Streams {
		return &Streams{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	}
	for _, p := range []string{"k", "other"} {
		if r := run(t, s(), "key", "generate", "--output-prefix", filepath.Join(dir, p)); r.code != 0 {
			t.Fatalf("key generate: %d %s", r.code, r.stderr)
		}
	}
	bom := filepath.Join(dir, "bom.json")
	os.WriteFile(bom, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`), 0o644)
	key, pub, otherPub := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub"), filepath.Join(dir, "other.pub")
	for _, form := range []string{"v2", "bundle"} {
		t.Run(form, func(t *testing.T) {
			ref := fmt.Sprintf("%s/attest-test/%s-%d:1", host, form, time.Now().UnixNano())
			pushRandom(t, ref)
			var extra []string
			if form == "bundle" {
				extra = []string{"--bundle"}
			}
			if r := run(t, s(), append([]string{"sign", "--key", key}, append(extra, ref)...)...); r.code != 0 {
				t.Fatalf("sign: %d %s", r.code, r.stderr)
			}
			if r := run(t, s(), append([]string{"attest", "--key", key, "--predicate", bom, "--type", "cyclonedx"}, append(extra, ref)...)...); r.code != 0 {
				t.Fatalf("attest: %d %s", r.code, r.stderr)
			}
			if r := run(t, s(), "verify", "--key", pub, ref); r.code != 0 {
				t.Errorf("verify: %d %s", r.code, r.stderr)
			}
			r := run(t, s(), "verify", "--attestation", "--type", "cyclonedx", "--key", pub, ref)
			if r.code != 0 || !strings.Contains(r.stdout, "CycloneDX") {
				t.Errorf("verify --attestation: %d %s %s", r.code, r.stdout, r.stderr)
			}
			if r := run(t, s(), "verify", "--attestation", "--type", "spdxjson", "--key", pub, ref); r.code != 1 {
				t.Errorf("verify --attestation of a type not attested: %d %s", r.code, r.stderr)
			}
			if r := run(t, s(), "verify", "--key", otherPub, ref); r.code != 1 || !strings.Contains(r.stderr, "verification failed") {
				t.Errorf("verify with another key: %d %s", r.code, r.stderr)
			}
		})
	}
}

// TestLintBuildArg: --build-arg overrides an ARG default as docker build
// does, so the base the build really uses is the one judged.
func TestLintBuildArg(t *testing.T) {
	df := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(df, []byte("ARG BASE=alpine:latest\nFROM $BASE\nUSER 1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "lint", "--format", "json", df); !strings.Contains(r.stdout, `"DF001"`) {
		t.Errorf("the default base alpine:latest gives no DF001:\n%s", r.stdout)
	}
	if r := run(t, nil, "lint", "--format", "json", "--build-arg", "BASE=alpine:3.22", df); strings.Contains(r.stdout, `"DF001"`) {
		t.Errorf("--build-arg BASE=alpine:3.22 still reports DF001:\n%s", r.stdout)
	}
	if r := run(t, nil, "lint", "--build-arg", "=x", df); r.code != 2 || !strings.Contains(r.stderr, "--build-arg") {
		t.Errorf("bad --build-arg: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestAuditPSSVersion(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pod.yaml")
	os.WriteFile(file, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    sysctls:\n    - name: net.ipv4.tcp_slow_start_after_idle\n      value: \"0\"\n  containers:\n  - name: a\n    image: a:1\n"), 0o644)
	// The sysctl joined the safe set in 1.37's policy: admission at 1.35
	// rejects the pod at baseline, at 1.37 admits it.
	if r := run(t, nil, "audit", "--level", "baseline", "--pss-version", "v1.35", file); r.code != 1 || !strings.Contains(r.stdout, "RT010") {
		t.Errorf("v1.35: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "audit", "--level", "baseline", "--pss-version", "1.37", file); r.code != 0 || strings.Contains(r.stdout, "RT010") {
		t.Errorf("v1.37: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "audit", "--pss-version", "one", file); r.code != 2 {
		t.Errorf("bad version: exit %d", r.code)
	}
}
