package imagesig

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Attestations in cosign v2's format: a DSSE envelope (an in-toto
// statement about the image) as a layer of the image tagged
// sha256-<digest>.att, its predicate type in an annotation.
const (
	DSSEMediaType          = types.MediaType("application/vnd.dsse.envelope.v1+json")
	predicateTypeKey       = "predicateType"
	statementTypeV01       = "https://in-toto.io/Statement/v0.1"
	attestationTagSuffix   = ".att"
	defaultAttestationType = "https://cosign.sigstore.dev/attestation/v1"
)

// PredicateTypes are cosign's --type short names.
var PredicateTypes = map[string]string{
	"slsaprovenance":  "https://slsa.dev/provenance/v0.2",
	"slsaprovenance1": "https://slsa.dev/provenance/v1",
	"cyclonedx":       "https://cyclonedx.org/bom",
	"spdx":            "https://spdx.dev/Document",
	"spdxjson":        "https://spdx.dev/Document",
	"vuln":            "https://cosign.sigstore.dev/attestation/vuln/v1",
	"openvex":         "https://openvex.dev/ns",
	"custom":          defaultAttestationType,
}

// PredicateType resolves a --type value: a short name or a URI.
func PredicateType(t string) (string, error) {
	if u, ok := PredicateTypes[strings.ToLower(t)]; ok {
		return u, nil
	}
	if strings.Contains(t, "://") {
		return t, nil
	}
	return "", fmt.Errorf("unknown predicate type %q (cyclonedx, spdx, spdxjson, slsaprovenance, vuln, openvex, custom, or a URI)", t)
}

// AttestationTag is where cosign v2 keeps an image's attestations.
func AttestationTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + attestationTagSuffix)
}

// Attest attaches predicate (JSON) as a signed in-toto attestation of
// type predicateType to the image at d, in cosign v2's format.
func Attest(ctx context.Context, d name.Digest, signer crypto.Signer, predicateType string, predicate json.RawMessage, opts Options) error {
	if !json.Valid(predicate) {
		return errors.New("the predicate is not JSON")
	}
	st := map[string]any{
		"_type":         statementTypeV01,
		"predicateType": predicateType,
		"subject":       []map[string]any{{"name": d.Context().Name(), "digest": map[string]string{"sha256": strings.TrimPrefix(d.DigestStr(), "sha256:")}}},
		"predicate":     predicate,
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return err
	}
	sig, err := signPayload(signer, pae(inTotoPayloadType, payload))
	if err != nil {
		return err
	}
	env, err := json.Marshal(map[string]any{
		"payloadType": inTotoPayloadType,
		"payload":     base64.StdEncoding.EncodeToString(payload),
		"signatures":  []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(sig)}},
	})
	if err != nil {
		return err
	}
	ropts := append(opts.Remote, remote.WithContext(ctx))
	tag := AttestationTag(d)
	base, err := remote.Image(tag, ropts...)
	switch {
	case isNotFound(err):
		base = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	case err != nil:
		return fmt.Errorf("reading %s: %w", tag, err)
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: static.NewLayer(env, DSSEMediaType), Annotations: map[string]string{SignatureAnnotation: "", predicateTypeKey: predicateType}})
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img, ropts...); err != nil {
		return fmt.Errorf("writing %s: %w", tag, err)
	}
	return nil
}

// Attestation is a verified attestation.
type Attestation struct {
	Format        string          `json:"format"`
	PredicateType string          `json:"predicateType"`
	Statement     json.RawMessage `json:"statement"`
}

// VerifyAttestations returns the attestations of the image at d that
// verify with pub, of predicateType ("" for any), in both formats.
func VerifyAttestations(ctx context.Context, d name.Digest, pub crypto.PublicKey, predicateType string, opts Options) ([]Attestation, error) {
	var out []Attestation
	var reasons []string
	ropts := append(opts.Remote, remote.WithContext(ctx))
	img, err := remote.Image(AttestationTag(d), ropts...)
	switch {
	case isNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", AttestationTag(d), err)
	default:
		m, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		for i, l := range m.Layers {
			if l.MediaType != DSSEMediaType {
				continue
			}
			layer, err := img.LayerByDigest(l.Digest)
			if err != nil {
				return nil, err
			}
			raw, err := readBlob(layer, l.Size)
			if err != nil {
				return nil, err
			}
			var env envelope
			if err := json.Unmarshal(raw, &env); err != nil {
				reasons = append(reasons, fmt.Sprintf("attestation %d: not a DSSE envelope", i+1))
				continue
			}
			wrapped, _ := json.Marshal(bundle{MediaType: BundleMediaType, DSSEEnvelope: &env})
			st, payload, why := checkBundle(wrapped, pub, d)
			if why != "" {
				reasons = append(reasons, fmt.Sprintf("attestation %d: %s", i+1, strings.Replace(why, "in-toto statement", "in-toto statement v0.1 or v1", 1)))
				continue
			}
			if predicateType != "" && st.PredicateType != predicateType {
				continue
			}
			out = append(out, Attestation{Format: "dsse", PredicateType: st.PredicateType, Statement: payload})
		}
	}
	sts, rs, err := bundleStatements(ctx, d, pub, opts, "")
	if err != nil {
		return nil, err
	}
	reasons = append(reasons, rs...)
	for _, s := range sts {
		if s.st.PredicateType == SignPredicateType || (predicateType != "" && s.st.PredicateType != predicateType) {
			continue
		}
		out = append(out, Attestation{Format: "bundle", PredicateType: s.st.PredicateType, Statement: s.raw})
	}
	if len(out) == 0 {
		if len(reasons) > 0 {
			return nil, fmt.Errorf("%s: no attestation verified: %s", d, strings.Join(reasons, "; "))
		}
		what := "attestations"
		if predicateType != "" {
			what = "attestations of type " + predicateType
		}
		return nil, fmt.Errorf("%s: no %s found", d, what)
	}
	return out, nil
}
