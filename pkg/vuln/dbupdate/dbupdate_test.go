package dbupdate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbbuild"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

// serve publishes ../shared/testdata/feeds the way the publishers lay them
// out, through net/http's file server (which answers If-Modified-Since).
func serve(t *testing.T, wrap func(http.Handler) http.Handler) (*httptest.Server, Sources) {
	t.Helper()
	feeds := sharedtest.Path(t, "testdata", "feeds")
	h := http.Handler(http.FileServer(http.Dir(feeds)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := DefaultSources()
	s.OSVBase = srv.URL + "/osv"
	s.SecdbBase = srv.URL + "/alpine-secdb"
	s.CVE5 = []string{srv.URL + "/cve5/vulnrichment-subset.zip"}
	s.KEV = srv.URL + "/kev/known_exploited_vulnerabilities.json"
	return srv, s
}

func TestFetchThenBuild(t *testing.T) {
	var requests atomic.Int32
	_, src := serve(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1); h.ServeHTTP(w, r) })
	})
	mirror := filepath.Join(t.TempDir(), "feeds")
	res, err := Fetch(context.Background(), mirror, Options{Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	// Five OSV ecosystems, five Alpine branches of two repos, CVE5, KEV.
	if res.Downloaded != 17 || res.Unchanged != 0 {
		t.Errorf("first fetch: %+v", res)
	}
	res, err = Fetch(context.Background(), mirror, Options{Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	if res.Downloaded != 0 || res.Unchanged != 17 {
		t.Errorf("second fetch should download nothing: %+v", res)
	}
	out := filepath.Join(t.TempDir(), "db")
	meta, err := dbbuild.Build(context.Background(), mirror, out, dbbuild.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Vulns < 10000 || meta.Ecosystems["Go"] == 0 || meta.Ecosystems["Alpine:v3.20"] == 0 {
		t.Errorf("database: %+v", meta)
	}
}

// TestFailuresKeepThePrevious: a download cut short, or a damaged
// archive, fails the update and leaves the mirror's previous file and the
// database as they were.
func TestFailuresKeepThePrevious(t *testing.T) {
	_, good := serve(t, nil)
	mirror := filepath.Join(t.TempDir(), "feeds")
	if _, err := Fetch(context.Background(), mirror, Options{Sources: good}); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "db")
	if _, err := dbbuild.Build(context.Background(), mirror, dbPath, dbbuild.Options{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(mirror, "osv", "Go", "all.zip"))
	dbBefore, _ := os.ReadFile(dbPath)

	for name, wrap := range map[string]func(http.Handler) http.Handler{
		"cut short": func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000000")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte("PK\x03\x04 partial"))
			})
		},
		"damaged zip": func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(strings.Repeat("not a zip ", 100)))
			})
		},
		"server error": func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, bad := serve(t, wrap)
			// Force a download: forget the validators.
			os.Remove(filepath.Join(mirror, "osv", "Go", "all.zip.validators"))
			_, err := Fetch(context.Background(), mirror, Options{Sources: bad})
			if err == nil {
				t.Fatal("no error")
			}
			after, _ := os.ReadFile(filepath.Join(mirror, "osv", "Go", "all.zip"))
			if string(after) != string(before) {
				t.Error("the mirror's previous file was replaced")
			}
			if db, _ := os.ReadFile(dbPath); string(db) != string(dbBefore) {
				t.Error("the database changed")
			}
			if _, err := vulndb.Open(dbPath); err != nil {
				t.Errorf("previous database unusable: %v", err)
			}
			entries, _ := os.ReadDir(filepath.Join(mirror, "osv", "Debian"))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".download-") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}
