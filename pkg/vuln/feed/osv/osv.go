// Package osv reads vulnerability records in the OSV format
// (https://ossf.github.io/osv-schema/), one JSON file per record, as
// osv.dev exports them per ecosystem in all.zip.
package osv

import (
	"encoding/json"
	"errors"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/feedzip"
	"io"
	"path"
	"strings"
)

// Limits for archives from the network.
const (
	MaxRecordSize = 16 << 20
	MaxRecords    = 2_000_000
)

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Range is a range of affected versions.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Severity is a CVSS (or other) score.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Package names what a record affects.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Affected is one package a record affects.
type Affected struct {
	Package           Package         `json:"package"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	Severity          []Severity      `json:"severity,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
}

// Reference is a link.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Record is one OSV vulnerability record, with the fields Bulwark uses;
// others are ignored.
type Record struct {
	ID         string      `json:"id"`
	Modified   string      `json:"modified"`
	Published  string      `json:"published,omitempty"`
	Withdrawn  string      `json:"withdrawn,omitempty"`
	Aliases    []string    `json:"aliases,omitempty"`
	Upstream   []string    `json:"upstream,omitempty"`
	Summary    string      `json:"summary,omitempty"`
	Details    string      `json:"details,omitempty"`
	Severity   []Severity  `json:"severity,omitempty"`
	Affected   []Affected  `json:"affected,omitempty"`
	References []Reference `json:"references,omitempty"`
}

// Urgency returns the distribution's own urgency of an affected entry
// (Debian's "unimportant", "low" ...), if any.
func (a *Affected) Urgency() string {
	var es struct {
		Urgency string `json:"urgency"`
	}
	if len(a.EcosystemSpecific) > 0 && json.Unmarshal(a.EcosystemSpecific, &es) == nil {
		return es.Urgency
	}
	return ""
}

// CVEs returns the CVE IDs the record is, or is an alias of.
func (r *Record) CVEs() []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range append(append([]string{r.ID}, r.Aliases...), r.Upstream...) {
		if strings.HasPrefix(id, "CVE-") && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Parse reads one record.
func Parse(b []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if r.ID == "" {
		return nil, errors.New("record without an id")
	}
	return &r, nil
}

// ReadZip calls fn for each record of an all.zip archive. A record that
// does not parse is reported to bad (with its file name) and skipped; a
// damaged archive is an error.
func ReadZip(r io.ReaderAt, size int64, fn func(*Record) error, bad func(name string, err error)) error {
	isJSON := func(name string) bool { return path.Ext(name) == ".json" }
	return feedzip.Each(r, size, feedzip.Limits{Records: MaxRecords, RecordSize: MaxRecordSize}, isJSON, Parse, fn, bad)
}
