package harden

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
	"github.com/bulwarksec/bulwark/pkg/image/source"
)

// Analyze reads what a Profile needs from an image: the configuration,
// the account files and os-release, file modes and capabilities, and the
// entrypoint's kind; no catalogers run.
func Analyze(ctx context.Context, t *source.Target, cache imagefs.Cache) (*analyzer.Result, error) {
	if t.Image == nil {
		return nil, fmt.Errorf("%s is a directory, not an image", t.Name)
	}
	return analyzer.Analyze(ctx, t, analyzer.Options{Catalogers: []catalog.Cataloger{}, Inspectors: []imagefs.Inspector{executable.New()}, Cache: cache})
}

// Reference names t for a manifest: its own reference pinned by digest
// ("repo:tag@sha256:..."), override when given, or a local name.
func Reference(t *source.Target, override string) (string, error) {
	if override != "" {
		return override, nil
	}
	d := t.Digest
	if d.Hex == "" {
		var err error
		if d, err = t.Image.Digest(); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	ref := t.Ref
	if ref == "" {
		base := filepath.Base(t.Name)
		base = strings.TrimSuffix(strings.TrimSuffix(base, filepath.Ext(base)), ".docker")
		ref = "local/" + strings.Trim(nonName.ReplaceAllString(strings.ToLower(base), "-"), "-")
	}
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	return ref + "@" + d.String(), nil
}

// For derives the plan for an image target.
func For(ctx context.Context, t *source.Target, image string, cache imagefs.Cache, opts Options) (Plan, error) {
	res, err := Analyze(ctx, t, cache)
	if err != nil {
		return Plan{}, err
	}
	ref, err := Reference(t, image)
	if err != nil {
		return Plan{}, err
	}
	return NewPlan(ref, ProfileOf(res), opts), nil
}
