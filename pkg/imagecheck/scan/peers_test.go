package scan

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/imgrule"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

var testNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// badArchive writes testimage.Bad as a docker-archive, the form Dive and
// Dockle read.
func badArchive(t *testing.T) string {
	t.Helper()
	img, err := testimage.Bad(nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bad.docker.tar")
	if err := tarball.WriteToFile(file, name.MustParseReference("example.local/bad:1"), img); err != nil {
		t.Fatal(err)
	}
	return file
}

func scanFile(t *testing.T, ref string) *Result {
	t.Helper()
	tg, err := source.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	res, err := Run(context.Background(), tg, Options{Scanners: []Scanner{Image, Secret}, Rules: imgrule.Options{Now: testNow}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBadImage: every problem built into testimage.Bad is found, through
// the same path as `bulwark scan docker-archive:...`.
func TestBadImage(t *testing.T) {
	res := scanFile(t, "docker-archive:"+badArchive(t))
	count := map[string]int{}
	for _, f := range res.Findings {
		count[f.ID]++
	}
	want := map[string]int{
		"IMG001": 1, "IMG003": 1, "IMG010": 1, "IMG012": 2, "IMG013": 2, "IMG020": 1, "IMG021": 1,
		"IMG030": 1, "IMG040": 1, "IMG041": 1, "DF014": 1, "DF018": 1, "DF031": 1,
	}
	for id, n := range want {
		if count[id] != n {
			t.Errorf("%s: %d findings, want %d", id, count[id], n)
		}
	}
	for id := range count {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected %s", id)
		}
	}
	if l := res.LayerView[1]; l.Instruction != "RUN apk update && apk add curl" || l.Added != 1 {
		t.Errorf("layer view: %+v", l)
	}
}

// TestPeers compares with Dive's efficiency and Dockle's findings on the
// same docker-archives (testimage.Bad, and the real images of
// ../shared/testdata when present), when both tools are installed
// (bench/README says how).
func TestPeers(t *testing.T) {
	dive, err1 := exec.LookPath("dive")
	dockle, err2 := exec.LookPath("dockle")
	if err1 != nil || err2 != nil {
		t.Skip("skipping: dive and dockle are not on PATH (see bench/README.md)")
	}
	t.Run("bad", func(t *testing.T) { comparePeers(t, dive, dockle, badArchive(t)) })
	t.Run("real", func(t *testing.T) {
		images := sharedtest.Path(t, "testdata", "images")
		files := map[string]string{"debian": filepath.Join(images, "debian-bookworm.docker.tar")}
		for _, ref := range []string{"alpine-3.18.9", "vulnapp-alpine3.18-multilayer"} {
			files[ref] = ociToArchive(t, filepath.Join(images, "alpine-oci"), ref)
		}
		for name, file := range files {
			t.Run(name, func(t *testing.T) { comparePeers(t, dive, dockle, file) })
		}
	})
}

// ociToArchive writes the image named ref in an OCI layout as a
// docker-archive, the one form Dive and Dockle both read.
func ociToArchive(t *testing.T, dir, ref string) string {
	t.Helper()
	tg, err := source.Open(context.Background(), "oci-dir:"+dir+":"+ref)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	file := filepath.Join(t.TempDir(), ref+".tar")
	tag, err := name.NewTag("example.local/" + ref + ":1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(file, tag, tg.Image); err != nil {
		t.Fatal(err)
	}
	return file
}

func comparePeers(t *testing.T, dive, dockle, file string) {
	res := scanFile(t, "docker-archive:"+file)

	out, _ := exec.Command(dive, "--ci", "--source", "docker-archive", file).CombinedOutput()
	m := regexp.MustCompile(`efficiency:\s+([0-9.]+) %`).FindSubmatch(out)
	w := regexp.MustCompile(`wastedBytes:\s+([0-9]+) bytes`).FindSubmatch(out)
	if m == nil || w == nil {
		t.Fatalf("no efficiency in dive's output:\n%s", out)
	}
	if got := strconv.FormatFloat(res.Efficiency.Score*100, 'f', 2, 64); got != string(m[1]) {
		t.Errorf("efficiency %s%%, dive says %s%%", got, m[1])
	}
	if got := strconv.FormatInt(res.Efficiency.WastedBytes, 10); got != string(w[1]) {
		t.Errorf("wasted %s bytes, dive says %s", got, w[1])
	}

	out, err := exec.Command(dockle, "-f", "json", "--input", file).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("dockle: %v", err)
	}
	var rep struct {
		Details []struct {
			Code   string
			Alerts []string
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("dockle's JSON: %v", err)
	}
	// CIS-DI-0005 asks the client to set DOCKER_CONTENT_TRUST: nothing
	// in an image can satisfy or fail it.
	notOurs := map[string]bool{"CIS-DI-0005": true}
	for _, d := range rep.Details {
		if notOurs[d.Code] {
			continue
		}
		if !slices.ContainsFunc(res.Findings, func(f finding.Finding) bool { return slices.Contains(f.Names(), d.Code) }) {
			t.Errorf("dockle reports %s (%v); bulwark has no finding with that alias", d.Code, d.Alerts)
		}
	}
}
