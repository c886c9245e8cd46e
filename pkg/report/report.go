// Package report renders one Report (what was checked, the findings that
// remain after policy, and what could not be read) in the formats users and
// machines read: a table for people, versioned JSON, and SARIF 2.1.0 for
// code-scanning dashboards.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

// SchemaVersion is the version of the JSON report. It changes only when a
// field changes meaning or disappears; new fields do not bump it.
const SchemaVersion = 1

// Report is the result of one Bulwark run.
type Report struct {
	SchemaVersion int `json:"schemaVersion"`
	// Tool is the producing tool and version.
	Tool   Tool   `json:"tool"`
	Target Target `json:"target"`
	// Findings that remain after ignores, sorted by location.
	Findings []finding.Finding `json:"findings"`
	// Packages are the target's packages, for image and directory targets.
	Packages []sbom.Package `json:"packages,omitempty"`
	// Suppressed counts findings hidden by ignores, VEX or disabled rules.
	Suppressed int `json:"suppressed"`
	// SuppressedFindings say which findings were hidden, by what and why.
	SuppressedFindings []SuppressedFinding `json:"suppressedFindings,omitempty"`
	// Errors are inputs that could not be checked; the others were.
	Errors []InputError `json:"errors,omitempty"`
	// Warnings are notes for the user (an expired ignore entry ...).
	Warnings []string `json:"warnings,omitempty"`
	// Checks say which check families ran and, for those that did not, why
	// (no vulnerability database ...), so an empty list of findings is
	// never mistaken for a clean bill.
	Checks []Check `json:"checks,omitempty"`
	// Layers is the image's layer view, for image targets.
	Layers []layerview.Layer `json:"layers,omitempty"`
	// Efficiency is the image's layer efficiency, as Dive computes it.
	Efficiency *layerview.Efficiency `json:"efficiency,omitempty"`

	// Rules describes the rules findings may come from, for formats that
	// carry rule help (SARIF). Not part of the JSON report.
	Rules []*rule.Rule `json:"-"`
}

// Tool names the producer of a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target is what was checked.
type Target struct {
	// Name is the target as the user gave it (paths, an image reference).
	Name string `json:"name"`
	// Kind is "dockerfile", "directory", "image", "manifest" ...
	Kind string `json:"kind"`
	// Files lists the files that were checked, for file targets.
	Files []string `json:"files,omitempty"`
	// Digest is the image's manifest digest, for image targets.
	Digest string `json:"digest,omitempty"`
	// OS is the image's operating system, for image targets.
	OS *sbom.OS `json:"os,omitempty"`
	// Base is the base image, when known: its name and how many of the
	// image's layers (from the bottom) are its.
	Base *BaseImage `json:"base,omitempty"`
}

// BaseImage identifies the base of an image target.
type BaseImage struct {
	Name   string `json:"name"`
	Layers int    `json:"layers"`
	// Findings counts the findings its layers carry; the rest come from the
	// application's own layers.
	Findings int `json:"findings"`
}

// SuppressedFinding is a finding an ignore entry, a comment or a VEX
// statement hid.
type SuppressedFinding struct {
	ID       string           `json:"id"`
	Package  *finding.Package `json:"package,omitempty"`
	Location finding.Location `json:"location"`
	By       string           `json:"by"`
	Reason   string           `json:"reason"`
}

// Check is one family of checks (vuln, image, secret) and whether it ran.
type Check struct {
	Name   string `json:"name"`
	Ran    bool   `json:"ran"`
	Reason string `json:"reason,omitempty"`
}

// InputError is an input that could not be checked.
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Format is an output format.
type Format string

// The formats every findings command supports.
const (
	Table Format = "table"
	JSON  Format = "json"
	SARIF Format = "sarif"
)

// Formats lists the supported formats, for flag help.
var Formats = []Format{Table, JSON, SARIF}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	if slices.Contains(Formats, f) {
		return f, nil
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, strings.Join(names, ", "))
}

// Options tune rendering.
type Options struct {
	// Color enables ANSI colours in the table; the CLI sets it only on a
	// terminal without NO_COLOR.
	Color bool
}

// Write renders r in format f.
func Write(w io.Writer, r *Report, f Format, opts Options) error {
	r = redacted(r)
	switch f {
	case Table:
		return writeTable(w, r, opts)
	case JSON:
		return writeJSON(w, r)
	case SARIF:
		return writeSARIF(w, r)
	}
	return fmt.Errorf("unknown format %q", f)
}

// Counts returns the number of findings per severity.
func (r *Report) Counts() map[finding.Severity]int {
	m := map[finding.Severity]int{}
	for _, f := range r.Findings {
		m[f.Severity]++
	}
	return m
}

// rule returns the description of rule id, if the report has it.
func (r *Report) rule(id string) *rule.Rule {
	for _, ru := range r.Rules {
		if ru.ID == id {
			return ru
		}
	}
	return nil
}
