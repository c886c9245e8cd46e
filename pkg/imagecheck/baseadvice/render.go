package baseadvice

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

// Advice is `bulwark base`'s answer for one image.
type Advice struct {
	SchemaVersion int      `json:"schemaVersion"`
	Image         string   `json:"image"`
	Identity      Identity `json:"base"`
	Needs         Needs    `json:"needs"`
	// Current is the image's own base, measured from its base layers.
	Current Candidate `json:"current"`
	Options []Option  `json:"candidates"`
	// Warnings are candidates that could not be measured, and the like.
	Warnings []string `json:"warnings,omitempty"`
}

// WriteJSON writes a as indented JSON.
func (a *Advice) WriteJSON(w io.Writer) error {
	a.SchemaVersion = 1
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// WriteTable writes a for people. Names, entrypoints and notes come from
// the image: the text is escaped as a whole before it reaches a terminal.
func (a *Advice) WriteTable(w io.Writer) error {
	var out strings.Builder
	bw := bufio.NewWriter(&out)
	id := a.Identity
	fmt.Fprintf(bw, "Image  %s\n", a.Image)
	osName := "unknown distribution"
	if id.OS != nil && id.OS.ID != "" {
		osName = strings.TrimSpace(id.OS.ID + " " + id.OS.Version)
		if id.OS.Codename != "" {
			osName += " (" + id.OS.Codename + ")"
		}
	}
	if id.Distroless {
		osName += ", distroless"
	}
	fmt.Fprintf(bw, "Base   %s; libc %s; shell %s; package manager %s\n", osName, orNone(id.Libc), noneIf(id.Shell), noneIf(id.PackageManager))
	name := "not recorded (BuildKit records it as the org.opencontainers.image.base.name annotation)"
	if id.Name != "" {
		name = id.Name
		if id.Digest != "" && !strings.Contains(name, "@") {
			name += "@" + id.Digest
		}
	}
	fmt.Fprintf(bw, "       name %s\n", name)
	fmt.Fprintf(bw, "       %d %s, %s; application layers %s (base layers known by %s)\n", id.BaseLayers, printable.Plural(id.BaseLayers, "layer", "layers"), layerview.HumanBytes(id.BaseSize), layerview.HumanBytes(id.AppSize), id.BaseBy)
	switch {
	case id.EOL != "" && id.EOLPassed:
		fmt.Fprintf(bw, "       END OF LIFE since %s: no more security fixes\n", id.EOL)
	case id.EOL != "":
		fmt.Fprintf(bw, "       supported until %s\n", id.EOL)
	}
	n := a.Needs
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "Needs  runs %s\n", noneIf(n.Entrypoint))
	switch {
	case n.Libc != "":
		fmt.Fprintf(bw, "       libc %s (%s)\n", n.Libc, strings.Join(n.LibcBy, ", "))
	case len(n.Static) > 0:
		fmt.Fprintf(bw, "       no libc: static binaries (%s)\n", strings.Join(n.Static, ", "))
	}
	if n.Shell != "" {
		fmt.Fprintf(bw, "       a shell: %s\n", n.Shell)
	}
	if len(n.Interpreters) > 0 {
		fmt.Fprintf(bw, "       runtimes: %s\n", strings.Join(n.Interpreters, ", "))
	}
	if len(n.Libraries) > 0 {
		fmt.Fprintf(bw, "       libraries: %s\n", strings.Join(n.Libraries, ", "))
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "Candidates (fitting first, smallest first; ~ marks a typical size: not measured)")
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  BASE\tFITS\tSIZE\tVULNERABILITIES\t")
	row := func(label, fits string, c Candidate) {
		size := layerview.HumanBytes(c.Size)
		if !c.Measured {
			size = "~" + size
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", label, fits, size, vulnSummary(c))
	}
	row(a.Current.Name+" (current)", "-", a.Current)
	for _, o := range a.Options {
		fits := "no"
		if o.Fits {
			fits = "yes"
		}
		row(o.Name, fits, o.Candidate)
	}
	tw.Flush()
	fmt.Fprintln(bw)
	for _, o := range a.Options {
		fmt.Fprintf(bw, "%s\n", o.Name)
		for _, r := range o.Reasons {
			fmt.Fprintf(bw, "  - %s\n", r)
		}
		if o.Note != "" {
			fmt.Fprintf(bw, "  (%s)\n", o.Note)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, printable.Text(out.String()))
	return err
}

func vulnSummary(c Candidate) string {
	if c.Vulnerabilities == nil {
		return "not scanned"
	}
	total := 0
	for _, n := range c.Vulnerabilities {
		total += n
	}
	return fmt.Sprintf("%d (%d critical, %d high)", total, c.Vulnerabilities["critical"], c.Vulnerabilities["high"])
}

func noneIf(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
