package cli

import (
	"encoding/json"
	"fmt"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/runtime/harden"
	"github.com/spf13/cobra"
)

func newHardenCommand(s *Streams) *cobra.Command {
	var (
		sf     sourceFlags
		format string
		kind   string
		output string
		image  string
		allow  []string
	)
	cmd := &cobra.Command{
		Use:   "harden IMAGE",
		Short: "Write the settings that run an image hardened, derived from the image",
		Long: `Derive from IMAGE itself how to run it hardened: its USER as numeric IDs
(through its /etc/passwd and /etc/group), or a non-root UID and the
Dockerfile lines to add when it runs as root; all capabilities dropped and
only those it needs added back (file capabilities of its entrypoint, and
NET_BIND_SERVICE for a port below 1024 that it EXPOSEs, its command line or
ENV PORT names, or its nginx/Apache configuration listens on), each with
its reason; a
read-only root filesystem with writable mounts for its VOLUMEs, /tmp and the
paths its software is known to write; no privilege escalation; seccomp
RuntimeDefault; the image pinned by digest.

The output passes 'bulwark audit --level restricted'.`,
		Example: `  bulwark harden nginx:1.27 > pod.yaml
  bulwark harden --format k8s --kind deployment ghcr.io/acme/api:1.4
  bulwark harden --format compose docker-archive:app.tar
  bulwark harden --format docker --allow NET_RAW oci-dir:./layout`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case harden.FormatK8s, harden.FormatCompose, harden.FormatDocker, harden.FormatPodman, "json":
			default:
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--format: unknown format %q (want k8s, compose, docker, podman or json)", format)}
			}
			if kind != "pod" && kind != "deployment" {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--kind: unknown kind %q (want pod or deployment)", kind)}
			}
			t, err := source.Open(cmd.Context(), args[0], sf.options()...)
			if err != nil {
				return inputError(err)
			}
			defer t.Close()
			plan, err := harden.For(cmd.Context(), t, image, sf.cache(s), harden.Options{Allow: allow})
			if err != nil {
				return inputError(err)
			}
			var out []byte
			switch format {
			case harden.FormatK8s:
				out, err = plan.Kubernetes(kind)
			case harden.FormatCompose:
				out = plan.Compose()
			case harden.FormatDocker, harden.FormatPodman:
				out = plan.Command(format)
			case "json":
				out, err = json.MarshalIndent(plan, "", "  ")
				out = append(out, '\n')
			}
			if err != nil {
				return err
			}
			if err := writeOutput(s, output, out); err != nil {
				return err
			}
			if plan.Rebuild {
				fmt.Fprintf(s.Err, "bulwark: warning: %s runs as root; the settings use %d:%d, and the image needs a rebuild with a non-root user (see the comments)\n", args[0], harden.NonRootID, harden.NonRootID)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "k8s", "output: k8s (a Pod or Deployment), compose (a service), docker or podman (run flags), json (the plan)")
	cmd.Flags().StringVar(&kind, "kind", "pod", "with --format k8s: pod or deployment")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&image, "image", "", "the image reference to write (default: the image's own name, pinned by digest)")
	cmd.Flags().StringSliceVar(&allow, "allow", nil, "capabilities to add although the image does not show it needs them; repeat or separate with commas")
	sf.addTo(cmd)
	return cmd
}
