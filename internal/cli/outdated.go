package cli

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/bulwarksec/bulwark/pkg/build/lint"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	"github.com/bulwarksec/bulwark/pkg/registry/outdated"
	"github.com/bulwarksec/bulwark/pkg/registry/pin"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

func newOutdatedCommand(s *Streams) *cobra.Command {
	var (
		sf      sourceFlags
		df      dbFlags
		doScan  bool
		update  bool
		offline bool
	)
	cmd := &cobra.Command{
		Use:   "outdated DOCKERFILE...|IMAGE",
		Short: "List newer tags of each base image on the same line and variant; update the FROM lines",
		Long: `For each base image (the FROM lines of Dockerfiles, or the base an image's
annotations name), list the newer tags of the same line and variant
(3.19-alpine -> 3.20-alpine, 1.22-bookworm -> 1.23-bookworm), and say when a
pinned tag now names another digest. --scan scans the current base (the
pinned digest when there is one) and each candidate and says how many known
vulnerabilities each removes; --update rewrites the FROM lines to the newest
candidate, pinned by digest, or, when the tag itself was rebuilt, to its new
digest.`,
		Example: `  bulwark outdated Dockerfile
  bulwark outdated --scan --update services/api/Dockerfile
  bulwark outdated registry.example.com/app:1.4`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var nopts []name.Option
			if sf.insecure {
				nopts = append(nopts, name.Insecure)
			}
			ropts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithContext(cmd.Context())}
			var bases []pin.Ref
			for _, a := range args {
				if st, err := os.Stat(a); err == nil && (st.IsDir() || lint.IsDockerfile(st.Name())) {
					refs, errs := pin.Find([]string{a})
					if len(errs) > 0 {
						return inputError(errs[0])
					}
					for _, r := range refs {
						if lint.IsDockerfile(r.File[strings.LastIndex(r.File, "/")+1:]) && r.Note == "" {
							bases = append(bases, r)
						}
					}
					continue
				}
				t, err := source.Open(cmd.Context(), a, sf.options()...)
				if err != nil {
					return inputError(err)
				}
				base := baseAnnotation(t)
				t.Close()
				if base == "" {
					return &exitError{code: ExitInput, msg: a + ": the image does not name its base (org.opencontainers.image.base.name); give its Dockerfile instead"}
				}
				bases = append(bases, pin.Ref{File: a, Image: base})
			}
			var sopts scan.Options
			if doScan {
				db, why, err := openScanDB(cmd, s, df, offline)
				if err != nil {
					return err
				}
				if db == nil {
					return &exitError{code: ExitInput, msg: "--scan: " + why}
				}
				defer db.Close()
				sopts = scan.Options{DB: db, Scanners: []scan.Scanner{scan.Vuln}, Cache: sf.cache(s)}
			}
			vulns := func(ref string) (map[string]bool, error) {
				t, err := source.Open(cmd.Context(), ref, sf.options()...)
				if err != nil {
					return nil, err
				}
				defer t.Close()
				res, err := scan.Run(cmd.Context(), t, sopts)
				if err != nil {
					return nil, err
				}
				ids := map[string]bool{}
				for _, f := range res.Findings {
					if f.Kind == finding.KindVulnerability {
						ids[f.ID+" "+f.Package.Name] = true
					}
				}
				return ids, nil
			}
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "WHERE\tBASE\tNEWER\tNOTE")
			updates := map[string][]pin.Ref{}
			newTags := map[string]string{}
			for _, b := range bases {
				where := b.File
				if b.Line > 0 {
					where = fmt.Sprintf("%s:%d", b.File, b.Line)
				}
				ref, err := name.ParseReference(b.Image, nopts...)
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\t-\tnot a reference: %v\n", where, b.Image, err)
					continue
				}
				repo := ref.Context()
				tag, pinned := tagOf(b.Image)
				tags, err := remote.List(repo, ropts...)
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\t-\tcannot list tags: %s\n", where, b.Image, oneLine(err.Error()))
					continue
				}
				cur, _ := outdated.Parse(tag)
				newer := outdated.Newer(tag, tags)
				var notes []string
				moved := "" // the digest the pinned tag names now, when it moved
				if pinned != "" {
					if now, err := headDigest(cmd, repo.Tag(tag)); err == nil && now != pinned {
						moved = now
						notes = append(notes, "the tag now names "+shortDigest(now)+" (pinned "+shortDigest(pinned)+")")
					}
				}
				var names []string
				for _, v := range newer {
					n := v.Tag
					if outdated.Major(cur, v) {
						n += " (major)"
					}
					names = append(names, n)
				}
				if len(newer) == 0 {
					names = []string{"-"}
					if moved == "" {
						notes = append(notes, "up to date")
					}
				}
				if doScan && (len(newer) > 0 || moved != "") {
					// What is built today: the pinned digest when there is one.
					current := repo.Tag(tag).String()
					if pinned != "" {
						current = repo.Digest(pinned).String()
					}
					curIDs, err := vulns(current)
					if err != nil {
						return inputError(err)
					}
					candidates := map[string]string{} // label -> reference
					var labels []string
					if moved != "" {
						labels = append(labels, tag+" today")
						candidates[tag+" today"] = repo.Digest(moved).String()
					}
					for _, v := range newer {
						labels = append(labels, v.Tag)
						candidates[v.Tag] = repo.Tag(v.Tag).String()
					}
					for _, l := range labels {
						newIDs, err := vulns(candidates[l])
						if err != nil {
							return inputError(err)
						}
						removed := 0
						for id := range curIDs {
							if !newIDs[id] {
								removed++
							}
						}
						notes = append(notes, fmt.Sprintf("%s removes %d of %d known vulnerabilities (%d in it)", l, removed, len(curIDs), len(newIDs)))
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", where, b.Image, strings.Join(names, ", "), strings.Join(notes, "; "))
				switch {
				case !update || b.Line == 0:
				case len(newer) > 0:
					latest := newer[len(newer)-1].Tag
					d, err := headDigest(cmd, repo.Tag(latest))
					if err != nil {
						return &exitError{code: ExitInput, msg: oneLine(err.Error())}
					}
					newTags[b.Image] = repoAsWritten(b.Image) + ":" + latest + "@" + d
					updates[b.File] = append(updates[b.File], b)
				case moved != "":
					// The same tag, rebuilt (a distribution's security
					// rebuild): follow its new digest, as Renovate's digest
					// updates do.
					newTags[b.Image] = repoAsWritten(b.Image) + ":" + tag + "@" + moved
					updates[b.File] = append(updates[b.File], b)
				}
			}
			tw.Flush()
			for file, refs := range updates {
				src, err := os.ReadFile(file)
				if err != nil {
					return inputError(err)
				}
				out := replaceRefs(src, refs, newTags)
				if err := writeFileAtomic(file, out); err != nil {
					return &exitError{code: ExitInput, msg: err.Error()}
				}
				for _, r := range refs {
					fmt.Fprintf(s.Err, "bulwark: %s:%d: FROM %s -> %s\n", r.File, r.Line, r.Image, newTags[r.Image])
				}
			}
			return nil
		},
	}
	sf.addTo(cmd)
	df.addTo(cmd)
	cmd.Flags().BoolVar(&doScan, "scan", false, "scan the current base and each candidate: how many known vulnerabilities each removes")
	cmd.Flags().BoolVar(&update, "update", false, "rewrite the FROM lines to the newest candidate (or the tag's new digest), pinned by digest")
	cmd.Flags().BoolVar(&offline, "offline", false, "with --scan: do not update the vulnerability database")
	return cmd
}

// repoAsWritten is a reference without its tag and digest, as written.
func repoAsWritten(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

// tagOf splits a reference as written into its tag (default latest) and
// pinned digest.
func tagOf(ref string) (tag, digest string) {
	ref, digest, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:], digest
	}
	return "latest", digest
}

// replaceRefs replaces each reference token (at its line and column) with
// its new form; the rest of the file stays byte for byte.
func replaceRefs(src []byte, refs []pin.Ref, to map[string]string) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	for _, r := range refs {
		if r.Line < 1 || r.Line > len(lines) {
			continue
		}
		l := lines[r.Line-1]
		start := max(r.Column-1, 0)
		if start > len(l) {
			continue
		}
		if i := strings.Index(l[start:], r.Image); i >= 0 {
			at := start + i
			lines[r.Line-1] = l[:at] + to[r.Image] + l[at+len(r.Image):]
		}
	}
	return []byte(strings.Join(lines, ""))
}
