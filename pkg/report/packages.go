package report

import (
	"bufio"
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"io"
	"strings"
	"text/tabwriter"
)

// WritePackages renders a report's packages as a table grouped by
// ecosystem (for `bulwark sbom --format table`).
func WritePackages(w io.Writer, r *Report, opts Options) error {
	r = printableCopy(r)
	bw := bufio.NewWriter(w)
	if os := r.Target.OS; os != nil {
		desc := os.ID + " " + os.Version
		if os.Libc != "" {
			desc += ", " + os.Libc
		}
		if os.Distroless {
			desc += ", distroless"
		}
		fmt.Fprintf(bw, "%s: %s\n\n", r.Target.Name, desc)
	}
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	eco := "\x00"
	for _, p := range r.Packages {
		e := p.Ecosystem
		if e == "" {
			e = p.Type
		}
		if e != eco {
			if eco != "\x00" {
				fmt.Fprintln(tw)
			}
			eco = e
			head := e
			if opts.Color {
				head = bold + e + reset
			}
			fmt.Fprintf(tw, "%s\t\t\t\n", head)
		}
		src := ""
		if p.SourceName != "" {
			src = p.SourceName
			if p.SourceVersion != "" && p.SourceVersion != p.Version {
				src += " " + p.SourceVersion
			}
		}
		var locs []string
		for _, l := range p.Locations {
			locs = append(locs, l.Path)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, p.Version, src, strings.Join(locs, ", "))
	}
	tw.Flush()
	n := len(r.Packages)
	fmt.Fprintf(bw, "\n%d %s\n", n, printable.Plural(n, "package", "packages"))
	return bw.Flush()
}
