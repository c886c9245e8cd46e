// Package rtrule holds the runtime rules (RT###): how a container is run,
// as Kubernetes manifests and Compose files say. The Pod Security
// Standards controls are decided by the Kubernetes project's own
// implementation (k8s.io/pod-security-admission), so a finding here is
// exactly a rejection by the admission controller at that level; Bulwark
// adds where the field is (file, line, YAML path) and rules beyond the
// standards.
package rtrule

import (
	"fmt"
	"slices"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// Level is a Pod Security Standards level.
type Level string

// The levels.
const (
	Baseline   Level = "baseline"
	Restricted Level = "restricted"
)

// Rule is a runtime rule: its data and the checks for workloads and
// Compose services (either may be nil).
type Rule struct {
	rule.Rule
	// Level is the Pod Security Standards level the rule belongs to, ""
	// for rules beyond the standards.
	Level        Level
	workload     func(*podPass)
	service      func(*servicePass)
	image        func(*imagePass)
	serviceImage func(*servicePass, *ImageFacts)
}

// All lists every runtime rule, in ID order.
func All() []*Rule {
	out := append([]*Rule(nil), pssRules...)
	out = append(out, workloadRules...)
	out = append(out, serviceRules...)
	out = append(out, imageRules...)
	out = append(out, serviceImageRules...)
	slices.SortFunc(out, func(a, b *Rule) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// Rules returns the rules' descriptions, for reports.
func Rules() []*rule.Rule {
	var out []*rule.Rule
	for _, r := range All() {
		out = append(out, &r.Rule)
	}
	return out
}

// IDsAt returns the IDs of the Pod Security Standards rules that the
// admission controller enforces at level (restricted includes baseline).
func IDsAt(l Level) []string {
	var out []string
	for _, r := range pssRules {
		if r.Level == Baseline || (l == Restricted && r.Level == Restricted) {
			out = append(out, r.ID)
		}
	}
	return out
}

// Option configures a check.
type Option func(*podPass)

// AtVersion decides the Pod Security Standards controls as admission does
// for that policy version (the namespace's enforce-version label); the
// default is the newest the vendored admission library knows.
func AtVersion(v api.Version) Option {
	return func(p *podPass) { p.checks = checksFor(v) }
}

// Workload checks a workload with every rule.
func Workload(w *k8s.Workload, opts ...Option) []finding.Finding {
	p := &podPass{w: w, checks: checks}
	for _, o := range opts {
		o(p)
	}
	for _, r := range All() {
		if r.workload != nil {
			p.rule = r
			r.workload(p)
		}
	}
	finding.Sort(p.out)
	return p.out
}

// Service checks a Compose service with every rule.
func Service(file string, s *compose.Service) []finding.Finding {
	p := &servicePass{file: file, s: s}
	for _, r := range All() {
		if r.service != nil {
			p.rule = r
			r.service(p)
		}
	}
	finding.Sort(p.out)
	return p.out
}

type podPass struct {
	w      *k8s.Workload
	rule   *Rule
	out    []finding.Finding
	checks map[string]policy.CheckPodFn
}

// at reports a finding on a pod-spec field (path relative to the spec).
func (p *podPass) at(path, msg string) {
	loc := finding.Location{File: p.w.File, Line: p.w.Line(path), Field: p.w.FieldPath(path)}
	f := p.rule.New(loc, fmt.Sprintf("%s %s: %s", p.w.Kind, p.w.Name, msg))
	p.out = append(p.out, f)
}

type servicePass struct {
	file string
	s    *compose.Service
	rule *Rule
	out  []finding.Finding
}

// at reports a finding on a service field ("" for the service itself).
func (p *servicePass) at(field, msg string) {
	path := p.s.Path
	if field != "" {
		path += "." + field
	}
	loc := finding.Location{File: p.file, Line: p.s.Line(field), Field: path}
	p.out = append(p.out, p.rule.New(loc, fmt.Sprintf("service %s: %s", p.s.Name, msg)))
}
