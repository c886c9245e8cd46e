// Package alpinesecdb reads Alpine's security database
// (https://secdb.alpinelinux.org/<branch>/<repo>.json): per branch and
// package, the versions that fixed each CVE.
package alpinesecdb

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// MaxSize caps a secdb file read into memory.
const MaxSize = 64 << 20

// Fix says a package version fixed these vulnerabilities.
type Fix struct {
	Package string
	Version string
	IDs     []string
}

// DB is one branch's file.
type DB struct {
	// Branch is "v3.20" or "edge".
	Branch string
	Repo   string
	Fixes  []Fix
}

type file struct {
	DistroVersion string `json:"distroversion"`
	RepoName      string `json:"reponame"`
	Packages      []struct {
		Pkg struct {
			Name     string              `json:"name"`
			Secfixes map[string][]string `json:"secfixes"`
		} `json:"pkg"`
	} `json:"packages"`
}

// Read parses a secdb file. Version "0" entries mean Alpine never shipped
// the vulnerable code; they are kept (the builder skips them) so nothing is
// silently dropped.
func Read(r io.Reader) (*DB, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSize)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.DistroVersion == "" {
		return nil, fmt.Errorf("no distroversion: not an Alpine secdb file")
	}
	db := &DB{Branch: f.DistroVersion, Repo: f.RepoName}
	for _, p := range f.Packages {
		for ver, ids := range p.Pkg.Secfixes {
			var clean []string
			for _, id := range ids {
				// Entries look like "CVE-2021-1234" or "CVE-2021-1234 CVE-2021-1235"
				// or carry a note after the ID.
				for _, f := range strings.Fields(id) {
					if strings.HasPrefix(f, "CVE-") || strings.HasPrefix(f, "GHSA-") || strings.HasPrefix(f, "XSA-") || strings.HasPrefix(f, "ALPINE-") {
						clean = append(clean, f)
					}
				}
			}
			if p.Pkg.Name != "" && ver != "" && len(clean) > 0 {
				db.Fixes = append(db.Fixes, Fix{Package: p.Pkg.Name, Version: ver, IDs: clean})
			}
		}
	}
	return db, nil
}

// Ecosystem is the OSV ecosystem name of the branch ("Alpine:v3.20").
func (db *DB) Ecosystem() string { return "Alpine:" + db.Branch }
