// Package policy decides what of a scan's findings is reported and whether
// the run fails: severity overrides and disabled rules from the config,
// ignore entries (the ignore file, --ignore, inline comments), and the
// --fail-on gate. It works on finding.Finding alone, so a Dockerfile rule,
// an image rule and a CVE are ignored and gated the same way.
package policy

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/vex"
)

// Policy is what the user configured. The zero value reports everything and
// never fails.
type Policy struct {
	// FailOn is the lowest severity that fails the run; Unknown (the zero
	// value) disables the gate.
	FailOn finding.Severity
	// Severity overrides a rule's severity, by ID or alias.
	Severity map[string]finding.Severity
	// Disabled rules are not reported, by ID or alias.
	Disabled []string
	// Ignores come from the ignore file and --ignore.
	Ignores []Ignore
	// IgnoreBase is the directory the ignore file's path globs are relative
	// to; findings' paths are tried as given and relative to it.
	IgnoreBase string
	// Now judges ignore expiry; zero means time.Now().
	Now time.Time
	// IgnoreUnfixed leaves vulnerabilities without a fixed version out of
	// the gate (they are still reported).
	IgnoreUnfixed bool
	// FailOnKEV fails the gate on any known-exploited vulnerability,
	// whatever its severity.
	FailOnKEV bool
	// GracePeriod keeps vulnerabilities published less than this long ago
	// out of the gate (they are reported, with a warning), so a build does
	// not fail the day an advisory appears before a fix can ship.
	GracePeriod time.Duration
	// VEX documents whose not_affected and fixed statements suppress
	// vulnerabilities; Target is the scanned image (reference or digest)
	// that a statement may name as its product.
	VEX    []*vex.Document
	Target string
	// GateSkipsBase leaves findings that only the base image's layers carry
	// out of the gate (--fail-on-base=false).
	GateSkipsBase bool
	// AlwaysFail are rule IDs whose remaining findings fail the gate
	// whatever their severity: a threshold the user set (--min-efficiency)
	// was crossed.
	AlwaysFail []string
}

// Suppressed is a finding that was not reported, and why.
type Suppressed struct {
	Finding finding.Finding
	// By is the ignore entry's source ("file:line", "--ignore", "inline
	// comment at Dockerfile:4", "disabled in config").
	By     string
	Reason string
}

// Result is the outcome of applying a policy.
type Result struct {
	Findings   []finding.Finding
	Suppressed []Suppressed
	// Warnings are for the user's attention (expired ignores).
	Warnings []string
}

// Apply filters and adjusts findings.
func (p *Policy) Apply(fs []finding.Finding) Result {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	var res Result
	warned := map[string]bool{}
	for _, f := range fs {
		if sev, ok := p.override(&f); ok {
			f.Severity = sev
		}
		if slices.ContainsFunc(p.Disabled, f.HasName) {
			res.Suppressed = append(res.Suppressed, Suppressed{Finding: f, By: "config", Reason: "rule disabled"})
			continue
		}
		if ig := p.ignoredBy(&f, now, warned, &res); ig != nil {
			res.Suppressed = append(res.Suppressed, Suppressed{Finding: f, By: ig.Source, Reason: ig.Reason})
			continue
		}
		if by, reason, ok := p.vexed(f); ok {
			res.Suppressed = append(res.Suppressed, Suppressed{Finding: f, By: by, Reason: reason})
			continue
		}
		res.Findings = append(res.Findings, f)
	}
	finding.Sort(res.Findings)
	return res
}

func (p *Policy) override(f *finding.Finding) (finding.Severity, bool) {
	for id, sev := range p.Severity {
		if f.HasName(id) {
			return sev, true
		}
	}
	return finding.Unknown, false
}

func (p *Policy) vexed(f finding.Finding) (string, string, bool) {
	for _, d := range p.VEX {
		if st, ok := d.Suppresses(f, p.Target); ok {
			reason := "VEX: " + st.Status
			if st.Justification != "" {
				reason += " (" + st.Justification + ")"
			}
			if st.Impact != "" {
				reason += ": " + st.Impact
			}
			return d.Source, reason, true
		}
	}
	return "", "", false
}

func (p *Policy) ignoredBy(f *finding.Finding, now time.Time, warned map[string]bool, res *Result) *Ignore {
	for i := range p.Ignores {
		ig := &p.Ignores[i]
		if !f.HasName(ig.ID) || !p.pathMatches(ig, f) || (ig.Package != "" && (f.Package == nil || !strings.EqualFold(f.Package.Name, ig.Package))) {
			continue
		}
		if ig.Expired(now) {
			if !warned[ig.Source] {
				warned[ig.Source] = true
				res.Warnings = append(res.Warnings, fmt.Sprintf("ignore of %s at %s expired on %s; its findings are reported again", ig.ID, ig.Source, ig.Expires.Format(time.DateOnly)))
			}
			continue
		}
		return ig
	}
	return nil
}

func (p *Policy) pathMatches(ig *Ignore, f *finding.Finding) bool {
	if len(ig.Paths) == 0 {
		return true
	}
	for _, where := range []string{f.Location.File, f.Location.Path} {
		if where == "" {
			continue
		}
		if ig.matchesPath(filepath.ToSlash(filepath.Clean(where))) {
			return true
		}
		if p.IgnoreBase != "" {
			if abs, err := filepath.Abs(where); err == nil {
				if rel, err := filepath.Rel(p.IgnoreBase, abs); err == nil && !strings.HasPrefix(rel, "..") && ig.matchesPath(filepath.ToSlash(rel)) {
					return true
				}
			}
		}
	}
	return false
}

// Fails reports whether the gate fails: a finding at or above the FailOn
// severity, or a known-exploited vulnerability with FailOnKEV. The gate
// only decides the exit code; reports show every finding.
func (p *Policy) Fails(fs []finding.Finding) bool {
	for _, f := range fs {
		if slices.Contains(p.AlwaysFail, f.ID) {
			return true
		}
		if p.IgnoreUnfixed && f.Kind == finding.KindVulnerability && f.FixedVersion == "" {
			continue
		}
		if p.InGrace(f) || (p.GateSkipsBase && f.FromBase) {
			continue
		}
		if p.FailOnKEV && f.KEV {
			return true
		}
		if p.FailOn != finding.Unknown && f.Severity >= p.FailOn {
			return true
		}
	}
	return false
}

// InGrace reports whether a vulnerability was published within the grace
// period.
func (p *Policy) InGrace(f finding.Finding) bool {
	if p.GracePeriod <= 0 || f.Kind != finding.KindVulnerability || f.Published == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, f.Published)
	if err != nil {
		return false
	}
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	return now.Sub(t) < p.GracePeriod
}

// ParseDuration reads durations with day units too ("7d", "36h").
func ParseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// CommandLineIgnores turns --ignore values (IDs, comma-separated or
// repeated) into ignore entries.
func CommandLineIgnores(ids []string) []Ignore {
	var out []Ignore
	for _, v := range ids {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, Ignore{ID: id, Reason: "ignored on the command line", Source: "--ignore"})
			}
		}
	}
	return out
}
