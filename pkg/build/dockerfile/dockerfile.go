// Package dockerfile reads a Dockerfile with BuildKit's own parser into a
// model that rules can check: stages with their resolved base image, each
// instruction with its exact source lines, and every RUN command parsed by a
// real shell parser (mvdan.cc/sh) so that rules see commands, not text.
package dockerfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"
)

// MaxSize is the largest Dockerfile Parse accepts. Real Dockerfiles are a
// few kilobytes; the cap keeps a stray binary or a hostile input from
// using unbounded memory.
const MaxSize = 4 << 20

// MaxInstructions is the most instructions ParseBytes reads. No build
// runs that many (a RUN is a layer, and images stop at about 127), and
// each instruction costs kilobytes of syntax trees and findings: 200,000
// RUN lines in 3 MB took a gigabyte.
const MaxInstructions = 10_000

// File is a parsed Dockerfile.
type File struct {
	// Path is the name the file was read under ("-" for stdin).
	Path string
	// Escape is the escape token: '\\' or '`' (from "# escape=").
	Escape rune
	// Syntax is the value of a "# syntax=" directive, if any.
	Syntax string
	// MetaArgs are the ARG instructions before the first FROM.
	MetaArgs []*Instruction
	// Stages in order of appearance.
	Stages []*Stage

	lines  []string
	sh     *syntax.Parser // while the scripts are parsed
	global *vars          // the meta ARGs, expanded
}

// Line returns source line n (1-based) without its line ending, or "" when
// n is out of range.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	return f.lines[n-1]
}

// NumLines returns the number of source lines.
func (f *File) NumLines() int { return len(f.lines) }

// Final returns the stage that becomes the image when no --target is given:
// the last one.
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}

// MetaArg returns the value of the meta ARG name (declared before the
// first FROM) after expansion, and whether the Dockerfile (or a build
// argument given to Parse) sets it to a known value.
func (f *File) MetaArg(name string) (string, bool) {
	if f.global == nil {
		return "", false
	}
	v, ok := f.global.val[name]
	if _, unknown := f.global.unknown[name]; unknown {
		return "", false
	}
	return v, ok
}

// Stage is one FROM and the instructions up to the next FROM.
type Stage struct {
	// Index is the stage's position, from 0.
	Index int
	// Name is the name given with "AS", lower-cased as BuildKit does.
	Name string
	From Base
	// Instructions are the stage's instructions after FROM, in order.
	Instructions []*Instruction
	// FromInstruction is the FROM instruction itself.
	FromInstruction *Instruction
	// Triggers are the instructions the stage's ONBUILD lines wrap, in
	// order: they run in the build of every image made FROM this one,
	// not in this stage, so they are not among Instructions.
	Triggers []*Instruction
	// InFinalImage is true for the final stage and every stage it is built
	// FROM, directly or through other stages: what these stages leave in
	// their layers ships in the image.
	InFinalImage bool
	// Shipped is true for a stage whose layers end up in an image someone
	// runs: those InFinalImage, and a stage that no other stage uses (not
	// built FROM, copied --from or mounted), which is there to be built
	// with --target, and the stages it is built on. A stage only copied
	// from is a build stage: just the files copied out of it ship. When a
	// FROM picks its stage through a build argument (FROM ${SRC}), the
	// unreferenced stages are its alternatives and do not ship.
	Shipped bool
	// UsedBy lists the later stages that copy or mount files from this
	// one (COPY --from, RUN --mount=from=).
	UsedBy []*Stage
}

// Base is the base of a stage, as written and as resolved.
type Base struct {
	// Raw is the image as written, before variable substitution.
	Raw string
	// Image is Raw expanded as BuildKit does, with the meta ARGs' values;
	// a variable without a known value stays as ${NAME}.
	Image string
	// Unresolved lists the variables used in Raw whose values the
	// Dockerfile does not give (automatic platform ARGs included).
	Unresolved []string
	// Platform is the --platform value, if any.
	Platform string
	// Stage is the earlier stage this stage is built from, or nil when the
	// base is an external image (or scratch).
	Stage *Stage
}

// IsScratch reports whether the base is the empty image.
func (b Base) IsScratch() bool { return strings.EqualFold(b.Image, "scratch") }

// IsExternal reports whether the base is an image pulled from a registry
// (not scratch, not an earlier stage).
func (b Base) IsExternal() bool { return b.Stage == nil && !b.IsScratch() }

// Instruction is one Dockerfile instruction.
type Instruction struct {
	// Keyword is the instruction name in upper case (RUN, COPY ...).
	Keyword string
	// Command is BuildKit's typed form of the instruction (*instructions.RunCommand,
	// *instructions.CopyCommand, *instructions.Stage for FROM, ...).
	Command any
	// Node is BuildKit's syntax node, with the original text and flags.
	Node *parser.Node
	// Line and EndLine are the 1-based source lines the instruction spans,
	// heredoc bodies included; Column is where its keyword starts.
	Line, EndLine, Column int
	// Script holds the parsed shell commands of a RUN in shell form (or a
	// RUN in exec form whose program is a shell with -c). It is nil for
	// other instructions and for RUN under a non-POSIX SHELL.
	Script *Script
	// Stage is the stage the instruction belongs to (nil for meta ARGs).
	Stage *Stage
	// OnBuild is true for the instruction an ONBUILD wraps, which runs in
	// a child image's build. It has the ONBUILD line's position.
	OnBuild bool
	// Unresolved lists the variables in the instruction's words whose
	// values the Dockerfile does not give; they are left in Command as
	// ${NAME}. Command holds the words after BuildKit's expansion and
	// quote removal (USER "root" is root), except RUN, CMD, ENTRYPOINT
	// and HEALTHCHECK, which BuildKit does not expand.
	Unresolved []string

	// env is what a RUN's shell sees from the Dockerfile (its stage's ARG
	// and ENV values), for ShellWord; nil elsewhere.
	env *runEnv
}

// Flag returns the value of the instruction flag --name (as in
// "COPY --from=build"), and whether it was given.
func (in *Instruction) Flag(name string) (string, bool) {
	for _, f := range in.Node.Flags {
		k, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// Comments returns the comment lines directly above the instruction,
// without their '#'.
func (in *Instruction) Comments() []string { return in.Node.PrevComment }

// Parse reads a Dockerfile. name is used in errors and in File.Path.
func Parse(name string, r io.Reader) (*File, error) {
	src, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &inputerr.Error{File: name, Err: err}
	}
	if len(src) > MaxSize {
		return nil, &inputerr.Error{File: name, Err: fmt.Errorf("larger than %d bytes; not a Dockerfile", MaxSize)}
	}
	return ParseBytes(name, src)
}

// ParseBytes parses Dockerfile source held in memory.
func ParseBytes(name string, src []byte, opts ...Option) (f *File, err error) {
	var o parseOptions
	for _, opt := range opts {
		opt(&o)
	}
	// BuildKit's parser is well tested, but it was written for trusted
	// input; a panic on hostile input must become an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &inputerr.Error{File: name, Err: fmt.Errorf("parser failed: %v", r)}
		}
	}()
	if bytes.IndexByte(src, 0) >= 0 {
		return nil, &inputerr.Error{File: name, Err: errors.New("binary file (contains NUL bytes); not a Dockerfile")}
	}
	// BuildKit reads lines with a bufio.Scanner, which stops at a line of
	// 64 KiB and then reports an empty file; say what really happened.
	for n, start := 1, 0; start < len(src); n++ {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src) - start
		}
		if end >= bufio.MaxScanTokenSize {
			return nil, &inputerr.Error{File: name, Line: n, Err: fmt.Errorf("line longer than %d bytes", bufio.MaxScanTokenSize-1)}
		}
		start += end + 1
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, locate(name, err)
	}
	if n := len(res.AST.Children); n > MaxInstructions {
		return nil, &inputerr.Error{File: name, Line: res.AST.Children[MaxInstructions].StartLine,
			Err: fmt.Errorf("%d instructions, more than the %d a Dockerfile may have here; not a Dockerfile a build would run", n, MaxInstructions)}
	}
	f = &File{Path: name, Escape: res.EscapeToken, lines: splitLines(src)}
	if d, _ := (&parser.DirectiveParser{}).ParseAll(src); d != nil {
		for _, dd := range d {
			if dd.Name == "syntax" {
				f.Syntax = dd.Value
			}
		}
	}
	lex := shell.NewLex(f.Escape)
	var cur *Stage
	for _, node := range res.AST.Children {
		cmd, err := instructions.ParseInstruction(node)
		if err != nil {
			return nil, locate(name, err)
		}
		if run, ok := cmd.(*instructions.RunCommand); ok {
			// BuildKit fills in --mount options only when it expands the
			// instruction; expanding with the identity keeps the text.
			_ = run.Expand(func(w string) (string, error) { return w, nil })
		}
		in := &Instruction{
			Keyword: strings.ToUpper(node.Value),
			Command: cmd,
			Node:    node,
			Line:    node.StartLine,
			EndLine: node.EndLine,
			Column:  1 + leadingSpace(f.Line(node.StartLine)),
		}
		if st, ok := cmd.(*instructions.Stage); ok {
			if f.global == nil {
				f.expandMeta(lex, o.buildArgs)
			}
			cur = f.newStage(st, in, lex)
			continue
		}
		if cur == nil {
			if _, ok := cmd.(*instructions.ArgCommand); ok {
				f.MetaArgs = append(f.MetaArgs, in)
				continue
			}
			return nil, &inputerr.Error{File: name, Line: in.Line, Err: fmt.Errorf("%s before the first FROM", in.Keyword)}
		}
		in.Stage = cur
		cur.Instructions = append(cur.Instructions, in)
		if _, ok := cmd.(*instructions.OnbuildCommand); ok {
			if t := f.trigger(in); t != nil {
				cur.Triggers = append(cur.Triggers, t)
			}
		}
	}
	if len(f.Stages) == 0 {
		return nil, &inputerr.Error{File: name, Err: errors.New("no FROM instruction")}
	}
	f.expandStages(lex, o.buildArgs)
	f.markFinal()
	f.parseScripts()
	return f, nil
}

// trigger returns the instruction an ONBUILD wraps, parsed as BuildKit
// parses it when a child image is built, or nil when it is not one.
func (f *File) trigger(on *Instruction) *Instruction {
	if on.Node.Next == nil || len(on.Node.Next.Children) == 0 {
		return nil
	}
	node := on.Node.Next.Children[0]
	cmd, err := instructions.ParseInstruction(node)
	if err != nil {
		return nil
	}
	if run, ok := cmd.(*instructions.RunCommand); ok {
		_ = run.Expand(func(w string) (string, error) { return w, nil })
	}
	col := on.Column
	if line := f.Line(on.Line); col-1+len("ONBUILD") <= len(line) {
		rest := line[col-1+len("ONBUILD"):]
		col += len("ONBUILD") + leadingSpace(rest)
	}
	return &Instruction{
		Keyword: strings.ToUpper(node.Value), Command: cmd, Node: node,
		Line: on.Line, EndLine: on.EndLine, Column: col, Stage: on.Stage, OnBuild: true,
	}
}

func (f *File) newStage(st *instructions.Stage, in *Instruction, lex *shell.Lex) *Stage {
	s := &Stage{Index: len(f.Stages), Name: st.Name, FromInstruction: in}
	in.Stage = s
	s.From.Raw = st.BaseName
	s.From.Platform = st.Platform
	x := &expander{lex: lex, env: f.global}
	s.From.Image, _ = x.word(st.BaseName)
	s.From.Unresolved = x.unresolved
	if s.From.Platform != "" {
		s.From.Platform, _ = x.word(s.From.Platform)
	}
	for _, prev := range f.Stages {
		if prev.Name != "" && strings.EqualFold(prev.Name, s.From.Image) {
			s.From.Stage = prev
		}
	}
	f.Stages = append(f.Stages, s)
	return s
}

// markFinal marks the final stage and the chain of stages it is built on,
// and what ships.
func (f *File) markFinal() {
	for s := f.Final(); s != nil; s = s.From.Stage {
		if s.InFinalImage {
			break // a cycle cannot happen (FROM names only earlier stages), but be safe
		}
		s.InFinalImage = true
	}
	based := map[*Stage]bool{}
	for _, s := range f.Stages {
		if s.From.Stage != nil {
			based[s.From.Stage] = true
		}
		for _, in := range s.Instructions {
			for _, name := range stageRefs(in) {
				if src := f.stageNamed(name, s); src != nil && !slices.Contains(src.UsedBy, s) {
					src.UsedBy = append(src.UsedBy, s)
				}
			}
		}
	}
	// FROM base-${TARGETARCH}: a name with a variable whose value is not
	// known uses every stage it can match.
	for _, s := range f.Stages {
		if len(s.From.Unresolved) == 0 || s.From.Stage != nil {
			continue
		}
		if re := unresolvedPattern(s.From.Image); re != nil {
			for _, c := range f.Stages {
				if c != s && c.Name != "" && re.MatchString(strings.ToLower(c.Name)) {
					based[c] = true
				}
			}
		}
	}
	// FROM ${SRC} AS src, with SRC naming a stage by default: the build
	// picks one of the unreferenced stages with --build-arg, so they are
	// alternatives of a build stage, not targets that ship.
	selectable := slices.ContainsFunc(f.Stages, func(s *Stage) bool {
		return s.From.Stage != nil && strings.Contains(s.From.Raw, "$")
	})
	for _, s := range f.Stages {
		if !s.InFinalImage && (based[s] || len(s.UsedBy) > 0 || selectable) {
			continue
		}
		for b := s; b != nil && !b.Shipped; b = b.From.Stage {
			b.Shipped = true
		}
	}
}

// unresolvedPattern turns a name with ${VAR} references left in it into
// an expression matching any value of them; nil when nothing else is left
// (FROM ${BASE} may be any image).
func unresolvedPattern(name string) *regexp.Regexp {
	parts := varRef.Split(strings.ToLower(name), -1)
	if strings.Join(parts, "") == "" {
		return nil
	}
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

var varRef = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// stageRefs returns the --from values of a COPY and the from= of a
// RUN's mounts: stage names, indexes or image references.
func stageRefs(in *Instruction) []string {
	switch c := in.Command.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			return []string{c.From}
		}
	case *instructions.RunCommand:
		var out []string
		for _, m := range instructions.GetMounts(c) {
			if m.From != "" {
				out = append(out, m.From)
			}
		}
		return out
	}
	return nil
}

// StageNamed returns the stage before st that name (a stage name or
// index, as in COPY --from) refers to, or nil when name is an image.
func (f *File) StageNamed(name string, st *Stage) *Stage { return f.stageNamed(name, st) }

func (f *File) stageNamed(name string, st *Stage) *Stage {
	for _, s := range f.Stages {
		if s == st {
			break
		}
		if (s.Name != "" && strings.EqualFold(s.Name, name)) || strconv.Itoa(s.Index) == name {
			return s
		}
	}
	return nil
}

// locate turns a BuildKit error into a ParseError with the first line it
// names.
func locate(name string, err error) error {
	pe := &inputerr.Error{File: name, Err: err}
	var le *parser.LocationError
	if errors.As(err, &le) {
		pe.Err = errors.Unwrap(le)
		for _, rs := range le.Locations {
			if len(rs) > 0 && rs[0].Start.Line > 0 {
				pe.Line = rs[0].Start.Line
				break
			}
		}
	}
	if pe.Err == nil {
		pe.Err = err
	}
	return pe
}

func splitLines(src []byte) []string {
	s := string(src)
	s = strings.TrimPrefix(s, "\ufeff")
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func leadingSpace(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t\v\f\r"))
}

// IsShell reports whether program (a path or name) is a POSIX-like shell
// whose scripts mvdan.cc/sh can parse.
func IsShell(program string) bool {
	switch path.Base(program) {
	case "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox":
		return true
	}
	return false
}
