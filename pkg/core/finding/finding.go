// Package finding holds the one result type that every Bulwark checker
// returns: a Dockerfile rule, an image rule, a runtime rule and a known
// vulnerability all become a Finding, so that every report format, the
// severity gate, the ignore file and VEX treat them the same way.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings for the gate (--fail-on) and for reports.
// The zero value is Unknown.
type Severity int

// Severities from least to most severe. Unknown sorts lowest so that a
// finding whose severity could not be determined never trips a gate set to
// info or above by accident; it is reported all the same.
const (
	Unknown Severity = iota
	Info
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name used in every output format.
func (s Severity) String() string {
	if s < Unknown || s > Critical {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown severity %q (want critical, high, medium, low, info or unknown)", s)
}

// MarshalText writes the severity as its name, so JSON and YAML carry words.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Kind says what family of check produced a finding.
type Kind string

// The kinds of finding. New kinds may be added; scripts should treat an
// unknown kind as opaque.
const (
	KindVulnerability    Kind = "vulnerability"
	KindMisconfiguration Kind = "misconfiguration"
	KindSecret           Kind = "secret"
	KindLicense          Kind = "license"
)

// Location says where a finding is. Text inputs set File, Line and Column
// (1-based; 0 means unknown); manifests add Field, the YAML/JSON path; files
// inside images set Layer and Path.
type Location struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	EndLine int    `json:"endLine,omitempty"`
	Field   string `json:"field,omitempty"`
	Layer   string `json:"layer,omitempty"`
	Path    string `json:"path,omitempty"`
}

// String renders the location as file:line:column, the form editors and
// terminals turn into links.
func (l Location) String() string {
	var b strings.Builder
	switch {
	case l.File != "":
		b.WriteString(l.File)
	case l.Path != "":
		b.WriteString(l.Path)
	}
	if l.Line > 0 {
		fmt.Fprintf(&b, ":%d", l.Line)
		if l.Column > 0 {
			fmt.Fprintf(&b, ":%d", l.Column)
		}
	}
	if l.Field != "" {
		fmt.Fprintf(&b, " (%s)", l.Field)
	}
	return b.String()
}

// Package identifies the software package a vulnerability finding is about.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem,omitempty"`
	PURL      string `json:"purl,omitempty"`
}

// CVSS is a score with the vector it was computed from.
type CVSS struct {
	Score  float64 `json:"score"`
	Vector string  `json:"vector,omitempty"`
}

// Finding is one problem found by one check at one place.
type Finding struct {
	// ID is the rule ID (DF001, IMG010, RT003 ...) or the vulnerability ID.
	ID       string   `json:"id"`
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	// Fix says how to resolve the finding, where that is known.
	Fix        string   `json:"fix,omitempty"`
	References []string `json:"references,omitempty"`
	// Aliases are other names for the same problem: CVE IDs for a
	// vulnerability, the equivalent Hadolint, Dockle or Pod Security IDs for
	// a rule. Ignore lists match on them too.
	Aliases []string `json:"aliases,omitempty"`

	// Vulnerability fields; empty for other kinds.
	Package      *Package `json:"package,omitempty"`
	FixedVersion string   `json:"fixedVersion,omitempty"`
	Status       string   `json:"status,omitempty"`
	CVSS         *CVSS    `json:"cvss,omitempty"`
	KEV          bool     `json:"kev,omitempty"`
	Layer        string   `json:"layer,omitempty"`
	// Instruction is the image history entry that created Layer (the
	// Dockerfile instruction, as `docker history` shows it).
	Instruction string `json:"instruction,omitempty"`
	// Published is when the advisory was published (RFC 3339), for the
	// gate's grace period.
	Published string `json:"published,omitempty"`
	// Urgency is the distribution's own rating, kept beside the severity.
	Urgency string `json:"urgency,omitempty"`
	// FromBase is true when Layer belongs to the base image, so the fix is
	// a newer base rather than a change to the application.
	FromBase bool `json:"fromBase,omitempty"`
}

// Names returns the finding's ID followed by its aliases: every name an
// ignore entry may use for it.
func (f *Finding) Names() []string {
	return append([]string{f.ID}, f.Aliases...)
}

// HasName reports whether id is the finding's ID or one of its aliases,
// ignoring case.
func (f *Finding) HasName(id string) bool {
	if strings.EqualFold(f.ID, id) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

// Compare orders findings by file, line, column, then ID and message, so
// reports and golden files are stable whatever order checks ran in.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Path, b.Location.Path),
		cmp.Compare(a.Location.Line, b.Location.Line),
		cmp.Compare(a.Location.Column, b.Location.Column),
		cmp.Compare(a.Location.Field, b.Location.Field),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sort sorts findings in place in the order of Compare.
func Sort(fs []Finding) { slices.SortStableFunc(fs, Compare) }
