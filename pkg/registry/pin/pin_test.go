package pin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindAndRewrite(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":      "ARG V=3\n# base\nFROM   alpine:3.20 AS build\nFROM build\nFROM golang:1.23@sha256:" + strings.Repeat("a", 64) + "\nFROM scratch\nFROM node:$V\n",
		"k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: i, image: \"busybox:1.36\"}\n      containers:\n      - name: a   # the app\n        image: registry.example.com/app:1.4 # pinned below\n",
		"compose.yaml":    "services:\n  web:\n    image: nginx:1.27\n  built:\n    build: .\n",
		"notes.yaml":      "a: b\n",
	}
	for f, c := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), []byte(c), 0o644)
	}
	refs, errs := Find([]string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := map[string]Ref{}
	for _, r := range refs {
		got[r.Image] = r
	}
	if len(refs) != 6 || !got["golang:1.23@sha256:"+strings.Repeat("a", 64)].Pinned || got["node:$V"].Note == "" || got["alpine:3.20"].Line != 3 || got["alpine:3.20"].Column != 8 {
		t.Fatalf("refs: %+v", refs)
	}
	digests := map[string]string{"alpine:3.20": "sha256:" + strings.Repeat("1", 64), "busybox:1.36": "sha256:" + strings.Repeat("2", 64),
		"registry.example.com/app:1.4": "sha256:" + strings.Repeat("3", 64), "nginx:1.27": "sha256:" + strings.Repeat("4", 64)}
	for f := range files {
		path := filepath.Join(dir, f)
		src, _ := os.ReadFile(path)
		var mine []Ref
		for _, r := range refs {
			if r.File == path {
				mine = append(mine, r)
			}
		}
		out, _ := Rewrite(src, mine, digests)
		files[f] = string(out)
	}
	for f, want := range map[string]string{
		"Dockerfile":      "FROM   alpine:3.20@sha256:1111111111111111111111111111111111111111111111111111111111111111 AS build\n",
		"k8s/deploy.yaml": "      - {name: i, image: \"busybox:1.36@sha256:2222222222222222222222222222222222222222222222222222222222222222\"}\n",
		"compose.yaml":    "    image: nginx:1.27@sha256:4444444444444444444444444444444444444444444444444444444444444444\n",
	} {
		if !strings.Contains(files[f], want) {
			t.Errorf("%s:\n%s\nwant a line %q", f, files[f], want)
		}
	}
	if !strings.Contains(files["k8s/deploy.yaml"], "image: registry.example.com/app:1.4@sha256:3333333333333333333333333333333333333333333333333333333333333333 # pinned below") {
		t.Errorf("comment or value lost:\n%s", files["k8s/deploy.yaml"])
	}
}
