package cli

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/registry/imagesig"
	"github.com/bulwarksec/bulwark/pkg/registry/sigkey"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

// password reads the key password: BULWARK_PASSWORD, then COSIGN_PASSWORD
// (empty is a valid password), then a prompt on the terminal.
func password(s *Streams, confirm bool) ([]byte, error) {
	for _, k := range []string{"BULWARK_PASSWORD", "COSIGN_PASSWORD"} {
		if v, ok := s.lookupEnv(k); ok {
			return []byte(v), nil
		}
	}
	if s.ReadPassword == nil {
		return nil, &exitError{code: ExitInput, msg: "set BULWARK_PASSWORD (or COSIGN_PASSWORD) for the key's password: " + ErrNoTerminal.Error()}
	}
	p, err := s.ReadPassword("Password for the key: ")
	if errors.Is(err, ErrNoTerminal) {
		return nil, &exitError{code: ExitInput, msg: "set BULWARK_PASSWORD (or COSIGN_PASSWORD) for the key's password: " + err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if confirm {
		again, err := s.ReadPassword("Password again: ")
		if err != nil {
			return nil, err
		}
		if string(again) != string(p) {
			return nil, &exitError{code: ExitInput, msg: "the passwords differ"}
		}
	}
	return p, nil
}

// registryFlags are how sign, verify and the registry commands reach a
// registry.
type registryFlags struct{ insecure bool }

func (f *registryFlags) addTo(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.insecure, "insecure", false, "allow plain-HTTP registries (local registries)")
}

func (f *registryFlags) parse(ref string) (name.Reference, error) {
	var opts []name.Option
	if f.insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not an image reference: %v", ref, err)}
	}
	return r, nil
}

func (f *registryFlags) options() imagesig.Options {
	return imagesig.Options{Remote: []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}}
}

// signerFor loads the private key (asking for its password) and resolves
// the image to the digest to sign.
func (f *registryFlags) signerFor(cmd *cobra.Command, s *Streams, key, image string) (crypto.Signer, name.Digest, error) {
	ref, err := f.parse(image)
	if err != nil {
		return nil, name.Digest{}, err
	}
	pw, err := password(s, false)
	if err != nil {
		return nil, name.Digest{}, err
	}
	signer, err := sigkey.LoadPrivate(key, pw)
	if err != nil {
		return nil, name.Digest{}, inputError(err)
	}
	d, err := imagesig.Resolve(cmd.Context(), ref, f.options())
	if err != nil {
		return nil, name.Digest{}, inputError(err)
	}
	return signer, d, nil
}

func newKeyCommand(s *Streams) *cobra.Command {
	var prefix string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write a signing key pair in cosign's format (PREFIX.key, PREFIX.pub)",
		Long: `Write an ECDSA P-256 key pair: PREFIX.key, encrypted with a password
(BULWARK_PASSWORD or COSIGN_PASSWORD, or asked on the terminal), and
PREFIX.pub. cosign reads both, and Bulwark reads cosign's own keys.`,
		Example: `  BULWARK_PASSWORD=... bulwark key generate
  bulwark key generate --output-prefix ci/release`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := password(s, true)
			if err != nil {
				return err
			}
			priv, pub, err := sigkey.Generate(pw)
			if err != nil {
				return err
			}
			keyFile, pubFile := prefix+".key", prefix+".pub"
			for _, f := range []string{keyFile, pubFile} {
				if _, err := os.Stat(f); err == nil {
					return &exitError{code: ExitInput, msg: f + ": exists; not overwritten"}
				}
			}
			if err := os.MkdirAll(filepath.Dir(keyFile), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(keyFile, priv, 0o600); err != nil {
				return err
			}
			if err := os.WriteFile(pubFile, pub, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "Private key written to %s\nPublic key written to %s\n", keyFile, pubFile)
			return nil
		},
	}
	gen.Flags().StringVar(&prefix, "output-prefix", "cosign", "file name prefix of the key pair")
	cmd := &cobra.Command{Use: "key", Short: "Signing keys in cosign's format", Example: "  BULWARK_PASSWORD=... bulwark key generate --output-prefix release"}
	cmd.AddCommand(gen)
	return cmd
}

func newSignCommand(s *Streams) *cobra.Command {
	var (
		rf          registryFlags
		key         string
		annotations []string
		asBundle    bool
	)
	cmd := &cobra.Command{
		Use:   "sign IMAGE",
		Short: "Sign an image by digest, where cosign keeps signatures",
		Long: `Sign the manifest digest IMAGE names now (a tag is resolved first; a
signature never names a tag) with a key from 'bulwark key generate' or
cosign, and store it as cosign v2 does: a simple signing payload in the
image tagged sha256-<digest>.sig, next to the image. cosign verify reads it.`,
		Example: `  bulwark sign --key cosign.key registry.example.com/app:1.4
  bulwark sign --key cosign.key -a git-sha=$GIT_SHA registry.example.com/app@sha256:...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ann, err := parseAnnotations(annotations)
			if err != nil {
				return err
			}
			signer, d, err := rf.signerFor(cmd, s, key, args[0])
			if err != nil {
				return err
			}
			if asBundle {
				if err := imagesig.SignBundle(cmd.Context(), d, signer, ann, "", nil, rf.options()); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "Signed %s (Sigstore bundle, a referrer of the image)\n", d)
				return nil
			}
			if err := imagesig.Sign(cmd.Context(), d, signer, ann, rf.options()); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "Signed %s (signature in %s)\n", d, imagesig.SignatureTag(d))
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "cosign.key", "private key file")
	cmd.Flags().StringArrayVarP(&annotations, "annotations", "a", nil, "KEY=VALUE added to the signed payload; repeat for several")
	cmd.Flags().BoolVar(&asBundle, "bundle", false, "write cosign v3's Sigstore bundle format (an OCI referrer) instead of v2's .sig tag; tools that read only v2 (Harbor, Kyverno) will not see it")
	rf.addTo(cmd)
	return cmd
}

func newAttestCommand(s *Streams) *cobra.Command {
	var (
		rf        registryFlags
		key       string
		predicate string
		typ       string
		asBundle  bool
	)
	cmd := &cobra.Command{
		Use:   "attest IMAGE",
		Short: "Attach an SBOM or scan result to an image as a signed in-toto attestation",
		Long: `Sign PREDICATE (a JSON file: an SBOM from 'bulwark sbom', a scan report,
provenance) as an in-toto attestation about the digest IMAGE names, and
store it where cosign does: the sha256-<digest>.att tag (cosign v2), or a
Sigstore bundle referrer with --bundle (cosign v3). 'bulwark verify
--attestation' and 'cosign verify-attestation' check it.`,
		Example: `  bulwark sbom -f cyclonedx -o sbom.json registry.example.com/app:1.4
  bulwark attest --key cosign.key --predicate sbom.json --type cyclonedx registry.example.com/app:1.4`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pt, err := imagesig.PredicateType(typ)
			if err != nil {
				return &exitError{code: ExitInput, msg: "--type: " + err.Error()}
			}
			pred, err := os.ReadFile(predicate)
			if err != nil {
				return inputError(err)
			}
			if !json.Valid(pred) {
				return &exitError{code: ExitInput, msg: predicate + ": not JSON"}
			}
			signer, d, err := rf.signerFor(cmd, s, key, args[0])
			if err != nil {
				return err
			}
			if asBundle {
				err = imagesig.SignBundle(cmd.Context(), d, signer, nil, pt, pred, rf.options())
			} else {
				err = imagesig.Attest(cmd.Context(), d, signer, pt, pred, rf.options())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "Attested %s (%s)\n", d, pt)
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "cosign.key", "private key file")
	cmd.Flags().StringVar(&predicate, "predicate", "", "the JSON document to attest")
	cmd.Flags().StringVar(&typ, "type", "custom", "predicate type: cyclonedx, spdx, spdxjson, slsaprovenance, vuln, openvex, custom, or a URI")
	cmd.Flags().BoolVar(&asBundle, "bundle", false, "write cosign v3's Sigstore bundle format instead of v2's .att tag")
	_ = cmd.MarkFlagRequired("predicate")
	rf.addTo(cmd)
	return cmd
}

func newVerifyCommand(s *Streams) *cobra.Command {
	var (
		rf          registryFlags
		key         string
		require     []string
		attestation bool
		typ         string
	)
	cmd := &cobra.Command{
		Use:   "verify IMAGE",
		Short: "Verify an image's signatures (cosign v2 and v3 formats) with a public key",
		Long: `Verify the signatures of the digest IMAGE names, in both places cosign
keeps them (the sha256-<digest>.sig tag, and Sigstore bundles), with a
public key. Exit 0 and print the verified payloads when at least one
signature verifies; exit 1 with the reason when none does.`,
		Example: `  bulwark verify --key cosign.pub registry.example.com/app:1.4
  bulwark verify --key cosign.pub --require-annotation env=prod registry.example.com/app@sha256:...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := parseAnnotations(require)
			if err != nil {
				return err
			}
			ref, err := rf.parse(args[0])
			if err != nil {
				return err
			}
			pub, err := sigkey.LoadPublic(key)
			if err != nil {
				return inputError(err)
			}
			d, err := imagesig.Resolve(cmd.Context(), ref, rf.options())
			if err != nil {
				return inputError(err)
			}
			if attestation {
				pt := ""
				if typ != "" {
					if pt, err = imagesig.PredicateType(typ); err != nil {
						return &exitError{code: ExitInput, msg: "--type: " + err.Error()}
					}
				}
				as, err := imagesig.VerifyAttestations(cmd.Context(), d, pub, pt, rf.options())
				if err != nil {
					return &exitError{code: ExitFindings, msg: "verification failed: " + oneLine(err.Error())}
				}
				return printVerified(s, d, as, "attestation", "attestations")
			}
			vs, err := imagesig.Verify(cmd.Context(), d, pub, imagesig.VerifyOptions{Options: rf.options(), RequireAnnotations: req})
			if err != nil {
				return &exitError{code: ExitFindings, msg: "verification failed: " + oneLine(err.Error())}
			}
			return printVerified(s, d, vs, "signature", "signatures")
		},
	}
	cmd.Flags().StringVar(&key, "key", "cosign.pub", "public key file (or a certificate)")
	cmd.Flags().StringArrayVar(&require, "require-annotation", nil, "KEY=VALUE the signed payload must carry; repeat for several")
	cmd.Flags().BoolVar(&attestation, "attestation", false, "verify attestations (bulwark attest, cosign attest) instead of signatures")
	cmd.Flags().StringVar(&typ, "type", "", "with --attestation: only this predicate type (cyclonedx, spdx, ... or a URI)")
	rf.addTo(cmd)
	return cmd
}

func parseAnnotations(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range list {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, &exitError{code: ExitInput, msg: fmt.Sprintf("%q is not KEY=VALUE", a)}
		}
		out[k] = v
	}
	return out, nil
}

// printVerified says on stderr what verified, and writes each verified
// payload to stdout as a JSON line, as cosign prints them.
func printVerified[T any](s *Streams, d name.Digest, items []T, one, many string) error {
	fmt.Fprintf(s.Err, "Verified %s: %d %s\n", d, len(items), printable.Plural(len(items), one, many))
	enc := json.NewEncoder(s.Out)
	for _, x := range items {
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}
