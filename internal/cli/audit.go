package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/bulwarksec/bulwark/pkg/runtime/audit"
	"github.com/bulwarksec/bulwark/pkg/runtime/fix"
	"github.com/bulwarksec/bulwark/pkg/runtime/harden"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"
)

func newAuditCommand(s *Streams) *cobra.Command {
	var (
		ff         findingsFlags
		sf         sourceFlags
		level      string
		imageAware bool
		imageMap   []string
		doFix      bool
		diff       bool
		pssVersion string
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
			opts := audit.Options{Stdin: s.In, Keep: doFix || diff}
			if pssVersion != "" {
				v, err := rtrule.ParseVersion(pssVersion)
				if err != nil {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("--pss-version: %q is not a version (want v1.N or latest)", pssVersion)}
				}
				opts.Rules = append(opts.Rules, rtrule.AtVersion(v))
			}
			if imageAware || len(imageMap) > 0 {
				mapping := map[string]string{}
				for _, m := range imageMap {
					name, target, ok := strings.Cut(m, "=")
					if !ok || name == "" || target == "" {
						return &exitError{code: ExitInput, msg: fmt.Sprintf("--image-map: %q is not NAME=TARGET", m)}
					}
					mapping[name] = target
				}
				opts.Images = imageLookup(cmd, s, sf, mapping)
			}
			res := audit.Audit(args, opts)
			if doFix || diff {
				done, err := fixFiles(s, res, diff)
				if err != nil || done {
					return err
				}
				// Report what the fix left: read the rewritten files again.
				errs := res.Errors
				res = audit.Audit(args, opts)
				res.Errors = errs
			}
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
	cmd.Flags().BoolVar(&imageAware, "image-aware", false, "open each container's image (from its registry, or --image-map) and check the manifest against it: root by the image's USER, runAsNonRoot that will not start, read-only roots the image writes to")
	cmd.Flags().StringArrayVar(&imageMap, "image-map", nil, "NAME=TARGET: read the image named NAME in the manifests from TARGET (docker-archive:app.tar, oci-dir:...) instead of its registry; implies --image-aware; repeat for several")
	cmd.Flags().StringVar(&pssVersion, "pss-version", "latest", "Pod Security Standards version to decide the controls at, as the namespace label pod-security.kubernetes.io/enforce-version does (v1.25 ... v1.37, latest)")
	cmd.Flags().BoolVar(&doFix, "fix", false, "add the missing settings that cannot stop the workload, as added lines only (values you set are kept): seccomp, no privilege escalation, no token; with --image-aware also runAsNonRoot, a read-only root with volumes where the image writes, and capabilities dropped with what its entrypoint needs; then report what is left")
	cmd.Flags().BoolVar(&diff, "diff", false, "with or without --fix: print what the fix would change as a unified diff, and change nothing")
	sf.addTo(cmd)
	return cmd
}

// fixFiles fixes every file that parsed whole. With diff it prints a
// unified diff and writes nothing; standard input is printed fixed. It
// reports whether the command is done (nothing left to report).
func fixFiles(s *Streams, res *audit.Result, diff bool) (bool, error) {
	var diffs strings.Builder
	var opts []fix.Option
	if res.ImageAware() {
		opts = append(opts, fix.WithImages(res.ImageFacts))
	}
	for _, p := range res.Parsed {
		if why := fix.Source(p.Name, p.Source); why != "" {
			fmt.Fprintf(s.Err, "bulwark: %s: not fixed: %s\n", p.Name, why)
			continue
		}
		fr, err := fix.File(p.Name, p.Source, opts...)
		if err != nil {
			fmt.Fprintf(s.Err, "bulwark: not fixed: %s\n", report.Printable(err.Error()))
			continue
		}
		for _, n := range fr.Notes {
			fmt.Fprintf(s.Err, "bulwark: %s: %s\n", p.Name, report.Printable(n))
		}
		switch {
		case diff:
			if len(fr.Changes) > 0 {
				d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
					A: difflib.SplitLines(string(p.Source)), B: difflib.SplitLines(string(fr.Output)),
					FromFile: "a/" + strings.TrimPrefix(p.Name, "/"), ToFile: "b/" + strings.TrimPrefix(p.Name, "/"), Context: 3,
				})
				diffs.WriteString(d)
			}
		case p.Name == audit.Stdin:
			if _, err := s.Out.Write(fr.Output); err != nil {
				return true, err
			}
			for _, c := range fr.Changes {
				fmt.Fprintf(s.Err, "bulwark: fixed %s\n", c)
			}
			return true, nil
		case len(fr.Changes) > 0:
			if err := writeFileAtomic(p.Name, fr.Output); err != nil {
				return true, &exitError{code: ExitInput, msg: err.Error()}
			}
			for _, c := range fr.Changes {
				fmt.Fprintf(s.Err, "bulwark: fixed %s: %s\n", p.Name, c)
			}
		}
	}
	if diff {
		_, err := io.WriteString(s.Out, diffs.String())
		return true, err
	}
	return false, nil
}

// imageLookup opens images for the image-aware rules: from the mapping
// when it names them, otherwise from their registry.
func imageLookup(cmd *cobra.Command, s *Streams, sf sourceFlags, mapping map[string]string) rtrule.ImageLookup {
	cache := sf.cache(s)
	return func(image string) (*rtrule.ImageFacts, error) {
		target := image
		if m, ok := mapping[image]; ok {
			target = m
		}
		t, err := source.Open(cmd.Context(), target, sf.options()...)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		res, err := harden.Analyze(cmd.Context(), t, cache)
		if err != nil {
			return nil, err
		}
		return harden.ProfileOf(res).Facts(), nil
	}
}

// The Compose rules that are the same controls as the Pod Security
// Standards' baseline and restricted levels.
var (
	composeAtBaseline   = []string{"RT040", "RT041", "RT042", "RT047"}
	composeAtRestricted = slices.Concat(composeAtBaseline, []string{"RT043", "RT045", "RT046"})
)
