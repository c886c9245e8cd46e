package dbartifact

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestPushPull(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	src := filepath.Join(t.TempDir(), "db")
	err := vulndb.Write(src, &vulndb.Contents{
		Vulns:    map[string]*vulndb.Vuln{"X-1": {ID: "X-1"}},
		Packages: map[string]map[string][]vulndb.Affected{"npm": {"a": {{ID: "X-1", Ranges: []vulndb.Range{{"i0"}}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d1, err := Push(ctx, src, host+"/bulwark/db:1")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "sub", "pulled.db")
	d2, err := Pull(ctx, host+"/bulwark/db:1", dst)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(src)
	b, _ := os.ReadFile(dst)
	if d1 != d2 || !bytes.Equal(a, b) {
		t.Errorf("digests %s %s, files equal %v", d1, d2, bytes.Equal(a, b))
	}
	// An ordinary image is refused and the existing file kept.
	img, _ := random.Image(100, 1)
	ref, _ := name.ParseReference(host + "/not/db:1")
	remote.Write(ref, img)
	if _, err := Pull(ctx, host+"/not/db:1", dst); err == nil || !strings.Contains(err.Error(), "not a Bulwark database artifact") {
		t.Errorf("ordinary image: %v", err)
	}
	if c, _ := os.ReadFile(dst); !bytes.Equal(c, a) {
		t.Error("the existing database was replaced")
	}
	if _, err := Pull(ctx, host+"/missing:1", dst); err == nil {
		t.Error("missing: no error")
	}
}

// TestRealRegistry: the same round trip through the reference registry.
func TestRealRegistry(t *testing.T) {
	reg := sharedtest.Registry(t)
	src := filepath.Join(t.TempDir(), "db")
	if err := vulndb.Write(src, &vulndb.Contents{Vulns: map[string]*vulndb.Vuln{}, Packages: map[string]map[string][]vulndb.Affected{}}); err != nil {
		t.Fatal(err)
	}
	ref := reg + "/bulwark/db:test"
	d1, err := Push(context.Background(), src, ref, WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "db")
	d2, err := Pull(context.Background(), ref, dst, WithInsecure(true))
	if err != nil || d1 != d2 {
		t.Fatalf("pull: %v (%s vs %s)", err, d1, d2)
	}
}
