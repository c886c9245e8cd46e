package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/policy"
	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"github.com/bulwarksec/bulwark/pkg/registry/pin"
	"github.com/bulwarksec/bulwark/pkg/registry/prune"
	"github.com/bulwarksec/bulwark/pkg/runtime/audit"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

// pruneKeys are the policy keys, the same as flags and in --policy files.
type pruneKeys struct {
	KeepLast        int      `yaml:"keep-last"`
	KeepTag         []string `yaml:"keep-tag"`
	KeepYoungerThan string   `yaml:"keep-younger-than"`
	KeepInUse       []string `yaml:"keep-in-use"`
	DeleteUntagged  bool     `yaml:"delete-untagged"`
}

func newPruneCommand(s *Streams) *cobra.Command {
	var (
		k          pruneKeys
		policyFile string
		apply      bool
		auditLog   string
		workers    int
		insecure   bool
		format     string
	)
	cmd := &cobra.Command{
		Use:   "prune REPOSITORY",
		Short: "Delete old images from a registry repository, never one still in use",
		Long: `Plan, and with --apply carry out, a retention policy for a repository: a tag
is kept when any keep rule keeps it (--keep-last N by creation time,
--keep-tag REGEX, --keep-younger-than DURATION, --keep-in-use PATH for
deployed images in Kubernetes/Compose files or a list of references) and
deleted otherwise. A digest a kept tag or kept index still needs is never
deleted; signatures and attestations follow their image, whether cosign's
tags (.sig, .att, the sha256-<digest> fallback tag) or referrers behind the
registry's Referrers API.

Without --apply this is a dry run: a table of what would be kept and
deleted, and why. --apply deletes by digest through the registry API and
appends each deletion to --audit-log (JSON lines). A failed run stops
cleanly; run it again to finish. A dangling tag (listed, but its manifest
is gone, as a registry that died mid-delete leaves it) is deleted by name
unless a keep rule names it.`,
		Example: `  bulwark prune --keep-last 10 --keep-tag '^v\d+\.\d+\.\d+$' --keep-in-use k8s/ registry.example.com/app
  bulwark prune --policy retention.yaml --apply registry.example.com/app`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var nopts []name.Option
			if insecure {
				nopts = append(nopts, name.Insecure)
			}
			repo, err := name.NewRepository(args[0], nopts...)
			if err != nil {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not a repository: %v", args[0], err)}
			}
			if policyFile != "" {
				if err := loadPrunePolicy(policyFile, repo.Name(), &k); err != nil {
					return err
				}
			}
			pol, err := k.policy()
			if err != nil {
				return err
			}
			counter := &prune.Counter{Base: remote.DefaultTransport}
			ropts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithTransport(counter), remote.WithJobs(workers)}
			start := time.Now()
			tags, manifests, err := prune.Load(cmd.Context(), repo, workers, ropts...)
			if err != nil {
				return &exitError{code: ExitInput, msg: oneLine(err.Error())}
			}
			plan := prune.Decide(repo.Name(), tags, manifests, pol)
			// Referrers (Sigstore bundles, attestations) go with their image
			// where the registry keeps them behind the Referrers API.
			refs, err := prune.ReferrersOf(cmd.Context(), repo, plan.DeletedImages(), workers, counter, ropts...)
			if err != nil {
				return &exitError{code: ExitInput, msg: oneLine(err.Error())}
			}
			plan.AddReferrers(refs)
			if format == "json" {
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(plan); err != nil {
					return err
				}
			} else {
				writePlan(s, plan)
			}
			fmt.Fprintf(s.Err, "bulwark: planned in %s with %d requests (%s)\n", time.Since(start).Round(time.Millisecond), counter.Total(), byMethod(counter))
			if !apply {
				if len(plan.Delete) > 0 {
					fmt.Fprintf(s.Err, "bulwark: dry run: nothing deleted; --apply deletes the %d manifests above\n", len(plan.Delete))
				}
				return nil
			}
			f, err := os.OpenFile(auditLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				return &exitError{code: ExitInput, msg: err.Error()}
			}
			defer f.Close()
			var mu sync.Mutex
			enc := json.NewEncoder(f)
			deleted := 0
			var unsupported []string
			err = prune.Apply(cmd.Context(), plan, workers, prune.Deleter(repo, ropts...), func(d prune.Deletion, err error) {
				mu.Lock()
				defer mu.Unlock()
				rec := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "repository": repo.Name(), "digest": d.Digest, "tags": d.Tags, "rule": d.Rule, "action": "delete"}
				switch {
				case errors.Is(err, prune.ErrUnsupported):
					rec["action"], rec["error"] = "skip", err.Error()
					unsupported = append(unsupported, d.Tags...)
				case err != nil:
					rec["error"] = err.Error()
				default:
					deleted++
				}
				_ = enc.Encode(rec)
			})
			fmt.Fprintf(s.Err, "bulwark: deleted %d of %d manifests and dangling tags (log: %s)\n", deleted, len(plan.Delete), auditLog)
			if len(unsupported) > 0 {
				fmt.Fprintf(s.Err, "bulwark: warning: %d dangling tags left (%s): the registry does not delete tags by name; its garbage collector or an operator must\n", len(unsupported), strings.Join(unsupported, ", "))
			}
			if err != nil {
				return &exitError{code: ExitInput, msg: "prune stopped: " + oneLine(err.Error()) + "; run it again to finish"}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&k.KeepLast, "keep-last", 0, "keep the N newest tags (by the image config's creation time, then the registry's order)")
	fl.StringArrayVar(&k.KeepTag, "keep-tag", nil, "keep tags matching this regular expression; repeat for several")
	fl.StringVar(&k.KeepYoungerThan, "keep-younger-than", "", "keep tags created less than this long ago (\"30d\", \"72h\")")
	fl.StringArrayVar(&k.KeepInUse, "keep-in-use", nil, "keep what is deployed: Kubernetes manifests, Compose files, directories of them, or a file listing image references; repeat for several")
	fl.BoolVar(&k.DeleteUntagged, "delete-untagged", false, "also delete the platform images of deleted indexes that nothing else references")
	fl.StringVar(&policyFile, "policy", "", "YAML file with the same keys per repository (repositories: {REPO: {keep-last: 10, ...}})")
	fl.BoolVar(&apply, "apply", false, "delete (default: a dry run that only shows the plan)")
	fl.StringVar(&auditLog, "audit-log", "bulwark-prune.log", "with --apply: append a JSON line per deletion here")
	fl.IntVar(&workers, "jobs", 4, "requests at once")
	fl.BoolVar(&insecure, "insecure", false, "allow plain-HTTP registries")
	fl.StringVarP(&format, "format", "f", "table", "plan output: table or json")
	return cmd
}

func (k pruneKeys) policy() (prune.Policy, error) {
	p := prune.Policy{KeepLast: k.KeepLast, DeleteUntagged: k.DeleteUntagged}
	for _, t := range k.KeepTag {
		re, err := regexp.Compile(t)
		if err != nil {
			return p, &exitError{code: ExitInput, msg: fmt.Sprintf("--keep-tag %q: %v", t, err)}
		}
		p.KeepTags = append(p.KeepTags, re)
	}
	if k.KeepYoungerThan != "" {
		d, err := policy.ParseDuration(k.KeepYoungerThan)
		if err != nil {
			return p, &exitError{code: ExitInput, msg: "--keep-younger-than: " + err.Error()}
		}
		p.KeepYoungerThan = d
	}
	for _, path := range k.KeepInUse {
		refs, err := inUseRefs(path)
		if err != nil {
			return p, err
		}
		p.InUse = append(p.InUse, refs...)
	}
	if p.KeepLast == 0 && len(p.KeepTags) == 0 && p.KeepYoungerThan == 0 && len(p.InUse) == 0 {
		return p, &exitError{code: ExitInput, msg: "no keep rule: give at least one of --keep-last, --keep-tag, --keep-younger-than, --keep-in-use (or --policy); a policy that keeps nothing deletes everything"}
	}
	return p, nil
}

// inUseRefs reads deployed image references: manifests and Compose files
// (through pin's finder), or a plain list, one reference per line.
func inUseRefs(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, inputError(err)
	}
	if !st.IsDir() && !isYAML(path) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, inputError(err)
		}
		var out []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
		return out, nil
	}
	refs, errs := pin.Find([]string{path})
	if len(errs) > 0 {
		return nil, inputError(errs[0])
	}
	var out []string
	for _, r := range refs {
		out = append(out, r.Image)
	}
	return out, nil
}

func isYAML(p string) bool {
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".json") || audit.Stdin == p
}

func loadPrunePolicy(file, repo string, k *pruneKeys) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return inputError(err)
	}
	var doc struct {
		Repositories map[string]pruneKeys `yaml:"repositories"`
	}
	if err := yamldoc.Decode(file, b, &doc, true); err != nil {
		return inputError(err)
	}
	pk, ok := doc.Repositories[repo]
	if !ok {
		return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: no policy for %s", file, repo)}
	}
	// Flags given on the command line add to the file's rules.
	if k.KeepLast == 0 {
		k.KeepLast = pk.KeepLast
	}
	k.KeepTag = append(k.KeepTag, pk.KeepTag...)
	if k.KeepYoungerThan == "" {
		k.KeepYoungerThan = pk.KeepYoungerThan
	}
	k.KeepInUse = append(k.KeepInUse, pk.KeepInUse...)
	k.DeleteUntagged = k.DeleteUntagged || pk.DeleteUntagged
	return nil
}

func writePlan(s *Streams, plan *prune.Plan) {
	tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TAG\tDIGEST\tCREATED\tACTION\tWHY")
	for _, d := range plan.Tags {
		action := "delete"
		if d.Keep {
			action = "keep"
		}
		created := "-"
		if !d.Created.IsZero() {
			created = d.Created.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Tag, shortDigest(d.Digest), created, action, d.Rule)
	}
	tw.Flush()
	kept := 0
	for _, d := range plan.Tags {
		if d.Keep {
			kept++
		}
	}
	fmt.Fprintf(s.Out, "\n%s: %d tags kept, %d deleted; %d manifests to delete\n", plan.Repository, kept, len(plan.Tags)-kept, len(plan.Delete))
}

// byMethod lists request counts by method: "GET 801, HEAD 1000".
func byMethod(c *prune.Counter) string {
	counts := c.Counts()
	var parts []string
	for _, m := range []string{"GET", "HEAD", "DELETE", "PUT", "POST", "PATCH"} {
		if n := counts[m]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", m, n))
		}
	}
	return strings.Join(parts, ", ")
}

func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}
