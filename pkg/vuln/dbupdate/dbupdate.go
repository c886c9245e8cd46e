// Package dbupdate downloads the public vulnerability feeds into a local
// mirror laid out as their publishers serve them, which is also what
// dbbuild reads: only what changed is downloaded (ETag, Last-Modified),
// every file is verified before it replaces the previous copy, and a
// failure leaves the mirror's previous files in place.
package dbupdate

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Sources are where feeds are downloaded from.
type Sources struct {
	// OSVBase serves <Ecosystem>/all.zip.
	OSVBase       string
	OSVEcosystems []string
	// SecdbBase serves <branch>/<repo>.json.
	SecdbBase     string
	SecdbBranches []string
	SecdbRepos    []string
	// CVE5 are zips of CVE JSON 5 records, saved as cve5/<name>.
	CVE5 []string
	// KEV is the KEV catalog's JSON.
	KEV string
}

// DefaultSources are the publishers' own URLs.
func DefaultSources() Sources {
	return Sources{
		OSVBase: "https://osv-vulnerabilities.storage.googleapis.com",
		OSVEcosystems: []string{"Debian", "Ubuntu", "Go", "npm", "PyPI", "Maven", "crates.io", "RubyGems", "Packagist", "NuGet",
			"Rocky Linux", "AlmaLinux", "Red Hat", "SUSE", "openSUSE", "Wolfi", "Chainguard"},
		SecdbBase:     "https://secdb.alpinelinux.org",
		SecdbBranches: []string{"v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "v3.23", "edge"},
		SecdbRepos:    []string{"main", "community"},
		CVE5:          []string{"https://github.com/cisagov/vulnrichment/archive/refs/heads/develop.zip"},
		KEV:           "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
	}
}

// Options configure a fetch.
type Options struct {
	Sources Sources
	// Client defaults to an http.Client with a 10-minute timeout.
	Client *http.Client
	// Progress, when set (a terminal), receives a progress line per file.
	Progress io.Writer
	// MaxFileSize caps one download (default 2 GiB).
	MaxFileSize int64
}

// Result counts what a fetch did.
type Result struct {
	Downloaded, Unchanged, Missing int
}

type item struct {
	url, rel string
	optional bool // a 404 is not an error (an Alpine branch that does not exist)
	kind     string
}

func (s Sources) items() []item {
	var out []item
	for _, e := range s.OSVEcosystems {
		out = append(out, item{url: strings.TrimSuffix(s.OSVBase, "/") + "/" + pathEscape(e) + "/all.zip", rel: filepath.Join("osv", e, "all.zip"), optional: true, kind: "zip"})
	}
	for _, b := range s.SecdbBranches {
		for _, r := range s.SecdbRepos {
			out = append(out, item{url: strings.TrimSuffix(s.SecdbBase, "/") + "/" + b + "/" + r + ".json", rel: filepath.Join("alpine-secdb", b, r+".json"), optional: true, kind: "json"})
		}
	}
	for _, u := range s.CVE5 {
		name := filepath.Base(strings.SplitN(u, "?", 2)[0])
		if !strings.HasSuffix(name, ".zip") {
			name += ".zip"
		}
		out = append(out, item{url: u, rel: filepath.Join("cve5", name), optional: true, kind: "zip"})
	}
	if s.KEV != "" {
		out = append(out, item{url: s.KEV, rel: filepath.Join("kev", "known_exploited_vulnerabilities.json"), kind: "json"})
	}
	return out
}

// pathEscape escapes an ecosystem name for a URL path ("Rocky Linux").
func pathEscape(s string) string { return strings.ReplaceAll(s, " ", "%20") }

// validators remembers how the server identified a file's version.
type validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// Fetch brings the mirror up to date.
func Fetch(ctx context.Context, mirror string, opts Options) (*Result, error) {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = 2 << 30
	}
	if opts.Sources.OSVBase == "" && opts.Sources.KEV == "" && opts.Sources.SecdbBase == "" {
		opts.Sources = DefaultSources()
	}
	res := &Result{}
	for _, it := range opts.Sources.items() {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		changed, err := fetchOne(ctx, mirror, it, opts)
		switch {
		case errors.Is(err, errNotFound) && it.optional:
			res.Missing++
		case err != nil:
			return res, fmt.Errorf("%s: %w", it.url, err)
		case changed:
			res.Downloaded++
		default:
			res.Unchanged++
		}
	}
	return res, nil
}

var errNotFound = errors.New("not found")

// fetchOne downloads one file if it changed, verifies it, and swaps it in.
func fetchOne(ctx context.Context, mirror string, it item, opts Options) (bool, error) {
	dst := filepath.Join(mirror, it.rel)
	metaPath := dst + ".validators"
	var old validators
	if _, err := os.Stat(dst); err == nil {
		if b, err := os.ReadFile(metaPath); err == nil {
			_ = json.Unmarshal(b, &old)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, it.url, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("User-Agent", "bulwark (https://github.com/bulwarksec/bulwark)")
	if old.ETag != "" {
		req.Header.Set("If-None-Match", old.ETag)
	}
	if old.LastModified != "" {
		req.Header.Set("If-Modified-Since", old.LastModified)
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return false, nil
	case resp.StatusCode == http.StatusNotFound:
		return false, errNotFound
	case resp.StatusCode != http.StatusOK:
		return false, fmt.Errorf("HTTP %s", resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".download-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	var body io.Reader = io.LimitReader(resp.Body, opts.MaxFileSize+1)
	if opts.Progress != nil {
		body = &progress{r: body, w: opts.Progress, name: it.rel, total: resp.ContentLength}
	}
	n, err := io.Copy(tmp, body)
	if opts.Progress != nil {
		fmt.Fprintln(opts.Progress)
	}
	if err != nil {
		tmp.Close()
		return false, fmt.Errorf("download interrupted after %d bytes: %w", n, err)
	}
	if n > opts.MaxFileSize {
		tmp.Close()
		return false, fmt.Errorf("larger than %d bytes", opts.MaxFileSize)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		tmp.Close()
		return false, fmt.Errorf("download incomplete: %d of %d bytes", n, resp.ContentLength)
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := verify(tmp.Name(), it.kind); err != nil {
		return false, fmt.Errorf("downloaded file is damaged: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return false, err
	}
	v := validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if b, err := json.Marshal(v); err == nil {
		_ = os.WriteFile(metaPath, b, 0o644)
	}
	return true, nil
}

// verify checks a download before it replaces the previous copy: a zip's
// directory and every member's checksum, or that JSON parses.
func verify(p, kind string) error {
	switch kind {
	case "zip":
		zr, err := zip.OpenReader(p)
		if err != nil {
			return err
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
			_, err = io.Copy(io.Discard, rc) // the zip reader checks CRC-32 at EOF
			rc.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
		}
	case "json":
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !json.Valid(b) {
			return errors.New("not valid JSON")
		}
	}
	return nil
}

// progress writes "name 12.3/45.6 MB" on one terminal line as bytes arrive.
type progress struct {
	r     io.Reader
	w     io.Writer
	name  string
	n     int64
	total int64
	last  time.Time
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if time.Since(p.last) > 100*time.Millisecond || err == io.EOF {
		p.last = time.Now()
		if p.total > 0 {
			fmt.Fprintf(p.w, "\r%s %.1f/%.1f MB", p.name, float64(p.n)/1e6, float64(p.total)/1e6)
		} else {
			fmt.Fprintf(p.w, "\r%s %.1f MB", p.name, float64(p.n)/1e6)
		}
	}
	return n, err
}
