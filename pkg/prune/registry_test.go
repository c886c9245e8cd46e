package prune

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestLoadConfirmsDanglingWithGET: a registry whose HEAD answers 404 for
// a tag that GET still serves must not get that tag deleted as dangling.
func TestLoadConfirmsDanglingWithGET(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && strings.HasSuffix(r.URL.Path, "/manifests/odd") {
			http.NotFound(w, r)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	repo, _ := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/app")
	for _, tag := range []string{"odd", "fine"} {
		img, _ := random.Image(64, 1)
		if err := remote.Write(repo.Tag(tag), img); err != nil {
			t.Fatal(err)
		}
	}
	tags, ms, err := Load(context.Background(), repo, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags {
		if tg.Digest == "" || ms[tg.Digest] == nil {
			t.Errorf("%s: digest %q, manifest %v", tg.Name, tg.Digest, ms[tg.Digest])
		}
	}
	plan := Decide(repo.Name(), tags, ms, Policy{KeepLast: 2})
	if len(plan.Delete) != 0 {
		t.Errorf("delete %+v", plan.Delete)
	}
}
