package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/lint"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/spf13/cobra"
)

func newLintCommand(s *Streams) *cobra.Command {
	var (
		ff            findingsFlags
		requireDigest bool
		trusted       []string
		buildArgs     []string
	)
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check Dockerfiles for insecure, wasteful and unreproducible practice",
		Long: `Lint Dockerfiles with BuildKit's own parser and a real shell parser for RUN
commands. PATH may be a Dockerfile, a directory (searched for Dockerfile,
Containerfile, *.Dockerfile and Dockerfile.*), or - for standard input; the
default is the current directory.

Findings can be ignored with a comment above the instruction
(# bulwark:ignore=DF001, or Hadolint's # hadolint ignore=DL3007), with
.bulwarkignore.yaml, or with --ignore. Rules are documented in docs/rules.`,
		Example: `  bulwark lint Dockerfile
  bulwark lint --fail-on high .
  bulwark lint --format sarif --output lint.sarif services/
  bulwark lint --trusted-registry ghcr.io/acme --require-digest Dockerfile
  bulwark lint --build-arg BASE=alpine:3.22 Dockerfile
  docker run --rm -i bulwark lint - < Dockerfile`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, pol, err := ff.setup(s)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			bargs, err := parseBuildArgs(buildArgs)
			if err != nil {
				return err
			}
			opts := lint.Options{
				Stdin:     s.In,
				BuildArgs: bargs,
				Rules: dfrule.Options{
					TrustedRegistries: append(append([]string(nil), cfg.TrustedRegistries...), trusted...),
					RequireDigest:     requireDigest || cfg.RequireDigest,
				},
			}
			res := lint.Lint(cmd.Context(), args, opts)
			r := &report.Report{
				Target: report.Target{Name: joinArgs(args), Kind: "dockerfile", Files: res.Files},
				Rules:  dfRules(),
			}
			return ff.finish(s, pol, r, res.Findings, len(res.Suppressed), res.Errors)
		},
	}
	ff.addTo(cmd)
	cmd.Flags().BoolVar(&requireDigest, "require-digest", false, "report base images not pinned by digest (DF002) as high")
	cmd.Flags().StringArrayVar(&buildArgs, "build-arg", nil, "NAME=value the build passes, overriding the ARG default as docker build --build-arg does; repeat for several")
	cmd.Flags().StringSliceVar(&trusted, "trusted-registry", nil, "registry or repository prefix base images may come from (DF003); repeat for several")
	return cmd
}

// parseBuildArgs reads --build-arg NAME=value flags. A bare NAME takes its
// value from the environment, as docker build does; unset, it is skipped.
func parseBuildArgs(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if k == "" {
			return nil, &exitError{code: ExitInput, msg: fmt.Sprintf("--build-arg %q: want NAME=value", f)}
		}
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue
			}
		}
		out[k] = v
	}
	return out, nil
}

func dfRules() []*rule.Rule {
	out := make([]*rule.Rule, len(dfrule.All))
	for i, r := range dfrule.All {
		out[i] = &r.Rule
	}
	return out
}

func joinArgs(args []string) string { return strings.Join(args, " ") }
