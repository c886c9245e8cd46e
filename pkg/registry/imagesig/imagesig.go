// Package imagesig signs and verifies container images in the formats
// cosign writes and reads, so that Bulwark and cosign verify each other's
// signatures:
//
//   - cosign v2's simple signing: a JSON payload naming the manifest
//     digest, signed with the key, stored as a layer (media type
//     application/vnd.dev.cosign.simplesigning.v1+json, signature in the
//     dev.cosignproject.cosign/signature annotation) of an image tagged
//     sha256-<digest>.sig in the same repository;
//   - cosign v3's Sigstore bundles (see bundle.go).
//
// Signatures always name a digest, never a tag.
package imagesig

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media types and annotation keys of cosign's formats.
const (
	SimpleSigningMediaType = types.MediaType("application/vnd.dev.cosign.simplesigning.v1+json")
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
	payloadType            = "cosign container image signature"
)

// Payload is the simple signing payload cosign signs.
type Payload struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]any `json:"optional"`
}

// Options configure registry access.
type Options struct {
	Remote []remote.Option
}

// Resolve returns the digest a reference names now (the index digest for
// a multi-platform image): what is signed and verified.
func Resolve(ctx context.Context, ref name.Reference, opts Options) (name.Digest, error) {
	if d, ok := ref.(name.Digest); ok {
		return d, nil
	}
	desc, err := remote.Head(ref, append(opts.Remote, remote.WithContext(ctx))...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("resolving %s: %w", ref, err)
	}
	return ref.Context().Digest(desc.Digest.String()), nil
}

// SignatureTag is where cosign v2 keeps an image's signatures.
func SignatureTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig")
}

// Sign signs the image at d (v2 format) with annotations in the payload's
// optional part, adding to the signatures already there.
func Sign(ctx context.Context, d name.Digest, signer crypto.Signer, annotations map[string]string, opts Options) error {
	var p Payload
	p.Critical.Identity.DockerReference = d.Context().Name()
	p.Critical.Image.DockerManifestDigest = d.DigestStr()
	p.Critical.Type = payloadType
	if len(annotations) > 0 {
		p.Optional = map[string]any{}
		for k, v := range annotations {
			p.Optional[k] = v
		}
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return err
	}
	sig, err := signPayload(signer, payload)
	if err != nil {
		return err
	}
	ropts := append(opts.Remote, remote.WithContext(ctx))
	tag := SignatureTag(d)
	base, err := remote.Image(tag, ropts...)
	switch {
	case isNotFound(err):
		base = mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	case err != nil:
		return fmt.Errorf("reading %s: %w", tag, err)
	}
	layer := static.NewLayer(payload, SimpleSigningMediaType)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, Annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)}})
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img, ropts...); err != nil {
		return fmt.Errorf("writing %s: %w", tag, err)
	}
	return nil
}

// signPayload signs SHA-256 of payload, as cosign does (ASN.1 for ECDSA).
func signPayload(signer crypto.Signer, payload []byte) ([]byte, error) {
	if isEd25519(signer.Public()) {
		return signer.Sign(rand.Reader, payload, crypto.Hash(0)) // Ed25519 hashes itself
	}
	h := sha256.Sum256(payload)
	return signer.Sign(rand.Reader, h[:], crypto.SHA256)
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Verified is a signature that verified.
type Verified struct {
	// Format is "simplesigning" (cosign v2) or "bundle" (cosign v3).
	Format string `json:"format"`
	// Payload is what was signed, as stored.
	Payload json.RawMessage `json:"payload"`
	// Annotations are the payload's optional entries.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// VerifyOptions say what a valid signature must carry.
type VerifyOptions struct {
	Options
	// RequireAnnotations must all be in the payload's optional part.
	RequireAnnotations map[string]string
}

// ErrNoSignature says the image has no signature in either place.
var ErrNoSignature = errors.New("no signatures found")

// Verify checks the signatures of the image at d with the public key. It
// returns those that verify; the error says why none did.
func Verify(ctx context.Context, d name.Digest, pub crypto.PublicKey, opts VerifyOptions) ([]Verified, error) {
	var out []Verified
	var reasons []string
	v2, err := verifySimpleSigning(ctx, d, pub, opts)
	if err != nil && !errors.Is(err, ErrNoSignature) {
		return nil, err
	}
	out = append(out, v2.ok...)
	reasons = append(reasons, v2.reasons...)
	v3, err := verifyBundles(ctx, d, pub, opts)
	if err != nil && !errors.Is(err, ErrNoSignature) {
		return nil, err
	}
	out = append(out, v3.ok...)
	reasons = append(reasons, v3.reasons...)
	if len(out) > 0 {
		return out, nil
	}
	if len(reasons) == 0 {
		return nil, fmt.Errorf("%s: %w (looked for the tag %s and for Sigstore bundles)", d, ErrNoSignature, SignatureTag(d).TagStr())
	}
	return nil, fmt.Errorf("%s: no signature verified: %s", d, strings.Join(reasons, "; "))
}

type results struct {
	ok      []Verified
	reasons []string
}

func verifySimpleSigning(ctx context.Context, d name.Digest, pub crypto.PublicKey, opts VerifyOptions) (results, error) {
	var r results
	ropts := append(opts.Remote, remote.WithContext(ctx))
	img, err := remote.Image(SignatureTag(d), ropts...)
	if isNotFound(err) {
		return r, ErrNoSignature
	}
	if err != nil {
		return r, fmt.Errorf("reading %s: %w", SignatureTag(d), err)
	}
	m, err := img.Manifest()
	if err != nil {
		return r, err
	}
	for i, l := range m.Layers {
		if l.MediaType != SimpleSigningMediaType {
			continue
		}
		sigB64 := l.Annotations[SignatureAnnotation]
		sig, err := base64.StdEncoding.DecodeString(sigB64)
		if err != nil || len(sig) == 0 {
			r.reasons = append(r.reasons, fmt.Sprintf("signature %d: no valid signature annotation", i+1))
			continue
		}
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			return r, err
		}
		payload, err := readBlob(layer, l.Size)
		if err != nil {
			return r, fmt.Errorf("signature %d: reading the payload: %w", i+1, err)
		}
		if err := verifySig(pub, payload, sig); err != nil {
			r.reasons = append(r.reasons, fmt.Sprintf("signature %d: %v", i+1, err))
			continue
		}
		v, why := checkPayload(d, payload, opts)
		if why != "" {
			r.reasons = append(r.reasons, fmt.Sprintf("signature %d: %s", i+1, why))
			continue
		}
		v.Format = "simplesigning"
		r.ok = append(r.ok, v)
	}
	return r, nil
}

// checkPayload checks that a verified payload is about d and carries the
// required annotations.
func checkPayload(d name.Digest, payload []byte, opts VerifyOptions) (Verified, string) {
	var p Payload
	if err := json.Unmarshal(payload, &p); err != nil {
		return Verified{}, "the payload is not a cosign simple signing payload"
	}
	if p.Critical.Image.DockerManifestDigest != d.DigestStr() {
		return Verified{}, fmt.Sprintf("it signs %s, not %s", p.Critical.Image.DockerManifestDigest, d.DigestStr())
	}
	v := Verified{Payload: payload, Annotations: map[string]string{}}
	for k, x := range p.Optional {
		v.Annotations[k] = fmt.Sprint(x)
	}
	for k, want := range opts.RequireAnnotations {
		if got, ok := v.Annotations[k]; !ok || got != want {
			return Verified{}, fmt.Sprintf("annotation %s=%s required, payload has %q", k, want, got)
		}
	}
	return v, ""
}

func readBlob(l v1.Layer, size int64) ([]byte, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const max = 4 << 20
	if size > max {
		return nil, fmt.Errorf("%d bytes is too large for a signature payload", size)
	}
	return io.ReadAll(io.LimitReader(rc, max))
}
