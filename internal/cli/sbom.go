package cli

import (
	"bytes"
	"fmt"

	"github.com/bulwarksec/bulwark/internal/version"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/layercache"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/bulwarksec/bulwark/pkg/report/cyclonedx"
	"github.com/bulwarksec/bulwark/pkg/report/spdx"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags of every command that opens an image.
type sourceFlags struct {
	platform string
	insecure bool
	cacheDir string
	noCache  bool
}

func (f *sourceFlags) addTo(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.platform, "platform", "linux/amd64", "platform to pick from a multi-platform image (os/arch[/variant])")
	cmd.Flags().BoolVar(&f.insecure, "insecure", false, "allow plain-HTTP registries (local registries)")
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "where per-layer results are cached (default: the user cache directory)")
	cmd.Flags().BoolVar(&f.noCache, "no-cache", false, "read every layer, neither using nor filling the layer cache")
}

// cache opens the layer cache the flags ask for; nil when disabled or
// when it cannot be created (then every layer is read, with a warning).
func (f *sourceFlags) cache(s *Streams) imagefs.Cache {
	if f.noCache {
		return nil
	}
	dir := f.cacheDir
	if dir == "" {
		var err error
		if dir, err = layercache.DefaultDir(); err != nil {
			fmt.Fprintf(s.Err, "bulwark: warning: no layer cache: %v\n", err)
			return nil
		}
	}
	c, err := layercache.New(dir)
	if err != nil {
		fmt.Fprintf(s.Err, "bulwark: warning: no layer cache: %v\n", err)
		return nil
	}
	return c
}

func (f *sourceFlags) options() []source.Option {
	return []source.Option{source.WithPlatform(f.platform), source.WithInsecure(f.insecure)}
}

func newSBOMCommand(s *Streams) *cobra.Command {
	var (
		sf     sourceFlags
		format string
		output string
	)
	cmd := &cobra.Command{
		Use:   "sbom TARGET",
		Short: "List the packages in an image or directory (software bill of materials)",
		Long: `List every package in TARGET: OS packages (apk, dpkg) and, as they land,
language packages. TARGET is a registry reference, oci-dir:PATH[:NAME|@DIGEST],
docker-archive:FILE, oci-archive:FILE[:NAME], or dir:PATH; without a prefix an
existing path is detected by its content and anything else is a registry reference.
Layers are streamed, never extracted to disk.`,
		Example: `  bulwark sbom alpine:3.20
  bulwark sbom docker-archive:image.tar --format cyclonedx -o sbom.cdx.json
  bulwark sbom alpine:3.20 --format spdx
  bulwark sbom oci-dir:./layout:example.local/app:1.0 -o sbom.json -f json
  bulwark sbom dir:/mnt/rootfs`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "json", "cyclonedx", "spdx":
			default:
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--format: unknown format %q (want table, json, cyclonedx or spdx)", format)}
			}
			t, err := source.Open(cmd.Context(), args[0], sf.options()...)
			if err != nil {
				return inputError(err)
			}
			defer t.Close()
			res, err := analyzer.Analyze(cmd.Context(), t, analyzer.Options{Cache: sf.cache(s)})
			if err != nil {
				return inputError(err)
			}
			r := &report.Report{
				SchemaVersion: report.SchemaVersion,
				Tool:          report.Tool{Name: "bulwark", Version: version.String()},
				Target:        report.Target{Name: args[0], Kind: targetKind(t), OS: res.Inventory.OS},
				Packages:      res.Inventory.Packages,
				Warnings:      res.Warnings,
			}
			if t.Digest.Hex != "" {
				r.Target.Digest = t.Digest.String()
			}
			var buf bytes.Buffer
			meta := sbom.Meta{Name: args[0], Digest: r.Target.Digest, Kind: r.Target.Kind, ToolName: "bulwark", ToolVersion: version.String()}
			switch format {
			case "cyclonedx":
				err = cyclonedx.Write(&buf, res.Inventory, meta)
			case "spdx":
				err = spdx.Write(&buf, res.Inventory, meta)
			case "json":
				err = report.Write(&buf, r, report.JSON, report.Options{})
			default:
				err = report.WritePackages(&buf, r, report.Options{Color: output == "" && s.IsTerminal != nil && s.IsTerminal() && s.getenv("NO_COLOR") == ""})
			}
			if err != nil {
				return err
			}
			if err := writeOutput(s, output, buf.Bytes()); err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(s.Err, "bulwark: warning: %s\n", oneLine(w))
			}
			return nil
		},
	}
	sf.addTo(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, json, cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func targetKind(t *source.Target) string {
	if t.Kind == source.Dir {
		return "directory"
	}
	return "image"
}

// writeOutput writes a rendered report to --output (atomically) or stdout.
func writeOutput(s *Streams, output string, b []byte) error {
	if output == "" {
		_, err := s.Out.Write(b)
		return err
	}
	if err := writeFileAtomic(output, b); err != nil {
		return &exitError{code: ExitInput, msg: err.Error()}
	}
	return nil
}
