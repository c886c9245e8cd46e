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
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	corev1 "k8s.io/api/core/v1"
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
	p.out = oneCause(w, p.out)
	finding.Sort(p.out)
	return p.out
}

// oneCause keeps one finding per cause where two controls of the
// standards see the same field: a hostPath volume is both RT004 (baseline)
// and a restricted volume type (RT020); an added capability both RT003
// and RT025. The baseline finding stays; the restricted one keeps what
// only it says.
func oneCause(w *k8s.Workload, out []finding.Finding) []finding.Finding {
	has := map[string]bool{}
	for _, f := range out {
		has[f.ID+" "+containerOf(f.Location.Field)] = true
	}
	kept := out[:0]
	for _, f := range out {
		switch f.ID {
		case "RT020":
			if has["RT004 "] && onlyHostPath(w.Spec) {
				continue
			}
		case "RT025":
			c := containerOf(f.Location.Field)
			if has["RT003 "+c] {
				var parts []string
				for _, part := range strings.Split(f.Message, "; ") {
					if !strings.Contains(part, "must not include") {
						parts = append(parts, part)
					}
				}
				if len(parts) == 0 || !strings.Contains(strings.Join(parts, ""), "drop") {
					continue
				}
				f.Message = strings.Join(parts, "; ")
			}
			if lowerAll(w.Spec, c) {
				f.Message += ` (capability names are upper case: "all" drops nothing, write ALL)`
			}
		}
		kept = append(kept, f)
	}
	return kept
}

// containerOf is the container part of a field path ("" for the pod).
func containerOf(field string) string {
	for _, list := range []string{"initContainers[", "containers[", "ephemeralContainers["} {
		if i := strings.Index(field, list); i >= 0 {
			if j := strings.Index(field[i:], "]"); j >= 0 {
				return field[i : i+j+1]
			}
		}
	}
	return ""
}

// onlyHostPath reports whether every volume outside the restricted set is
// a hostPath volume.
func onlyHostPath(s *corev1.PodSpec) bool {
	for _, v := range s.Volumes {
		vs := v.VolumeSource
		allowed := vs.ConfigMap != nil || vs.CSI != nil || vs.DownwardAPI != nil || vs.EmptyDir != nil || vs.Ephemeral != nil ||
			vs.PersistentVolumeClaim != nil || vs.Projected != nil || vs.Secret != nil || vs.Image != nil
		if !allowed && vs.HostPath == nil {
			return false
		}
	}
	return true
}

// lowerAll reports whether the container ("containers[0]") drops "all"
// in another case than ALL, which the runtime does not read as all.
func lowerAll(s *corev1.PodSpec, c string) bool {
	for _, x := range containers(s) {
		if x.path != c || x.c.SecurityContext == nil || x.c.SecurityContext.Capabilities == nil {
			continue
		}
		for _, d := range x.c.SecurityContext.Capabilities.Drop {
			if strings.EqualFold(string(d), "all") && d != "ALL" {
				return true
			}
		}
	}
	return false
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
