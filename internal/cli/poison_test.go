package cli

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestCachePoisoning: an image whose config claims the diff ID of Alpine's
// real layer while its layer is another (here one holding an AWS key) is
// refused with exit 2 naming the layer, whether or not Alpine's result is
// already in the shared layer cache, and Alpine scanned afterwards with
// that cache still reports its packages.
func TestCachePoisoning(t *testing.T) {
	alpine := "oci-dir:" + sharedtest.Path(t, "testdata", "images", "alpine-oci") + ":example.local/alpine:3.18.9"
	tg, err := source.Open(t.Context(), alpine)
	if err != nil {
		t.Fatal(err)
	}
	real, err := tg.Layers()
	tg.Close()
	if err != nil {
		t.Fatal(err)
	}
	l, err := testimage.Layer(testimage.File{Name: "app/.env", Content: "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.RootFS.DiffIDs[0] = real[0].DiffID
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	packages := func(r result) int {
		var rep struct{ Packages []json.RawMessage }
		json.Unmarshal([]byte(r.stdout), &rep)
		return len(rep.Packages)
	}
	for _, alpineFirst := range []bool{true, false} {
		cache := filepath.Join(t.TempDir(), "cache")
		if alpineFirst {
			if r := run(t, nil, "sbom", "--cache-dir", cache, "-f", "json", alpine); r.code != 0 || packages(r) == 0 {
				t.Fatalf("alpine: exit %d, %d packages, %s", r.code, packages(r), r.stderr)
			}
		}
		r := run(t, nil, "sbom", "--cache-dir", cache, "-f", "json", "oci-dir:"+dir)
		if r.code != 2 || !strings.Contains(r.stderr, "layer 0") || !strings.Contains(r.stderr, "diff ID") || r.stdout != "" {
			t.Errorf("the image claiming alpine's diff ID (alpine cached first: %v): exit %d, stdout %q, stderr %s", alpineFirst, r.code, r.stdout, r.stderr)
		}
		if r := run(t, nil, "sbom", "--cache-dir", cache, "-f", "json", alpine); r.code != 0 || packages(r) != 15 {
			t.Errorf("alpine after it: exit %d, %d packages, %s", r.code, packages(r), r.stderr)
		}
	}
}

// TestLayoutBlobsAreVerified: an OCI layout whose layer or config blob is
// not what its digest or descriptor size says is refused with exit 2, as a
// registry client refuses it.
func TestLayoutBlobsAreVerified(t *testing.T) {
	l, err := testimage.Layer(testimage.File{Name: "etc/os-release", Content: "ID=alpine\nVERSION_ID=3.20.3\n"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	// A valid gzip layer of other content.
	ol, _ := testimage.Layer(testimage.File{Name: "etc/os-release", Content: "ID=debian\n"})
	oimg, _ := mutate.AppendLayers(empty.Image, ol)
	ols, _ := oimg.Layers()
	rc, _ := ols[0].Compressed()
	other, _ := io.ReadAll(rc)
	for name, c := range map[string]struct {
		blob    string
		content func(old []byte) []byte
		says    string
	}{
		"layer under another digest":  {m.Layers[0].Digest.Hex, func([]byte) []byte { return other }, "digest"},
		"config under another digest": {m.Config.Digest.Hex, func(old []byte) []byte { return append(old, ' ') }, "config"},
	} {
		dir := t.TempDir()
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(img); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "blobs", "sha256", c.blob)
		old, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, c.content(old), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, nil, "sbom", "--no-cache", "-f", "json", "oci-dir:"+dir)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// TestStderrEscapesTerminalControls: a message naming an attacker's file
// reaches stderr with no escape sequence a terminal would obey.
func TestStderrEscapesTerminalControls(t *testing.T) {
	name := filepath.Join(t.TempDir(), "Dockerfile\x1b[2J\x1b]0;owned\x07")
	r := run(t, nil, "lint", name)
	if r.code != 2 || strings.ContainsAny(r.stderr, "\x1b\x07") || !strings.Contains(r.stderr, `\x1b[2J`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestPartlyReadDatabaseFailsTheGate: a package database that could be read
// only in part (a first apk stanza without a version, a dpkg stanza without
// one, a file over the size limit) never lets `scan --fail-on` pass: IMG050
// names the file, the gate fails, and an ignore for it is honoured like any
// other.
func TestPartlyReadDatabaseFailsTheGate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bulwark.db")
	if r := run(t, nil, "db", "build", "--from", sharedtest.Path(t, "testdata", "feeds"), "--db", db); r.code != 0 {
		t.Fatalf("db build: %s", r.stderr)
	}
	osRelease := "ID=alpine\nVERSION_ID=3.20.3\n"
	for name, files := range map[string]map[string]string{
		"apk first stanza without version": {"etc/os-release": osRelease, "lib/apk/db/installed": "P:broken\n\nP:musl\nV:1.2.5-r0\n\n"},
		"dpkg stanza without version": {"etc/os-release": "ID=debian\nVERSION_ID=\"12\"\n",
			"var/lib/dpkg/status": "Package: base-files\nStatus: install ok installed\nVersion: 12.4\n\nPackage: broken\nStatus: install ok installed\n\n"},
		"apk line over 1 MiB, then a stanza without a name": {"etc/os-release": osRelease, "lib/apk/db/installed": "P:musl\nV:1.2.5-r0\nX:" + strings.Repeat("x", 1<<20+10) + "\n\nP:" + "\n"},
	} {
		dir := t.TempDir()
		for p, c := range files {
			os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
			os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644)
		}
		r := run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln", "--fail-on", "medium", "-f", "json", "dir:"+dir)
		if r.code != 1 || !strings.Contains(r.stdout, `"IMG050"`) {
			t.Errorf("%s: exit %d, stdout %s, stderr %s", name, r.code, r.stdout, r.stderr)
		}
		r = run(t, nil, "scan", "--offline", "--no-cache", "--db", db, "--scanners", "vuln", "--fail-on", "medium", "--ignore", "IMG050", "dir:"+dir)
		if r.code != 0 {
			t.Errorf("%s, IMG050 ignored: exit %d, %s %s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// TestSecretsNeverInClear: a build history line holding an AWS secret key
// and a GitHub token, and an application file holding a token, reach no
// output in clear (table or JSON): each is found, and shown masked.
func TestSecretsNeverInClear(t *testing.T) {
	const awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	const ghToken = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
	img, err := testimage.Build(nil, v1.Config{User: "1000"},
		testimage.Step{CreatedBy: "/bin/sh -c aws configure set aws_secret_access_key " + awsSecret + " && GITHUB_TOKEN=" + ghToken + " make", Files: []testimage.File{{Name: "etc/os-release", Content: "ID=alpine\nVERSION_ID=3.20.3\n"}}},
		testimage.Step{CreatedBy: "COPY app /app # buildkit", Files: []testimage.File{{Name: "app/config.py", Content: "API = '" + ghToken + "'\n"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "json", "sarif"} {
		r := run(t, nil, "scan", "--no-cache", "--scanners", "image,secret", "-f", format, "oci-dir:"+dir)
		out := r.stdout + r.stderr
		if strings.Contains(out, awsSecret) || strings.Contains(out, ghToken) || strings.Contains(out, "bPxRfiCY") {
			t.Errorf("%s: a secret in clear:\n%s", format, out)
		}
		if format == "json" && (!strings.Contains(out, "/app/config.py") || !strings.Contains(out, "aws_")) {
			t.Errorf("json: the token in /app/config.py or the history's AWS key is not reported:\n%s", out)
		}
	}
}

// TestStaleTemporaryReportsAreRemoved: a temporary report left by a run
// that was killed during its atomic write is removed by the next write
// beside it; one of a live process is left alone.
func TestStaleTemporaryReportsAreRemoved(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	dead := filepath.Join(dir, ".report.json.bulwark-tmp-2147483000-123")
	live := filepath.Join(dir, ".report.json.bulwark-tmp-1-456") // init never goes away
	for _, f := range []string{dead, live} {
		if err := os.WriteFile(f, make([]byte, 1<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeFileAtomic(out, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead run's temporary file is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's temporary file was removed: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".report.json.bulwark-tmp-*"))
	if b, _ := os.ReadFile(out); string(b) != "{}\n" || len(left) != 1 {
		t.Errorf("report %q, temporary files left %v", b, left)
	}
}

// TestCredentialsStayOffOtherRealms: a registry whose 401 names a token
// realm on another host (localhost:P2 for a registry at 127.0.0.1:P1) does
// not receive the registry's credentials there; the error says how to
// allow that realm, and allowing it sends them.
func TestCredentialsStayOffOtherRealms(t *testing.T) {
	var mu sync.Mutex
	var gotAuth []string
	token := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"token": "t"}`)
	}))
	defer token.Close()
	realm := strings.Replace(token.URL, "127.0.0.1", "localhost", 1)
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`/token",service="registry"`)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}`)
	}))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	cfg := t.TempDir()
	os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths": {"`+host+`": {"auth": "dXNlcjpzZWNyZXQ="}}}`), 0o600)
	t.Setenv("DOCKER_CONFIG", cfg)

	r := run(t, nil, "sbom", "--no-cache", host+"/app:1")
	realmHost := strings.TrimPrefix(realm, "http://")
	if r.code != 2 || !strings.Contains(r.stderr, "refused to send registry credentials to the token service at "+realmHost) || !strings.Contains(r.stderr, "--allow-token-realm "+realmHost) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	mu.Lock()
	for _, a := range gotAuth {
		if a != "" {
			t.Errorf("the realm on another host got credentials: %q", a)
		}
	}
	gotAuth = nil
	mu.Unlock()

	run(t, nil, "sbom", "--no-cache", "--allow-token-realm", realmHost, host+"/app:1")
	mu.Lock()
	defer mu.Unlock()
	if len(gotAuth) == 0 || gotAuth[0] != "Basic dXNlcjpzZWNyZXQ=" {
		t.Errorf("an allowed realm did not get the credentials: %q", gotAuth)
	}
}

// TestTimeoutStopsAHungServer: a registry that accepts the connection and
// never answers holds a command no longer than --timeout; the message
// says which limit stopped it.
func TestTimeoutStopsAHungServer(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	start := time.Now()
	r := run(t, nil, "sbom", "--no-cache", "--timeout", "1s", strings.TrimPrefix(srv.URL, "http://")+"/app:1")
	if took := time.Since(start); took > 10*time.Second || r.code != 2 || !strings.Contains(r.stderr, "--timeout 1s") {
		t.Errorf("after %s: exit %d, stderr %s", took, r.code, r.stderr)
	}
}

// TestMaxMemoryFlag: --max-memory takes a size, and refuses anything else
// with one line and exit 2.
func TestMaxMemoryFlag(t *testing.T) {
	if r := run(t, nil, "version", "--max-memory", "lots"); r.code != 2 || !strings.Contains(r.stderr, "--max-memory") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	if r := run(t, nil, "version", "--max-memory", "512MB"); r.code != 0 {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	debug.SetMemoryLimit(math.MaxInt64)
}
