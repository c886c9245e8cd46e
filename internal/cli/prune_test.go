package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/registry/imagesig"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushAged pushes a small image created at t under tag, and returns its
// digest.
func pushAged(t *testing.T, repo name.Repository, tag string, created time.Time) string {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.CreatedAt(img, v1.Time{Time: created})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag(tag), img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

func tagDigest(t *testing.T, repo name.Repository, tag, digest string) {
	t.Helper()
	desc, err := remote.Get(repo.Digest(digest))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(repo.Tag(tag), desc); err != nil {
		t.Fatal(err)
	}
}

func mustDigest(t *testing.T, ref name.Reference) string {
	t.Helper()
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	return desc.Digest.String()
}

func listTags(t *testing.T, repo name.Repository) []string {
	t.Helper()
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(tags)
	return tags
}

// TestPrune: 217 tags under mixed policies, against the reference
// registry in CI; the exact set of tags left is checked.
func TestPrune(t *testing.T) {
	// go-containerregistry's in-memory registry keeps tags when their
	// manifest is deleted by digest; only the real registry will do.
	host := sharedtest.Registry(t)
	repo, _ := name.NewRepository(fmt.Sprintf("%s/prune-test/app-%d", host, time.Now().UnixNano()))
	now := time.Now()
	day := 24 * time.Hour
	digests := map[string]string{}
	for i := range 30 {
		tag := fmt.Sprintf("v1.0.%d", i)
		digests[tag] = pushAged(t, repo, tag, now.Add(-time.Duration(300+i)*day))
	}
	for i := 1; i <= 150; i++ {
		tag := fmt.Sprintf("pr-%d", i)
		digests[tag] = pushAged(t, repo, tag, now.Add(-time.Duration(100+i)*day))
	}
	for k := 1; k <= 30; k++ {
		tag := fmt.Sprintf("nightly-%d", k)
		digests[tag] = pushAged(t, repo, tag, now.Add(-time.Duration(2*k)*day+time.Hour))
	}
	tagDigest(t, repo, "latest", digests["nightly-1"])
	tagDigest(t, repo, "main", digests["pr-100"])
	// An old multi-platform index.
	a, _ := random.Image(64, 1)
	b, _ := random.Image(64, 1)
	a, _ = mutate.CreatedAt(a, v1.Time{Time: now.Add(-400 * day)})
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: a}, mutate.IndexAddendum{Add: b})
	if err := remote.WriteIndex(repo.Tag("multi"), idx); err != nil {
		t.Fatal(err)
	}
	ad, _ := a.Digest()
	// Signatures of a deleted and of a kept image.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tag := range []string{"pr-20", "v1.0.3"} {
		if err := imagesig.Sign(context.Background(), repo.Digest(digests[tag]), key, nil, imagesig.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := imagesig.SignBundle(context.Background(), repo.Digest(digests[tag]), key, nil, "", nil, imagesig.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(listTags(t, repo)); n != 217 {
		t.Fatalf("%d tags pushed", n)
	}
	dir := t.TempDir()
	deploy := filepath.Join(dir, "deploy.yaml")
	os.WriteFile(deploy, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: "+repo.Name()+":pr-7\n"), 0o644)
	args := []string{"prune", "--keep-last", "10", "--keep-tag", `^v\d+\.\d+\.\d+$`, "--keep-tag", "^(latest|main)$",
		"--keep-younger-than", "7d", "--keep-in-use", deploy, "--delete-untagged", "--audit-log", filepath.Join(dir, "audit.log"), repo.Name()}

	r := run(t, nil, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "pr-7 ") || !strings.Contains(r.stderr, "dry run: nothing deleted") {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(listTags(t, repo)); n != 217 {
		t.Fatalf("the dry run deleted: %d tags left", n)
	}
	r = run(t, nil, append(args[:1:1], append([]string{"--apply"}, args[1:]...)...)...)
	if r.code != 0 {
		t.Fatalf("apply: exit %d %s", r.code, r.stderr)
	}
	kept := "sha256-" + strings.TrimPrefix(digests["v1.0.3"], "sha256:")
	want := []string{"latest", "main", "pr-100", "pr-7", kept, kept + ".sig"}
	for i := range 30 {
		want = append(want, fmt.Sprintf("v1.0.%d", i))
	}
	for k := 1; k <= 10; k++ {
		want = append(want, fmt.Sprintf("nightly-%d", k))
	}
	sort.Strings(want)
	if got := listTags(t, repo); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tags left:\n got %v\nwant %v", got, want)
	}
	if _, err := remote.Head(repo.Digest(ad.String())); err == nil {
		t.Error("the deleted index's platform image is still there")
	}
	log, _ := os.ReadFile(filepath.Join(dir, "audit.log"))
	if n := strings.Count(string(log), "\n"); n < 170 || !strings.Contains(string(log), `"rule":"attached to deleted image`) {
		t.Errorf("audit log: %d lines", n)
	}
}

// TestPruneResumes: the registry fails mid-prune (every request answered
// 503 after some deletions); the run stops with exit 2, and a second run
// against the recovered registry finishes without error.
func TestPruneResumes(t *testing.T) {
	backend := sharedtest.Registry(t)
	target, _ := url.Parse("http://" + backend)
	var deletes atomic.Int64
	var down atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "registry down", http.StatusServiceUnavailable)
			return
		}
		if r.Method == http.MethodDelete && deletes.Add(1) == 8 {
			down.Store(true)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	repo, _ := name.NewRepository(fmt.Sprintf("%s/prune-resume/app-%d", host, time.Now().UnixNano()))
	now := time.Now()
	for i := range 40 {
		pushAged(t, repo, fmt.Sprintf("b-%02d", i), now.Add(-time.Duration(40-i)*24*time.Hour))
	}
	dir := t.TempDir()
	args := []string{"prune", "--apply", "--jobs", "2", "--keep-last", "5", "--audit-log", filepath.Join(dir, "log"), repo.Name()}
	r := run(t, nil, args...)
	if r.code != 2 || !strings.Contains(r.stderr, "prune stopped") || !strings.Contains(r.stderr, "run it again") {
		t.Fatalf("first run: exit %d %s", r.code, r.stderr)
	}
	down.Store(false)
	if r := run(t, nil, args...); r.code != 0 {
		t.Fatalf("second run: exit %d %s", r.code, r.stderr)
	}
	if got := listTags(t, repo); strings.Join(got, " ") != "b-35 b-36 b-37 b-38 b-39" {
		t.Errorf("left: %v", got)
	}
}

// TestRegistryScan: 20 tags sharing a base; the base layer is read once,
// and each manifest and config fetched once.
func TestRegistryScan(t *testing.T) {
	host := testRegistry(t)
	repo, _ := name.NewRepository(fmt.Sprintf("%s/scan-test/app-%d", host, time.Now().UnixNano()))
	base, err := testimage.Build(nil, v1.Config{}, testimage.Step{CreatedBy: "ADD rootfs /", Files: testimage.AlpineRoot})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		img, err := testimage.Build(base, v1.Config{Entrypoint: []string{"/app"}}, testimage.Step{CreatedBy: "COPY app /", Files: []testimage.File{{Name: "app", Content: fmt.Sprintf("#!/bin/sh\necho %d\n", i), Mode: 0o755}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(repo.Tag(fmt.Sprintf("v%d", i)), img); err != nil {
			t.Fatal(err)
		}
	}
	// A second tag on v0's image shares its row: scanned once.
	tagDigest(t, repo, "stable", mustDigest(t, repo.Tag("v0")))
	r := run(t, nil, "registry", "scan", "--offline", "--no-cache", "--db", filepath.Join(t.TempDir(), "none.db"), repo.Name())
	if r.code != 0 || strings.Count(r.stdout, repo.Name()+":v") != 20 || !strings.Contains(r.stdout, repo.Name()+":stable") || !strings.Contains(r.stdout, "alpine 3.18.9") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// 21 layers read (the base once, 20 app layers), 19 base hits.
	if !strings.Contains(r.stderr, "20 images in") || !strings.Contains(r.stderr, "21 layers read, 19 from the cache") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if r := run(t, nil, "registry", "ls", repo.Name()); r.code != 0 || strings.Count(r.stdout, "image") != 21 {
		t.Errorf("ls: %d\n%s", r.code, r.stdout)
	}
	// The catalog: the registry's repositories, this one among them.
	if r := run(t, nil, "registry", "ls", repo.RegistryStr()); r.code != 0 || !strings.Contains(r.stdout, repo.Name()+"\n") {
		t.Errorf("ls of the catalog: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestPushGate(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	host := testRegistry(t)
	src := "oci-dir:" + layout + ":alpine-3.18.9"
	dst := fmt.Sprintf("%s/push-test/alpine-%d:3.18.9", host, time.Now().UnixNano())
	none := filepath.Join(t.TempDir(), "none.db")
	// Alpine 3.18 is end-of-life (IMG040, high) and runs as root: high fails.
	r := run(t, nil, "push", "--offline", "--no-cache", "--db", none, "--fail-on", "high", src, dst)
	if r.code != 1 || !strings.Contains(r.stderr, "not pushed") {
		t.Fatalf("--fail-on high: exit %d %s", r.code, r.stderr)
	}
	ref, _ := name.ParseReference(dst)
	if _, err := remote.Head(ref); err == nil {
		t.Fatal("pushed although the gate failed")
	}
	dir, s := withKey(t, map[string]string{"BULWARK_PASSWORD": "pw"})
	r = run(t, s(), "push", "--offline", "--no-cache", "--db", none, "--fail-on", "critical", "--sign", "--key", filepath.Join(dir, "k.key"), src, dst)
	if r.code != 0 || !strings.Contains(r.stderr, "pushed ") || !strings.Contains(r.stderr, "signed ") {
		t.Fatalf("--fail-on critical: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, s(), "verify", "--key", filepath.Join(dir, "k.pub"), dst); r.code != 0 {
		t.Errorf("the pushed image's signature: exit %d %s", r.code, r.stderr)
	}
	// Promotion: the signed image may move on; an unsigned one may not.
	if r := run(t, s(), "push", "--offline", "--no-cache", "--db", none, "--verify-key", filepath.Join(dir, "k.pub"), dst, dst+"-promoted"); r.code != 0 {
		t.Errorf("promotion: exit %d %s", r.code, r.stderr)
	}
	unsigned := fmt.Sprintf("%s/push-test/unsigned-%d:1", host, time.Now().UnixNano())
	pushRandom(t, unsigned)
	if r := run(t, s(), "push", "--offline", "--no-cache", "--db", none, "--verify-key", filepath.Join(dir, "k.pub"), unsigned, unsigned+"-promoted"); r.code != 1 || !strings.Contains(r.stderr, "did not verify") {
		t.Errorf("unsigned promotion: exit %d %s", r.code, r.stderr)
	}
}

func TestOutdated(t *testing.T) {
	host := testRegistry(t)
	repo := fmt.Sprintf("%s/outdated-test/base-%d", host, time.Now().UnixNano())
	for _, tag := range []string{"3.18-alpine", "3.19-alpine", "3.20-alpine", "3.20", "3.21-slim"} {
		pushRandom(t, repo+":"+tag)
	}
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("# app\nFROM "+repo+":3.18-alpine AS build\nRUN true\n"), 0o644)
	r := run(t, nil, "outdated", df)
	if r.code != 0 || !strings.Contains(r.stdout, "3.19-alpine, 3.20-alpine") || strings.Contains(r.stdout, "3.21-slim") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "outdated", "--update", df)
	ref, _ := name.ParseReference(repo + ":3.20-alpine")
	desc, _ := remote.Head(ref)
	if b, _ := os.ReadFile(df); r.code != 0 || string(b) != "# app\nFROM "+repo+":3.20-alpine@"+desc.Digest.String()+" AS build\nRUN true\n" {
		t.Errorf("--update: exit %d %s\n%s", r.code, r.stderr, b)
	}
	if r := run(t, nil, "outdated", df); !strings.Contains(r.stdout, "up to date") {
		t.Errorf("after --update: %s", r.stdout)
	}
}

func TestOutdatedScan(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	feeds := sharedtest.Path(t, "testdata", "feeds")
	db := filepath.Join(t.TempDir(), "bulwark.db")
	if r := run(t, nil, "db", "build", "--from", feeds, "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	host := testRegistry(t)
	repo := fmt.Sprintf("%s/outdated-scan/alpine-%d", host, time.Now().UnixNano())
	for tag, src := range map[string]string{"3.18": "alpine-3.18.9", "3.20": "alpine-3.20.3"} {
		tg, err := source.Open(context.Background(), "oci-dir:"+layout+":"+src)
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := name.ParseReference(repo + ":" + tag)
		if err := remote.Write(ref, tg.Image); err != nil {
			t.Fatal(err)
		}
		tg.Close()
	}
	df := filepath.Join(t.TempDir(), "Dockerfile")
	os.WriteFile(df, []byte("FROM "+repo+":3.18\n"), 0o644)
	r := run(t, nil, "outdated", "--scan", "--offline", "--no-cache", "--db", db, df)
	// Both carry CVE-2024-9143 (libcrypto3, libssl3) in the test feeds.
	if r.code != 0 || !strings.Contains(r.stdout, "3.20 removes 0 of 2 known vulnerabilities (2 in it)") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A pinned tag that was rebuilt: the Dockerfile pins the multi-layer
	// app image pushed as 3.18 before; 3.18 names Alpine 3.18.9 today.
	old := pushOCI(t, layout, "vulnapp-alpine3.18-multilayer", repo+":old")
	os.WriteFile(df, []byte("FROM "+repo+":3.18@"+old+"\n"), 0o644)
	r = run(t, nil, "outdated", "--scan", "--update", "--offline", "--no-cache", "--db", db, df)
	if r.code != 0 || !strings.Contains(r.stdout, "the tag now names") || !strings.Contains(r.stdout, "3.18 today removes 59 of 61 known vulnerabilities (2 in it)") {
		t.Errorf("moved tag: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ref, _ := name.ParseReference(repo + ":3.20")
	if b, _ := os.ReadFile(df); string(b) != "FROM "+repo+":3.20@"+mustDigest(t, ref)+"\n" {
		t.Errorf("--update: %s", b)
	}
	// Without a newer line, --update follows the rebuilt tag's digest.
	os.WriteFile(df, []byte("FROM "+repo+":3.20@"+old+"\n"), 0o644)
	if r := run(t, nil, "outdated", "--update", df); r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(df); string(b) != "FROM "+repo+":3.20@"+mustDigest(t, ref)+"\n" {
		t.Errorf("--update of a rebuilt tag: %s", b)
	}
}

// pushOCI pushes one image of an OCI layout (by its ref.name) to ref and
// returns its digest.
func pushOCI(t *testing.T, layout, refName, ref string) string {
	t.Helper()
	tg, err := source.Open(context.Background(), "oci-dir:"+layout+":"+refName)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, tg.Image); err != nil {
		t.Fatal(err)
	}
	return tg.Digest.String()
}

// TestPruneRegistryKilled: the reference registry process is killed
// mid-prune (SIGKILL after some deletions; connections then drop without
// an answer), the run stops with exit 2, and after the registry is started
// again on the same storage a second run finishes with the exact set left.
func TestPruneRegistryKilled(t *testing.T) {
	reg := sharedtest.StartRegistry(t)
	target, _ := url.Parse("http://" + reg.Addr)
	var deletes atomic.Int64
	proxy := httputil.NewSingleHostReverseProxy(target)
	// A dead registry answers nothing: drop the client's connection the
	// way a lost machine would, rather than answering 502.
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && deletes.Add(1) == 6 {
			reg.Kill()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	repo, _ := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/prune-killed/app")
	now := time.Now()
	for i := range 30 {
		pushAged(t, repo, fmt.Sprintf("c-%02d", i), now.Add(-time.Duration(30-i)*time.Hour))
	}
	args := []string{"prune", "--apply", "--jobs", "2", "--keep-last", "3", "--keep-tag", `^c-0[0-2]$`, "--audit-log", filepath.Join(t.TempDir(), "log"), repo.Name()}
	r := run(t, nil, args...)
	if r.code != 2 || !strings.Contains(r.stderr, "prune stopped") {
		t.Fatalf("first run: exit %d %s", r.code, r.stderr)
	}
	t.Logf("first run: %s", r.stderr)
	if n := deletes.Load(); n < 6 || n > 10 {
		t.Errorf("%d deletes reached the proxy; the run should stop soon after the registry died", n)
	}
	reg.Start()
	r = run(t, nil, args...)
	t.Logf("second run: %s", r.stderr)
	if r.code != 0 {
		t.Fatalf("second run: exit %d %s", r.code, r.stderr)
	}
	if got := listTags(t, repo); strings.Join(got, " ") != "c-00 c-01 c-02 c-27 c-28 c-29" {
		t.Errorf("left: %v", got)
	}
}

// TestPruneDanglingTag: a registry that died between deleting a manifest
// and untagging it lists a tag whose manifest is gone (made here by
// removing the manifest's revision link from the storage, as the crash
// leaves it). prune deletes such a tag by name, and keeps the rest.
func TestPruneDanglingTag(t *testing.T) {
	reg := sharedtest.StartRegistry(t)
	repo, _ := name.NewRepository(reg.Addr + "/prune-dangling/app")
	now := time.Now()
	var digests []string
	for i := range 4 {
		digests = append(digests, pushAged(t, repo, fmt.Sprintf("d-%d", i), now.Add(-time.Duration(4-i)*time.Hour)))
	}
	hex := strings.TrimPrefix(digests[3], "sha256:")
	link := filepath.Join(reg.Root, "docker/registry/v2/repositories/prune-dangling/app/_manifests/revisions/sha256", hex, "link")
	if err := os.Remove(link); err != nil {
		t.Fatalf("making d-3 dangling: %v", err)
	}
	if got := listTags(t, repo); len(got) != 4 {
		t.Fatalf("tags before: %v", got)
	}
	// ls shows it; registry scan skips it with a warning.
	if r := run(t, nil, "registry", "ls", repo.Name()); r.code != 0 || !strings.Contains(r.stdout, "dangling (manifest gone)") {
		t.Errorf("ls: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "registry", "scan", "--offline", "--no-cache", "--db", filepath.Join(t.TempDir(), "none.db"), repo.Name()); r.code != 0 || !strings.Contains(r.stderr, "d-3: no manifest") || !strings.Contains(r.stderr, "3 images in") {
		t.Errorf("registry scan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := run(t, nil, "prune", "--keep-last", "2", repo.Name())
	if r.code != 0 || !strings.Contains(r.stdout, "dangling: names a manifest the registry no longer has") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "prune", "--apply", "--keep-last", "2", "--audit-log", filepath.Join(t.TempDir(), "log"), repo.Name())
	if r.code != 0 {
		t.Fatalf("apply: exit %d %s", r.code, r.stderr)
	}
	// keep-last 2 counts live images only: d-2 and d-1 stay.
	if got := listTags(t, repo); strings.Join(got, " ") != "d-1 d-2" {
		t.Errorf("left: %v", got)
	}
}

// TestPushMultiPlatform: a multi-platform image moves as its index: the
// signature checked is the index's (what cosign and bulwark sign for a
// tag naming an index), every platform is gated, and the index itself is
// pushed, digest unchanged.
func TestPushMultiPlatform(t *testing.T) {
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	host := testRegistry(t)
	var adds []mutate.IndexAddendum
	for plat, refName := range map[string]string{"amd64": "alpine-3.18.9", "arm64": "alpine-3.20.3"} {
		tg, err := source.Open(context.Background(), "oci-dir:"+layout+":"+refName)
		if err != nil {
			t.Fatal(err)
		}
		defer tg.Close()
		adds = append(adds, mutate.IndexAddendum{Add: tg.Image, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: plat}}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, "application/vnd.oci.image.index.v1+json"), adds...)
	stamp := time.Now().UnixNano()
	staging := fmt.Sprintf("%s/push-multi/staging-%d:1", host, stamp)
	prod := fmt.Sprintf("%s/push-multi/prod-%d:1", host, stamp)
	sref, _ := name.ParseReference(staging)
	if err := remote.WriteIndex(sref, idx); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	dir, s := withKey(t, map[string]string{"BULWARK_PASSWORD": "pw"})
	if r := run(t, s(), "sign", "--key", filepath.Join(dir, "k.key"), staging); r.code != 0 || !strings.Contains(r.stdout, want.String()) {
		t.Fatalf("sign: exit %d %s", r.code, r.stderr)
	}
	none := filepath.Join(t.TempDir(), "none.db")
	r := run(t, s(), "push", "--offline", "--no-cache", "--db", none, "--fail-on", "high", "--verify-key", filepath.Join(dir, "k.pub"), staging, prod)
	if r.code != 1 || !strings.Contains(r.stdout, "IMG040") || !strings.Contains(r.stdout, "3.18") {
		t.Errorf("--fail-on high: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, s(), "push", "--offline", "--no-cache", "--db", none, "--fail-on", "critical", "--verify-key", filepath.Join(dir, "k.pub"), "--sign", "--key", filepath.Join(dir, "k.key"), staging, prod)
	if r.code != 0 {
		t.Fatalf("--fail-on critical: exit %d %s", r.code, r.stderr)
	}
	pref, _ := name.ParseReference(prod)
	desc, err := remote.Get(pref)
	if err != nil || desc.Digest != want || !desc.MediaType.IsIndex() {
		t.Errorf("pushed %v %s, want the index %s (%v)", desc.MediaType, desc.Digest, want, err)
	}
	if r := run(t, s(), "verify", "--key", filepath.Join(dir, "k.pub"), prod); r.code != 0 {
		t.Errorf("the promoted index's signature: exit %d %s", r.code, r.stderr)
	}
}

// withKey generates a key pair dir/k.key, dir/k.pub through the command
// and returns dir and streams whose environment is env (read when a
// command runs, so a test may change it between runs).
func withKey(t *testing.T, env map[string]string) (string, func() *Streams) {
	t.Helper()
	dir := t.TempDir()
	s := func() *Streams {
		return &Streams{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	}
	if r := run(t, s(), "key", "generate", "--output-prefix", filepath.Join(dir, "k")); r.code != 0 {
		t.Fatalf("key generate: exit %d %s", r.code, r.stderr)
	}
	return dir, s
}

// TestPasswordPrompt: without the environment variables the password is
// asked on the terminal, twice for a new key; two that differ are refused.
func TestPasswordPrompt(t *testing.T) {
	dir := t.TempDir()
	answers := func(a ...string) *Streams {
		return &Streams{LookupEnv: func(string) (string, bool) { return "", false }, ReadPassword: func(string) ([]byte, error) {
			p := a[0]
			a = a[1:]
			return []byte(p), nil
		}}
	}
	if r := run(t, answers("one", "two"), "key", "generate", "--output-prefix", filepath.Join(dir, "k")); r.code != 2 || !strings.Contains(r.stderr, "the passwords differ") {
		t.Errorf("different passwords: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, answers("pw", "pw"), "key", "generate", "--output-prefix", filepath.Join(dir, "k")); r.code != 0 {
		t.Fatalf("key generate: exit %d %s", r.code, r.stderr)
	}
	ref := testRegistry(t) + "/prompt-test/app:1"
	pushRandom(t, ref)
	if r := run(t, answers("pw"), "sign", "--key", filepath.Join(dir, "k.key"), ref); r.code != 0 {
		t.Errorf("sign with the prompted password: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "verify", "--key", filepath.Join(dir, "k.pub"), ref); r.code != 0 {
		t.Errorf("verify: exit %d %s", r.code, r.stderr)
	}
}

// TestPrunePolicyFile: the keep rules from --policy, for the repository
// named; a key the file does not know is refused with its line.
func TestPrunePolicyFile(t *testing.T) {
	// The reference registry: go-containerregistry's leaves the tags of a
	// manifest deleted by digest.
	host := sharedtest.Registry(t)
	repo, _ := name.NewRepository(fmt.Sprintf("%s/prune-policy/app-%d", host, time.Now().UnixNano()))
	now := time.Now()
	for i := range 6 {
		pushAged(t, repo, fmt.Sprintf("r-%d", i), now.Add(-time.Duration(6-i)*24*time.Hour))
	}
	pushAged(t, repo, "v1.0.0", now.Add(-30*24*time.Hour))
	dir := t.TempDir()
	pol := filepath.Join(dir, "retention.yaml")
	os.WriteFile(pol, []byte("repositories:\n  "+repo.Name()+":\n    keep-last: 2\n    keep-tag: ['^v\\d']\n"), 0o644)
	if r := run(t, nil, "prune", "--apply", "--policy", pol, "--audit-log", filepath.Join(dir, "log"), repo.Name()); r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if got := listTags(t, repo); strings.Join(got, " ") != "r-4 r-5 v1.0.0" {
		t.Errorf("left: %v", got)
	}
	os.WriteFile(pol, []byte("repositories:\n  "+repo.Name()+":\n    keep-latest: 2\n"), 0o644)
	if r := run(t, nil, "prune", "--policy", pol, repo.Name()); r.code != 2 || !strings.Contains(r.stderr, "retention.yaml:3:") {
		t.Errorf("unknown key: exit %d %s", r.code, r.stderr)
	}
}
