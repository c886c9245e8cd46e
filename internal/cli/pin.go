package cli

import (
	"fmt"
	"os"
	"sort"

	"github.com/bulwarksec/bulwark/pkg/registry/pin"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

func newPinCommand(s *Streams) *cobra.Command {
	var (
		check    bool
		insecure bool
	)
	cmd := &cobra.Command{
		Use:   "pin [PATH...]",
		Short: "Pin image references in Dockerfiles, manifests and Compose files to their digests",
		Long: `Rewrite FROM lines of Dockerfiles and image: fields of Kubernetes manifests
and Compose files from image:tag to image:tag@sha256:... (the digest the tag
names now: for a multi-platform image, its index), keeping the tag for
people and the rest of the file as it is. --check only lists the references
that are not pinned and exits 1 if there are any, for CI.`,
		Example: `  bulwark pin Dockerfile k8s/ compose.yaml
  bulwark pin --check .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			refs, errs := pin.Find(args)
			for _, e := range errs {
				fmt.Fprintf(s.Err, "bulwark: %s\n", oneLine(e.Error()))
			}
			var unpinned []pin.Ref
			for _, r := range refs {
				switch {
				case r.Note != "":
					fmt.Fprintf(s.Err, "bulwark: warning: %s:%d: %s: %s; not pinned\n", r.File, r.Line, r.Image, r.Note)
				case !r.Pinned:
					unpinned = append(unpinned, r)
				}
			}
			if check {
				for _, r := range unpinned {
					fmt.Fprintf(s.Out, "%s:%d: %s is not pinned by digest\n", r.File, r.Line, r.Image)
				}
				fmt.Fprintf(s.Out, "%d of %d image references not pinned\n", len(unpinned), len(refs))
				switch {
				case len(errs) > 0:
					return &exitError{code: ExitInput}
				case len(unpinned) > 0:
					return &exitError{code: ExitFindings}
				}
				return nil
			}
			digests := map[string]string{}
			var failed int
			for _, r := range unpinned {
				if _, done := digests[r.Image]; done {
					continue
				}
				opts := []name.Option{}
				if insecure {
					opts = append(opts, name.Insecure)
				}
				ref, err := name.ParseReference(r.Image, opts...)
				if err == nil {
					var d string
					if d, err = headDigest(cmd, ref); err == nil {
						digests[r.Image] = d
						continue
					}
				}
				failed++
				digests[r.Image] = ""
				fmt.Fprintf(s.Err, "bulwark: %s:%d: %s: %s\n", r.File, r.Line, r.Image, oneLine(err.Error()))
			}
			byFile := map[string][]pin.Ref{}
			for _, r := range unpinned {
				byFile[r.File] = append(byFile[r.File], r)
			}
			files := make([]string, 0, len(byFile))
			for f := range byFile {
				files = append(files, f)
			}
			sort.Strings(files)
			total := 0
			for _, f := range files {
				src, err := os.ReadFile(f)
				if err != nil {
					return inputError(err)
				}
				out, n := pin.Rewrite(src, byFile[f], digests)
				if n == 0 {
					continue
				}
				if err := writeFileAtomic(f, out); err != nil {
					return &exitError{code: ExitInput, msg: err.Error()}
				}
				for _, r := range byFile[f] {
					if d := digests[r.Image]; d != "" {
						fmt.Fprintf(s.Out, "%s:%d: %s -> %s@%s\n", r.File, r.Line, r.Image, r.Image, d)
					}
				}
				total += n
			}
			fmt.Fprintf(s.Out, "%d image references pinned\n", total)
			if failed > 0 || len(errs) > 0 {
				return &exitError{code: ExitInput}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "only report references without a digest; exit 1 if there are any")
	cmd.Flags().BoolVar(&insecure, "insecure", false, "allow plain-HTTP registries")
	return cmd
}

// headDigest is the digest a reference names now, by a HEAD request.
func headDigest(cmd *cobra.Command, ref name.Reference) (string, error) {
	desc, err := remote.Head(ref, remote.WithContext(cmd.Context()), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}
