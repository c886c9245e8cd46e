package baseadvice

import (
	"context"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// InputOf wraps a scan result for Identify and Need.
func InputOf(res *scan.Result, t *source.Target, baseLayers int) *Input {
	return &Input{Result: res.Result, Layers: res.LayerView, Annotations: t.Annotations(), BaseLayers: baseLayers}
}

// Measure scans a candidate base and describes it from what it holds:
// libc, shell, package manager, runtimes, libraries, size and, with a
// database in opts, its known vulnerabilities.
func Measure(ctx context.Context, name string, t *source.Target, opts scan.Options) (Candidate, error) {
	opts.Scanners = []scan.Scanner{scan.Image}
	if opts.DB != nil {
		opts.Scanners = append(opts.Scanners, scan.Vuln)
	}
	res, err := scan.Run(ctx, t, opts)
	if err != nil {
		return Candidate{}, err
	}
	in := InputOf(res, t, 0)
	id := Identify(in, time.Time{})
	c := Candidate{Name: name, Libc: id.Libc, Shell: id.Shell != "", PackageManager: id.PackageManager, Measured: true}
	for _, l := range res.LayerView {
		c.Size += l.Size
	}
	var cfg v1.Config
	if res.Config != nil {
		cfg = res.Config.Config
	}
	for _, r := range []struct{ prog, runtime string }{{"python3", "python3"}, {"node", "node"}, {"java", "java"}, {"ruby", "ruby"}, {"php", "php"}, {"perl", "perl"}} {
		if _, ok := entrypoint.LookPath(cfg, res.View, r.prog); ok {
			c.Runtimes = append(c.Runtimes, r.runtime)
		}
	}
	c.Libraries = libraries(res.View)
	if res.Checked(scan.Vuln) {
		c.Vulnerabilities = map[string]int{}
		for _, f := range res.Findings {
			if f.Kind == finding.KindVulnerability {
				c.Vulnerabilities[f.Severity.String()]++
			}
		}
	}
	return c, nil
}

var soname = regexp.MustCompile(`^lib[^/]*\.so(\.[0-9]+)*$`)

// libraries lists the shared libraries in the usual directories, by name.
func libraries(v *imagefs.View) []string {
	seen := map[string]bool{}
	v.Walk(func(f imagefs.File) {
		dir, base := path.Split(f.Path)
		if !soname.MatchString(base) {
			return
		}
		if strings.HasPrefix(dir, "lib") || strings.HasPrefix(dir, "usr/lib") || strings.HasPrefix(dir, "usr/local/lib") {
			seen[base] = true
		}
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
