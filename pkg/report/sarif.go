package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

// The subset of SARIF 2.1.0 that Bulwark writes. Field names follow the
// specification (https://docs.oasis-open.org/sarif/sarif/v2.1.0/); a test
// validates the output against the published JSON schema.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	Tags             []string `json:"tags,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
	Precision        string   `json:"precision,omitempty"`
}

type sarifResult struct {
	RuleID     string            `json:"ruleId"`
	RuleIndex  int               `json:"ruleIndex"`
	Level      string            `json:"level"`
	Message    sarifText         `json:"message"`
	Locations  []sarifLocation   `json:"locations,omitempty"`
	Properties *sarifResultProps `json:"properties,omitempty"`
}

type sarifResultProps struct {
	Severity string   `json:"severity"`
	Aliases  []string `json:"aliases,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// sarifLevel maps severities to SARIF levels as GitHub shows them.
func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Critical, finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's numeric severity: it ranks
// 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low.
func securitySeverity(s finding.Severity) string {
	return map[finding.Severity]string{
		finding.Critical: "9.5", finding.High: "8.0", finding.Medium: "5.5",
		finding.Low: "2.0", finding.Info: "0.0", finding.Unknown: "0.0",
	}[s]
}

// artifactURI makes a file path a URI: relative paths stay relative, as
// GitHub expects for files in the repository; absolute ones become file:
// URIs.
func artifactURI(p string) string {
	if p == "-" {
		return "stdin"
	}
	p = filepath.ToSlash(filepath.Clean(p))
	if strings.HasPrefix(p, "/") {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

func writeSARIF(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           r.Tool.Name,
			Version:        r.Tool.Version,
			InformationURI: "https://github.com/bulwarksec/bulwark",
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	index := map[string]int{}
	for _, f := range r.Findings {
		i, ok := index[f.ID]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.ID] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(r, f))
		}
		res := sarifResult{
			RuleID:     f.ID,
			RuleIndex:  i,
			Level:      sarifLevel(f.Severity),
			Message:    sarifText{Text: f.Message},
			Properties: &sarifResultProps{Severity: f.Severity.String(), Aliases: f.Aliases},
		}
		if loc := sarifLoc(f.Location); loc != nil {
			res.Locations = []sarifLocation{*loc}
		}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{Text: e.Message}}
		if loc := sarifLoc(finding.Location{File: e.File, Line: e.Line}); loc != nil {
			n.Locations = []sarifLocation{*loc}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&log)
}

func sarifLoc(l finding.Location) *sarifLocation {
	var uri string
	switch {
	case l.File != "":
		uri = artifactURI(l.File)
	case l.Path != "":
		// A path inside an image is not a file on this machine: keep it
		// a plain path, not a file: URI.
		uri = (&url.URL{Path: l.Path}).String()
	default:
		return nil
	}
	loc := &sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}
	if l.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line, StartColumn: l.Column, EndLine: max(l.EndLine, l.Line)}
	}
	return loc
}

// sarifRuleFor describes a rule from the report's rule data, or from the
// finding itself for findings without rule data (vulnerabilities).
func sarifRuleFor(r *Report, f finding.Finding) sarifRule {
	sr := sarifRule{
		ID:                   f.ID,
		ShortDescription:     sarifText{Text: f.Title},
		FullDescription:      sarifText{Text: f.Title},
		Help:                 sarifText{Text: f.Fix},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(f.Severity)},
		Properties: sarifProperties{
			Tags:             []string{"security", string(f.Kind)},
			SecuritySeverity: securitySeverity(f.Severity),
			Precision:        "high",
		},
	}
	if len(f.References) > 0 {
		sr.HelpURI = f.References[0]
	}
	if ru := r.rule(f.ID); ru != nil {
		sr.Name = ruleName(ru.Title)
		sr.ShortDescription = sarifText{Text: ru.Title}
		sr.FullDescription = sarifText{Text: oneParagraph(ru.Why)}
		sr.Help = sarifText{
			Text:     fmt.Sprintf("%s\n\nFix: %s", oneParagraph(ru.Why), ru.Fix),
			Markdown: ru.Markdown(),
		}
		sr.HelpURI = ru.HelpURI()
		sr.DefaultConfiguration.Level = sarifLevel(ru.Severity)
		sr.Properties.SecuritySeverity = securitySeverity(ru.Severity)
	}
	if sr.Help.Text == "" {
		sr.Help.Text = f.Title
	}
	if sr.ShortDescription.Text == "" {
		sr.ShortDescription.Text = f.ID
		sr.FullDescription.Text = f.ID
	}
	return sr
}

// ruleName turns a title into the PascalCase name SARIF viewers show.
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// oneParagraph joins hard-wrapped lines.
func oneParagraph(s string) string { return strings.Join(strings.Fields(s), " ") }
