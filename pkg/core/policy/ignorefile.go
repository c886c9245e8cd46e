package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"go.yaml.in/yaml/v3"
)

// IgnoreFileName is the ignore file Bulwark looks for.
const IgnoreFileName = ".bulwarkignore.yaml"

// maxIgnoreFile caps what is read of an ignore file; real ones are small.
const maxIgnoreFile = 1 << 20

// Ignore is one entry of an ignore file: findings with this ID (or alias),
// optionally only under Paths, are not reported, for Reason, until Expires.
type Ignore struct {
	ID string
	// Package limits the entry to vulnerabilities of this package.
	Package string
	// Paths are globs (with ** for any depth) matched against the finding's
	// file or image path; empty means everywhere.
	Paths  []string
	Reason string
	// Expires is the last day the entry holds; zero means never.
	Expires time.Time
	// Source is "file:line", for messages.
	Source string
}

// Expired reports whether the entry no longer holds at now.
func (ig *Ignore) Expired(now time.Time) bool {
	return !ig.Expires.IsZero() && now.After(ig.Expires.Add(24*time.Hour-time.Nanosecond))
}

// matchesPath reports whether p is covered by the entry's globs.
func (ig *Ignore) matchesPath(p string) bool {
	if len(ig.Paths) == 0 {
		return true
	}
	p = strings.TrimPrefix(p, "./")
	for _, g := range ig.Paths {
		g = strings.TrimPrefix(g, "./")
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
		// A pattern without a slash matches the base name anywhere, as in
		// .gitignore ("Dockerfile.dev" matches "services/a/Dockerfile.dev").
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match("**/"+g, p); ok {
				return true
			}
		}
	}
	return false
}

// ignoreEntry is the YAML form of an entry.
type ignoreEntry struct {
	ID      string   `yaml:"id"`
	Package string   `yaml:"package"`
	Path    string   `yaml:"path"`
	Paths   []string `yaml:"paths"`
	Reason  string   `yaml:"reason"`
	Expires string   `yaml:"expires"`
}

type ignoreDoc struct {
	Ignores []yaml.Node `yaml:"ignores"`
}

// LoadIgnoreFile reads an ignore file from disk.
func LoadIgnoreFile(path string) ([]Ignore, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &inputerr.Error{File: path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIgnoreFile+1))
	if err != nil {
		return nil, &inputerr.Error{File: path, Err: err}
	}
	if len(data) > maxIgnoreFile {
		return nil, &inputerr.Error{File: path, Err: fmt.Errorf("larger than %d bytes", maxIgnoreFile)}
	}
	return ParseIgnoreFile(path, data)
}

// ParseIgnoreFile parses ignore file content. Format:
//
//	ignores:
//	  - id: DF002                 # rule or vulnerability ID, or an alias
//	    paths: ["services/**"]    # optional globs ("path" for one)
//	    reason: pinned in CI      # required
//	    expires: 2026-12-31       # optional, last day it holds
func ParseIgnoreFile(name string, data []byte) (ig []Ignore, err error) {
	defer func() {
		// yaml.v3 is robust, but a crash on a user's file must stay an error.
		if r := recover(); r != nil {
			ig, err = nil, &inputerr.Error{File: name, Err: fmt.Errorf("cannot parse: %v", r)}
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var doc ignoreDoc
	if err := yamldoc.Decode(name, data, &doc, true); err != nil {
		return nil, err
	}
	for _, n := range doc.Ignores {
		var e ignoreEntry
		if err := n.Decode(&e); err != nil {
			e := inputerr.FromYAML(name, err)
			e.Line = max(e.Line, n.Line)
			return nil, e
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch k := n.Content[i].Value; k {
				case "id", "package", "path", "paths", "reason", "expires":
				default:
					return nil, &inputerr.Error{File: name, Line: n.Content[i].Line, Err: fmt.Errorf("unknown field %q (want id, package, paths, reason, expires)", k)}
				}
			}
		}
		at := &inputerr.Error{File: name, Line: n.Line}
		if strings.TrimSpace(e.ID) == "" {
			at.Err = errors.New("ignore entry without an id")
			return nil, at
		}
		if strings.TrimSpace(e.Reason) == "" {
			at.Err = fmt.Errorf("ignore of %s has no reason; say why it is safe to ignore", e.ID)
			return nil, at
		}
		entry := Ignore{ID: strings.TrimSpace(e.ID), Package: strings.TrimSpace(e.Package), Reason: e.Reason, Paths: e.Paths, Source: fmt.Sprintf("%s:%d", name, n.Line)}
		if e.Path != "" {
			entry.Paths = append(entry.Paths, e.Path)
		}
		for _, p := range entry.Paths {
			if !doublestar.ValidatePattern(p) {
				at.Err = fmt.Errorf("ignore of %s: invalid path glob %q", e.ID, p)
				return nil, at
			}
		}
		if e.Expires != "" {
			t, err := time.Parse(time.DateOnly, e.Expires)
			if err != nil {
				at.Err = fmt.Errorf("ignore of %s: expires %q is not a date (YYYY-MM-DD)", e.ID, e.Expires)
				return nil, at
			}
			entry.Expires = t
		}
		ig = append(ig, entry)
	}
	return ig, nil
}
