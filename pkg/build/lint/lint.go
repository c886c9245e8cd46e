// Package lint is the Dockerfile linter behind `bulwark lint`: it finds
// Dockerfiles under the given paths, parses each with BuildKit's parser,
// runs the DF rules, and applies the file's own ignore comments. A file that
// cannot be read or parsed is reported as an error and the others are still
// linted.
package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/policy"
)

// Stdin is the path that stands for standard input.
const Stdin = "-"

// Options configure a lint run.
type Options struct {
	// Rules configures the rules; Context and DockerfileName are set per
	// file by the linter.
	Rules dfrule.Options
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Workers is how many files are linted at once; 0 means GOMAXPROCS.
	Workers int
	// BuildArgs are the --build-arg values the build passes: they override
	// ARG defaults, as in `docker build --build-arg`.
	BuildArgs map[string]string
}

// Result is what a lint run found.
type Result struct {
	// Files are the Dockerfiles that were read, in order.
	Files []string
	// Findings that remain after the files' ignore comments.
	Findings []finding.Finding
	// Suppressed are findings hidden by ignore comments.
	Suppressed []policy.Suppressed
	// Errors are inputs that could not be linted (*inputerr.Error).
	Errors []error
}

// IsDockerfile reports whether a file name is one the linter looks for in
// directories: Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*.
func IsDockerfile(name string) bool {
	if strings.HasSuffix(name, ".dockerignore") {
		return false
	}
	lower := strings.ToLower(name)
	switch {
	case lower == "dockerfile" || lower == "containerfile":
		return true
	case strings.HasSuffix(lower, ".dockerfile") || strings.HasSuffix(lower, ".containerfile"):
		return true
	case strings.HasPrefix(lower, "dockerfile.") || strings.HasPrefix(lower, "containerfile."):
		return true
	}
	return false
}

// skipDirs are never searched: they hold no Dockerfiles of the project and
// can be very large.
var skipDirs = map[string]bool{".git": true, "node_modules": true, ".hg": true, ".svn": true}

// Discover expands paths into Dockerfiles: files are taken as they are,
// directories are searched recursively. Paths that do not exist, and
// directories without a Dockerfile, are returned as errors.
func Discover(paths []string) ([]string, []error) {
	var files []string
	var errs []error
	for _, p := range paths {
		if p == Stdin {
			files = append(files, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, inputerr.New(p, 0, cleanPathError(err)))
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, inputerr.New(path, 0, cleanPathError(err)))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != p && skipDirs[d.Name()] {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && IsDockerfile(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, inputerr.New(p, 0, err))
		}
		if len(found) == 0 {
			errs = append(errs, inputerr.New(p, 0, errors.New("no Dockerfile found (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*)")))
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, errs
}

// cleanPathError drops the path from an *fs.PathError, which the caller's
// inputerr.Error names already.
func cleanPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Lint lints the Dockerfiles found under paths.
func Lint(ctx context.Context, paths []string, opts Options) *Result {
	files, errs := Discover(paths)
	res := &Result{Errors: errs}
	type out struct {
		findings   []finding.Finding
		suppressed []policy.Suppressed
		err        error
	}
	outs := make([]out, len(files))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := &outs[i]
				o.findings, o.suppressed, o.err = lintPath(files[i], opts)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			outs[i].err = ctx.Err()
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for i, o := range outs {
		if o.err != nil {
			res.Errors = append(res.Errors, o.err)
			continue
		}
		res.Files = append(res.Files, files[i])
		res.Findings = append(res.Findings, o.findings...)
		res.Suppressed = append(res.Suppressed, o.suppressed...)
	}
	finding.Sort(res.Findings)
	return res
}

func lintPath(name string, opts Options) ([]finding.Finding, []policy.Suppressed, error) {
	var src []byte
	var err error
	ropts := opts.Rules
	if name == Stdin {
		if opts.Stdin == nil {
			return nil, nil, inputerr.New(name, 0, errors.New("no standard input"))
		}
		src, err = io.ReadAll(io.LimitReader(opts.Stdin, dockerfile.MaxSize+1))
	} else {
		src, err = readFile(name)
		ropts.Context = os.DirFS(filepath.Dir(name))
		ropts.DockerfileName = filepath.Base(name)
	}
	if err != nil {
		return nil, nil, inputerr.New(name, 0, cleanPathError(err))
	}
	return LintBytes(name, src, ropts, dockerfile.WithBuildArgs(opts.BuildArgs))
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	if st.Size() > dockerfile.MaxSize {
		return nil, fmt.Errorf("%d bytes is too large for a Dockerfile (limit %d)", st.Size(), dockerfile.MaxSize)
	}
	return io.ReadAll(io.LimitReader(f, dockerfile.MaxSize+1))
}

// LintBytes lints one Dockerfile held in memory: parse, rules, then the
// file's ignore comments. Parse errors are returned as *inputerr.Error.
// popts reach the parser (dockerfile.WithBuildArgs).
func LintBytes(name string, src []byte, opts dfrule.Options, popts ...dockerfile.Option) ([]finding.Finding, []policy.Suppressed, error) {
	f, err := dockerfile.ParseBytes(name, src, popts...)
	if err != nil {
		return nil, nil, err
	}
	fs := dfrule.Run(f, opts)
	kept, suppressed := applyInline(f, fs)
	return kept, suppressed, nil
}

// applyInline drops findings that the file's comments ignore: a comment
// above an instruction covers that instruction's lines; a file-wide
// comment covers the file.
func applyInline(f *dockerfile.File, fs []finding.Finding) ([]finding.Finding, []policy.Suppressed) {
	type span struct {
		from, to int
		ids      []string
		line     int
	}
	var spans []span
	var global []string
	globalLine := map[string]int{}
	for n := 1; n <= f.NumLines(); n++ {
		l := strings.TrimSpace(f.Line(n))
		if !strings.HasPrefix(l, "#") {
			continue
		}
		if in, ok := policy.ParseInline(l); ok && in.Scope == policy.File {
			global = append(global, in.IDs...)
			for _, id := range in.IDs {
				globalLine[strings.ToUpper(id)] = n
			}
		}
	}
	visit := func(in *dockerfile.Instruction) {
		var ids []string
		for _, c := range in.Comments() {
			if il, ok := policy.ParseInline(c); ok && il.Scope == policy.Next {
				ids = append(ids, il.IDs...)
			}
		}
		if len(ids) > 0 {
			spans = append(spans, span{from: in.Line, to: in.EndLine, ids: ids, line: commentLine(f, in)})
		}
	}
	for _, in := range f.MetaArgs {
		visit(in)
	}
	for _, st := range f.Stages {
		visit(st.FromInstruction)
		for _, in := range st.Instructions {
			visit(in)
		}
	}
	if len(spans) == 0 && len(global) == 0 {
		return fs, nil
	}
	var kept []finding.Finding
	var sup []policy.Suppressed
next:
	for _, fd := range fs {
		for _, id := range global {
			if fd.HasName(id) {
				sup = append(sup, policy.Suppressed{Finding: fd, By: fmt.Sprintf("%s:%d", f.Path, globalLine[strings.ToUpper(id)]), Reason: "file-wide ignore comment"})
				continue next
			}
		}
		for _, s := range spans {
			if fd.Location.Line < s.from || fd.Location.Line > s.to {
				continue
			}
			for _, id := range s.ids {
				if fd.HasName(id) {
					sup = append(sup, policy.Suppressed{Finding: fd, By: fmt.Sprintf("%s:%d", f.Path, s.line), Reason: "ignore comment"})
					continue next
				}
			}
		}
		kept = append(kept, fd)
	}
	return kept, sup
}

// commentLine finds the line of the ignore comment above an instruction.
func commentLine(f *dockerfile.File, in *dockerfile.Instruction) int {
	for n := in.Line - 1; n >= 1; n-- {
		l := bytes.TrimSpace([]byte(f.Line(n)))
		if len(l) == 0 || l[0] != '#' {
			continue
		}
		if _, ok := policy.ParseInline(string(l)); ok {
			return n
		}
	}
	return in.Line
}
