package imagesig

import (
	"context"
	"crypto"
	"encoding/base64"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/registry/sigkey"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
)

var ctx = context.Background()

// keys makes a key pair through the cosign file format.
func keys(t testing.TB) (crypto.Signer, crypto.PublicKey) {
	t.Helper()
	priv, pub, err := sigkey.Generate([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigkey.ParsePrivate("k", priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sigkey.ParsePublic("p", pub)
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// pushRandom pushes a random image to the registry at host and returns
// its digest reference.
func pushRandom(t *testing.T, host, repo string) name.Digest {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(host + "/" + repo + ":1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return tag.Context().Digest(d.String())
}

// registryHost is the reference registry when the CI started one, or
// go-containerregistry's in-memory one.
func registryHost(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(registry.New())
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func TestSignVerify(t *testing.T) {
	host := registryHost(t)
	d := pushRandom(t, host, "app")
	signer, pub := keys(t)
	if _, err := Verify(ctx, d, pub, VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "no signatures found") {
		t.Fatalf("unsigned: %v", err)
	}
	if err := Sign(ctx, d, signer, map[string]string{"env": "prod"}, Options{}); err != nil {
		t.Fatal(err)
	}
	vs, err := Verify(ctx, d, pub, VerifyOptions{RequireAnnotations: map[string]string{"env": "prod"}})
	if err != nil || len(vs) != 1 || vs[0].Annotations["env"] != "prod" || !strings.Contains(string(vs[0].Payload), d.DigestStr()) {
		t.Fatalf("%+v %v", vs, err)
	}
	if _, err := Verify(ctx, d, pub, VerifyOptions{RequireAnnotations: map[string]string{"env": "dev"}}); err == nil || !strings.Contains(err.Error(), "annotation env=dev required") {
		t.Errorf("annotation: %v", err)
	}
	_, other := keys(t)
	if _, err := Verify(ctx, d, other, VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "does not match the key") {
		t.Errorf("wrong key: %v", err)
	}
	// A second signature adds a layer; both verify.
	if err := Sign(ctx, d, signer, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if vs, err := Verify(ctx, d, pub, VerifyOptions{}); err != nil || len(vs) != 2 {
		t.Errorf("two signatures: %d %v", len(vs), err)
	}
}

func TestTamperedAndMoved(t *testing.T) {
	host := registryHost(t)
	d := pushRandom(t, host, "app")
	other := pushRandom(t, host, "other")
	signer, pub := keys(t)
	if err := Sign(ctx, d, signer, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	sigImg, err := remote.Image(SignatureTag(d))
	if err != nil {
		t.Fatal(err)
	}
	// The signature of d copied to the other image's tag: it verifies
	// cryptographically but names another digest.
	if err := remote.Write(SignatureTag(other), sigImg); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, other, pub, VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "not "+other.DigestStr()) {
		t.Errorf("moved signature: %v", err)
	}
	// A payload changed after signing.
	m, _ := sigImg.Manifest()
	sig := m.Layers[0].Annotations[SignatureAnnotation]
	tampered := strings.Replace(`{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"`+d.DigestStr()+`"},"type":"cosign container image signature"},"optional":{"env":"prod"}}`, "x", d.Context().Name(), 1)
	base := mutate.MediaType(mutate.ConfigMediaType(emptyImage(), "application/vnd.oci.image.config.v1+json"), "application/vnd.oci.image.manifest.v1+json")
	img, _ := mutate.Append(base, mutate.Addendum{Layer: static.NewLayer([]byte(tampered), SimpleSigningMediaType), Annotations: map[string]string{SignatureAnnotation: sig}})
	if err := remote.Write(SignatureTag(d), img); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, d, pub, VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "does not match the key") {
		t.Errorf("tampered payload: %v", err)
	}
	if _, err := base64.StdEncoding.DecodeString(sig); err != nil {
		t.Fatal(err)
	}
}

func emptyImage() v1.Image { return empty.Image }

func TestBundleAndAttestations(t *testing.T) {
	host := registryHost(t)
	d := pushRandom(t, host, "app")
	signer, pub := keys(t)
	if err := SignBundle(ctx, d, signer, map[string]string{"env": "prod"}, "", nil, Options{}); err != nil {
		t.Fatal(err)
	}
	vs, err := Verify(ctx, d, pub, VerifyOptions{RequireAnnotations: map[string]string{"env": "prod"}})
	if err != nil || len(vs) != 1 || vs[0].Format != "bundle" {
		t.Fatalf("%+v %v", vs, err)
	}
	_, other := keys(t)
	if _, err := Verify(ctx, d, other, VerifyOptions{}); err == nil {
		t.Error("verified with another key")
	}
	if err := Attest(ctx, d, signer, "https://cyclonedx.org/bom", []byte(`{"bomFormat":"CycloneDX"}`), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := SignBundle(ctx, d, signer, nil, "https://spdx.dev/Document", []byte(`{"spdxVersion":"SPDX-2.3"}`), Options{}); err != nil {
		t.Fatal(err)
	}
	all, err := VerifyAttestations(ctx, d, pub, "", Options{})
	if err != nil || len(all) != 2 {
		t.Fatalf("attestations: %+v %v", all, err)
	}
	if as, err := VerifyAttestations(ctx, d, pub, "https://cyclonedx.org/bom", Options{}); err != nil || len(as) != 1 || as[0].Format != "dsse" {
		t.Errorf("cyclonedx: %+v %v", as, err)
	}
	if _, err := VerifyAttestations(ctx, d, pub, "https://slsa.dev/provenance/v1", Options{}); err == nil {
		t.Error("found a type that was never attested")
	}
}

// FuzzCheck: what a registry serves as a signature payload or a bundle
// never panics the checks.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA"}]}}`))
	f.Add([]byte(`{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature"},"optional":{"a":1}}`))
	_, pub := keys(f)
	d, _ := name.NewDigest("example.com/r@sha256:" + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = checkBundle(b, pub, d)
		_, _ = checkPayload(d, b, VerifyOptions{RequireAnnotations: map[string]string{"a": "1"}})
		_ = verifySig(pub, b, b)
	})
}

// TestBundleWhereTheRegistryHasReferrers: where the registry serves the
// OCI 1.1 Referrers API (go-containerregistry's registry, with it turned
// on), the bundle and the attestations are stored as referrers only, with
// no fallback tag, and verify finds them through the API. (The reference
// registry has no such API: the cosign tests cover the fallback tag.)
func TestBundleWhereTheRegistryHasReferrers(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	t.Cleanup(srv.Close)
	d := pushRandom(t, strings.TrimPrefix(srv.URL, "http://"), "app")
	signer, pub := keys(t)
	if err := SignBundle(ctx, d, signer, nil, "", nil, Options{}); err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Referrers(d)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	// (This registry lists the config's media type as the artifact type,
	// where the specification says the manifest's: verify copes with both.)
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["dev.sigstore.bundle.content"] != "dsse-envelope" {
		t.Errorf("referrers: %+v", im.Manifests)
	}
	tags, _ := remote.List(d.Context())
	for _, tg := range tags {
		if strings.HasPrefix(tg, "sha256-") {
			t.Errorf("a fallback tag %s beside a Referrers API", tg)
		}
	}
	if vs, err := Verify(ctx, d, pub, VerifyOptions{}); err != nil || len(vs) != 1 || vs[0].Format != "bundle" {
		t.Errorf("verify: %+v %v", vs, err)
	}
	if err := SignBundle(ctx, d, signer, nil, "https://cyclonedx.org/bom", []byte(`{"bomFormat":"CycloneDX"}`), Options{}); err != nil {
		t.Fatal(err)
	}
	if as, err := VerifyAttestations(ctx, d, pub, "https://cyclonedx.org/bom", Options{}); err != nil || len(as) != 1 {
		t.Errorf("attestation through the Referrers API: %+v %v", as, err)
	}
}
