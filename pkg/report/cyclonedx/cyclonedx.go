// Package cyclonedx writes an inventory as a CycloneDX 1.6 JSON document
// (https://cyclonedx.org/docs/1.6/json/) with the CycloneDX project's own Go
// library; tests validate the output against the published schema.
package cyclonedx

import (
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// Property names Bulwark adds, in its own namespace as CycloneDX asks.
const (
	propLayer     = "bulwark:location:layer"
	propPath      = "bulwark:location:path"
	propEcosystem = "bulwark:ecosystem"
	propSource    = "bulwark:source"
	// propUnpinned says the version is the lower bound of an allowed range.
	propUnpinned = "bulwark:version:minimum"
)

// BOM builds the CycloneDX document for an inventory.
func BOM(inv *sbom.Inventory, m sbom.Meta) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + m.UUID()
	root := &cdx.Component{BOMRef: "target", Type: cdx.ComponentTypeContainer, Name: m.Name, Version: m.Digest}
	if m.Kind == "directory" {
		root.Type = cdx.ComponentTypeFile
	}
	bom.Metadata = &cdx.Metadata{
		Timestamp: m.Time().Format("2006-01-02T15:04:05Z"),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: m.ToolName, Version: m.ToolVersion,
		}}},
		Component: root,
	}
	var comps []cdx.Component
	var deps []string
	if os := inv.OS; os != nil && os.ID != "" {
		comps = append(comps, cdx.Component{BOMRef: "os", Type: cdx.ComponentTypeOS, Name: os.ID, Version: os.Version, Description: os.Name})
		deps = append(deps, "os")
	}
	seen := map[string]int{}
	for _, p := range inv.Packages {
		ref := p.PURL
		if ref == "" {
			ref = p.Type + ":" + p.Name + "@" + p.Version
		}
		// bom-refs must be unique; the same package found twice gets a suffix.
		if n := seen[ref]; n > 0 {
			seen[ref] = n + 1
			ref = fmt.Sprintf("%s#%d", ref, n+1)
		} else {
			seen[ref] = 1
		}
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: p.PURL}
		if len(p.Licenses) > 0 {
			var ls cdx.Licenses
			for _, l := range p.Licenses {
				if isExpression(l) {
					ls = append(ls, cdx.LicenseChoice{Expression: l})
				} else {
					ls = append(ls, cdx.LicenseChoice{License: &cdx.License{Name: l}})
				}
			}
			// CycloneDX allows one expression, or any number of named licenses.
			if len(ls) > 1 {
				for i := range ls {
					if ls[i].Expression != "" {
						ls[i] = cdx.LicenseChoice{License: &cdx.License{Name: ls[i].Expression}}
					}
				}
			}
			c.Licenses = &ls
		}
		if p.Dev {
			// A development dependency is not needed at run time.
			c.Scope = cdx.ScopeOptional
		}
		var props []cdx.Property
		if p.Ecosystem != "" {
			props = append(props, cdx.Property{Name: propEcosystem, Value: p.Ecosystem})
		}
		if p.Unpinned {
			props = append(props, cdx.Property{Name: propUnpinned, Value: "true"})
		}
		if p.SourceName != "" {
			props = append(props, cdx.Property{Name: propSource, Value: strings.TrimSpace(p.SourceName + " " + p.SourceVersion)})
		}
		for _, l := range p.Locations {
			if l.Layer != "" {
				props = append(props, cdx.Property{Name: propLayer, Value: l.Layer})
			}
			props = append(props, cdx.Property{Name: propPath, Value: l.Path})
		}
		if len(props) > 0 {
			c.Properties = &props
		}
		comps = append(comps, c)
		deps = append(deps, ref)
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: "target", Dependencies: &deps}}
	return bom
}

// isExpression reports whether a licence string is a compound SPDX
// expression, which CycloneDX carries as "expression".
func isExpression(l string) bool {
	for _, op := range []string{" AND ", " OR ", " WITH "} {
		if strings.Contains(l, op) {
			return true
		}
	}
	return false
}

// Write encodes the document as CycloneDX 1.6 JSON.
func Write(w io.Writer, inv *sbom.Inventory, m sbom.Meta) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	return enc.EncodeVersion(BOM(inv, m), cdx.SpecVersion1_6)
}

// WriteWithVulnerabilities writes the inventory and the vulnerability
// findings against it (CycloneDX's vulnerabilities section, each affecting
// the component of its package).
func WriteWithVulnerabilities(w io.Writer, inv *sbom.Inventory, m sbom.Meta, fs []finding.Finding) error {
	bom := BOM(inv, m)
	refByPURL := map[string]string{}
	if bom.Components != nil {
		for _, c := range *bom.Components {
			if c.PackageURL != "" {
				if _, ok := refByPURL[c.PackageURL]; !ok {
					refByPURL[c.PackageURL] = c.BOMRef
				}
			}
		}
	}
	var vulns []cdx.Vulnerability
	for i, f := range fs {
		if f.Kind != finding.KindVulnerability {
			continue
		}
		v := cdx.Vulnerability{
			BOMRef:      fmt.Sprintf("vuln-%d", i+1),
			ID:          f.ID,
			Source:      &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + f.ID},
			Description: f.Title,
			Published:   f.Published,
		}
		if f.FixedVersion != "" {
			v.Recommendation = "Upgrade to " + f.FixedVersion + " or later"
		}
		rating := cdx.VulnerabilityRating{Severity: cdxSeverity(f.Severity)}
		if f.CVSS != nil {
			score := f.CVSS.Score
			rating.Score, rating.Vector = &score, f.CVSS.Vector
			switch {
			case strings.HasPrefix(f.CVSS.Vector, "CVSS:3.1/"):
				rating.Method = cdx.ScoringMethodCVSSv31
			case strings.HasPrefix(f.CVSS.Vector, "CVSS:3.0/"):
				rating.Method = cdx.ScoringMethodCVSSv3
			case strings.HasPrefix(f.CVSS.Vector, "CVSS:4.0/"):
				rating.Method = cdx.ScoringMethodCVSSv4
			default:
				rating.Method = cdx.ScoringMethodCVSSv2
			}
		}
		v.Ratings = &[]cdx.VulnerabilityRating{rating}
		if len(f.Aliases) > 0 {
			var refs []cdx.VulnerabilityReference
			for _, a := range f.Aliases {
				refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{URL: "https://osv.dev/vulnerability/" + a}})
			}
			v.References = &refs
		}
		if f.Package != nil {
			if ref, ok := refByPURL[f.Package.PURL]; ok {
				v.Affects = &[]cdx.Affects{{Ref: ref}}
			}
		}
		props := []cdx.Property{{Name: "bulwark:status", Value: f.Status}}
		if f.FixedVersion != "" {
			props = append(props, cdx.Property{Name: "bulwark:fixedVersion", Value: f.FixedVersion})
		}
		if f.KEV {
			props = append(props, cdx.Property{Name: "bulwark:kev", Value: "true"})
		}
		v.Properties = &props
		vulns = append(vulns, v)
	}
	bom.Vulnerabilities = &vulns
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func cdxSeverity(s finding.Severity) cdx.Severity {
	switch s {
	case finding.Critical:
		return cdx.SeverityCritical
	case finding.High:
		return cdx.SeverityHigh
	case finding.Medium:
		return cdx.SeverityMedium
	case finding.Low:
		return cdx.SeverityLow
	case finding.Info:
		return cdx.SeverityInfo
	}
	return cdx.SeverityUnknown
}
