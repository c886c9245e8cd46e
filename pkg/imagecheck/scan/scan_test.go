package scan

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/imgrule"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseScanners(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
		err  string
	}{
		{[]string{"vuln,image,secret"}, "vuln image secret", ""},
		{[]string{" Image ", "vuln", "image"}, "image vuln", ""},
		{[]string{"config"}, "", `unknown scanner "config"`},
		{[]string{","}, "", "no scanner chosen"},
	} {
		got, err := ParseScanners(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if s := fmt.Sprint(got); s != "["+c.want+"]" {
			t.Errorf("%q: %s", c.in, s)
		}
	}
}

// TestRealImages runs the image and secret checks on the real images in
// ../shared/testdata and compares every finding, the layer view and the
// efficiency with golden files.
func TestRealImages(t *testing.T) {
	images := sharedtest.Path(t, "testdata", "images")
	for name, ref := range map[string]string{
		"alpine-3.18.9": "oci-dir:" + filepath.Join(images, "alpine-oci") + ":alpine-3.18.9",
		"alpine-3.20.3": "oci-dir:" + filepath.Join(images, "alpine-oci") + ":alpine-3.20.3",
		"vulnapp":       "oci-dir:" + filepath.Join(images, "alpine-oci") + ":vulnapp-alpine3.18-multilayer",
		"debian-12.15":  "docker-archive:" + filepath.Join(images, "debian-bookworm.docker.tar"),
	} {
		t.Run(name, func(t *testing.T) {
			tg, err := source.Open(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			res, err := Run(context.Background(), tg, Options{
				Scanners: []Scanner{Vuln, Image, Secret},
				Rules:    imgrule.Options{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Checked(Vuln) || !res.Checked(Image) || !res.Checked(Secret) {
				t.Errorf("checks: %+v", res.Checks)
			}
			var b strings.Builder
			for _, f := range res.Findings {
				fmt.Fprintf(&b, "%s\t%s\t%s%s\t%s\n", f.ID, f.Severity, f.Location.Path, f.Location.Field, f.Message)
			}
			for _, l := range res.LayerView {
				fmt.Fprintf(&b, "layer %d\t%d bytes\t+%d ~%d -%d\t%s\n", l.Index, l.Size, l.Added, l.Changed, l.Removed, l.Instruction)
			}
			fmt.Fprintf(&b, "efficiency %.4f wasted %d\n", res.Efficiency.Score, res.Efficiency.WastedBytes)
			golden(t, filepath.Join("testdata", name+".golden"), b.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}
