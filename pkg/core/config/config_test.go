package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "failOn: high\nseverity:\n  DF002: critical\ndisable: [DF036]\ntrustedRegistries: [docker.io, ghcr.io/acme]\nrequireDigest: true\n"
	if err := os.WriteFile(filepath.Join(root, ".bulwark.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Find(deep)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != filepath.Join(root, ".bulwark.yaml") || c.FailOn != "high" || c.Severity["DF002"] != finding.Critical ||
		len(c.Disable) != 1 || len(c.TrustedRegistries) != 2 || !c.RequireDigest || c.Dir() != root {
		t.Errorf("loaded %+v", c)
	}
}

func TestNoConfig(t *testing.T) {
	c, err := Find(t.TempDir())
	if err != nil || c.Path != "" {
		t.Errorf("Find in an empty tree = %+v, %v", c, err)
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"failOn: severe\n", ".bulwark.yaml: failOn: unknown severity"},
		{"severity:\n  DF002: urgent\n", ".bulwark.yaml:2:"},
		{"trustedRegistry: [x]\n", `.bulwark.yaml:1: field trustedRegistry not found`},
		{"a: [\n", ".bulwark.yaml:1:"},
	} {
		_, err := Parse(".bulwark.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error = %v, want %q", c.src, err, c.want)
		}
	}
}
