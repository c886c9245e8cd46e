package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

// TestTableEscapesTerminalControls: names, versions, paths, messages and
// history from an image reach the table with no byte a terminal obeys
// (ESC[2J clears the screen, ESC[1A ESC[2K erases the line above, OSC 0
// sets the title, OSC 8 makes a link), and the report itself is unchanged.
func TestTableEscapesTerminalControls(t *testing.T) {
	bad := "x\x1b[2J\x1b[1A\x1b[2K\x1b]0;owned\x07\x1b]8;;http://e\x1b\\y\r\nFAKE 0 findings\x9b31m\xff"
	r := &Report{
		Target:   Target{Name: bad, OS: &sbom.OS{ID: bad, Version: bad}},
		Findings: []finding.Finding{{ID: "IMG013", Message: bad, Location: finding.Location{File: bad, Field: bad}}, {ID: bad, Kind: finding.KindVulnerability, Package: &finding.Package{Name: bad, Version: bad}, FixedVersion: bad}},
		Packages: []sbom.Package{{Name: bad, Version: bad, Type: bad, Locations: []sbom.Location{{Path: bad}}}},
		Checks:   []Check{{Name: "vuln", Reason: bad}},
		Layers:   []layerview.Layer{{Instruction: bad}},
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"table":    func(b *bytes.Buffer) error { return writeTable(b, r, Options{}) },
		"packages": func(b *bytes.Buffer) error { return WritePackages(b, r, Options{}) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		for _, c := range b.String() {
			if unicode.IsControl(c) && c != '\n' && c != '\t' || c == '\ufffd' {
				t.Fatalf("%s: control character %q in\n%s", name, c, b.String())
			}
		}
		if strings.Contains(b.String(), "\nFAKE") {
			t.Errorf("%s: a value started a line of its own:\n%s", name, b.String())
		}
	}
	if r.Findings[0].Message != bad || r.Packages[0].Name != bad {
		t.Error("the report itself was changed")
	}
}

// BenchmarkRedacted: masking every string of a 2,000-finding report (the
// secret formats' hints skip most expressions) costs milliseconds.
func BenchmarkRedacted(b *testing.B) {
	r := &Report{}
	for i := range 2000 {
		r.Findings = append(r.Findings, finding.Finding{ID: fmt.Sprintf("CVE-2024-%d", i), Message: "openssl 3.0.11-1~deb12u2 is affected by a flaw in the handling of X.509 certificates", Package: &finding.Package{Name: "openssl", Version: "3.0.11-1~deb12u2"}, FixedVersion: "3.0.13-1~deb12u1", Layer: "sha256:abcdef"})
	}
	for b.Loop() {
		redacted(r)
	}
}
