package cli

import (
	"fmt"
	"slices"

	"github.com/bulwarksec/bulwark/pkg/audit"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/bulwarksec/bulwark/pkg/rtrule"
	"github.com/spf13/cobra"
)

func newAuditCommand(s *Streams) *cobra.Command {
	var (
		ff    findingsFlags
		level string
	)
	cmd := &cobra.Command{
		Use:   "audit [PATH...]",
		Short: "Check Kubernetes manifests and Compose files for how containers run",
		Long: `Audit Kubernetes manifests (YAML or JSON, several documents, List kinds,
every workload kind) and Docker Compose files for the settings that decide
how hardened a container runs: the Pod Security Standards (decided by the
Kubernetes admission controller's own code), a read-only root filesystem,
limits, pinned images, service account tokens, and Compose's privileged,
capabilities, user, read_only and security_opt.

PATH may be a file, a directory (searched for *.yaml, *.yml, *.json and
Compose file names), or - for standard input (helm template . | bulwark
audit -). --level makes the Pod Security Standards level fail the gate, as
the admission controller would reject the pod.`,
		Example: `  bulwark audit k8s/
  bulwark audit --level restricted deploy.yaml
  helm template ./chart | bulwark audit --level baseline -
  bulwark audit -f sarif -o audit.sarif compose.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, pol, err := ff.setup(s)
			if err != nil {
				return err
			}
			switch level {
			case "":
			case string(rtrule.Baseline), string(rtrule.Restricted):
				pol.AlwaysFail = append(pol.AlwaysFail, rtrule.IDsAt(rtrule.Level(level))...)
				if level == string(rtrule.Restricted) {
					// The Compose forms of the same controls.
					pol.AlwaysFail = append(pol.AlwaysFail, composeAtRestricted...)
				} else {
					pol.AlwaysFail = append(pol.AlwaysFail, composeAtBaseline...)
				}
			default:
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--level: unknown level %q (want baseline or restricted)", level)}
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			res := audit.Audit(args, audit.Options{Stdin: s.In})
			r := &report.Report{
				Target:   report.Target{Name: joinArgs(args), Kind: "manifest", Files: res.Files},
				Rules:    rtrule.Rules(),
				Warnings: res.Notes,
			}
			return ff.finish(s, pol, r, res.Findings, 0, res.Errors)
		},
	}
	ff.addTo(cmd)
	cmd.Flags().StringVar(&level, "level", "", "Pod Security Standards level whose controls fail the gate: baseline or restricted")
	return cmd
}

// The Compose rules that are the same controls as the Pod Security
// Standards' baseline and restricted levels.
var (
	composeAtBaseline   = []string{"RT040", "RT041", "RT042", "RT047"}
	composeAtRestricted = slices.Concat(composeAtBaseline, []string{"RT043", "RT045", "RT046"})
)
