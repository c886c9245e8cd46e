package baseadvice

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
)

// NamedTarget is a candidate given by the user: a name to show and the
// image to measure.
type NamedTarget struct {
	Name   string
	Target *source.Target
}

// Options configure Explain.
type Options struct {
	// Scan carries the database (nil: vulnerabilities not counted) and
	// the layer cache.
	Scan scan.Options
	// Base is the image's base, when the user names it.
	Base *source.Target
	// Candidates are images to measure and judge besides Known (one with
	// a Known name replaces its typical figures).
	Candidates []NamedTarget
	// Open opens a Known candidate (or the base the image's annotation
	// names) to measure it; nil leaves them unmeasured (offline).
	Open func(ctx context.Context, name string) (*source.Target, error)
	// Now judges end of life; zero means time.Now().
	Now time.Time
}

// Explain identifies t's base, works out what its application needs, and
// judges the candidates.
func Explain(ctx context.Context, t *source.Target, opts Options) (*Advice, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	so := opts.Scan
	so.Scanners = []scan.Scanner{scan.Image}
	if so.DB != nil {
		so.Scanners = append(so.Scanners, scan.Vuln)
	}
	res, err := scan.Run(ctx, t, so)
	if err != nil {
		return nil, err
	}
	a := &Advice{Image: t.Name}
	known, by := 0, ""
	switch {
	case opts.Base != nil:
		if known, err = scan.BaseLayers(res.Layers, opts.Base); err != nil {
			return nil, err
		}
	case opts.Open != nil:
		if name, digest := baseName(&Input{Result: res.Result, Annotations: t.Annotations()}); name != "" {
			ref := name
			if digest != "" && !strings.Contains(name, "@") {
				ref += "@" + digest
			}
			if n, err := openBase(ctx, opts.Open, ref, res); err == nil {
				known, by = n, ByAnnotation
			} else {
				a.Warnings = append(a.Warnings, fmt.Sprintf("base image %s could not be read (%v); its layers were guessed", ref, err))
			}
		}
	}
	in := InputOf(res, t, known)
	in.BaseBy = by
	a.Identity = Identify(in, opts.Now)
	a.Needs = Need(in, a.Identity)
	res.MarkBase(a.Identity.BaseLayers)

	a.Current = Candidate{Name: currentName(a.Identity), Libc: a.Identity.Libc, Shell: a.Identity.Shell != "",
		PackageManager: a.Identity.PackageManager, Size: a.Identity.BaseSize, Measured: true}
	if res.Checked(scan.Vuln) {
		a.Current.Vulnerabilities = map[string]int{}
		for _, f := range res.Findings {
			if f.Kind == finding.KindVulnerability && f.FromBase {
				a.Current.Vulnerabilities[f.Severity.String()]++
			}
		}
	}

	given := map[string]bool{}
	var cands []Candidate
	for _, nt := range opts.Candidates {
		c, err := Measure(ctx, nt.Name, nt.Target, opts.Scan)
		if err != nil {
			return nil, fmt.Errorf("candidate %s: %w", nt.Name, err)
		}
		given[nt.Name] = true
		cands = append(cands, c)
	}
	for _, k := range Known {
		if given[k.Name] {
			continue
		}
		c := k
		if opts.Open != nil {
			if m, err := measureKnown(ctx, opts, k.Name); err == nil {
				c = m
			} else {
				c.Note = "typical figures; not measured: " + oneLine(err.Error())
			}
		}
		cands = append(cands, c)
	}
	a.Options = Advise(a.Needs, cands)
	return a, nil
}

func openBase(ctx context.Context, open func(context.Context, string) (*source.Target, error), ref string, res *scan.Result) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	bt, err := open(ctx, ref)
	if err != nil {
		return 0, err
	}
	defer bt.Close()
	return scan.BaseLayers(res.Layers, bt)
}

func measureKnown(ctx context.Context, opts Options, name string) (Candidate, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	t, err := opts.Open(ctx, name)
	if err != nil {
		return Candidate{}, err
	}
	defer t.Close()
	return Measure(ctx, name, t, opts.Scan)
}

func currentName(id Identity) string {
	if id.Name != "" {
		return id.Name
	}
	if id.OS != nil && id.OS.ID != "" {
		return strings.TrimSpace(id.OS.ID + " " + id.OS.Version)
	}
	return "base"
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
