package report

import (
	"bufio"
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

const (
	reset = "\x1b[0m"
	bold  = "\x1b[1m"
	dim   = "\x1b[2m"
)

var sevColor = map[finding.Severity]string{
	finding.Critical: "\x1b[1;35m",
	finding.High:     "\x1b[1;31m",
	finding.Medium:   "\x1b[33m",
	finding.Low:      "\x1b[36m",
	finding.Info:     "\x1b[2m",
	finding.Unknown:  "\x1b[2m",
}

// writeTable prints findings grouped by file (or image path), one line
// each, with location, severity, ID and message, then a summary.
func writeTable(w io.Writer, r *Report, opts Options) error {
	r = printableCopy(r)
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + reset
	}
	var vulns, others []finding.Finding
	for _, f := range r.Findings {
		if f.Kind == finding.KindVulnerability {
			vulns = append(vulns, f)
		} else {
			others = append(others, f)
		}
	}
	if len(vulns) > 0 {
		writeVulns(bw, vulns, paint)
		if len(others) > 0 {
			fmt.Fprintln(bw)
		}
	}
	group := ""
	width := 0
	for i, f := range others {
		g := group0(f, r)
		if i == 0 || g != group {
			if i > 0 {
				fmt.Fprintln(bw)
			}
			group = g
			n := 0
			width = 7 // "123:45" lines up without a field
			for _, o := range others[i:] {
				if group0(o, r) != g {
					break
				}
				n++
				width = max(width, len(position(o)))
			}
			fmt.Fprintf(bw, "%s %s\n", paint(bold, g), paint(dim, fmt.Sprintf("(%d %s)", n, printable.Plural(n, "finding", "findings"))))
		}
		sev := strings.ToUpper(f.Severity.String())
		fmt.Fprintf(bw, "  %-*s %s %-7s %s\n", width, position(f), paint(sevColor[f.Severity], fmt.Sprintf("%-8s", sev)), f.ID, message(f))
	}
	if len(others) > 0 {
		fmt.Fprintln(bw)
	}
	if len(r.Layers) > 0 {
		writeLayers(bw, r, paint)
		fmt.Fprintln(bw)
	}
	for _, c := range r.Checks {
		if !c.Ran && c.Reason != "" && !strings.HasPrefix(c.Reason, "not chosen") {
			fmt.Fprintln(bw, paint(bold, fmt.Sprintf("%s: NOT CHECKED: %s", checkTitle(c.Name), c.Reason)))
		}
	}
	fmt.Fprintln(bw, summary(r))
	return bw.Flush()
}

// group0 is the heading a finding is listed under: its file, or the
// image for findings on an image's configuration, files and layers (their
// messages name the path; one heading per file would bury them).
func group0(f finding.Finding, r *Report) string {
	if f.Location.File != "" {
		return f.Location.File
	}
	return r.Target.Name
}

// position is where in its group a finding is: line and column in a
// file, or the configuration field.
func position(f finding.Finding) string {
	pos := ""
	if f.Location.Line > 0 {
		pos = fmt.Sprintf("%d", f.Location.Line)
		if f.Location.Column > 0 {
			pos += fmt.Sprintf(":%d", f.Location.Column)
		}
	}
	if f.Location.Field != "" && f.Location.Line == 0 {
		pos = f.Location.Field // an image's configuration field
	}
	return pos
}

// message is a finding's message, with the field of a file finding (the
// YAML path in a manifest) after it: too long for the position column.
func message(f finding.Finding) string {
	if f.Location.Field != "" && f.Location.Line > 0 {
		return f.Message + " (" + f.Location.Field + ")"
	}
	return f.Message
}

func checkTitle(name string) string {
	switch name {
	case "vuln":
		return "Vulnerabilities"
	case "image":
		return "Image checks"
	case "secret":
		return "Secrets"
	}
	return name
}

// writeLayers prints the layer view: one line per layer with its size,
// the files it added, changed and removed, and the instruction that made
// it, as `docker history` and Dive show them.
func writeLayers(bw *bufio.Writer, r *Report, paint func(string, string) string) {
	head := fmt.Sprintf("Layers (%d)", len(r.Layers))
	if e := r.Efficiency; e != nil {
		head += fmt.Sprintf(": efficiency %.1f%%, %s wasted", e.Score*100, layerview.HumanBytes(e.WastedBytes))
	}
	fmt.Fprintln(bw, paint(bold, head))
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tSIZE\tADDED\tCHANGED\tREMOVED\t\t")
	for _, l := range r.Layers {
		in := l.Instruction
		if in == "" {
			in = "(not recorded)"
		}
		if len(in) > 90 {
			in = in[:87] + "..."
		}
		if l.Base {
			in = "[base] " + in
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t\t%s\n", l.Index, layerview.HumanBytes(l.Size), l.Added, l.Changed, l.Removed, strings.ReplaceAll(in, "\t", " "))
	}
	tw.Flush()
}

// writeVulns prints vulnerabilities as one table, most severe first: a
// scan report is read from the top.
func writeVulns(bw *bufio.Writer, vulns []finding.Finding, paint func(string, string) string) {
	sorted := append([]finding.Finding(nil), vulns...)
	slices.SortStableFunc(sorted, func(a, b finding.Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		if a.KEV != b.KEV {
			if a.KEV {
				return -1
			}
			return 1
		}
		return finding.Compare(a, b)
	})
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", paint(bold, "SEVERITY"), paint(bold, "VULNERABILITY"), paint(bold, "PACKAGE"), paint(bold, "INSTALLED"), paint(bold, "FIXED"), paint(bold, "LAYER"))
	for _, f := range sorted {
		id := f.ID
		if f.KEV {
			id += " (KEV)"
		}
		name, ver := "", ""
		if f.Package != nil {
			name, ver = f.Package.Name, f.Package.Version
		}
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = f.Status
		}
		layer := f.Layer
		if i := strings.IndexByte(layer, ':'); i >= 0 && len(layer) > i+13 {
			layer = layer[i+1 : i+13]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", paint(sevColor[f.Severity], strings.ToUpper(f.Severity.String())), id, name, ver, fixed, layer)
	}
	tw.Flush()
}

// summary is the last line of the table: totals by severity.
func summary(r *Report) string {
	c := r.Counts()
	n := len(r.Findings)
	var parts []string
	for s := finding.Critical; s >= finding.Unknown; s-- {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	files := ""
	if k := len(r.Target.Files); k > 0 {
		files = fmt.Sprintf(" in %d %s", k, printable.Plural(k, "file", "files"))
	}
	s := fmt.Sprintf("%d %s%s", n, printable.Plural(n, "finding", "findings"), files)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if r.Suppressed > 0 {
		s += fmt.Sprintf(" (%d ignored)", r.Suppressed)
	}
	if b := r.Target.Base; b != nil {
		s += fmt.Sprintf("; %d from the base image %s (%d %s), %d from the image's own layers", b.Findings, b.Name, b.Layers, printable.Plural(b.Layers, "layer", "layers"), len(r.Findings)-b.Findings)
	}
	if len(r.Errors) > 0 {
		s += fmt.Sprintf("; %d %s could not be checked", len(r.Errors), printable.Plural(len(r.Errors), "input", "inputs"))
	}
	return s
}
