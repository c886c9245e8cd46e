package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func f(id, file string, sev finding.Severity, aliases ...string) finding.Finding {
	return finding.Finding{ID: id, Severity: sev, Location: finding.Location{File: file, Line: 1}, Aliases: aliases}
}

func ids(fs []finding.Finding) []string {
	var out []string
	for _, x := range fs {
		out = append(out, x.ID+"@"+x.Location.File+":"+x.Severity.String())
	}
	return out
}

func TestApply(t *testing.T) {
	ig, err := LoadIgnoreFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{
		Ignores:  append(ig, CommandLineIgnores([]string{"DF010,DF011", "DF012"})...),
		Severity: map[string]finding.Severity{"DL3007": finding.Critical},
		Disabled: []string{"DF099"},
		Now:      now,
	}
	in := []finding.Finding{
		f("DF002", "Dockerfile", finding.Low),
		f("DF038", "services/api/Dockerfile", finding.Low, "DL3008"),
		f("DF038", "Dockerfile", finding.Low, "DL3008"),
		f("CVE-2024-0001", "sub/Dockerfile.legacy", finding.High),
		f("DF036", "Dockerfile", finding.Info),
		f("DF001", "Dockerfile", finding.Medium, "DL3007"),
		f("DF010", "Dockerfile", finding.Info),
		f("DF012", "Dockerfile", finding.Low),
		f("DF099", "Dockerfile", finding.Low),
	}
	res := p.Apply(in)
	want := []string{"DF001@Dockerfile:critical", "DF036@Dockerfile:info", "DF038@Dockerfile:low"}
	if d := cmp.Diff(want, ids(res.Findings)); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	if len(res.Suppressed) != 6 {
		t.Errorf("suppressed %d, want 6", len(res.Suppressed))
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "DF036") || !strings.Contains(res.Warnings[0], "expired on 2026-01-01") {
		t.Errorf("warnings = %v, want one about the expired DF036 entry", res.Warnings)
	}
	p.Now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if got := ids(p.Apply(in[3:4]).Findings); len(got) != 1 {
		t.Errorf("CVE ignore should have expired after 2026-11-30, kept %v", got)
	}
	p.Now = time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	if got := ids(p.Apply(in[3:4]).Findings); len(got) != 0 {
		t.Errorf("CVE ignore holds through its expiry day, kept %v", got)
	}
}

func TestFails(t *testing.T) {
	fs := []finding.Finding{f("A", "x", finding.Medium), f("B", "x", finding.Low)}
	for _, c := range []struct {
		on   finding.Severity
		want bool
	}{{finding.Unknown, false}, {finding.Info, true}, {finding.Medium, true}, {finding.High, false}, {finding.Critical, false}} {
		p := &Policy{FailOn: c.on}
		if got := p.Fails(fs); got != c.want {
			t.Errorf("FailOn %s: Fails = %v, want %v", c.on, got, c.want)
		}
	}
}

func TestIgnoreFileErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"no reason", "ignores:\n  - id: DF001\n", "ignores.yaml:2: ignore of DF001 has no reason"},
		{"no id", "ignores:\n  - reason: x\n", "ignores.yaml:2: ignore entry without an id"},
		{"bad date", "ignores:\n  - id: DF001\n    reason: x\n    expires: soon\n", `ignores.yaml:2: ignore of DF001: expires "soon" is not a date`},
		{"unknown field", "ignores:\n  - id: DF001\n    reason: x\n    until: 2026-01-01\n", `ignores.yaml:4: unknown field "until"`},
		{"not yaml", "ignores: [\n", "ignores.yaml:1: did not find"},
		{"wrong shape", "ignores: DF001\n", "ignores.yaml:1:"},
		{"unknown top", "ignore:\n  - id: x\n", "ignores.yaml:1:"},
		{"bad glob", "ignores:\n  - id: DF001\n    reason: x\n    paths: ['[']\n", "invalid path glob"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseIgnoreFile("ignores.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
	if ig, err := ParseIgnoreFile("empty.yaml", nil); err != nil || ig != nil {
		t.Errorf("empty file: %v %v", ig, err)
	}
}

func TestParseInline(t *testing.T) {
	for _, c := range []struct {
		in    string
		ids   []string
		scope Scope
		ok    bool
	}{
		{"bulwark:ignore=DF001", []string{"DF001"}, Next, true},
		{"# bulwark:ignore=DF001,DF002 because reasons", []string{"DF001", "DF002"}, Next, true},
		{"hadolint ignore=DL3007, DL3008", []string{"DL3007", "DL3008"}, Next, true},
		{"hadolint global ignore=DL3059", []string{"DL3059"}, File, true},
		{"bulwark:ignore-file=DF036", []string{"DF036"}, File, true},
		{"Bulwark:Ignore = DF001", []string{"DF001"}, Next, true},
		{"ignore this", nil, Next, false},
		{"bulwark:ignore=", nil, Next, false},
	} {
		got, ok := ParseInline(c.in)
		if ok != c.ok || (ok && (!cmp.Equal(got.IDs, c.ids) || got.Scope != c.scope)) {
			t.Errorf("ParseInline(%q) = %+v, %v; want %v %v %v", c.in, got, ok, c.ids, c.scope, c.ok)
		}
	}
}
