package dbbuild

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
)

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func zipFile(t *testing.T, p string, files map[string]string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	for n, c := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(c))
	}
	zw.Close()
	f.Close()
}

func TestBuildSmallFeeds(t *testing.T) {
	dir := t.TempDir()
	zipFile(t, filepath.Join(dir, "osv", "npm", "all.zip"), map[string]string{
		"GHSA-1.json": `{"id": "GHSA-1", "aliases": ["CVE-2020-8203"], "summary": "Prototype pollution", "unknown": true,
			"affected": [{"package": {"ecosystem": "npm", "name": "lodash"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.19"}]}]}]}`,
		"GHSA-2.json": `{"id": "GHSA-2", "withdrawn": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "x"}, "versions": ["1.0.0"]}]}`,
		"bad.json":    `{"id": 7}`,
	})
	zipFile(t, filepath.Join(dir, "cve5", "c.zip"), map[string]string{
		"2020/8xxx/CVE-2020-8203.json": `{"cveMetadata": {"cveId": "CVE-2020-8203"}, "containers": {"cna": {"metrics": [{"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", "baseScore": 7.4}}]}}}`,
	})
	write(t, filepath.Join(dir, "alpine-secdb", "v3.20", "main.json"), []byte(`{"distroversion": "v3.20", "reponame": "main", "packages": [{"pkg": {"name": "openssl", "secfixes": {"3.3.2-r1": ["CVE-2024-9143"], "0": ["CVE-2000-1"]}}}]}`))
	write(t, filepath.Join(dir, "kev", "known_exploited_vulnerabilities.json"), []byte(`{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2020-8203", "dateAdded": "2024-02-02"}]}`))
	var warned []string
	out := filepath.Join(t.TempDir(), "db")
	meta, err := Build(context.Background(), dir, out, Options{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), Warn: func(f, m string) { warned = append(warned, f) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.HasSuffix(warned[0], "!bad.json") {
		t.Errorf("warnings = %v", warned)
	}
	db, err := vulndb.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, _ := db.Vuln("GHSA-1")
	if v == nil || v.Score != 7.4 || v.ScoreFrom != "cve5:cna" || v.Severity != "high" || v.KEV != "2024-02-02" {
		t.Errorf("GHSA-1 = %+v", v)
	}
	if v, _ := db.Vuln("GHSA-2"); v != nil {
		t.Error("a withdrawn advisory was stored")
	}
	if a, _ := db.Affected("Alpine:v3.20", "openssl"); len(a) != 1 || a[0].ID != "CVE-2024-9143" {
		t.Errorf("secdb entries: %+v (the \"0\" entry means not affected and is left out)", a)
	}
	if meta.Vulns != 2 || meta.Built.Year() != 2026 || meta.Ecosystems["Alpine:v3.20"] != 1 {
		t.Errorf("meta %+v", meta)
	}
}

func TestBuildErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Build(context.Background(), empty, filepath.Join(t.TempDir(), "db"), Options{}); err == nil || !strings.Contains(err.Error(), "no feeds found") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := Build(context.Background(), filepath.Join(empty, "missing"), filepath.Join(t.TempDir(), "db"), Options{}); err == nil {
		t.Error("missing dir: no error")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "osv", "Go", "all.zip"), []byte("this is not a zip"))
	out := filepath.Join(t.TempDir(), "db")
	_, err := Build(context.Background(), dir, out, Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join("osv", "Go", "all.zip")) {
		t.Errorf("damaged zip: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a database was written despite the error")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}

// TestRedHatStreams: a RHEL advisory filed per product stream is found
// under its release too (what sbom.Ecosystem names RHEL and UBI packages),
// once however many streams list the package; other Red Hat products stay
// under their own names only.
func TestRedHatStreams(t *testing.T) {
	dir := t.TempDir()
	zipFile(t, filepath.Join(dir, "osv", "Red Hat", "all.zip"), map[string]string{
		"RHSA-1.json": `{"id": "RHSA-1", "affected": [
			{"package": {"ecosystem": "Red Hat:enterprise_linux:9::baseos", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]},
			{"package": {"ecosystem": "Red Hat:enterprise_linux:9::appstream", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]},
			{"package": {"ecosystem": "Red Hat:rhel_eus:9.2::baseos", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-20.el9_2"}]}]}]}`,
	})
	out := filepath.Join(t.TempDir(), "db")
	meta, err := Build(context.Background(), dir, out, Options{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	db, err := vulndb.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if a, _ := db.Affected("Red Hat:enterprise_linux:9", "openssl"); len(a) != 1 || a[0].ID != "RHSA-1" {
		t.Errorf("under the release: %+v", a)
	}
	if a, _ := db.Affected("Red Hat:rhel_eus:9.2::baseos", "openssl"); len(a) != 1 {
		t.Errorf("under the EUS stream: %+v", a)
	}
	if a, _ := db.Affected("Red Hat:rhel_eus:9", "openssl"); len(a) != 0 {
		t.Errorf("EUS filed as a release: %+v", a)
	}
	if meta.Ecosystems["Red Hat:enterprise_linux:9"] != 1 {
		t.Errorf("meta %+v", meta.Ecosystems)
	}
}
