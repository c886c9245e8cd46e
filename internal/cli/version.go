package cli

import (
	"fmt"
	"runtime"

	"github.com/bulwarksec/bulwark/internal/version"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/spf13/cobra"
)

func newVersionCommand(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print Bulwark's version",
		Example: "  bulwark version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(s.Out, "bulwark %s", version.String())
			if rev := version.Revision(); rev != "" {
				fmt.Fprintf(s.Out, " (%s)", rev)
			}
			fmt.Fprintf(s.Out, " %s %s/%s gzip:%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, imagefs.GunzipImplementation)
			return nil
		},
	}
}
