package imagesig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"crypto/sha256"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// cosign v3 stores a signature as a Sigstore bundle: an OCI 1.1 referrer
// of the image (found through the Referrers API, or the fallback tag
// sha256-<digest> where the registry has none) whose one layer is the
// bundle JSON, holding a DSSE envelope around an in-toto statement about
// the image's digest. These are the values cosign v3.1 writes.
const (
	BundleMediaType      = "application/vnd.dev.sigstore.bundle.v0.3+json"
	emptyMediaType       = "application/vnd.oci.empty.v1+json"
	inTotoPayloadType    = "application/vnd.in-toto+json"
	statementType        = "https://in-toto.io/Statement/v1"
	SignPredicateType    = "https://sigstore.dev/cosign/sign/v1"
	bundleContentKey     = "dev.sigstore.bundle.content"
	bundlePredicateKey   = "dev.sigstore.bundle.predicateType"
	bundleContentDSSE    = "dsse-envelope"
	createdAnnotationKey = "org.opencontainers.image.created"
)

type bundle struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey *struct {
			Hint string `json:"hint"`
		} `json:"publicKey,omitempty"`
	} `json:"verificationMaterial"`
	DSSEEnvelope *envelope `json:"dsseEnvelope,omitempty"`
}

type envelope struct {
	Payload     string `json:"payload"`
	PayloadType string `json:"payloadType"`
	Signatures  []struct {
		Sig string `json:"sig"`
	} `json:"signatures"`
}

// Statement is an in-toto statement: what a bundle's DSSE envelope signs.
type Statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Digest      map[string]string `json:"digest"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// pae is DSSE's pre-authentication encoding: what is actually signed.
func pae(payloadType string, payload []byte) []byte {
	return []byte(fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload))
}

// keyHint is the bundle's public key hint: the SHA-256 of the key's
// PKIX encoding, base64 (what cosign writes).
func keyHint(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(h[:])
}

// SignBundle signs the image at d in cosign v3's format: predicateType
// is SignPredicateType for a signature, or an attestation's type with its
// predicate.
func SignBundle(ctx context.Context, d name.Digest, signer crypto.Signer, annotations map[string]string, predicateType string, predicate json.RawMessage, opts Options) error {
	ropts := append(opts.Remote, remote.WithContext(ctx))
	subject, err := remote.Head(d, ropts...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", d, err)
	}
	if predicateType == "" {
		predicateType = SignPredicateType
	}
	if predicate == nil {
		predicate = json.RawMessage("{}")
	}
	st := Statement{Type: statementType, PredicateType: predicateType, Predicate: predicate}
	st.Subject = make([]struct {
		Digest      map[string]string `json:"digest"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}, 1)
	st.Subject[0].Digest = map[string]string{"sha256": strings.TrimPrefix(d.DigestStr(), "sha256:")}
	st.Subject[0].Annotations = annotations
	if st.Subject[0].Annotations == nil {
		st.Subject[0].Annotations = map[string]string{}
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return err
	}
	sig, err := signPayload(signer, pae(inTotoPayloadType, payload))
	if err != nil {
		return err
	}
	var b bundle
	b.MediaType = BundleMediaType
	b.VerificationMaterial.PublicKey = &struct {
		Hint string `json:"hint"`
	}{Hint: keyHint(signer.Public())}
	b.DSSEEnvelope = &envelope{Payload: base64.StdEncoding.EncodeToString(payload), PayloadType: inTotoPayloadType}
	b.DSSEEnvelope.Signatures = append(b.DSSEEnvelope.Signatures, struct {
		Sig string `json:"sig"`
	}{Sig: base64.StdEncoding.EncodeToString(sig)})
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	config := static.NewLayer([]byte("{}"), emptyMediaType)
	layer := static.NewLayer(raw, BundleMediaType)
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(d.Context(), l, ropts...); err != nil {
			return fmt.Errorf("writing the bundle: %w", err)
		}
	}
	cd, _ := config.Digest()
	ld, _ := layer.Digest()
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  BundleMediaType,
		Config:        v1.Descriptor{MediaType: emptyMediaType, Size: 2, Digest: cd, ArtifactType: BundleMediaType},
		Layers:        []v1.Descriptor{{MediaType: BundleMediaType, Size: int64(len(raw)), Digest: ld}},
		Annotations: map[string]string{
			bundleContentKey:     bundleContentDSSE,
			bundlePredicateKey:   predicateType,
			createdAnnotationKey: time.Now().UTC().Format(time.RFC3339),
		},
		Subject: &v1.Descriptor{MediaType: subject.MediaType, Size: subject.Size, Digest: subject.Digest},
	}
	mraw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	h, _, _ := v1.SHA256(bytes.NewReader(mraw))
	// remote.Put adds the manifest to the fallback tag's index when the
	// registry has no Referrers API, as cosign does.
	if err := remote.Put(d.Context().Digest(h.String()), rawManifest{raw: mraw, mt: types.OCIManifestSchema1}, ropts...); err != nil {
		return fmt.Errorf("writing the bundle: %w", err)
	}
	return nil
}

type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// verifyBundles checks cosign v3's bundles of the image at d whose
// predicate is a signature's.
func verifyBundles(ctx context.Context, d name.Digest, pub crypto.PublicKey, opts VerifyOptions) (results, error) {
	var r results
	sts, reasons, err := bundleStatements(ctx, d, pub, opts.Options, SignPredicateType)
	if err != nil {
		return r, err
	}
	r.reasons = reasons
	for _, s := range sts {
		v := Verified{Format: "bundle", Payload: s.raw, Annotations: map[string]string{}}
		for k, x := range s.st.Subject[0].Annotations {
			v.Annotations[k] = x
		}
		missing := ""
		for k, want := range opts.RequireAnnotations {
			if got, ok := v.Annotations[k]; !ok || got != want {
				missing = fmt.Sprintf("bundle: annotation %s=%s required, statement has %q", k, want, got)
			}
		}
		if missing != "" {
			r.reasons = append(r.reasons, missing)
			continue
		}
		r.ok = append(r.ok, v)
	}
	if len(r.ok) == 0 && len(r.reasons) == 0 {
		return r, ErrNoSignature
	}
	return r, nil
}

type verifiedStatement struct {
	st  Statement
	raw []byte
}

// bundleStatements returns the statements of d's bundles that verify with
// pub and are about d, of the predicate type given ("" for any), and why
// the others were rejected.
func bundleStatements(ctx context.Context, d name.Digest, pub crypto.PublicKey, opts Options, predicateType string) ([]verifiedStatement, []string, error) {
	ropts := append(opts.Remote, remote.WithContext(ctx))
	idx, err := remote.Referrers(d, ropts...)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, err
	}
	var out []verifiedStatement
	var reasons []string
	for i, desc := range im.Manifests {
		// The artifact type a registry lists should be the manifest's, but
		// some list the config's media type (go-containerregistry's own
		// registry does): a manifest with the empty config or cosign's
		// annotation is opened too, and only its bundle layers are read.
		if desc.ArtifactType != BundleMediaType && desc.ArtifactType != emptyMediaType && desc.Annotations[bundleContentKey] == "" {
			continue
		}
		if pt := desc.Annotations[bundlePredicateKey]; predicateType != "" && pt != "" && pt != predicateType {
			continue
		}
		img, err := remote.Image(d.Context().Digest(desc.Digest.String()), ropts...)
		if err != nil {
			return nil, nil, fmt.Errorf("reading bundle %s: %w", desc.Digest, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, nil, err
		}
		for _, l := range m.Layers {
			if l.MediaType != BundleMediaType {
				continue
			}
			layer, err := img.LayerByDigest(l.Digest)
			if err != nil {
				return nil, nil, err
			}
			raw, err := readBlob(layer, l.Size)
			if err != nil {
				return nil, nil, err
			}
			st, payload, why := checkBundle(raw, pub, d)
			if why != "" {
				reasons = append(reasons, fmt.Sprintf("bundle %d: %s", i+1, why))
				continue
			}
			if predicateType != "" && st.PredicateType != predicateType {
				continue
			}
			out = append(out, verifiedStatement{st: st, raw: payload})
		}
	}
	return out, reasons, nil
}

// checkBundle verifies a bundle's DSSE signature with pub and that its
// statement is about d.
func checkBundle(raw []byte, pub crypto.PublicKey, d name.Digest) (Statement, []byte, string) {
	var b bundle
	if err := json.Unmarshal(raw, &b); err != nil || b.DSSEEnvelope == nil {
		return Statement{}, nil, "not a Sigstore bundle with a DSSE envelope"
	}
	payload, err := base64.StdEncoding.DecodeString(b.DSSEEnvelope.Payload)
	if err != nil {
		return Statement{}, nil, "the envelope's payload is not base64"
	}
	ok := false
	for _, s := range b.DSSEEnvelope.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err == nil && verifySig(pub, pae(b.DSSEEnvelope.PayloadType, payload), sig) == nil {
			ok = true
		}
	}
	if !ok {
		return Statement{}, nil, "the signature does not match the key"
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil || (st.Type != statementType && st.Type != statementTypeV01) || len(st.Subject) == 0 {
		return Statement{}, nil, "the payload is not an in-toto statement"
	}
	want := strings.TrimPrefix(d.DigestStr(), "sha256:")
	for _, s := range st.Subject {
		if s.Digest["sha256"] == want {
			return st, payload, ""
		}
	}
	return Statement{}, nil, fmt.Sprintf("it is about %v, not %s", st.Subject[0].Digest, d.DigestStr())
}
