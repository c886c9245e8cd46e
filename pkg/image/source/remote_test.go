package source

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestRegistry pulls from go-containerregistry's in-memory registry: a
// plain image by tag and by digest, and the right platform of a
// multi-platform index. (The real reference registry is exercised by the
// registry features' tests.)
func TestRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	img, _ := random.Image(1024, 2)
	ref, _ := name.ParseReference(host + "/app:1.0")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	amd, _ := random.Image(512, 1)
	arm, _ := random.Image(512, 1)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
	)
	iref, _ := name.ParseReference(host + "/multi:1")
	if err := remote.WriteIndex(iref, idx); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	armDigest, _ := arm.Digest()
	amdDigest, _ := amd.Digest()
	ctx := context.Background()
	for _, c := range []struct {
		target string
		opts   []Option
		digest v1.Hash
	}{
		{host + "/app:1.0", nil, want},
		{"registry:" + host + "/app@" + want.String(), []Option{WithInsecure(true)}, want},
		{host + "/multi:1", nil, amdDigest},
		{host + "/multi:1", []Option{WithPlatform("linux/arm64")}, armDigest},
	} {
		tg, err := Open(ctx, c.target, c.opts...)
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if tg.Kind != Registry || tg.Digest != c.digest {
			t.Errorf("%s: kind %s digest %s, want %s", c.target, tg.Kind, tg.Digest, c.digest)
		}
		ls, err := tg.Layers()
		if err != nil || len(ls) == 0 {
			t.Errorf("%s: layers %d, %v", c.target, len(ls), err)
		}
	}
	if _, err := Open(ctx, host+"/missing:1"); err == nil || !strings.Contains(err.Error(), "pulling") {
		t.Errorf("missing image: %v", err)
	}
	if _, err := Open(ctx, host+"/multi:1", WithPlatform("linux/s390x")); err == nil {
		t.Error("no s390x image, but Open succeeded")
	}
	if _, err := Open(ctx, "x", WithPlatform("not/a/valid/platform/at/all")); err == nil {
		t.Error("invalid platform accepted")
	}
}
