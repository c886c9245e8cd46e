// Package vex reads OpenVEX documents (https://openvex.dev, spec v0.2.0,
// and the v0.0.1 shapes where they differ) and tells which findings their
// statements declare "not_affected" or "fixed".
package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/package-url/packageurl-go"
)

// Statuses that suppress a finding.
const (
	NotAffected = "not_affected"
	Fixed       = "fixed"
)

// Statement is one VEX statement.
type Statement struct {
	Vulnerabilities []string // name and aliases
	Products        []string // product IDs (PURLs, image references)
	Subcomponents   []string
	Status          string
	Justification   string
	Impact          string
}

// Document is a parsed OpenVEX document.
type Document struct {
	Source     string
	ID         string
	Statements []Statement
}

type rawDoc struct {
	Context    string         `json:"@context"`
	ID         string         `json:"@id"`
	Statements []rawStatement `json:"statements"`
}

type rawStatement struct {
	Vulnerability   json.RawMessage   `json:"vulnerability"`
	Products        []json.RawMessage `json:"products"`
	Status          string            `json:"status"`
	Justification   string            `json:"justification"`
	ImpactStatement string            `json:"impact_statement"`
}

type rawProduct struct {
	ID            string `json:"@id"`
	Subcomponents []struct {
		ID string `json:"@id"`
	} `json:"subcomponents"`
}

// Load reads an OpenVEX file.
func Load(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputerr.New(path, 0, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil, inputerr.New(path, 0, err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, inputerr.New(path, 0, err)
	}
	d.Source = path
	return d, nil
}

// Parse reads an OpenVEX document.
func Parse(b []byte) (*Document, error) {
	var r rawDoc
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if !strings.Contains(r.Context, "openvex") {
		return nil, errors.New(`not an OpenVEX document (no openvex "@context")`)
	}
	d := &Document{ID: r.ID}
	for i, rs := range r.Statements {
		s := Statement{Status: rs.Status, Justification: rs.Justification, Impact: rs.ImpactStatement}
		// v0.2.0: {"name": ..., "aliases": [...]}; v0.0.1: a string.
		var name string
		if json.Unmarshal(rs.Vulnerability, &name) == nil {
			s.Vulnerabilities = []string{name}
		} else {
			var v struct {
				ID      string   `json:"@id"`
				Name    string   `json:"name"`
				Aliases []string `json:"aliases"`
			}
			if err := json.Unmarshal(rs.Vulnerability, &v); err != nil {
				return nil, fmt.Errorf("statement %d: vulnerability: %w", i+1, err)
			}
			s.Vulnerabilities = append([]string{v.Name}, v.Aliases...)
		}
		for _, rp := range rs.Products {
			var id string
			if json.Unmarshal(rp, &id) == nil {
				s.Products = append(s.Products, id)
				continue
			}
			var p rawProduct
			if err := json.Unmarshal(rp, &p); err != nil {
				return nil, fmt.Errorf("statement %d: product: %w", i+1, err)
			}
			s.Products = append(s.Products, p.ID)
			for _, sc := range p.Subcomponents {
				s.Subcomponents = append(s.Subcomponents, sc.ID)
			}
		}
		switch s.Status {
		case NotAffected, Fixed, "affected", "under_investigation":
		default:
			return nil, fmt.Errorf("statement %d: unknown status %q", i+1, s.Status)
		}
		d.Statements = append(d.Statements, s)
	}
	return d, nil
}

// Suppresses returns the statement that declares a finding not affected
// or fixed, if any. target names the scanned image (its reference or
// digest), which a statement may name as its product.
func (d *Document) Suppresses(f finding.Finding, target string) (*Statement, bool) {
	if f.Kind != finding.KindVulnerability {
		return nil, false
	}
	purl := ""
	if f.Package != nil {
		purl = f.Package.PURL
	}
	for i := range d.Statements {
		s := &d.Statements[i]
		if s.Status != NotAffected && s.Status != Fixed {
			continue
		}
		named := false
		for _, v := range s.Vulnerabilities {
			if v != "" && f.HasName(v) {
				named = true
			}
		}
		if !named {
			continue
		}
		for _, p := range s.Products {
			switch {
			case samePackage(p, purl):
				return s, true
			case p != "" && target != "" && (p == target || strings.HasSuffix(target, "@"+p) || strings.Contains(p, target)):
				if len(s.Subcomponents) == 0 {
					return s, true // the whole image
				}
				for _, sc := range s.Subcomponents {
					if samePackage(sc, purl) {
						return s, true
					}
				}
			}
		}
	}
	return nil, false
}

// samePackage compares PURLs by type, namespace and name, and by version
// when the statement gives one; qualifiers do not matter.
func samePackage(stmt, pkg string) bool {
	if stmt == "" || pkg == "" || !strings.HasPrefix(stmt, "pkg:") {
		return false
	}
	a, err1 := packageurl.FromString(stmt)
	b, err2 := packageurl.FromString(pkg)
	if err1 != nil || err2 != nil {
		return false
	}
	return a.Type == b.Type && a.Namespace == b.Namespace && a.Name == b.Name && (a.Version == "" || a.Version == b.Version)
}
