package analyzer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestRealRegistry pushes the real Debian and Alpine images to the
// reference registry and reads them back from it, by tag and by digest.
func TestRealRegistry(t *testing.T) {
	reg := sharedtest.Registry(t)
	ctx := context.Background()
	deb, err := source.Open(ctx, sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar"))
	if err != nil {
		t.Fatal(err)
	}
	defer deb.Close()
	alp, err := source.Open(ctx, "oci-dir:"+sharedtest.Path(t, "testdata", "images", "alpine-oci")+":example.local/vulnapp:alpine3.18-multilayer")
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprint(time.Now().UnixNano())
	for _, c := range []struct {
		src  *source.Target
		repo string
		pkgs int
	}{{deb, "test/debian", 88}, {alp, "test/vulnapp", 34}} { // vulnapp: 33 and its Go main module (Root, no version)
		ref, err := name.ParseReference(reg+"/"+c.repo+":"+suffix, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, c.src.Image); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
		d, _ := c.src.Image.Digest()
		for _, target := range []string{ref.String(), reg + "/" + c.repo + "@" + d.String()} {
			tg, err := source.Open(ctx, target, source.WithInsecure(true))
			if err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			res, err := Analyze(ctx, tg, Options{})
			if err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			if len(res.Inventory.Packages) != c.pkgs || tg.Digest != d {
				t.Errorf("%s: %d packages (want %d), digest %s (want %s)", target, len(res.Inventory.Packages), c.pkgs, tg.Digest, d)
			}
		}
	}
}
