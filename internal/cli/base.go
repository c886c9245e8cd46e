package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/baseadvice"
	"github.com/spf13/cobra"
)

func newBaseCommand(s *Streams) *cobra.Command {
	var (
		sf         sourceFlags
		df         dbFlags
		format     string
		output     string
		base       string
		candidates []string
		offline    bool
		skipUpdate bool
	)
	cmd := &cobra.Command{
		Use:   "base IMAGE",
		Short: "Explain an image's base and advise a smaller, safer one",
		Long: `Identify IMAGE's base (distribution and release, libc, shell, package
manager, base layers against the application's, its name and digest where
the image records them, end of life), work out what the application needs
from a base (its libc, a shell, runtimes, native libraries), and judge the
known bases (distroless, Chainguard/Wolfi, Alpine, Debian slim, Ubuntu)
against those needs, smallest fitting first, with the reasons.

Candidates are measured (size and, with a vulnerability database, their
known vulnerabilities) when they can be pulled, or when given as local
images with --candidate; otherwise their typical sizes are shown, marked ~.`,
		Example: `  bulwark base ghcr.io/acme/api:1.4
  bulwark base --candidate oci-dir:./distroless-static docker-archive:app.tar
  bulwark base --offline -f json docker-archive:app.tar`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--format: unknown format %q (want table or json)", format)}
			}
			ctx := cmd.Context()
			opts := baseadvice.Options{}
			opts.Scan.Cache = sf.cache(s)
			db, why, err := openScanDB(cmd, s, df, skipUpdate || offline)
			if err != nil {
				return err
			}
			if db != nil {
				defer db.Close()
				opts.Scan.DB = db
			}
			t, err := source.Open(ctx, args[0], sf.options()...)
			if err != nil {
				return inputError(err)
			}
			defer t.Close()
			if base != "" {
				bt, err := source.Open(ctx, base, sf.options()...)
				if err != nil {
					return inputError(err)
				}
				defer bt.Close()
				opts.Base = bt
			}
			for _, c := range candidates {
				name, ref := c, c
				if n, r, ok := strings.Cut(c, "="); ok && n != "" && r != "" {
					name, ref = n, r
				}
				ct, err := source.Open(ctx, ref, sf.options()...)
				if err != nil {
					return inputError(err)
				}
				defer ct.Close()
				opts.Candidates = append(opts.Candidates, baseadvice.NamedTarget{Name: name, Target: ct})
			}
			if !offline {
				opts.Open = func(ctx context.Context, name string) (*source.Target, error) {
					return source.Open(ctx, name, sf.options()...)
				}
			}
			a, err := baseadvice.Explain(ctx, t, opts)
			if err != nil {
				return inputError(err)
			}
			if db == nil {
				a.Warnings = append(a.Warnings, "vulnerabilities were not counted: "+why)
			}
			var buf bytes.Buffer
			if format == "json" {
				err = a.WriteJSON(&buf)
			} else {
				err = a.WriteTable(&buf)
			}
			if err != nil {
				return err
			}
			if err := writeOutput(s, output, buf.Bytes()); err != nil {
				return err
			}
			for _, w := range a.Warnings {
				fmt.Fprintf(s.Err, "bulwark: warning: %s\n", w)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	cmd.Flags().StringVar(&base, "base", "", "the image's base image (any TARGET form), when the image does not record it")
	cmd.Flags().StringArrayVar(&candidates, "candidate", nil, "another base to measure and judge, as TARGET or NAME=TARGET (NAME: how to show it, e.g. gcr.io/distroless/static-debian12=oci-dir:./static); repeat for several")
	cmd.Flags().BoolVar(&offline, "offline", false, "no network: known candidates keep their typical figures")
	cmd.Flags().BoolVar(&skipUpdate, "skip-db-update", false, "do not update the vulnerability database, even when it is old")
	sf.addTo(cmd)
	df.addTo(cmd)
	return cmd
}
