package fix

import (
	"bytes"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Source says why a file is the source of other manifests rather than a
// manifest, and the fix must not edit it: a Helm chart's template, or a
// patch a kustomization names (editing a patch adds fields to every
// object it patches, or breaks the patch). It returns "" for an ordinary
// file. src is the file's content; name its path on disk ("-" for
// standard input, which has no neighbours).
func Source(name string, src []byte) string {
	if bytes.Contains(src, []byte("{{")) && bytes.Contains(src, []byte("}}")) {
		return "a template (it holds {{ }}): render it first (helm template . | bulwark audit --fix -)"
	}
	if name == "-" || name == "" {
		return ""
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return ""
	}
	dir := filepath.Dir(abs)
	for i := 0; i < 6; i++ {
		if filepath.Base(dir) == "templates" {
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "Chart.yaml")); err == nil {
				return "a Helm chart template: render it first (helm template . | bulwark audit -)"
			}
		}
		if patchOf(dir, abs) {
			return "a patch named by " + filepath.Join(dir, "kustomization.yaml") + ": render it first (kubectl kustomize DIR | bulwark audit -)"
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// patchOf reports whether the kustomization in dir names file as a patch.
func patchOf(dir, file string) bool {
	for _, k := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		b, err := os.ReadFile(filepath.Join(dir, k))
		if err != nil || len(b) > 1<<20 {
			continue
		}
		var kz struct {
			Patches []yaml.Node `yaml:"patches"`
			SM      []yaml.Node `yaml:"patchesStrategicMerge"`
			JSON    []yaml.Node `yaml:"patchesJson6902"`
		}
		if yaml.Unmarshal(b, &kz) != nil {
			continue
		}
		for _, list := range [][]yaml.Node{kz.Patches, kz.SM, kz.JSON} {
			for _, n := range list {
				p := n.Value
				if n.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(n.Content); i += 2 {
						if n.Content[i].Value == "path" {
							p = n.Content[i+1].Value
						}
					}
				}
				if p != "" && filepath.Clean(filepath.Join(dir, p)) == file {
					return true
				}
			}
		}
	}
	return false
}
