// Package dbbuild builds the vulnerability database from feeds on disk,
// laid out as their publishers serve them (the layout `bulwark db update`
// downloads into, and air-gapped sites mirror):
//
//	osv/<Ecosystem>/all.zip             OSV exports, one per ecosystem
//	alpine-secdb/<branch>/<repo>.json   Alpine's security database
//	cve5/*.zip                          CVE JSON 5 records (CVSS from CNAs and CISA's ADP)
//	kev/known_exploited_vulnerabilities.json
//
// Severity: an advisory's own CVSS vector when it has one; otherwise the
// score of one of its CVE aliases, from an OSV record that has one or from
// the CVE record itself; the distribution's own urgency is kept beside it.
package dbbuild

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/vuln/cvss"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/alpinesecdb"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/cve5"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/kev"
	"github.com/bulwarksec/bulwark/pkg/vuln/feed/osv"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// Options configure a build.
type Options struct {
	// Now is the build time recorded; zero means time.Now().
	Now time.Time
	// Warn receives records that could not be read (file and reason).
	Warn func(file, msg string)
}

// maxRefs keeps the references a report shows to the most useful few;
// the advisory itself is always one of them.
const maxRefs = 3

// maxSummary trims long summaries; reports link to the advisory.
const maxSummary = 200

type score struct {
	value  float64
	vector string
	from   string
	rank   int // lower is better
}

type builder struct {
	opts    Options
	c       *vulndb.Contents
	cveBest map[string]score  // CVE -> best score seen in any source
	cvePub  map[string]string // CVE -> date published, from CVE records
	// vulns are the advisories, JSON-encoded as soon as read: a struct
	// with its strings and slices was most of the memory of a build
	// (1.5M advisories went over a gigabyte). finish decodes each once
	// more to add what later feeds say of it.
	vulns map[string][]byte
	kev   map[string]string // ID -> date added to the KEV catalog
}

// Build reads the feeds under dir and writes the database to out.
func Build(ctx context.Context, dir, out string, opts Options) (*vulndb.Meta, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Warn == nil {
		opts.Warn = func(string, string) {}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, inputerr.New(dir, 0, fmt.Errorf("not a directory of feeds (osv/, alpine-secdb/, cve5/, kev/)"))
	}
	b := &builder{opts: opts, cveBest: map[string]score{}, cvePub: map[string]string{}, vulns: map[string][]byte{}, c: &vulndb.Contents{
		Meta:            vulndb.Meta{Built: opts.Now.UTC(), Ecosystems: map[string]int{}},
		EncodedPackages: map[string]map[string][]byte{},
	}}
	steps := []func(context.Context, string) error{b.readCVE5, b.readOSV, b.readSecdb, b.readKEV}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(ctx, dir); err != nil {
			return nil, err
		}
	}
	if len(b.c.Meta.Sources) == 0 {
		return nil, inputerr.New(dir, 0, fmt.Errorf("no feeds found (looked for osv/*/all.zip, alpine-secdb/*/*.json, cve5/*.zip, kev/known_exploited_vulnerabilities.json)"))
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	b.c.Meta.Vulns = len(b.c.Encoded)
	if err := vulndb.Write(out, b.c); err != nil {
		return nil, fmt.Errorf("writing %s: %w", out, err)
	}
	return &b.c.Meta, nil
}

// offer records a CVE's score if it beats what was seen.
func (b *builder) offer(cve string, s score) {
	if old, ok := b.cveBest[cve]; !ok || s.rank < old.rank {
		b.cveBest[cve] = s
	}
}

func (b *builder) readCVE5(_ context.Context, dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "cve5", "*.zip"))
	return readZips(b, dir, files, func(string) string { return "cve5" }, cve5.ReadZip, b.addCVE5)
}

// addCVE5 keeps a CVE record's publication date and its best score.
func (b *builder) addCVE5(r *cve5.Record) {
	if r.Published != "" {
		b.cvePub[r.ID] = normalizeTime(r.Published)
	}
	for _, m := range r.Metrics {
		sc, _, err := cvss.Score(m.Vector)
		if err != nil {
			continue
		}
		rank := metricRank(m.Version, m.Source)
		b.offer(r.ID, score{value: sc, vector: m.Vector, from: "cve5:" + m.Source, rank: rank})
	}
}

// readZips reads a feed's zip archives with its ReadZip, handing each
// record to add and counting records and bad ones in the sources list.
func readZips[R any](b *builder, dir string, files []string, name func(path string) string, readZip func(io.ReaderAt, int64, func(R) error, func(string, error)) error, add func(R)) error {
	for _, p := range files {
		src := vulndb.Source{Name: name(p), Where: filepath.ToSlash(rel(dir, p))}
		err := withFile(p, func(f *os.File, size int64) error {
			return readZip(f, size, func(r R) error {
				src.Records++
				add(r)
				return nil
			}, func(name string, err error) {
				src.Bad++
				b.opts.Warn(p+"!"+name, err.Error())
			})
		})
		if err != nil {
			return inputerr.New(p, 0, err)
		}
		b.c.Meta.Sources = append(b.c.Meta.Sources, src)
	}
	return nil
}

// metricRank prefers CVSS v3.1, then v3.0, then v4.0, then v2, and the
// CNA's own assessment over CISA's ADP at the same version: v3 scores are
// what most consumers and peers report, so results stay comparable.
func metricRank(version, source string) int {
	r := map[string]int{"3.1": 10, "3.0": 20, "4.0": 30, "2.0": 40}[version]
	if r == 0 {
		r = 50
	}
	if source == "adp" {
		r += 5
	}
	return r + 100 // below any OSV record's own score
}

func (b *builder) readOSV(_ context.Context, dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "osv", "*", "all.zip"))
	sort.Strings(files)
	ecosystem := func(p string) string { return "osv/" + filepath.Base(filepath.Dir(p)) }
	return readZips(b, dir, files, ecosystem, osv.ReadZip, b.addOSV)
}

// evaluable are the range types the matcher can evaluate.
var evaluable = map[string]bool{"ECOSYSTEM": true, "SEMVER": true}

func (b *builder) addOSV(r *osv.Record) {
	if r.Withdrawn != "" {
		return
	}
	v := &vulndb.Vuln{ID: r.ID, Summary: summary(r), Published: r.Published}
	for _, a := range append(append([]string(nil), r.Aliases...), r.Upstream...) {
		if a != r.ID && !contains(v.Aliases, a) {
			v.Aliases = append(v.Aliases, a)
		}
	}
	v.References = pickRefs(r.References)
	own := bestSeverity(r.Severity)
	for _, a := range r.Affected {
		if s := bestSeverity(a.Severity); own.vector == "" && s.vector != "" {
			own = s
		}
	}
	if own.vector != "" {
		v.Score, v.Vector, v.ScoreFrom = own.value, own.vector, "osv"
		v.Severity = cvss.Severity(own.value).String()
		for _, cve := range r.CVEs() {
			own.from = r.ID
			b.offer(cve, own)
		}
	}
	counted := map[string]bool{}
	filed := map[string]bool{} // release+package pairs filed from a stream
	for _, a := range r.Affected {
		eco, name := a.Package.Ecosystem, a.Package.Name
		if eco == "" || name == "" {
			continue
		}
		e := vulndb.Affected{ID: r.ID, Urgency: a.Urgency()}
		for _, rg := range a.Ranges {
			if !evaluable[rg.Type] {
				continue
			}
			var out vulndb.Range
			for _, ev := range rg.Events {
				switch {
				case ev.Introduced != "":
					out = append(out, vulndb.Event("i"+ev.Introduced))
				case ev.Fixed != "":
					out = append(out, vulndb.Event("f"+ev.Fixed))
				case ev.LastAffected != "":
					out = append(out, vulndb.Event("l"+ev.LastAffected))
				case ev.Limit != "":
					out = append(out, vulndb.Event("x"+ev.Limit))
				}
			}
			if len(out) > 0 {
				e.Ranges = append(e.Ranges, out)
			}
		}
		if len(e.Ranges) == 0 {
			e.Versions = a.Versions
		}
		if len(e.Ranges) == 0 && len(e.Versions) == 0 {
			continue
		}
		b.add(eco, name, e)
		// Red Hat files advisories per product stream; an image's rpm
		// database does not say which stream a package came from, so every
		// RHEL stream of a release is also filed under the release
		// (sbom.Ecosystem names RHEL and UBI packages so).
		if rel, ok := redHatRelease(eco); ok && rel != eco && !filed[rel+"\x00"+name] {
			filed[rel+"\x00"+name] = true
			b.add(rel, name, e)
			if !counted[rel] {
				counted[rel] = true
				b.c.Meta.Ecosystems[rel]++
			}
		}
		if !counted[eco] {
			counted[eco] = true
			b.c.Meta.Ecosystems[eco]++
		}
	}
	b.store(v)
}

// store encodes v (json.Marshal of this struct cannot fail).
func (b *builder) store(v *vulndb.Vuln) {
	raw, _ := json.Marshal(v)
	b.vulns[v.ID] = raw
}

func (b *builder) add(eco, name string, e vulndb.Affected) {
	m := b.c.EncodedPackages[eco]
	if m == nil {
		m = map[string][]byte{}
		b.c.EncodedPackages[eco] = m
	}
	key := vulndb.NormalizeName(eco, name)
	raw, _ := json.Marshal(e) // cannot fail for this struct
	if prev := m[key]; len(prev) > 0 {
		m[key] = append(append(prev, ','), raw...)
	} else {
		m[key] = raw
	}
}

// bestSeverity picks the CVSS vector a record states, newest version first
// among v3 and v4 (as OSV consumers do), and scores it.
func bestSeverity(ss []osv.Severity) score {
	best := score{rank: 1 << 30}
	for _, s := range ss {
		if !strings.HasPrefix(s.Type, "CVSS_") {
			continue
		}
		val, ver, err := cvss.Score(s.Score)
		if err != nil {
			continue
		}
		rank := map[string]int{"3.1": 1, "3.0": 2, "4.0": 3, "2.0": 4}[ver]
		if rank < best.rank {
			best = score{value: val, vector: s.Score, rank: rank}
		}
	}
	if best.rank == 1<<30 {
		return score{}
	}
	return best
}

// pickRefs keeps advisories first, then fixes, then anything else, up to
// maxRefs.
func pickRefs(refs []osv.Reference) []string {
	var out []string
	for _, kind := range []string{"ADVISORY", "FIX", ""} {
		for _, ref := range refs {
			if len(out) == maxRefs {
				return out
			}
			if ref.URL != "" && (kind == "" || ref.Type == kind) && !contains(out, ref.URL) {
				out = append(out, ref.URL)
			}
		}
	}
	return out
}

func summary(r *osv.Record) string {
	s := r.Summary
	if s == "" {
		s = r.Details
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxSummary {
		cut := strings.LastIndex(s[:maxSummary], " ")
		if cut < maxSummary/2 {
			cut = maxSummary
		}
		s = s[:cut] + "…"
	}
	return s
}

func (b *builder) readSecdb(_ context.Context, dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "alpine-secdb", "*", "*.json"))
	sort.Strings(files)
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return inputerr.New(p, 0, err)
		}
		db, err := alpinesecdb.Read(f)
		f.Close()
		if err != nil {
			return inputerr.New(p, 0, err)
		}
		src := vulndb.Source{Name: "alpine-secdb/" + db.Branch + "/" + db.Repo, Where: filepath.ToSlash(rel(dir, p))}
		eco := db.Ecosystem()
		for _, fix := range db.Fixes {
			// "0" means the vulnerability never applied to Alpine's package.
			if fix.Version == "0" {
				continue
			}
			b.c.Meta.Ecosystems[eco]++
			for _, id := range fix.IDs {
				src.Records++
				b.add(eco, fix.Package, vulndb.Affected{ID: id, Ranges: []vulndb.Range{{"i0", vulndb.Event("f" + fix.Version)}}})
				if _, ok := b.vulns[id]; !ok {
					// Reports link a bare CVE to its public pages; nothing to store.
					b.store(&vulndb.Vuln{ID: id})
				}
			}
		}
		b.c.Meta.Sources = append(b.c.Meta.Sources, src)
	}
	return nil
}

func (b *builder) readKEV(_ context.Context, dir string) error {
	p := filepath.Join(dir, "kev", "known_exploited_vulnerabilities.json")
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return inputerr.New(p, 0, err)
	}
	defer f.Close()
	cat, err := kev.Read(f)
	if err != nil {
		return inputerr.New(p, 0, err)
	}
	b.kev = cat.Added
	b.c.Meta.Sources = append(b.c.Meta.Sources, vulndb.Source{Name: "kev", Where: filepath.ToSlash(rel(dir, p)), Records: len(cat.Added), Version: cat.Version})
	return nil
}

// finish adds to each advisory what other feeds say of it: the KEV date
// of it or an alias, a publication date from its CVE record, and, for an
// advisory without a CVSS vector of its own, the best score of one of its
// CVE aliases. An advisory is re-encoded only when something changed.
func (b *builder) finish() error {
	for id, raw := range b.vulns {
		var v vulndb.Vuln
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("advisory %s: %w", id, err)
		}
		if b.enrich(&v) {
			b.store(&v)
		}
	}
	b.c.Encoded = b.vulns
	return nil
}

// enrich reports whether it changed v.
func (b *builder) enrich(v *vulndb.Vuln) bool {
	changed := false
	ids := append([]string{v.ID}, v.Aliases...)
	for _, id := range ids {
		if d, ok := b.kev[id]; ok && v.KEV != d {
			v.KEV, changed = d, true
		}
	}
	if v.Published == "" {
		for _, id := range ids {
			if p, ok := b.cvePub[id]; ok {
				v.Published, changed = p, true
				break
			}
		}
	}
	if v.Vector != "" {
		return changed
	}
	var best *score
	for _, id := range ids {
		if s, ok := b.cveBest[id]; ok && (best == nil || s.rank < best.rank) {
			best = &s
		}
	}
	if best != nil {
		v.Score, v.Vector, v.ScoreFrom = best.value, best.vector, best.from
		v.Severity = cvss.Severity(best.value).String()
		changed = true
	}
	return changed
}

// normalizeTime writes CVE dates ("2024-10-16T17:15:18.000Z",
// "2017-08-28T15:00:00") as RFC 3339, the form OSV uses.
func normalizeTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

func withFile(p string, fn func(*os.File, int64) error) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return fn(f, st.Size())
}

func rel(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return r
	}
	return p
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// redHatRelease maps a RHEL product stream ("Red Hat:enterprise_linux:9::
// appstream") to its release ("Red Hat:enterprise_linux:9"); other
// ecosystems, and Red Hat's other products (EUS, AUS, OpenShift), are not
// mapped.
func redHatRelease(eco string) (string, bool) {
	rest, ok := strings.CutPrefix(eco, "Red Hat:enterprise_linux:")
	if !ok {
		return "", false
	}
	rel, _, _ := strings.Cut(rest, "::")
	if rel == "" || strings.Trim(rel, "0123456789") != "" {
		return "", false
	}
	return "Red Hat:enterprise_linux:" + rel, true
}
