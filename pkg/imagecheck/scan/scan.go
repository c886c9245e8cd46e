// Package scan is `bulwark scan`: one pass over a target (pkg/image/analyzer),
// then the check families the user chose on what it found: known
// vulnerabilities of its packages (pkg/vuln/match), the image rules
// (pkg/imagecheck/imgrule) and secrets. It returns findings and the layer view for
// the report; the policy and the gate stay with the caller.
package scan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/secretfile"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/imgrule"
	"github.com/bulwarksec/bulwark/pkg/vuln/match"
)

// Scanner is a family of checks.
type Scanner string

// The check families, as --scanners names them.
const (
	Vuln   Scanner = "vuln"
	Image  Scanner = "image"
	Secret Scanner = "secret"
)

// AllScanners run by default.
var AllScanners = []Scanner{Vuln, Image, Secret}

// ParseScanners reads --scanners values ("vuln,image"), trimming spaces.
func ParseScanners(names []string) ([]Scanner, error) {
	var out []Scanner
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			s := Scanner(strings.ToLower(strings.TrimSpace(part)))
			switch {
			case s == "":
			case slices.Contains(AllScanners, s):
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			default:
				return nil, fmt.Errorf("unknown scanner %q (want vuln, image or secret)", part)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scanner chosen (want vuln, image or secret)")
	}
	return out, nil
}

// Options configure a scan.
type Options struct {
	// Scanners default to AllScanners.
	Scanners []Scanner
	// DB is the vulnerability database. Nil with Vuln chosen means the
	// vulnerabilities are not checked, and the result says why (NoDB).
	DB match.Source
	// NoDB is why DB is nil ("no database at ..."), for the report.
	NoDB string
	// Rules tune the image rules.
	Rules imgrule.Options
	// Cache keeps per-layer results between runs.
	Cache imagefs.Cache
	// Workers is how many layers are read at once; 0 means GOMAXPROCS.
	Workers int
	// IncludeDev matches development dependencies too. By default they are
	// listed in the inventory and left out of vulnerability findings, as
	// Trivy and Syft do: they are not in what runs.
	IncludeDev bool
	// IncludeUnpinned matches packages whose version is only the lower
	// bound of a range (sbom.Package.Unpinned): Trivy's
	// --detection-priority comprehensive. By default they are listed and
	// not matched.
	IncludeUnpinned bool
}

// Check says whether a check family ran, and if not, why.
type Check struct {
	Scanner Scanner `json:"scanner"`
	Ran     bool    `json:"ran"`
	Reason  string  `json:"reason,omitempty"`
}

// Result is what a scan found.
type Result struct {
	*analyzer.Result
	Findings    []finding.Finding
	Unmatchable []match.Unmatchable
	// LayerView summarizes each layer (size, instruction, files).
	LayerView  []layerview.Layer
	Efficiency layerview.Efficiency
	Checks     []Check

	input *imgrule.Input
}

// Has reports whether scanner s was chosen.
func (o *Options) Has(s Scanner) bool {
	return len(o.Scanners) == 0 || slices.Contains(o.Scanners, s)
}

// Run scans t.
func Run(ctx context.Context, t *source.Target, opts Options) (*Result, error) {
	// The inspectors feed only the image and secret rules: a vuln-only
	// scan does not pay for them.
	ins := []imagefs.Inspector{}
	if opts.Has(Image) {
		ins = append(ins, executable.New())
	}
	if opts.Has(Secret) {
		ins = append(ins, secretfile.New())
	}
	a, err := analyzer.Analyze(ctx, t, analyzer.Options{Inspectors: ins, Cache: opts.Cache, Workers: opts.Workers})
	if err != nil {
		return nil, err
	}
	res := &Result{Result: a}
	res.LayerView = layerview.Build(a.View.Layers, a.Layers, a.Config)
	res.Efficiency = layerview.ComputeEfficiency(a.View.Layers)
	for _, s := range AllScanners {
		c := Check{Scanner: s, Ran: opts.Has(s)}
		if !c.Ran {
			c.Reason = "not chosen (--scanners)"
		}
		switch {
		case !c.Ran:
		case s == Vuln && opts.DB == nil:
			c.Ran, c.Reason = false, opts.NoDB
			if c.Reason == "" {
				c.Reason = "no vulnerability database"
			}
		case s == Vuln:
			pkgs := matchable(a.Inventory.Packages, opts)
			m, err := match.Packages(opts.DB, pkgs)
			if err != nil {
				return nil, err
			}
			res.Findings = append(res.Findings, m.Findings...)
			res.Unmatchable = m.Unmatchable
			// What the match could not see is a finding of its own, so a
			// gate fails closed on a partly read package database.
			res.Findings = append(res.Findings, imgrule.Incomplete.Check(res.ruleInput(t), opts.Rules)...)
		case s == Image:
			res.Findings = append(res.Findings, imgrule.Run(res.ruleInput(t), opts.Rules, finding.KindMisconfiguration)...)
		case s == Secret:
			res.Findings = append(res.Findings, imgrule.Run(res.ruleInput(t), opts.Rules, finding.KindSecret)...)
		}
		res.Checks = append(res.Checks, c)
	}
	res.annotate()
	finding.Sort(res.Findings)
	return res, nil
}

func (r *Result) ruleInput(t *source.Target) *imgrule.Input {
	if r.input == nil {
		r.input = &imgrule.Input{Result: r.Result, Efficiency: &r.Efficiency, Annotations: t.Annotations()}
	}
	return r.input
}

// annotate names, for each finding in a layer, the instruction that made
// the layer.
func (r *Result) annotate() {
	by := map[string]string{}
	for _, l := range r.LayerView {
		by[l.DiffID] = l.Instruction
	}
	for i := range r.Findings {
		if r.Findings[i].Layer != "" && r.Findings[i].Instruction == "" {
			r.Findings[i].Instruction = by[r.Findings[i].Layer]
		}
	}
}

// MarkBase marks the bottom n layers as the base image's, and the findings
// they carry as FromBase; it returns how many findings that is.
func (r *Result) MarkBase(n int) int {
	in := map[string]bool{}
	for i := range r.LayerView {
		if i < n {
			r.LayerView[i].Base = true
			in[r.LayerView[i].DiffID] = true
		}
	}
	count := 0
	for i := range r.Findings {
		if in[r.Findings[i].Layer] {
			r.Findings[i].FromBase = true
			count++
		}
	}
	return count
}

// Checked reports whether scanner s ran.
func (r *Result) Checked(s Scanner) bool {
	for _, c := range r.Checks {
		if c.Scanner == s {
			return c.Ran
		}
	}
	return false
}

// BaseLayers counts the image's bottom layers that are the base's: base
// must be a prefix of layers, by diff ID.
func BaseLayers(layers []source.Layer, base *source.Target) (int, error) {
	if base.Image == nil {
		return 0, fmt.Errorf("%s is not an image", base.Name)
	}
	cfg, err := base.Image.ConfigFile()
	if err != nil {
		return 0, fmt.Errorf("%s: reading image config: %w", base.Name, err)
	}
	n := 0
	for n < len(layers) && n < len(cfg.RootFS.DiffIDs) && layers[n].DiffID == cfg.RootFS.DiffIDs[n] {
		n++
	}
	if n < len(cfg.RootFS.DiffIDs) {
		return 0, fmt.Errorf("%s is not the base of this image: their layers differ from layer %d", base.Name, n)
	}
	return n, nil
}

// matchable returns the packages to match: not the project itself (Root),
// and development dependencies and range lower bounds only when asked. It shares the slice when
// nothing is left out.
func matchable(pkgs []sbom.Package, opts Options) []sbom.Package {
	skip := func(p sbom.Package) bool {
		return p.Root || (p.Dev && !opts.IncludeDev) || (p.Unpinned && !opts.IncludeUnpinned)
	}
	if !slices.ContainsFunc(pkgs, skip) {
		return pkgs
	}
	out := make([]sbom.Package, 0, len(pkgs))
	for _, p := range pkgs {
		if !skip(p) {
			out = append(out, p)
		}
	}
	return out
}
