// Package config reads .bulwark.yaml, the project's settings: severity
// overrides per rule, disabled rules, trusted registries, digest pinning
// and the default gate. It is found by walking up from the working
// directory, as git finds .git, or named with --config.
package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"go.yaml.in/yaml/v3"
)

// FileNames are the names looked for, in order, in each directory.
var FileNames = []string{".bulwark.yaml", ".bulwark.yml"}

// Config is the content of .bulwark.yaml.
type Config struct {
	// Path is the file the config was read from; empty when none was found.
	Path string `yaml:"-"`
	// FailOn is the default for --fail-on.
	FailOn string `yaml:"failOn"`
	// Severity overrides, by rule ID or alias: {DF002: high}.
	Severity map[string]finding.Severity `yaml:"-"`
	// RawSeverity is Severity as written, checked after decoding so that an
	// error can name its line.
	RawSeverity map[string]string `yaml:"severity"`
	// Disable lists rules not to report, by ID or alias.
	Disable []string `yaml:"disable"`
	// TrustedRegistries turns on DF003: registries ("docker.io"),
	// repository prefixes ("ghcr.io/acme") or domain globs ("*.corp.example").
	TrustedRegistries []string `yaml:"trustedRegistries"`
	// RequireDigest makes an unpinned base image (DF002) high.
	RequireDigest bool `yaml:"requireDigest"`
	// IgnoreFile overrides where the ignore file is read from, relative to
	// this file.
	IgnoreFile string `yaml:"ignoreFile"`
}

// Dir is the directory of the config file, or "" when there is none.
func (c *Config) Dir() string {
	if c.Path == "" {
		return ""
	}
	return filepath.Dir(c.Path)
}

// Find looks for a config file in dir and its parents and loads the first
// one found. It returns an empty Config when there is none.
func Find(dir string) (*Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for {
		for _, n := range FileNames {
			p := filepath.Join(abs, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return Load(p)
			}
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return &Config{}, nil
		}
		abs = parent
	}
}

// Load reads the config file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputerr.New(path, 0, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, inputerr.New(path, 0, err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads config content; name is used in errors.
func Parse(name string, data []byte) (c *Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, inputerr.New(name, 0, fmt.Errorf("cannot parse: %v", r))
		}
	}()
	c = &Config{Path: name}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := yamldoc.Decode(name, data, c, true); err != nil {
		return nil, err
	}
	c.Path = name
	if len(c.RawSeverity) > 0 {
		c.Severity = map[string]finding.Severity{}
	}
	for id, v := range c.RawSeverity {
		sev, err := finding.ParseSeverity(v)
		if err != nil {
			return nil, inputerr.New(name, keyLine(data, "severity", id), fmt.Errorf("severity of %s: %w", id, err))
		}
		c.Severity[id] = sev
	}
	if c.FailOn != "" {
		if _, err := finding.ParseSeverity(c.FailOn); err != nil {
			return nil, inputerr.New(name, 0, fmt.Errorf("failOn: %w", err))
		}
	}
	return c, nil
}

// keyLine finds the line of key under the top-level section in YAML data,
// for error messages; 0 when it cannot.
func keyLine(data []byte, section, key string) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != section {
			continue
		}
		m := top.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == key {
				return m.Content[j].Line
			}
		}
	}
	return 0
}
