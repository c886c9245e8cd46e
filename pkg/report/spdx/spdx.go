// Package spdx writes an inventory as an SPDX 2.3 JSON document
// (https://spdx.github.io/spdx-spec/v2.3/) with the SPDX project's own Go
// library; tests validate the output against the published schema.
package spdx

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	v23 "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/bulwarksec/bulwark/pkg/core/sbom"
)

// NamespaceBase prefixes document namespaces, which SPDX requires to be
// unique URIs; they need not resolve.
const NamespaceBase = "https://bulwarksec.github.io/spdx/"

const noAssertion = "NOASSERTION"

// Document builds the SPDX document for an inventory.
func Document(inv *sbom.Inventory, m sbom.Meta) *v23.Document {
	doc := &v23.Document{
		SPDXVersion:       v23.Version,
		DataLicense:       v23.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      m.Name,
		DocumentNamespace: NamespaceBase + url.PathEscape(m.Name) + "-" + m.UUID(),
		CreationInfo: &v23.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: m.ToolName + "-" + m.ToolVersion}},
			Created:  m.Time().Format("2006-01-02T15:04:05Z"),
		},
	}
	root := &v23.Package{
		PackageName: m.Name, PackageSPDXIdentifier: "Target", PackageVersion: m.Digest,
		PackageDownloadLocation: noAssertion, PrimaryPackagePurpose: "CONTAINER",
	}
	if m.Kind == "directory" {
		root.PrimaryPackagePurpose = "SOURCE"
	}
	doc.Packages = append(doc.Packages, root)
	doc.Relationships = append(doc.Relationships, &v23.Relationship{
		RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", "Target"), Relationship: "DESCRIBES",
	})
	contain := func(id common.ElementID) {
		doc.Relationships = append(doc.Relationships, &v23.Relationship{
			RefA: common.MakeDocElementID("", "Target"), RefB: common.MakeDocElementID("", string(id)), Relationship: "CONTAINS",
		})
	}
	if os := inv.OS; os != nil && os.ID != "" {
		doc.Packages = append(doc.Packages, &v23.Package{
			PackageName: os.ID, PackageSPDXIdentifier: "OperatingSystem", PackageVersion: os.Version,
			PackageDownloadLocation: noAssertion, PrimaryPackagePurpose: "OPERATING_SYSTEM", PackageDescription: os.Name,
		})
		contain("OperatingSystem")
	}
	for i, p := range inv.Packages {
		id := common.ElementID(fmt.Sprintf("Package-%d", i+1))
		sp := &v23.Package{
			PackageName: p.Name, PackageSPDXIdentifier: id, PackageVersion: p.Version,
			PackageDownloadLocation: noAssertion, PackageLicenseConcluded: noAssertion,
			PackageLicenseDeclared: declared(p.Licenses), PackageCopyrightText: noAssertion,
			PrimaryPackagePurpose: "LIBRARY",
		}
		if p.PURL != "" {
			sp.PackageExternalReferences = []*v23.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: p.PURL}}
		}
		if p.SourceName != "" {
			sp.PackageSourceInfo = "built from source package " + strings.TrimSpace(p.SourceName+" "+p.SourceVersion)
		}
		var locs []string
		for _, l := range p.Locations {
			if l.Layer != "" {
				locs = append(locs, l.Path+" (layer "+l.Layer+")")
			} else {
				locs = append(locs, l.Path)
			}
		}
		if len(locs) > 0 {
			sp.PackageComment = "found at " + strings.Join(locs, ", ")
		}
		if p.Dev {
			sp.PackageComment = strings.TrimPrefix(sp.PackageComment+"; development dependency", "; ")
		}
		if p.Unpinned {
			sp.PackageComment = strings.TrimPrefix(sp.PackageComment+"; version is the lowest the requirement allows", "; ")
		}
		doc.Packages = append(doc.Packages, sp)
		contain(id)
	}
	return doc
}

// licenceToken is what an SPDX licence identifier or LicenseRef may hold.
var licenceToken = regexp.MustCompile(`^(LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.+\-]*$`)

// declared returns the licences as one SPDX expression, or NOASSERTION
// when any of them is free text ("Apache 2.0") rather than identifiers.
func declared(ls []string) string {
	if len(ls) == 0 {
		return noAssertion
	}
	for _, l := range ls {
		for _, tok := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(l)) {
			if tok == "AND" || tok == "OR" || tok == "WITH" {
				continue
			}
			if !licenceToken.MatchString(tok) {
				return noAssertion
			}
		}
		if isFreeText(l) {
			return noAssertion
		}
	}
	if len(ls) == 1 {
		return ls[0]
	}
	return "(" + strings.Join(ls, ") AND (") + ")"
}

// isFreeText catches two identifiers side by side without an operator.
func isFreeText(l string) bool {
	prevOp := true
	for _, tok := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(l)) {
		isOp := tok == "AND" || tok == "OR" || tok == "WITH"
		if !isOp && !prevOp {
			return true
		}
		prevOp = isOp
	}
	return false
}

// Write encodes the document as SPDX 2.3 JSON.
func Write(w io.Writer, inv *sbom.Inventory, m sbom.Meta) error {
	return spdxjson.Write(Document(inv, m), w, spdxjson.Indent("  "))
}
