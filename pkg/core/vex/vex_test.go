package vex

import (
	"os"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

func vuln(id, purl string, aliases ...string) finding.Finding {
	return finding.Finding{ID: id, Kind: finding.KindVulnerability, Aliases: aliases, Package: &finding.Package{PURL: purl}}
}

func TestSuppresses(t *testing.T) {
	d, err := Load("testdata/v020.json")
	if err != nil {
		t.Fatal(err)
	}
	old, err := Load("testdata/v001.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		doc    *Document
		f      finding.Finding
		target string
		want   bool
	}{
		{d, vuln("CVE-2024-9143", "pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.18.9"), "", true},
		{d, vuln("CVE-2024-9143", "pkg:apk/alpine/libssl3@3.1.8-r0"), "", false},
		{d, vuln("CVE-2024-9143", "pkg:apk/alpine/libcrypto3@3.1.7-r0"), "", false},
		{d, vuln("GHSA-xvch-5gv4-984h", "pkg:npm/minimist@1.2.0"), "example.local/vulnapp:1", true},
		{d, vuln("OSV-1", "pkg:npm/minimist@1.2.0", "CVE-2021-44906"), "example.local/vulnapp:1", true},
		{d, vuln("GHSA-xvch-5gv4-984h", "pkg:npm/minimist@1.2.0"), "other:1", false},
		{d, vuln("CVE-2020-0001", "pkg:npm/x@1"), "example.local/vulnapp:1", false},
		{old, vuln("CVE-2024-9143", "pkg:apk/alpine/libcrypto3@3.1.7-r0"), "", true},
	} {
		if _, got := c.doc.Suppresses(c.f, c.target); got != c.want {
			t.Errorf("%s %s on %q: %v, want %v", c.f.ID, c.f.Package.PURL, c.target, got, c.want)
		}
	}
	if _, ok := d.Suppresses(finding.Finding{ID: "CVE-2024-9143", Kind: finding.KindMisconfiguration}, ""); ok {
		t.Error("a rule finding was suppressed")
	}
}

func TestTestdataIsValidOpenVEX(t *testing.T) {
	b, _ := os.ReadFile("testdata/v020.json")
	sharedtest.Validate(t, "openvex_json_schema.json", b)
}

func TestBadDocuments(t *testing.T) {
	for _, b := range []string{`{`, `{"@context": "x"}`, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "x"}, "status": "maybe"}]}`} {
		if _, err := Parse([]byte(b)); err == nil {
			t.Errorf("%s: no error", b)
		}
	}
	if _, err := Load("testdata/missing.json"); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/v020.json")
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err == nil {
			d.Suppresses(vuln("CVE-1", "pkg:npm/a@1"), "img")
		}
	})
}
