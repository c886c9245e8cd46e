package cli

import (
	"context"
	"crypto"
	"fmt"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	"github.com/bulwarksec/bulwark/pkg/registry/imagesig"
	"github.com/bulwarksec/bulwark/pkg/registry/sigkey"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

func newPushCommand(s *Streams) *cobra.Command {
	var (
		ff         findingsFlags
		sf         sourceFlags
		df         dbFlags
		offline    bool
		skipUpdate bool
		doSign     bool
		key        string
		verifyKey  string
	)
	cmd := &cobra.Command{
		Use:   "push SOURCE REF",
		Short: "Push an image only when it passes the gate, then sign it",
		Long: `Scan SOURCE (any TARGET form: a docker-archive, an OCI layout, another
registry) with the same checks, policy file and flags as 'bulwark scan', and
push it to REF only when no finding fails the gate (--fail-on, the ignore
file, VEX). With --sign --key the pushed digest is signed; with --verify-key
SOURCE must carry a valid signature first (promotion between registries).
A multi-platform SOURCE in a registry moves whole: every platform is gated,
the index is pushed with its digest unchanged, and the index digest is the
one verified and signed.`,
		Example: `  bulwark push --fail-on critical docker-archive:app.tar registry.example.com/app:1.4
  bulwark push --fail-on high --sign --key cosign.key oci-dir:./build registry.example.com/app:1.4
  bulwark push --verify-key staging.pub --fail-on high staging.example.com/app:1.4 prod.example.com/app:1.4`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, pol, err := ff.setup(s)
			if err != nil {
				return err
			}
			var nopts []name.Option
			if sf.insecure {
				nopts = append(nopts, name.Insecure)
			}
			dst, err := name.ParseReference(args[1], nopts...)
			if err != nil {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not an image reference: %v", args[1], err)}
			}
			ropts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithContext(cmd.Context())}
			var signer crypto.Signer
			if doSign {
				pw, err := password(s, false)
				if err != nil {
					return err
				}
				if signer, err = sigkey.LoadPrivate(key, pw); err != nil {
					return inputError(err)
				}
			}
			opts := scan.Options{Cache: sf.cache(s)}
			db, why, err := openScanDB(cmd, s, df, skipUpdate || offline)
			if err != nil {
				return err
			}
			if db != nil {
				defer db.Close()
				opts.DB = db
			} else {
				opts.NoDB = why
			}
			t, err := source.Open(cmd.Context(), args[0], sf.options()...)
			if err != nil {
				return inputError(err)
			}
			defer t.Close()
			if t.Image == nil {
				return &exitError{code: ExitInput, msg: args[0] + ": a directory cannot be pushed"}
			}
			var warnings []string
			// A multi-platform source in a registry moves as its index:
			// every platform is gated, the index is pushed and signed, and
			// its digest is the one a signature covers (cosign signs it).
			var index v1.ImageIndex
			srcDigest := t.Digest
			if t.Kind == source.Registry {
				src, err := name.ParseReference(args[0], nopts...)
				if err != nil {
					return inputError(err)
				}
				desc, err := remote.Get(src, ropts...)
				if err != nil {
					return inputError(err)
				}
				if desc.MediaType.IsIndex() {
					if index, err = desc.ImageIndex(); err != nil {
						return inputError(err)
					}
					srcDigest = desc.Digest
				}
			}
			if verifyKey != "" {
				if t.Kind != source.Registry {
					return &exitError{code: ExitInput, msg: "--verify-key needs SOURCE in a registry"}
				}
				pub, err := sigkey.LoadPublic(verifyKey)
				if err != nil {
					return inputError(err)
				}
				src, err := name.ParseReference(args[0], nopts...)
				if err != nil {
					return inputError(err)
				}
				if _, err := imagesig.Verify(cmd.Context(), src.Context().Digest(srcDigest.String()), pub, imagesig.VerifyOptions{Options: imagesig.Options{Remote: ropts}}); err != nil {
					return &exitError{code: ExitFindings, msg: "not pushed: the source's signature did not verify: " + oneLine(err.Error())}
				}
			}
			res, err := scanPlatforms(cmd.Context(), t, index, opts)
			if err != nil {
				return inputError(err)
			}
			if db == nil {
				warnings = append(warnings, "vulnerabilities were NOT checked: "+why)
			}
			r := &report.Report{
				Target:   report.Target{Name: args[0], Kind: "image", OS: res.Inventory.OS},
				Packages: res.Inventory.Packages,
				Warnings: warnings,
			}
			applied := pol.Apply(res.Findings)
			if pol.Fails(applied.Findings) {
				r.Warnings = append(r.Warnings, fmt.Sprintf("not pushed to %s: the image fails the gate", dst))
				return ff.finish(s, pol, r, res.Findings, 0, nil)
			}
			var d v1.Hash
			if index != nil {
				err = remote.WriteIndex(dst, index, ropts...)
				d = srcDigest
			} else {
				err = remote.Write(dst, t.Image, ropts...)
				if err == nil {
					d, err = t.Image.Digest()
				}
			}
			if err != nil {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("pushing %s: %s", dst, oneLine(err.Error()))}
			}
			pushed := dst.Context().Digest(d.String())
			fmt.Fprintf(s.Err, "bulwark: pushed %s\n", pushed)
			if signer != nil {
				if err := imagesig.Sign(cmd.Context(), pushed, signer, nil, imagesig.Options{Remote: ropts}); err != nil {
					return err
				}
				fmt.Fprintf(s.Err, "bulwark: signed %s\n", pushed)
			}
			return ff.finish(s, pol, r, res.Findings, 0, nil)
		},
	}
	ff.addTo(cmd)
	sf.addTo(cmd)
	df.addTo(cmd)
	cmd.Flags().BoolVar(&offline, "offline", false, "no network beyond the registries (implies --skip-db-update)")
	cmd.Flags().BoolVar(&skipUpdate, "skip-db-update", false, "do not update the database, even when it is old")
	cmd.Flags().BoolVar(&doSign, "sign", false, "sign the pushed digest (cosign v2 format)")
	cmd.Flags().StringVar(&key, "key", "cosign.key", "with --sign: private key file")
	cmd.Flags().StringVar(&verifyKey, "verify-key", "", "require a valid signature on SOURCE (a registry image) with this public key")
	return cmd
}

// scanPlatforms scans t, or, for a multi-platform index, every platform
// image in it (attestation manifests aside), with the findings of all of
// them, each once. The inventory reported is the first platform's: the
// gate is on the findings.
func scanPlatforms(ctx context.Context, t *source.Target, index v1.ImageIndex, opts scan.Options) (*scan.Result, error) {
	if index == nil {
		return scan.Run(ctx, t, opts)
	}
	im, err := index.IndexManifest()
	if err != nil {
		return nil, err
	}
	var all *scan.Result
	seen := map[string]bool{}
	for _, m := range im.Manifests {
		if !m.MediaType.IsImage() || (m.Platform != nil && m.Platform.OS == "unknown") {
			continue
		}
		img, err := index.Image(m.Digest)
		if err != nil {
			return nil, err
		}
		label := t.Name
		if m.Platform != nil {
			label += " (" + m.Platform.String() + ")"
		}
		res, err := scan.Run(ctx, source.FromImage(label, img), opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		found := res.Findings
		if all == nil {
			all = res
			all.Findings = nil
		}
		for _, f := range found {
			key := fmt.Sprint(f.ID, "|", f.Location, "|", f.Message)
			if f.Package != nil {
				key += "|" + f.Package.Name + "@" + f.Package.Version
			}
			if !seen[key] {
				seen[key] = true
				all.Findings = append(all.Findings, f)
			}
		}
	}
	if all == nil {
		return nil, fmt.Errorf("%s: the index lists no platform image", t.Name)
	}
	return all, nil
}
