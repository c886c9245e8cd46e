// Package cve5 reads CVE records in the CVE JSON 5 format
// (https://github.com/CVEProject/cve-schema), as the CVE List and CISA's
// Vulnrichment publish them, for the CVSS metrics of the assigning CNA and
// of CISA's ADP container.
package cve5

import (
	"encoding/json"
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/feedzip"
	"io"
	"path"
	"strings"
)

// MaxRecordSize caps one record read from an archive.
const MaxRecordSize = 8 << 20

// Metric is a CVSS vector with the score its publisher stated.
type Metric struct {
	// Version is "2.0", "3.0", "3.1" or "4.0".
	Version string
	Vector  string
	Score   float64
	// Source is "cna" or "adp".
	Source string
}

// Record is what Bulwark keeps of a CVE record.
type Record struct {
	ID        string
	Published string
	Metrics   []Metric
}

type cvss struct {
	Version      string  `json:"version"`
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
}

type metrics []struct {
	V20 *cvss `json:"cvssV2_0"`
	V30 *cvss `json:"cvssV3_0"`
	V31 *cvss `json:"cvssV3_1"`
	V40 *cvss `json:"cvssV4_0"`
}

// Parse reads one record.
func Parse(b []byte) (*Record, error) {
	var f struct {
		CveMetadata struct {
			CveID         string `json:"cveId"`
			DatePublished string `json:"datePublished"`
		} `json:"cveMetadata"`
		Containers struct {
			CNA struct {
				Metrics metrics `json:"metrics"`
			} `json:"cna"`
			ADP []struct {
				Metrics metrics `json:"metrics"`
			} `json:"adp"`
		} `json:"containers"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(f.CveMetadata.CveID, "CVE-") {
		return nil, fmt.Errorf("no cveMetadata.cveId: not a CVE JSON 5 record")
	}
	r := &Record{ID: f.CveMetadata.CveID, Published: f.CveMetadata.DatePublished}
	add := func(ms metrics, src string) {
		for _, m := range ms {
			for _, c := range []struct {
				v   string
				val *cvss
			}{{"4.0", m.V40}, {"3.1", m.V31}, {"3.0", m.V30}, {"2.0", m.V20}} {
				if c.val != nil && c.val.VectorString != "" {
					r.Metrics = append(r.Metrics, Metric{Version: c.v, Vector: c.val.VectorString, Score: c.val.BaseScore, Source: src})
				}
			}
		}
	}
	add(f.Containers.CNA.Metrics, "cna")
	for _, a := range f.Containers.ADP {
		add(a.Metrics, "adp")
	}
	return r, nil
}

// ReadZip calls fn for each record in a zip of CVE JSON 5 files (the
// cvelistV5 and vulnrichment layouts: YEAR/NNxxx/CVE-YEAR-N.json).
func ReadZip(r io.ReaderAt, size int64, fn func(*Record) error, bad func(name string, err error)) error {
	record := func(name string) bool { return strings.HasPrefix(path.Base(name), "CVE-") && path.Ext(name) == ".json" }
	return feedzip.Each(r, size, feedzip.Limits{RecordSize: MaxRecordSize}, record, Parse, fn, bad)
}
