package cli

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/layercache"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	"github.com/bulwarksec/bulwark/pkg/registry/prune"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/spf13/cobra"
)

func newRegistryCommand(s *Streams) *cobra.Command {
	cmd := &cobra.Command{Use: "registry", Short: "List and scan what a registry holds", Example: "  bulwark registry ls registry.example.com/app\n  bulwark registry scan registry.example.com/app"}
	cmd.AddCommand(newRegistryLsCommand(s), newRegistryScanCommand(s))
	return cmd
}

func registryRemote(counter *prune.Counter) []remote.Option {
	return []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithTransport(counter)}
}

func newRegistryLsCommand(s *Streams) *cobra.Command {
	var insecure bool
	cmd := &cobra.Command{
		Use:   "ls REGISTRY|REPOSITORY",
		Short: "List a registry's repositories, or a repository's tags with digests, sizes and dates",
		Example: `  bulwark registry ls registry.example.com
  bulwark registry ls registry.example.com/app`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var nopts []name.Option
			if insecure {
				nopts = append(nopts, name.Insecure)
			}
			counter := &prune.Counter{Base: remote.DefaultTransport}
			ropts := append(registryRemote(counter), remote.WithContext(cmd.Context()))
			if !strings.Contains(strings.TrimSuffix(args[0], "/"), "/") {
				reg, err := name.NewRegistry(args[0], nopts...)
				if err != nil {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not a registry: %v", args[0], err)}
				}
				repos, err := remote.Catalog(cmd.Context(), reg, ropts...)
				if err != nil {
					return &exitError{code: ExitInput, msg: oneLine(err.Error())}
				}
				sort.Strings(repos)
				for _, r := range repos {
					fmt.Fprintln(s.Out, reg.Name()+"/"+r)
				}
				return nil
			}
			repo, err := name.NewRepository(args[0], nopts...)
			if err != nil {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not a repository: %v", args[0], err)}
			}
			tags, ms, err := prune.Load(cmd.Context(), repo, 8, registryRemote(counter)...)
			if err != nil {
				return &exitError{code: ExitInput, msg: oneLine(err.Error())}
			}
			sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TAG\tDIGEST\tKIND\tSIZE\tCREATED")
			for _, t := range tags {
				kind, size, created := "attached", "-", "-"
				if t.Digest == "" {
					kind = "dangling (manifest gone)"
				}
				if m := ms[t.Digest]; m != nil {
					kind, size = "image", layerview.HumanBytes(m.Size)
					if m.Index {
						kind = fmt.Sprintf("index (%d)", len(m.Children))
					}
					if !m.Created.IsZero() {
						created = m.Created.UTC().Format(time.DateOnly)
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, shortDigest(t.Digest), kind, size, created)
			}
			tw.Flush()
			fmt.Fprintf(s.Err, "bulwark: %d tags, %d requests\n", len(tags), counter.Total())
			return nil
		},
	}
	cmd.Flags().BoolVar(&insecure, "insecure", false, "allow plain-HTTP registries")
	return cmd
}

func newRegistryScanCommand(s *Streams) *cobra.Command {
	var (
		sf         sourceFlags
		df         dbFlags
		skipUpdate bool
		offline    bool
		failOn     string
	)
	cmd := &cobra.Command{
		Use:   "scan REPOSITORY...",
		Short: "Scan every tag of repositories, reading shared layers once, into one summary table",
		Example: `  bulwark registry scan registry.example.com/app registry.example.com/worker
  bulwark registry scan --fail-on critical registry.example.com/app`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var gate finding.Severity
			if failOn != "" {
				var err error
				if gate, err = finding.ParseSeverity(failOn); err != nil || gate == finding.Unknown {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("--fail-on: unknown severity %q", failOn)}
				}
			}
			opts := scan.Options{}
			db, why, err := openScanDB(cmd, s, df, skipUpdate || offline)
			if err != nil {
				return err
			}
			if db != nil {
				defer db.Close()
				opts.DB = db
			} else {
				opts.NoDB = why
				fmt.Fprintf(s.Err, "bulwark: warning: vulnerabilities were NOT checked: %s\n", why)
			}
			cache := layercache.NewMemory(sf.cache(s))
			opts.Cache = cache
			counter := &prune.Counter{Base: remote.DefaultTransport}
			// One puller for every image: its connection and token are set
			// up once.
			puller, err := remote.NewPuller(append(registryRemote(counter), remote.WithContext(cmd.Context()))...)
			if err != nil {
				return err
			}
			start := time.Now()
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "IMAGE\tDIGEST\tOS\tPACKAGES\tCRITICAL\tHIGH\tMEDIUM\tLOW\tOTHER")
			failed, images := false, 0
			rows := map[string]string{} // manifest digest -> its row after the IMAGE column
			for _, a := range args {
				var nopts []name.Option
				if sf.insecure {
					nopts = append(nopts, name.Insecure)
				}
				repo, err := name.NewRepository(a, nopts...)
				if err != nil {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: not a repository: %v", a, err)}
				}
				names, err := puller.List(cmd.Context(), repo)
				if err != nil {
					return &exitError{code: ExitInput, msg: oneLine(err.Error())}
				}
				sort.Strings(names)
				for _, tag := range names {
					if strings.HasPrefix(tag, "sha256-") {
						continue // signatures and attestations
					}
					ref := repo.Tag(tag).String()
					// A HEAD per tag, then each digest opened once: tags
					// sharing an image share its row, and a tag whose
					// manifest is gone is skipped, not fatal.
					desc, err := puller.Head(cmd.Context(), repo.Tag(tag))
					if isNotFound(err) {
						fmt.Fprintf(s.Err, "bulwark: warning: %s: no manifest (dangling, or deleted since the listing); skipped\n", ref)
						continue
					}
					if err != nil {
						return inputError(err)
					}
					if row, ok := rows[desc.Digest.String()]; ok {
						fmt.Fprintf(tw, "%s\t%s\n", ref, row)
						continue
					}
					t, err := source.Open(cmd.Context(), repo.Digest(desc.Digest.String()).String(), append(sf.options(), source.WithRemoteOptions(remote.WithTransport(counter), remote.Reuse(puller)))...)
					if err != nil {
						return inputError(err)
					}
					res, err := scan.Run(cmd.Context(), t, opts)
					t.Close()
					if err != nil {
						return inputError(err)
					}
					images++
					c := map[finding.Severity]int{}
					other := 0
					for _, f := range res.Findings {
						if f.Kind == finding.KindVulnerability {
							c[f.Severity]++
						} else {
							other++
						}
						if gate != finding.Unknown && f.Severity >= gate {
							failed = true
						}
					}
					osName := "-"
					if o := res.Inventory.OS; o != nil && o.ID != "" {
						osName = o.ID + " " + o.Version
					}
					row := fmt.Sprintf("%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d", shortDigest(t.Digest.String()), osName, len(res.Inventory.Packages), c[finding.Critical], c[finding.High], c[finding.Medium], c[finding.Low], other)
					rows[desc.Digest.String()] = row
					fmt.Fprintf(tw, "%s\t%s\n", ref, row)
				}
			}
			tw.Flush()
			fmt.Fprintf(s.Err, "bulwark: %d images in %s; %d layers read, %d from the cache; %d requests (%s)\n", images, time.Since(start).Round(time.Millisecond), cache.Reads(), cache.Hits(), counter.Total(), byMethod(counter))
			if failed {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	sf.addTo(cmd)
	df.addTo(cmd)
	cmd.Flags().BoolVar(&skipUpdate, "skip-db-update", false, "do not update the database, even when it is old")
	cmd.Flags().BoolVar(&offline, "offline", false, "no network beyond the registry (implies --skip-db-update)")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit 1 when any image has a finding at or above this severity")
	return cmd
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}
