// Package audit is `bulwark audit`: it finds Kubernetes manifests and
// Compose files under the paths given (or reads standard input), parses
// them (pkg/runtime/k8s, pkg/runtime/compose) and runs the runtime rules (pkg/runtime/rtrule).
package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
)

// Stdin is the path that means standard input.
const Stdin = "-"

// Options configure an audit.
type Options struct {
	Stdin io.Reader
	// Images, when set, turns on the image-aware rules: it returns the
	// facts of a container's image.
	Images rtrule.ImageLookup
	// Rules are options for the runtime rules (rtrule.AtVersion for
	// --pss-version).
	Rules []rtrule.Option
	// Keep keeps every file's source and trees in Result.Parsed (for
	// --fix and pin). Without it a file's trees are let go once checked,
	// so a run over many large manifests holds one or two at a time.
	Keep bool
}

// Result is what an audit found.
type Result struct {
	// Files are the manifests and Compose files that were checked.
	Files []string
	// Parsed are those files, with Options.Keep.
	Parsed []*Parsed
	// Findings from every file, sorted.
	Findings []finding.Finding
	// Notes say what was skipped (YAML files that are neither manifests
	// nor Compose files, documents that are not objects) and, in one
	// line, how many objects were not workloads.
	Notes []string
	// Others counts the objects that are not workloads, by kind.
	Others map[string]int
	// Errors are inputs that could not be read (*inputerr.Error).
	Errors []error

	images rtrule.ImageLookup
	rules  []rtrule.Option
	keep   bool
	facts  map[string]*rtrule.ImageFacts
	failed map[string]bool
}

// factsFor looks up the images of a workload's containers, each once.
func (r *Result) factsFor(w *k8s.Workload) map[string]*rtrule.ImageFacts {
	var images []string
	for _, c := range w.Spec.InitContainers {
		images = append(images, c.Image)
	}
	for _, c := range w.Spec.Containers {
		images = append(images, c.Image)
	}
	for _, c := range w.Spec.EphemeralContainers {
		images = append(images, c.Image)
	}
	return r.factsOf(images)
}

// factsOf looks up images, each once per run: a failure is noted once and
// the rules then skip that image.
func (r *Result) factsOf(images []string) map[string]*rtrule.ImageFacts {
	out := map[string]*rtrule.ImageFacts{}
	for _, img := range images {
		if img == "" || r.failed[img] {
			continue
		}
		f, ok := r.facts[img]
		if !ok {
			var err error
			if f, err = r.images(img); err != nil {
				r.failed[img] = true
				r.Notes = append(r.Notes, "image "+img+" could not be read ("+oneLine(err.Error())+"); its containers were checked without it")
				continue
			}
			r.facts[img] = f
		}
		out[img] = f
	}
	return out
}

// ImageFacts returns the facts of an image looked up during the audit,
// nil when it was not (no --image-aware) or could not be read.
func (r *Result) ImageFacts(image string) *rtrule.ImageFacts {
	return r.facts[image]
}

// ImageAware reports whether the audit looked images up.
func (r *Result) ImageAware() bool { return r.images != nil }

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Parsed is one checked file: Kubernetes objects or a Compose file.
type Parsed struct {
	Name     string
	Source   []byte
	Manifest *k8s.File
	Compose  *compose.File
}

var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".terraform": true}

// isCandidate reports whether a file in a directory may be a manifest or
// a Compose file.
func isCandidate(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// Audit checks the files under paths.
func Audit(paths []string, opts Options) *Result {
	res := &Result{images: opts.Images, rules: opts.Rules, keep: opts.Keep, facts: map[string]*rtrule.ImageFacts{}, failed: map[string]bool{}, Others: map[string]int{}}
	for _, p := range paths {
		if p == Stdin {
			if opts.Stdin == nil {
				res.Errors = append(res.Errors, inputerr.New(p, 0, errors.New("no standard input")))
				continue
			}
			src, err := io.ReadAll(io.LimitReader(opts.Stdin, k8s.MaxSize+1))
			if err != nil {
				res.Errors = append(res.Errors, inputerr.New(p, 0, err))
				continue
			}
			res.merge(parse(p, src, true, res.rules))
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			res.Errors = append(res.Errors, inputerr.New(p, 0, pathErr(err)))
			continue
		}
		if !st.IsDir() {
			res.merge(readFile(p, true, res.rules))
			continue
		}
		var found []string
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				res.Errors = append(res.Errors, inputerr.New(path, 0, pathErr(err)))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
			case d.IsDir() && path != p && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")):
				return fs.SkipDir
			case d.Type().IsRegular() && (isCandidate(d.Name()) || compose.IsComposeName(d.Name())):
				found = append(found, path)
			}
			return nil
		})
		sort.Strings(found)
		before := len(res.Files)
		res.readAll(found)
		if len(res.Files) == before {
			res.Notes = append(res.Notes, p+": no Kubernetes manifests or Compose files found")
		}
	}
	if n := len(res.Others); n > 0 {
		res.Notes = append(res.Notes, othersNote(res.Others))
	}
	finding.Sort(res.Findings)
	return res
}

// othersNote says in one line how many objects were not workloads: a
// repository's Services and ConfigMaps are not worth a line each.
func othersNote(by map[string]int) string {
	kinds := make([]string, 0, len(by))
	total := 0
	for k, n := range by {
		kinds = append(kinds, k)
		total += n
	}
	sort.Slice(kinds, func(i, j int) bool {
		if by[kinds[i]] != by[kinds[j]] {
			return by[kinds[i]] > by[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, by[k])
	}
	objects := "objects that are not workloads"
	if total == 1 {
		objects = "object that is not a workload"
	}
	return fmt.Sprintf("%d %s skipped (%s)", total, objects, strings.Join(parts, ", "))
}

// file is one input's outcome, made without touching the Result so that
// files are parsed and checked in parallel.
type file struct {
	parsed   *Parsed
	findings []finding.Finding
	notes    []string
	err      error
}

func readFile(name string, named bool, rules []rtrule.Option) file {
	f, err := os.Open(name)
	if err != nil {
		return file{err: inputerr.New(name, 0, pathErr(err))}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, k8s.MaxSize+1))
	if err != nil {
		return file{err: inputerr.New(name, 0, pathErr(err))}
	}
	return parse(name, src, named, rules)
}

// parse parses one file and runs the rules that need no image. Files
// found in a directory that are neither manifests nor Compose files (Helm
// values, CI configs) are skipped quietly; a file named on the command
// line gets a note.
func parse(name string, src []byte, named bool, rules []rtrule.Option) file {
	docs, err := k8s.Documents(name, src)
	if err != nil {
		if named || compose.IsComposeName(name) || looksLikeManifest(src) {
			return file{err: err}
		}
		return file{}
	}
	manifest, isCompose := false, false
	for _, d := range docs {
		manifest = manifest || k8s.IsManifest(d)
		isCompose = isCompose || compose.IsCompose(d)
	}
	out := file{parsed: &Parsed{Name: name, Source: src}}
	switch {
	case manifest:
		f, err := k8s.FromDocuments(name, docs)
		if err != nil {
			return file{err: err}
		}
		out.parsed.Manifest = f
		out.notes = f.Skipped
		lim := finding.NewLimit(0)
		for _, w := range f.Workloads {
			out.findings = append(out.findings, lim.Filter(rtrule.Workload(w, rules...))...)
		}
		out.findings = append(out.findings, lim.Summaries()...)
	case isCompose && len(docs) == 1:
		f, err := compose.FromDoc(name, docs[0])
		if err != nil {
			return file{err: err}
		}
		out.parsed.Compose = f
		lim := finding.NewLimit(0)
		for _, s := range f.Services {
			out.findings = append(out.findings, lim.Filter(rtrule.Service(name, s))...)
		}
		out.findings = append(out.findings, lim.Summaries()...)
	default:
		if named {
			return file{notes: []string{name + ": neither Kubernetes objects nor a Compose file; skipped"}}
		}
		return file{}
	}
	return out
}

// merge adds a file's outcome, and the image-aware findings, which look
// images up through the Result's cache, one file at a time.
func (r *Result) merge(f file) {
	r.Notes = append(r.Notes, f.notes...)
	if f.err != nil {
		r.Errors = append(r.Errors, f.err)
	}
	if f.parsed == nil {
		return
	}
	r.Findings = append(r.Findings, f.findings...)
	if m := f.parsed.Manifest; m != nil {
		for _, o := range m.Others {
			r.Others[o.Kind]++
		}
	}
	lim := finding.NewLimit(0)
	if m := f.parsed.Manifest; m != nil && r.images != nil {
		for _, w := range m.Workloads {
			r.Findings = append(r.Findings, lim.Filter(rtrule.WorkloadImages(w, r.factsFor(w)))...)
		}
	}
	if c := f.parsed.Compose; c != nil && r.images != nil {
		for _, s := range c.Services {
			if s.Image != "" {
				r.Findings = append(r.Findings, lim.Filter(rtrule.ServiceImages(c.Name, s, r.factsOf([]string{s.Image})))...)
			}
		}
	}
	r.Findings = append(r.Findings, lim.Summaries()...)
	r.Files = append(r.Files, f.parsed.Name)
	if r.keep {
		r.Parsed = append(r.Parsed, f.parsed)
	}
}

// readAll reads and checks files on every core and merges them in their
// order as they come. At most two files a core are read ahead of the
// merge: without Keep, what a file holds is let go once it is merged.
func (r *Result) readAll(names []string) {
	workers := min(runtime.GOMAXPROCS(0), max(len(names), 1))
	done := make([]chan file, len(names))
	for i := range done {
		done[i] = make(chan file, 1)
	}
	ahead := make(chan struct{}, 2*workers)
	next := make(chan int)
	for range workers {
		go func() {
			for i := range next {
				done[i] <- readFile(names[i], false, r.rules)
			}
		}()
	}
	go func() {
		for i := range names {
			ahead <- struct{}{}
			next <- i
		}
		close(next)
	}()
	for i := range names {
		r.merge(<-done[i])
		<-ahead
	}
}

// looksLikeManifest is a cheap guess, for files in a directory that fail
// to parse: report them only when they say they are Kubernetes objects.
func looksLikeManifest(src []byte) bool {
	s := string(src[:min(len(src), 4096)])
	return strings.Contains(s, "apiVersion:") && strings.Contains(s, "kind:")
}

func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
