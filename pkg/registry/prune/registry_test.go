package prune

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/registry/imagesig"
	"github.com/bulwarksec/bulwark/pkg/registry/sigkey"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

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

// TestReferrersFollowTheirImage: on a registry with the Referrers API, the
// bundles and attestations of a deleted image (and a signature on one of
// them) are deleted with it; a kept image keeps its own.
func TestReferrersFollowTheirImage(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	defer srv.Close()
	repo, _ := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/app")
	ctx := context.Background()
	priv, _, err := sigkey.Generate([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := sigkey.ParsePrivate("k.key", priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	digests := map[string]name.Digest{}
	for i, tag := range []string{"old", "new"} {
		img, _ := random.Image(64, 1)
		img, _ = mutate.CreatedAt(img, v1.Time{Time: now.Add(time.Duration(i) * time.Hour)})
		if err := remote.Write(repo.Tag(tag), img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests[tag] = repo.Digest(d.String())
		if err := imagesig.SignBundle(ctx, digests[tag], key, nil, "", nil, imagesig.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	// A signature on the old image's bundle: a referrer of a referrer.
	idx, _ := remote.Referrers(digests["old"])
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 {
		t.Fatalf("referrers of old: %+v", im.Manifests)
	}
	oldBundle := repo.Digest(im.Manifests[0].Digest.String())
	if err := imagesig.SignBundle(ctx, oldBundle, key, nil, "", nil, imagesig.Options{}); err != nil {
		t.Fatal(err)
	}
	tags, ms, err := Load(ctx, repo, 2)
	if err != nil {
		t.Fatal(err)
	}
	plan := Decide(repo.Name(), tags, ms, Policy{KeepLast: 1})
	refs, err := ReferrersOf(ctx, repo, plan.DeletedImages(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan.AddReferrers(refs)
	if len(plan.Delete) != 3 {
		t.Fatalf("delete %+v", plan.Delete)
	}
	if err := Apply(ctx, plan, 2, Deleter(repo), func(Deletion, error) {}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []name.Digest{digests["old"], oldBundle} {
		if _, err := remote.Head(d); err == nil {
			t.Errorf("%s is still there", d)
		}
	}
	idx, _ = remote.Referrers(digests["new"])
	if im, _ := idx.IndexManifest(); len(im.Manifests) != 1 {
		t.Errorf("the kept image lost its bundle: %+v", im.Manifests)
	}
}
