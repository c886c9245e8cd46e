// Package dfrule holds the Dockerfile rules (DF###). Each rule is data
// (rule.Rule: ID, aliases, severity, docs, examples) plus a check over the
// parsed Dockerfile; All lists them, and a test runs every rule's bad
// example (it must fire) and good example (it must not).
package dfrule

import (
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/baseimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

// Options configure the checks. The zero value is usable.
type Options struct {
	// TrustedRegistries enables DF003: bases must come from one of these
	// registries ("docker.io"), repository prefixes ("ghcr.io/acme") or
	// domain globs ("*.example.com").
	TrustedRegistries []string
	// RequireDigest raises DF002 (base not pinned by digest) to high.
	RequireDigest bool
	// Now is the date end-of-life is judged at; zero means time.Now().
	Now time.Time
	// Context is the build context (the Dockerfile's directory), used to
	// check .dockerignore; nil skips those checks (stdin).
	Context fs.FS
	// DockerfileName is the Dockerfile's base name, for BuildKit's
	// per-Dockerfile ignore file (<name>.dockerignore).
	DockerfileName string
}

// Rule is a Dockerfile rule: its description and its check.
type Rule struct {
	rule.Rule
	check func(*pass)
}

// Check runs the rule alone on f.
func (r *Rule) Check(f *dockerfile.File, opts Options) []finding.Finding {
	p := newPass(f, opts)
	p.rule = r
	r.check(p)
	p.fold()
	return append(p.out, p.limit.Summaries()...)
}

// All lists every Dockerfile rule, in ID order. Rules are listed here, not
// registered from init, so that what runs is what this list says.
var All = []*Rule{
	df001, df002, df003, df004, df005, df006,
	df010, df011, df012, df013, df014, df015, df016, df017, df018, df019, df020,
	df030, df031, df032, df033, df034, df035, df036, df037, df038, df039, df040, df041, df042, df043,
}

// ByID returns the rule with the given ID, or nil.
func ByID(id string) *Rule {
	for _, r := range All {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// Run checks f with every rule.
func Run(f *dockerfile.File, opts Options) []finding.Finding {
	p := newPass(f, opts)
	for _, r := range All {
		p.rule = r
		r.check(p)
	}
	p.fold()
	return append(p.out, p.limit.Summaries()...)
}

// pass is one run of rules over one file.
type pass struct {
	f    *dockerfile.File
	opts Options
	rule *Rule
	out  []finding.Finding
	refs map[string]baseimage.Ref
	// limit bounds the findings of a rule one file lists; a finding past
	// it is made in spill (rules still set its severity and fix after
	// reporting it) and folded into the rule's summary afterwards.
	limit   *finding.Limit
	spill   finding.Finding
	spilled bool
	// run is the RUN whose script p.runs is handing to a rule, so that a
	// finding on one of its commands can say it is an ONBUILD trigger.
	run *dockerfile.Instruction
}

func newPass(f *dockerfile.File, opts Options) *pass {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	return &pass{f: f, opts: opts, limit: finding.NewLimit(0)}
}

// at reports a finding on an instruction.
func (p *pass) at(in *dockerfile.Instruction, msg string, aliases ...string) *finding.Finding {
	msg = onBuildNote(in, msg)
	return p.report(finding.Location{File: p.f.Path, Line: in.Line, Column: in.Column, EndLine: in.EndLine}, msg, aliases...)
}

// atCmd reports a finding on one shell command of a RUN.
func (p *pass) atCmd(c *dockerfile.Command, msg string, aliases ...string) *finding.Finding {
	msg = onBuildNote(p.run, msg)
	return p.report(finding.Location{File: p.f.Path, Line: c.Line, Column: c.Column}, msg, aliases...)
}

// atWord reports a finding on the first occurrence of word on the
// instruction's first line (an image name in FROM, a port in EXPOSE),
// falling back to the instruction.
func (p *pass) atWord(in *dockerfile.Instruction, word, msg string, aliases ...string) *finding.Finding {
	if in.OnBuild {
		return p.at(in, msg, aliases...)
	}
	for n := in.Line; n <= in.EndLine && word != ""; n++ {
		line := p.f.Line(n)
		start := 0
		if n == in.Line {
			start = in.Column - 1 + len(in.Keyword)
		}
		if start <= len(line) {
			if i := strings.Index(line[start:], word); i >= 0 {
				return p.report(finding.Location{File: p.f.Path, Line: n, Column: start + i + 1, EndLine: in.EndLine}, msg, aliases...)
			}
		}
	}
	return p.at(in, msg, aliases...)
}

func (p *pass) report(loc finding.Location, msg string, aliases ...string) *finding.Finding {
	p.fold()
	if !p.limit.Take(p.rule.ID) {
		p.spill, p.spilled = p.rule.New(loc, msg, aliases...), true
		return &p.spill
	}
	p.out = append(p.out, p.rule.New(loc, msg, aliases...))
	return &p.out[len(p.out)-1]
}

// fold counts the last finding past the limit, now that its rule is done
// with it.
func (p *pass) fold() {
	if p.spilled {
		p.limit.Fold(p.spill)
		p.spilled = false
	}
}

// runs calls fn for every RUN with a parsed script in the given stages,
// and for the RUNs their ONBUILD lines wrap.
func (p *pass) runs(stages []*dockerfile.Stage, fn func(in *dockerfile.Instruction, s *dockerfile.Script)) {
	defer func() { p.run = nil }()
	for _, st := range stages {
		for _, in := range each(st) {
			if in.Script != nil {
				p.run = in
				fn(in, in.Script)
			}
		}
	}
}

// each returns a stage's instructions followed by its ONBUILD triggers,
// for the rules that judge one instruction at a time: a trigger is the
// instruction it wraps, run in a child's build.
func each(st *dockerfile.Stage) []*dockerfile.Instruction {
	if len(st.Triggers) == 0 {
		return st.Instructions
	}
	return append(slices.Clip(st.Instructions), st.Triggers...)
}

// onBuildNote adds to a finding's message that its instruction is an
// ONBUILD trigger.
func onBuildNote(in *dockerfile.Instruction, msg string) string {
	if in != nil && in.OnBuild {
		return msg + " (ONBUILD: runs in the build of every image FROM this one)"
	}
	return msg
}

// shipped returns the stages whose layers end up in the final image.
func (p *pass) shipped() []*dockerfile.Stage {
	var out []*dockerfile.Stage
	for _, s := range p.f.Stages {
		if s.Shipped {
			out = append(out, s)
		}
	}
	return out
}

// lineage returns the final stage and the stages it is built from,
// nearest first: where the image's USER, CMD and HEALTHCHECK come from.
func (p *pass) lineage() []*dockerfile.Stage {
	var out []*dockerfile.Stage
	for s := p.f.Final(); s != nil && len(out) <= len(p.f.Stages); s = s.From.Stage {
		out = append(out, s)
	}
	return out
}

// quote shortens a command for a message.
func quote(c *dockerfile.Command) string {
	s := strings.Join(append([]string{c.Name}, c.Args...), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return "`" + s + "`"
}

// noAliases marks a finding to which none of the rule's aliases apply
// (DF030's "no USER at all" has no Hadolint equivalent).
var noAliases = []string{}
