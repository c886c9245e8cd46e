// Package match finds the known vulnerabilities of an inventory's
// packages in the vulnerability database, as OSV defines matching: a
// version is affected when a listed version equals it or a range's events,
// evaluated in version order with the ecosystem's own comparator, leave it
// affected. Distribution packages match on their source package and the
// release's ecosystem ("Debian:12"), language packages on ecosystem and
// normalised name.
package match

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/vuln/version"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// Statuses of a vulnerability finding.
const (
	StatusFixed    = "fixed"
	StatusNotFixed = "not-fixed"
)

// Unmatchable is a package whose version the ecosystem's comparator
// rejects, or a feed version it rejects: reported, never silently dropped.
type Unmatchable struct {
	Package sbom.Package
	Err     error
}

// Result is what matching found.
type Result struct {
	Findings    []finding.Finding
	Unmatchable []Unmatchable
}

// Source is where vulnerabilities come from; *vulndb.DB is one.
type Source interface {
	Affected(ecosystem, name string) ([]vulndb.Affected, error)
	Vuln(id string) (*vulndb.Vuln, error)
}

// Packages matches every package of the inventory.
func Packages(db Source, pkgs []sbom.Package) (*Result, error) {
	res := &Result{}
	for _, p := range pkgs {
		if p.Ecosystem == "" {
			continue
		}
		cmp := version.For(p.Ecosystem)
		if cmp == nil {
			continue
		}
		name, ver := matchName(p), matchVersion(p)
		entries, err := db.Affected(p.Ecosystem, name)
		if err != nil {
			return nil, fmt.Errorf("reading the database: %w", err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if seen[e.ID] {
				continue
			}
			hit, fixed, err := Affects(cmp, ver, e)
			if err != nil {
				res.Unmatchable = append(res.Unmatchable, Unmatchable{Package: p, Err: fmt.Errorf("%s: %w", e.ID, err)})
				continue
			}
			if !hit {
				continue
			}
			seen[e.ID] = true
			v, err := db.Vuln(e.ID)
			if err != nil {
				return nil, fmt.Errorf("reading the database: %w", err)
			}
			res.Findings = append(res.Findings, newFinding(p, ver, e, v, fixed))
		}
	}
	finding.Sort(res.Findings)
	return res, nil
}

// matchName is the name advisories use: the source package for
// distributions (Debian and Alpine advisories are about source packages).
func matchName(p sbom.Package) string {
	if p.SourceName != "" && (p.Type == sbom.TypeDeb || p.Type == sbom.TypeAPK || p.Type == sbom.TypeRPM) {
		return p.SourceName
	}
	return p.Name
}

// matchVersion is the version advisories use: Debian's source version
// (a binNMU such as 5.2.15-2+b13 was built from source 5.2.15-2).
func matchVersion(p sbom.Package) string {
	if p.SourceVersion != "" && p.Type == sbom.TypeDeb {
		return p.SourceVersion
	}
	return p.Version
}

// Affects reports whether version v is affected by e, and the version that
// fixes it (the first fixed event above v), if any.
func Affects(cmp version.Compare, v string, e vulndb.Affected) (bool, string, error) {
	if slices.Contains(e.Versions, v) {
		return true, "", nil
	}
	for _, r := range e.Ranges {
		hit, fixed, err := inRange(cmp, v, r)
		if err != nil {
			return false, "", err
		}
		if hit {
			return true, fixed, nil
		}
	}
	return false, "", nil
}

// inRange evaluates one range, as the OSV schema's reference algorithm
// does: events sorted by version ("0" first), introduced turns affected
// on, fixed and a passed last_affected turn it off.
func inRange(cmp version.Compare, v string, r vulndb.Range) (bool, string, error) {
	events := append(vulndb.Range(nil), r...)
	var sortErr error
	sort.SliceStable(events, func(i, j int) bool {
		a, b := events[i].Version(), events[j].Version()
		if a == "0" || b == "0" {
			return a == "0" && b != "0"
		}
		c, err := cmp(a, b)
		if err != nil && sortErr == nil {
			sortErr = err
		}
		return c < 0
	})
	if sortErr != nil {
		return false, "", fmt.Errorf("feed version: %w", sortErr)
	}
	affected := false
	fixed := ""
	for _, ev := range events {
		ver := ev.Version()
		var c int
		if ver == "0" {
			c = 1 // every version is at or above "0"
		} else {
			var err error
			if c, err = cmp(v, ver); err != nil {
				return false, "", err
			}
		}
		switch ev.Kind() {
		case 'i':
			if c >= 0 {
				affected = true
			}
		case 'f':
			if c >= 0 {
				affected = false
			} else if affected && fixed == "" {
				fixed = ver
			}
		case 'l':
			if c > 0 {
				affected = false
			}
		case 'x':
			if c >= 0 {
				affected = false
			}
		}
	}
	if !affected {
		fixed = ""
	}
	return affected, fixed, nil
}

func newFinding(p sbom.Package, matchedVer string, e vulndb.Affected, v *vulndb.Vuln, fixed string) finding.Finding {
	if v == nil {
		v = &vulndb.Vuln{ID: e.ID}
	}
	f := finding.Finding{
		ID:           v.ID,
		Kind:         finding.KindVulnerability,
		Severity:     severity(v, e.Urgency),
		Package:      &finding.Package{Name: p.Name, Version: p.Version, Ecosystem: p.Ecosystem, PURL: p.PURL},
		FixedVersion: fixed,
		Status:       StatusNotFixed,
		KEV:          v.KEV != "",
		Published:    v.Published,
		Urgency:      e.Urgency,
	}
	if fixed != "" {
		f.Status = StatusFixed
	}
	for _, a := range v.Aliases {
		if strings.HasPrefix(a, "CVE-") || strings.HasPrefix(a, "GHSA-") {
			f.Aliases = append(f.Aliases, a)
		}
	}
	if v.Vector != "" {
		f.CVSS = &finding.CVSS{Score: v.Score, Vector: v.Vector}
	}
	if len(p.Locations) > 0 {
		f.Location = finding.Location{Layer: p.Locations[0].Layer, Path: p.Locations[0].Path}
		f.Layer = p.Locations[0].Layer
	}
	f.Title = v.Summary
	if f.Title == "" {
		f.Title = fmt.Sprintf("%s in %s", v.ID, p.Name)
	}
	installed := p.Version
	if matchedVer != p.Version {
		installed += " (source " + matchName(p) + " " + matchedVer + ")"
	}
	switch {
	case fixed != "":
		f.Message = fmt.Sprintf("%s %s is affected by %s; fixed in %s", p.Name, installed, v.ID, fixed)
		f.Fix = fmt.Sprintf("upgrade %s to %s or later", matchName(p), fixed)
	default:
		f.Message = fmt.Sprintf("%s %s is affected by %s; no fixed version yet", p.Name, installed, v.ID)
	}
	if e.Urgency != "" {
		f.Message += " (distribution urgency: " + e.Urgency + ")"
	}
	f.References = append(f.References, v.References...)
	f.References = append(f.References, "https://osv.dev/vulnerability/"+v.ID)
	return f
}

// severity is the CVSS rating when there is a score, else the
// distribution's urgency, else unknown.
func severity(v *vulndb.Vuln, urgency string) finding.Severity {
	if v.Severity != "" {
		if s, err := finding.ParseSeverity(v.Severity); err == nil {
			return s
		}
	}
	u := strings.ToLower(urgency)
	switch {
	case strings.HasPrefix(u, "high"):
		return finding.High
	case strings.HasPrefix(u, "medium"):
		return finding.Medium
	case strings.HasPrefix(u, "low"), u == "unimportant":
		return finding.Low
	}
	return finding.Unknown
}
