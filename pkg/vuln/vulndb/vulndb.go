// Package vulndb is Bulwark's local vulnerability database: one bbolt file
// holding, per ecosystem and package name, the ranges of affected versions
// of each advisory, and per advisory what a report needs (aliases,
// severity and CVSS, KEV, references). It stores only that, compactly; the
// schema version is in the file, and a file of another schema is refused
// (and rebuilt by `bulwark db update`), never misread.
package vulndb

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion changes whenever what is stored, or how, changes.
const SchemaVersion = 1

var (
	bucketMeta  = []byte("meta")
	bucketVulns = []byte("vulns")
	bucketPkgs  = []byte("packages")
	keyMeta     = []byte("meta")
)

// ErrSchema is returned for a database of another schema version.
var ErrSchema = errors.New("database schema version differs; rebuild it with `bulwark db update` or `bulwark db build`")

// Source describes one feed a database was built from.
type Source struct {
	Name    string `json:"name"`
	Where   string `json:"where"`
	Records int    `json:"records"`
	// Bad counts records that could not be read and were left out.
	Bad int `json:"bad,omitempty"`
	// Version is what the feed says of itself (KEV catalog version, ETag).
	Version string `json:"version,omitempty"`
}

// Meta describes a database.
type Meta struct {
	SchemaVersion int            `json:"schemaVersion"`
	Built         time.Time      `json:"built"`
	Sources       []Source       `json:"sources"`
	Ecosystems    map[string]int `json:"ecosystems"` // advisories per ecosystem
	Vulns         int            `json:"vulns"`
}

// Event is a range event, stored compactly as one string: a kind letter
// followed by the version: "i0" (introduced 0), "f1.2.4" (fixed),
// "l1.2.3" (last_affected), "x2.0" (limit).
type Event string

// Kind is the event's kind letter: 'i', 'f', 'l' or 'x'.
func (e Event) Kind() byte {
	if e == "" {
		return 0
	}
	return e[0]
}

// Version is the event's version.
func (e Event) Version() string {
	if e == "" {
		return ""
	}
	return string(e[1:])
}

// Range is a range of versions, as OSV defines: its events, evaluated with
// the ecosystem's comparator (ECOSYSTEM and SEMVER ranges both are).
type Range []Event

// Affected is one advisory's statement about one package.
type Affected struct {
	ID     string  `json:"id"`
	Ranges []Range `json:"r,omitempty"`
	// Versions are listed affected versions; kept only when the record has
	// no range that can be evaluated.
	Versions []string `json:"v,omitempty"`
	// Urgency is the distribution's own rating (Debian's "unimportant" ...).
	Urgency string `json:"u,omitempty"`
}

// Vuln is what a report needs of an advisory.
type Vuln struct {
	ID      string   `json:"id"`
	Aliases []string `json:"a,omitempty"`
	Summary string   `json:"s,omitempty"`
	// Severity is critical, high, medium, low or "" when unknown.
	Severity string  `json:"sev,omitempty"`
	Score    float64 `json:"sc,omitempty"`
	Vector   string  `json:"vec,omitempty"`
	// ScoreFrom says where the score came from: "osv", "cve5", or the ID of
	// the alias record that carried it.
	ScoreFrom  string   `json:"sf,omitempty"`
	Published  string   `json:"p,omitempty"`
	References []string `json:"ref,omitempty"`
	KEV        string   `json:"kev,omitempty"` // date added to the KEV catalog
}

// DB is an open database.
type DB struct {
	bolt *bolt.DB
	Meta Meta
}

// Open opens a database read-only.
func Open(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	b, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("%s: not a Bulwark database: %w", path, err)
	}
	db := &DB{bolt: b}
	err = b.View(func(tx *bolt.Tx) error {
		mb := tx.Bucket(bucketMeta)
		if mb == nil {
			return errors.New("no metadata")
		}
		raw := mb.Get(keyMeta)
		if raw == nil {
			return errors.New("no metadata")
		}
		return json.Unmarshal(raw, &db.Meta)
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("%s: not a Bulwark database: %w", path, err)
	}
	if db.Meta.SchemaVersion != SchemaVersion {
		b.Close()
		return nil, fmt.Errorf("%s: schema %d, this bulwark reads %d: %w", path, db.Meta.SchemaVersion, SchemaVersion, ErrSchema)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.bolt.Close() }

// NormalizeName returns the key a package name is stored under: PyPI
// names as PEP 503 normalises them; others as they are.
func NormalizeName(ecosystem, name string) string {
	if ecosystem == "PyPI" {
		return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(name))
	}
	return name
}

// Affected returns what the advisories of ecosystem say of a package.
func (db *DB) Affected(ecosystem, name string) ([]Affected, error) {
	var out []Affected
	err := db.bolt.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketPkgs)
		if pb == nil {
			return nil
		}
		eb := pb.Bucket([]byte(ecosystem))
		if eb == nil {
			return nil
		}
		raw := eb.Get([]byte(NormalizeName(ecosystem, name)))
		if raw == nil {
			return nil
		}
		return json.Unmarshal(raw, &out)
	})
	return out, err
}

// Vuln returns an advisory by ID.
func (db *DB) Vuln(id string) (*Vuln, error) {
	var v *Vuln
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketVulns).Get([]byte(id))
		if raw == nil {
			return nil
		}
		v = &Vuln{}
		return json.Unmarshal(raw, v)
	})
	return v, err
}

// Contents is everything a database holds, for Write.
type Contents struct {
	Meta  Meta
	Vulns map[string]*Vuln
	// Encoded are advisories already JSON-encoded (as Vuln), stored as
	// they are; a builder of millions keeps them so. An ID in both maps
	// is stored from Vulns.
	Encoded map[string][]byte
	// Packages maps ecosystem, then normalised package name, to entries.
	Packages map[string]map[string][]Affected
	// EncodedPackages is Packages with each list already JSON-encoded,
	// its elements joined by commas without the brackets, so that a
	// builder appends to it; a name in both is stored from Packages.
	EncodedPackages map[string]map[string][]byte
}

// Write stores contents as a new database at path, through a temporary
// file in the same directory that is renamed into place only once it is
// complete: a failed build never leaves a half-written database, and the
// previous one stays usable until the rename.
func Write(path string, c *Contents) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".bulwark-db-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	b, err := bolt.Open(tmpName, 0o644, &bolt.Options{Timeout: 5 * time.Second, NoSync: true})
	if err != nil {
		return err
	}
	c.Meta.SchemaVersion = SchemaVersion
	if err = writeContents(b, c); err != nil {
		b.Close()
		return err
	}
	// bbolt grows its file in large steps; copy the used pages into the
	// final file so the database is as small as its contents.
	final, err := os.CreateTemp(dir, ".bulwark-db-*")
	if err != nil {
		b.Close()
		return err
	}
	finalName := final.Name()
	err = b.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(final)
		return err
	})
	if err == nil {
		err = final.Sync()
	}
	if cerr := final.Close(); err == nil {
		err = cerr
	}
	b.Close()
	os.Remove(tmpName)
	if err != nil {
		os.Remove(finalName)
		return err
	}
	if err := os.Chmod(finalName, 0o644); err != nil {
		os.Remove(finalName)
		return err
	}
	if err := os.Rename(finalName, path); err != nil {
		os.Remove(finalName)
		return err
	}
	return nil
}

// batchPuts is how many keys one transaction writes. In one transaction
// for the whole database bbolt keeps every dirty page in memory and, each
// time its file grows, copies every key and value into the heap again:
// 300,000 advisories took 750 MB that way, and 1.5M went quadratic.
const batchPuts = 20_000

// batch writes keys in transactions of batchPuts each.
type batch struct {
	db *bolt.DB
	tx *bolt.Tx
	n  int
}

// bucket returns the bucket at path in the current transaction (begun
// when there is none), creating what is missing.
func (w *batch) bucket(path [][]byte) (*bolt.Bucket, error) {
	if w.tx == nil {
		tx, err := w.db.Begin(true)
		if err != nil {
			return nil, err
		}
		w.tx = tx
	}
	bk, err := w.tx.CreateBucketIfNotExists(path[0])
	if err != nil {
		return nil, err
	}
	for _, p := range path[1:] {
		if bk, err = bk.CreateBucketIfNotExists(p); err != nil {
			return nil, err
		}
	}
	return bk, nil
}

// put stores key under the bucket path; buckets are filled in key order,
// so their pages are packed full.
func (w *batch) put(path [][]byte, key, value []byte) error {
	bk, err := w.bucket(path)
	if err != nil {
		return err
	}
	bk.FillPercent = 1.0
	if err := bk.Put(key, value); err != nil {
		return err
	}
	if w.n++; w.n%batchPuts == 0 {
		return w.commit()
	}
	return nil
}

func (w *batch) commit() error {
	if w.tx == nil {
		return nil
	}
	tx := w.tx
	w.tx = nil
	return tx.Commit()
}

func (w *batch) rollback() {
	if w.tx != nil {
		_ = w.tx.Rollback()
		w.tx = nil
	}
}

// writeContents stores c in batches of keys, each bucket's in key order.
func writeContents(db *bolt.DB, c *Contents) error {
	w := &batch{db: db}
	defer w.rollback()
	raw, err := json.Marshal(c.Meta)
	if err != nil {
		return err
	}
	if err := w.put([][]byte{bucketMeta}, keyMeta, raw); err != nil {
		return err
	}
	for _, id := range union(c.Vulns, c.Encoded) {
		raw, ok := c.Encoded[id]
		if v, own := c.Vulns[id]; own {
			if raw, err = json.Marshal(v); err != nil {
				return err
			}
		} else if !ok {
			continue
		}
		if err := w.put([][]byte{bucketVulns}, []byte(id), raw); err != nil {
			return err
		}
	}
	for _, eco := range union(c.Packages, c.EncodedPackages) {
		names, encoded := c.Packages[eco], c.EncodedPackages[eco]
		path := [][]byte{bucketPkgs, []byte(eco)}
		for _, n := range union(names, encoded) {
			var raw []byte
			if list, ok := names[n]; ok {
				if raw, err = json.Marshal(list); err != nil {
					return err
				}
			} else {
				raw = make([]byte, 0, len(encoded[n])+2)
				raw = append(append(append(raw, '['), encoded[n]...), ']')
			}
			if err := w.put(path, []byte(n), raw); err != nil {
				return err
			}
		}
	}
	// The buckets exist even when empty, as readers expect.
	for _, name := range [][]byte{bucketVulns, bucketPkgs} {
		if _, err := w.bucket([][]byte{name}); err != nil {
			return err
		}
	}
	return w.commit()
}

// union is the keys of a and b, sorted, each once.
func union[A, B any](a map[string]A, b map[string]B) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, dup := a[k]; !dup {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
