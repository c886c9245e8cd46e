// Package kev reads CISA's Known Exploited Vulnerabilities catalog
// (https://www.cisa.gov/known-exploited-vulnerabilities-catalog).
package kev

import (
	"encoding/json"
	"fmt"
	"io"
)

// MaxSize caps the catalog read into memory.
const MaxSize = 64 << 20

// Catalog maps CVE IDs to the date CISA added them.
type Catalog struct {
	Version string
	Added   map[string]string
}

// Read parses the catalog JSON.
func Read(r io.Reader) (*Catalog, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSize)
	}
	var f struct {
		CatalogVersion  string `json:"catalogVersion"`
		Vulnerabilities []struct {
			CveID     string `json:"cveID"`
			DateAdded string `json:"dateAdded"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Vulnerabilities == nil {
		return nil, fmt.Errorf("no vulnerabilities list: not the KEV catalog")
	}
	c := &Catalog{Version: f.CatalogVersion, Added: map[string]string{}}
	for _, v := range f.Vulnerabilities {
		if v.CveID != "" {
			c.Added[v.CveID] = v.DateAdded
		}
	}
	return c, nil
}
