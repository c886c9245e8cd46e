// Package pin finds image references in Dockerfiles (FROM), Kubernetes
// manifests and Compose files (image:), and rewrites them to carry the
// digest they resolve to now (image:tag@sha256:...), keeping the tag for
// people and every other byte of the file.
package pin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/build/lint"
	"github.com/bulwarksec/bulwark/pkg/core/baseimage"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"github.com/bulwarksec/bulwark/pkg/runtime/audit"
	"go.yaml.in/yaml/v3"
)

// Ref is one image reference in a file.
type Ref struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Column is where the reference starts on the line (1-based).
	Column int    `json:"column"`
	Image  string `json:"image"`
	// Pinned is true when the reference already has a digest.
	Pinned bool `json:"pinned"`
	// Note says why a reference cannot be pinned (a build ARG in it ...).
	Note string `json:"note,omitempty"`
}

// Find lists the image references in the files under paths: Dockerfiles
// by name, manifests and Compose files by content.
func Find(paths []string) ([]Ref, []error) {
	var refs []Ref
	var errs []error
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, inputerr.New(p, 0, unwrap(err)))
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if err == nil && d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
	}
	sort.Strings(files)
	for _, f := range files {
		rs, err := findIn(f)
		if err != nil {
			errs = append(errs, err)
		}
		refs = append(refs, rs...)
	}
	return refs, errs
}

func findIn(file string) ([]Ref, error) {
	base := filepath.Base(file)
	if lint.IsDockerfile(base) {
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, inputerr.New(file, 0, unwrap(err))
		}
		return fromDockerfile(file, src)
	}
	ext := strings.ToLower(filepath.Ext(base))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return nil, nil
	}
	res := audit.Audit([]string{file}, audit.Options{Keep: true})
	if len(res.Errors) > 0 {
		return nil, res.Errors[0]
	}
	var refs []Ref
	for _, p := range res.Parsed {
		if p.Manifest != nil {
			for _, w := range p.Manifest.Workloads {
				for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
					seq, ok := yamlpath.Find(w.Doc, w.FieldPath(list))
					if !ok {
						continue
					}
					for i := range seq.Content {
						if n, ok := yamlpath.Find(w.Doc, w.FieldPath(fmt.Sprintf("%s[%d].image", list, i))); ok {
							refs = append(refs, newRef(file, n.Line, n.Column, n.Value))
						}
					}
				}
			}
		}
		if p.Compose != nil {
			for _, s := range p.Compose.Services {
				if n, ok := yamlpath.Find(s.Body, "image"); ok && s.Body.Kind == yaml.MappingNode {
					refs = append(refs, newRef(file, n.Line, n.Column, n.Value))
				}
			}
		}
	}
	return refs, nil
}

func newRef(file string, line, col int, image string) Ref {
	r := Ref{File: file, Line: line, Column: col, Image: image}
	if strings.Contains(image, "$") {
		r.Note = "the reference uses a variable"
		return r
	}
	p, err := baseimage.ParseRef(image)
	switch {
	case err != nil:
		r.Note = "not a valid reference: " + err.Error()
	case p.Digest != "":
		r.Pinned = true
	}
	return r
}

func fromDockerfile(file string, src []byte) ([]Ref, error) {
	f, err := dockerfile.ParseBytes(file, src)
	if err != nil {
		return nil, err
	}
	var refs []Ref
	for _, s := range f.Stages {
		if s.From.Stage != nil || strings.EqualFold(s.From.Raw, "scratch") {
			continue
		}
		in := s.FromInstruction
		line := f.Line(in.Line)
		col := strings.Index(line[min(len(line), in.Column-1+len(in.Keyword)):], s.From.Raw)
		if col < 0 {
			continue
		}
		col += in.Column + len(in.Keyword)
		refs = append(refs, newRef(file, in.Line, col, s.From.Raw))
	}
	return refs, nil
}

// Rewrite returns src with each reference in refs (of this file) given its
// digest: image:tag becomes image:tag@digest. digests maps an image as
// written to its digest; references without one are left as they are.
func Rewrite(src []byte, refs []Ref, digests map[string]string) ([]byte, int) {
	lines := strings.SplitAfter(string(src), "\n")
	n := 0
	// Rewrite right to left within a line, so columns stay valid.
	sort.SliceStable(refs, func(i, j int) bool {
		if refs[i].Line != refs[j].Line {
			return refs[i].Line < refs[j].Line
		}
		return refs[i].Column > refs[j].Column
	})
	for _, r := range refs {
		d := digests[r.Image]
		if r.Pinned || r.Note != "" || d == "" || r.Line < 1 || r.Line > len(lines) {
			continue
		}
		l := lines[r.Line-1]
		start := r.Column - 1
		if start < 0 || start > len(l) {
			continue
		}
		i := strings.Index(l[start:], r.Image)
		if i < 0 {
			continue
		}
		at := start + i + len(r.Image)
		lines[r.Line-1] = l[:at] + "@" + d + l[at:]
		n++
	}
	return []byte(strings.Join(lines, "")), n
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
