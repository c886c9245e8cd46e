// Package imgrule holds the image rules (IMG###): what an image's
// configuration, files and layers get wrong. Like the Dockerfile rules,
// each is data (rule.Rule) plus a check; they read the result of the one
// pass over the layers (pkg/image/analyzer), never the layers again.
package imgrule

import (
	"slices"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options tune the rules.
type Options struct {
	// Now judges end-of-life; zero means time.Now().
	Now time.Time
	// MaxLayerSize is IMG022's threshold in bytes; 0 means 500 MB.
	MaxLayerSize int64
}

// Input is what the rules look at.
type Input struct {
	*analyzer.Result
	// Annotations are the image manifest's annotations.
	Annotations map[string]string
	// Efficiency, when the caller has computed it, saves IMG021 doing so.
	Efficiency *layerview.Efficiency
}

// Rule is an image rule.
type Rule struct {
	rule.Rule
	check func(*pass)
	// withVulns: run by the vulnerability check (Check), not by Run.
	withVulns bool
}

// All lists every image rule, in ID order.
var All = []*Rule{
	img001, img002, img003,
	img010, img011, img012, img013, img014, img015,
	img020, img021, img022,
	img030, img031,
	img040, img041,
	img050,
}

// Rules returns the descriptions of the rules an image scan may report
// (the image rules and the Dockerfile rules run on build history), for
// reports.
func Rules() []*rule.Rule {
	out := make([]*rule.Rule, 0, len(All)+len(historyRules))
	for _, r := range All {
		out = append(out, &r.Rule)
	}
	for _, id := range historyRules {
		if r := dfrule.ByID(id); r != nil {
			out = append(out, &r.Rule)
		}
	}
	return out
}

// Run checks an image with every rule, or with those of the kinds given
// (finding.KindSecret, finding.KindMisconfiguration).
func Run(in *Input, opts Options, kinds ...finding.Kind) []finding.Finding {
	p := newPass(in, opts)
	for _, r := range All {
		if r.withVulns || len(kinds) > 0 && !slices.Contains(kinds, r.Kind) {
			continue
		}
		p.rule = r
		r.check(p)
	}
	if len(kinds) == 0 || slices.Contains(kinds, finding.KindMisconfiguration) {
		p.out = append(p.out, History(in, p.opts)...)
	}
	finding.Sort(p.out)
	// An image of a million files with a key in each would otherwise be a
	// million findings: the first of each rule are listed, the rest one.
	lim := finding.NewLimit(0).In("image")
	return append(lim.Filter(p.out), lim.Summaries()...)
}

// Check runs one rule.
func (r *Rule) Check(in *Input, opts Options) []finding.Finding {
	p := newPass(in, opts)
	p.rule = r
	r.check(p)
	return p.out
}

type pass struct {
	in   *Input
	cfg  v1.Config
	opts Options
	rule *Rule
	out  []finding.Finding
}

func newPass(in *Input, opts Options) *pass {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxLayerSize == 0 {
		opts.MaxLayerSize = 500 << 20
	}
	p := &pass{in: in, opts: opts}
	if in.Config != nil {
		p.cfg = in.Config.Config
	}
	return p
}

// atConfig reports a finding on a field of the image configuration.
func (p *pass) atConfig(field, msg string, aliases ...string) *finding.Finding {
	return p.add(finding.Location{Field: field}, msg, aliases...)
}

// atFile reports a finding on a visible file.
func (p *pass) atFile(path string, layer int, msg string, aliases ...string) *finding.Finding {
	loc := finding.Location{Path: "/" + strings.TrimPrefix(path, "/")}
	if id := p.layerID(layer); id != "" {
		loc.Layer = id
	}
	return p.add(loc, msg, aliases...)
}

func (p *pass) add(loc finding.Location, msg string, aliases ...string) *finding.Finding {
	f := p.rule.New(loc, msg, aliases...)
	f.Layer = loc.Layer
	p.out = append(p.out, f)
	return &p.out[len(p.out)-1]
}

// layerID is the diff ID of layer i ("" for directories).
func (p *pass) layerID(i int) string {
	if i >= 0 && i < len(p.in.View.Layers) {
		return p.in.View.Layers[i].DiffID
	}
	return ""
}

// isImage reports whether the target is an image (not a directory): the
// configuration rules apply to images only.
func (p *pass) isImage() bool { return p.in.Config != nil }

// userName is the configured user's name part ("app" of "app:staff").
func userName(u string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name
}

// passwdHas reports whether /etc/passwd (or /etc/group, for groups) lists
// name.
func (p *pass) listed(file, name string) (bool, bool) {
	b, ok := p.in.View.Raw(file)
	if !ok {
		return false, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if n, _, _ := strings.Cut(l, ":"); n == name {
			return true, true
		}
	}
	return false, true
}

// files calls fn for every visible entry.
func (p *pass) files(fn func(f imagefs.File)) { p.in.View.Walk(fn) }
