package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testRule = &rule.Rule{
	ID: "DF001", Aliases: []string{"DL3006", "DL3007"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Base image without a tag or with the latest tag", Why: "Tags move.", Fix: "Pin a tag.",
	Bad: "FROM ubuntu", Good: "FROM ubuntu:24.04",
}

func sample() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "bulwark", Version: "test"},
		Target:        Target{Name: ".", Kind: "dockerfile", Files: []string{"Dockerfile", "svc/my app/Dockerfile"}},
		Findings: []finding.Finding{
			testRule.New(finding.Location{File: "Dockerfile", Line: 1, Column: 6, EndLine: 1}, "FROM ubuntu has no tag", "DL3006"),
			{ID: "DF032", Kind: finding.KindSecret, Severity: finding.Critical, Title: "Secret in ENV or ARG", Message: "ENV X holds a GitHub token (ghp_********)",
				Location: finding.Location{File: "svc/my app/Dockerfile", Line: 4, Column: 5}, Fix: "Use secrets.", References: []string{rule.DocsBase + "DF032.md"}},
			{ID: "CVE-2024-0001", Kind: finding.KindVulnerability, Severity: finding.High, Title: "openssl: bug", Message: "openssl 3.0.1 is affected",
				Location: finding.Location{Layer: "sha256:abc", Path: "/usr/lib/libssl.so.3"}, Package: &finding.Package{Name: "openssl", Version: "3.0.1", Ecosystem: "Alpine:v3.20"},
				FixedVersion: "3.0.2", Status: "fixed", CVSS: &finding.CVSS{Score: 7.5, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}},
		},
		Suppressed: 2,
		Errors:     []InputError{{File: "bad/Dockerfile", Line: 2, Message: "unknown instruction: RUNN"}},
		Rules:      []*rule.Rule{testRule},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", p, d)
	}
}

func TestFormatsGolden(t *testing.T) {
	for _, c := range []struct {
		f     Format
		color bool
		file  string
	}{{Table, false, "sample.table"}, {Table, true, "sample.color.table"}, {JSON, false, "sample.json"}, {SARIF, false, "sample.sarif"}} {
		var b bytes.Buffer
		if err := Write(&b, sample(), c.f, Options{Color: c.color}); err != nil {
			t.Fatal(err)
		}
		golden(t, c.file, b.Bytes())
	}
}

func TestTableHasNoColorUnlessAsked(t *testing.T) {
	var b bytes.Buffer
	Write(&b, sample(), Table, Options{})
	if strings.Contains(b.String(), "\x1b[") {
		t.Error("table without Color has escape codes")
	}
}

func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, &Report{}, JSON, Options{}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["schemaVersion"] != float64(1) {
		t.Errorf("schemaVersion = %v", m["schemaVersion"])
	}
	if fs, ok := m["findings"].([]any); !ok || len(fs) != 0 {
		t.Errorf("findings = %#v, want []", m["findings"])
	}
}

func TestSARIFValidates(t *testing.T) {
	for _, r := range []*Report{sample(), {Tool: Tool{Name: "bulwark"}}} {
		var b bytes.Buffer
		if err := Write(&b, r, SARIF, Options{}); err != nil {
			t.Fatal(err)
		}
		sharedtest.Validate(t, "sarif-schema-2.1.0.json", b.Bytes())
	}
}

func TestSARIFLocations(t *testing.T) {
	var b bytes.Buffer
	Write(&b, sample(), SARIF, Options{})
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if got := res[0].Locations[0].PhysicalLocation; got.ArtifactLocation.URI != "Dockerfile" || got.Region.StartLine != 1 || got.Region.StartColumn != 6 {
		t.Errorf("first result location = %+v", got)
	}
	if got := res[1].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "svc/my%20app/Dockerfile" {
		t.Errorf("uri with a space = %q", got)
	}
	r := log.Runs[0].Tool.Driver.Rules[res[0].RuleIndex]
	if r.ID != "DF001" || r.HelpURI != rule.DocsBase+"DF001.md" || r.Help.Text == "" || r.Properties.SecuritySeverity != "5.5" {
		t.Errorf("rule = %+v", r)
	}
}

func TestArtifactURI(t *testing.T) {
	for in, want := range map[string]string{"Dockerfile": "Dockerfile", "./a/b": "a/b", "/abs/x y": "file:///abs/x%20y", "-": "stdin", "../up": "../up"} {
		if got := artifactURI(in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("SARIF"); err != nil || f != SARIF {
		t.Errorf("ParseFormat(SARIF) = %v, %v", f, err)
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, json, sarif") {
		t.Errorf("ParseFormat(xml) error = %v", err)
	}
}
