package java

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
)

// Maven has no lockfile; in a source tree, pom.xml's direct dependencies
// with versions it states (literally or through its own properties) are
// what the build will fetch. Versions managed by a parent or an imported
// BOM are not resolvable without the network and are left out.

type pom struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Parent     struct {
		GroupID string `xml:"groupId"`
		Version string `xml:"version"`
	} `xml:"parent"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Dependencies []struct {
		GroupID    string `xml:"groupId"`
		ArtifactID string `xml:"artifactId"`
		Version    string `xml:"version"`
		Scope      string `xml:"scope"`
	} `xml:"dependencies>dependency"`
}

var propRef = regexp.MustCompile(`\$\{([^}]+)\}`)

func parsePOM(f *catalog.File) ([]sbom.Package, error) {
	var p pom
	dec := xml.NewDecoder(strings.NewReader(string(f.Content)))
	dec.Strict = false
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("pom.xml: %w", err)
	}
	props := map[string]string{
		"project.version": p.Version, "project.groupId": p.GroupID, "project.parent.version": p.Parent.Version,
	}
	if props["project.version"] == "" {
		props["project.version"] = p.Parent.Version
	}
	for _, e := range p.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	resolve := func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		for i := 0; i < 5 && strings.Contains(s, "${"); i++ {
			s = propRef.ReplaceAllStringFunc(s, func(m string) string {
				if v, ok := props[m[2:len(m)-1]]; ok {
					return v
				}
				return m
			})
		}
		// "@name@" is a resource-filtering placeholder: no version either.
		placeholder := len(s) > 2 && s[0] == '@' && s[len(s)-1] == '@'
		return s, s != "" && !strings.Contains(s, "${") && !placeholder
	}
	var out []sbom.Package
	// The project itself, listed as Root, as Trivy lists it. A pom under
	// src/it or src/test is a test fixture of the build, so development.
	dev := strings.Contains("/"+f.Path, "/src/it/") || strings.Contains("/"+f.Path, "/src/test/")
	group := p.GroupID
	if group == "" {
		group = p.Parent.GroupID
	}
	if g, okG := resolve(group); okG && p.ArtifactID != "" {
		if v, okV := resolve(props["project.version"]); okV && !strings.ContainsAny(v, "[]()") {
			out = append(out, sbom.Package{Name: g + ":" + strings.TrimSpace(p.ArtifactID), Version: v, Type: sbom.TypeMaven, Root: true, Dev: dev,
				Locations: []sbom.Location{{Path: f.Path}}})
		}
	}
	for _, d := range p.Dependencies {
		g, okG := resolve(d.GroupID)
		v, okV := resolve(d.Version)
		if !okG || !okV || d.ArtifactID == "" || d.Scope == "test" || d.Scope == "system" {
			continue
		}
		// Ranges ("[1.0,2.0)") name no single version.
		if strings.ContainsAny(v, "[]()") {
			continue
		}
		out = append(out, sbom.Package{Name: g + ":" + d.ArtifactID, Version: v, Type: sbom.TypeMaven, Dev: dev, Locations: []sbom.Location{{Path: f.Path}}})
	}
	return out, nil
}
