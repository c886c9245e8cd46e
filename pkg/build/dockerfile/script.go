package dockerfile

import (
	"path"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// Script is the shell program of one RUN instruction.
type Script struct {
	// Commands are the simple commands of the script in source order,
	// including those nested in if/for/while, subshells, functions,
	// command substitutions and "sh -c" strings.
	Commands []*Command
	// Err is set when the shell parser rejected the script; Commands then
	// is empty and rules see nothing in this RUN.
	Err error
}

// Command is one simple command: a program and its arguments.
type Command struct {
	// Name is the program, reduced to its base name ("/usr/bin/apt-get"
	// becomes "apt-get").
	Name string
	// Args are the arguments after the program, with quotes removed.
	// Parameter expansions and command substitutions are kept in their
	// written form ("$VERSION").
	Args []string
	// Line and Column locate the command's first word in the Dockerfile.
	Line, Column int
	// PipeTo is the command that reads this command's standard output
	// through a pipe, if any.
	PipeTo *Command
	// Within is the command whose argument or redirection contains this
	// one, through a command substitution, a process substitution or a
	// "sh -c" string (as curl in `sh -c "$(curl ...)"`).
	Within *Command
	// Via lists wrapper programs that ran the command (sudo, env, xargs ...).
	Via []string
	// Env holds the NAME=value assignments the command runs with: those
	// written before it (PIP_NO_CACHE_DIR=1 pip ...) and those of an env
	// wrapper (env PIP_NO_CACHE_DIR=1 pip ...). An "export" is recorded as
	// a command named export whose Args are its assignments.
	Env []string
	// InSubshell is true inside ( ... ), where cd and exports do not leak.
	InSubshell bool
}

// HasFlag reports whether any of the given flags appears among the
// arguments, as a separate word or as "--flag=value". Combined short flags
// such as "-qy" match "-y" too.
func (c *Command) HasFlag(flags ...string) bool {
	for _, a := range c.Args {
		if a == "--" {
			return false
		}
		for _, f := range flags {
			if a == f || (strings.HasPrefix(f, "--") && strings.HasPrefix(a, f+"=")) {
				return true
			}
			if len(f) == 2 && f[0] == '-' && f[1] != '-' && len(a) > 2 && a[0] == '-' && a[1] != '-' &&
				strings.IndexByte(a[1:], f[1]) >= 0 && isLetters(a[1:]) {
				return true
			}
		}
	}
	return false
}

// Subcommand returns the first argument that is not an option, skipping the
// values of the options listed in valued; "" when there is none.
func (c *Command) Subcommand(valued ...string) string {
	args := c.Operands(valued...)
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// Operands returns the arguments that are not options, skipping the values
// of the options listed in valued ("-o" takes the next word).
func (c *Command) Operands(valued ...string) []string {
	var out []string
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		if a == "--" {
			return append(out, c.Args[i+1:]...)
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			for _, v := range valued {
				if a == v {
					i++
					break
				}
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func isLetters(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// parseScripts parses the shell of every RUN, honouring SHELL changes
// within a stage and inherited from earlier stages.
func (f *File) parseScripts() {
	f.sh = syntax.NewParser(syntax.Variant(syntax.LangBash))
	defer func() { f.sh = nil }()
	shellOf := map[*Stage]string{}
	for _, s := range f.Stages {
		sh := "/bin/sh"
		if s.From.Stage != nil {
			sh = shellOf[s.From.Stage]
		}
		for _, in := range s.Instructions {
			switch c := in.Command.(type) {
			case *instructions.ShellCommand:
				if len(c.Shell) > 0 {
					sh = c.Shell[0]
				}
			case *instructions.RunCommand:
				in.Script = f.runScript(in, c, sh)
			}
		}
		for _, t := range s.Triggers {
			if c, ok := t.Command.(*instructions.RunCommand); ok {
				// The child's shell is not known here; its default is.
				t.Script = f.runScript(t, c, "/bin/sh")
			}
		}
		shellOf[s] = sh
	}
}

func (f *File) runScript(in *Instruction, c *instructions.RunCommand, sh string) *Script {
	if !c.PrependShell {
		// Exec form: no shell unless the program is one.
		if len(c.CmdLine) == 0 {
			return &Script{}
		}
		b := &scriptBuilder{at: func(uint, uint) (int, int) { return in.Line, in.Column }, sh: f.sh}
		cmd := b.add(c.CmdLine[0], c.CmdLine[1:], in.Line, in.Column, ctx{})
		b.shellC(cmd, ctx{}, in.Line, in.Column)
		return &Script{Commands: b.cmds}
	}
	if !IsShell(sh) {
		return nil
	}
	if len(c.CmdLine) == 0 {
		return &Script{}
	}
	rest := c.CmdLine[0]
	m := f.mapInstruction(in, rest)
	src := rest
	for _, h := range in.Node.Heredocs {
		src += "\n" + h.Content + h.Name
	}
	b := &scriptBuilder{at: m, sh: f.sh}
	if err := b.parse(src, ctx{}); err != nil {
		return &Script{Err: err}
	}
	return &Script{Commands: b.cmds}
}

// mapInstruction returns a function from positions in the shell text of
// a RUN (rest, followed by its heredoc bodies) to Dockerfile line and
// column. BuildKit joins continuation lines and drops comment lines before
// it hands us the command, so the joining is redone here, keeping track of
// where each piece came from. When the redone text does not match BuildKit's
// (it should always), every position maps to the instruction's first line.
func (f *File) mapInstruction(in *Instruction, rest string) func(line, col uint) (int, int) {
	fallback := func(uint, uint) (int, int) { return in.Line, in.Column }
	type seg struct{ at, line, col int }
	var segs []seg
	var joined strings.Builder
	cont := continuationRegexp(f.Escape)
	last := in.Line
	for n := in.Line; n <= in.EndLine; n++ {
		raw := f.Line(n)
		text, col := raw, 0
		if n == in.Line {
			col = leadingSpace(raw)
			text = raw[col:]
		} else if isCommentLine(raw) || strings.TrimSpace(raw) == "" {
			continue
		}
		loc := cont.FindStringSubmatchIndex(text)
		segs = append(segs, seg{at: joined.Len(), line: n, col: col + 1})
		last = n
		if loc == nil {
			joined.WriteString(text)
			break
		}
		// Keep the character before the escape token (group 1), as BuildKit does.
		if loc[2] >= 0 {
			joined.WriteString(text[:loc[3]])
		} else {
			joined.WriteString(text[:loc[0]])
		}
	}
	j := joined.String()
	if j != in.Node.Original {
		return fallback
	}
	base := len(strings.TrimRight(j, " \t\r\n\v\f")) - len(rest)
	if base < 0 || j[base:base+len(rest)] != rest {
		return fallback
	}
	return func(line, col uint) (int, int) {
		if line > 1 {
			// Heredoc bodies follow the instruction line verbatim.
			return last + int(line) - 1, int(col)
		}
		off := base + int(col) - 1
		s := segs[0]
		for _, x := range segs {
			if x.at <= off {
				s = x
			}
		}
		return s.line, s.col + off - s.at
	}
}

var contRegexps = map[rune]*regexp.Regexp{
	'\\': regexp.MustCompile(`([^\\])\\[ \t]*$|^\\[ \t]*$`),
	'`':  regexp.MustCompile("([^`])`[ \t]*$|^`[ \t]*$"),
}

func continuationRegexp(escape rune) *regexp.Regexp {
	if r, ok := contRegexps[escape]; ok {
		return r
	}
	return contRegexps['\\']
}

func isCommentLine(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " \t\v\f\r"), "#")
}

// ctx is what the walker knows about where it is in the script.
type ctx struct {
	within   *Command
	subshell bool
	depth    int
}

// maxDepth bounds nested "sh -c" and heredoc re-parsing, which hostile
// input could otherwise make arbitrarily deep.
const maxDepth = 8

type scriptBuilder struct {
	at   func(line, col uint) (int, int)
	cmds []*Command
	// sh is the file's one shell parser: a parser is kilobytes of buffers,
	// and a new one per RUN was a quarter of what a long Dockerfile cost.
	sh *syntax.Parser
}

func (b *scriptBuilder) parse(src string, c ctx) error {
	if b.sh == nil {
		b.sh = syntax.NewParser(syntax.Variant(syntax.LangBash))
	}
	file, err := b.sh.Parse(strings.NewReader(src), "")
	if err != nil {
		return err
	}
	for _, st := range file.Stmts {
		b.stmt(st, c)
	}
	return nil
}

// sub parses a nested script (a "sh -c" string or a heredoc body) whose
// first character sits at line, col of the Dockerfile.
func (b *scriptBuilder) sub(src string, c ctx, line, col int) {
	if c.depth >= maxDepth {
		return
	}
	c.depth++
	inner := &scriptBuilder{sh: b.sh, at: func(l, cl uint) (int, int) {
		if l <= 1 {
			return line, col + int(cl) - 1
		}
		return line + int(l) - 1, int(cl)
	}}
	if inner.parse(src, c) == nil {
		b.cmds = append(b.cmds, inner.cmds...)
	}
}

// stmt walks a statement and returns the first and last simple commands
// at its top level, which pipes connect.
func (b *scriptBuilder) stmt(s *syntax.Stmt, c ctx) (first, last *Command) {
	if s == nil {
		return nil, nil
	}
	switch x := s.Cmd.(type) {
	case *syntax.CallExpr:
		first = b.call(x, c)
		last = first
	case *syntax.BinaryCmd:
		f1, l1 := b.stmt(x.X, c)
		f2, l2 := b.stmt(x.Y, c)
		if (x.Op == syntax.Pipe || x.Op == syntax.PipeAll) && l1 != nil {
			l1.PipeTo = f2
		}
		first, last = f1, l2
		if first == nil {
			first = f2
		}
		if last == nil {
			last = l1
		}
	case *syntax.Block:
		b.stmts(x.Stmts, c)
	case *syntax.Subshell:
		c.subshell = true
		b.stmts(x.Stmts, c)
	case *syntax.IfClause:
		for cl := x; cl != nil; cl = cl.Else {
			b.stmts(cl.Cond, c)
			b.stmts(cl.Then, c)
		}
	case *syntax.WhileClause:
		b.stmts(x.Cond, c)
		b.stmts(x.Do, c)
	case *syntax.ForClause:
		if wi, ok := x.Loop.(*syntax.WordIter); ok {
			for _, w := range wi.Items {
				b.word(w, c)
			}
		}
		b.stmts(x.Do, c)
	case *syntax.CaseClause:
		b.word(x.Word, c)
		for _, it := range x.Items {
			b.stmts(it.Stmts, c)
		}
	case *syntax.FuncDecl:
		_, _ = b.stmt(x.Body, c)
	case *syntax.DeclClause:
		for _, a := range x.Args {
			b.assign(a, c)
		}
		if x.Variant != nil && x.Variant.Value == "export" {
			var kv []string
			for _, a := range x.Args {
				if a.Name != nil && a.Value != nil {
					kv = append(kv, a.Name.Value+"="+wordString(a.Value))
				}
			}
			line, col := b.at(x.Pos().Line(), x.Pos().Col())
			first = &Command{Name: "export", Args: kv, Line: line, Column: col, Within: c.within, InSubshell: c.subshell}
			b.cmds = append(b.cmds, first)
			last = first
		}
	case *syntax.TimeClause:
		first, last = b.stmt(x.Stmt, c)
	case *syntax.CoprocClause:
		_, _ = b.stmt(x.Stmt, c)
	}
	rc := c
	if first != nil && first == last {
		rc.within = first
	}
	for _, r := range s.Redirs {
		if r.Word != nil {
			b.word(r.Word, rc)
		}
		if r.Hdoc != nil {
			b.heredoc(s, r, first, c)
		}
	}
	return first, last
}

// heredoc handles "<<EOF" inside a RUN script. A bare heredoc (BuildKit's
// `RUN <<EOF`) and a heredoc fed to a shell are scripts themselves; any
// other heredoc is data, searched only for command substitutions.
func (b *scriptBuilder) heredoc(s *syntax.Stmt, r *syntax.Redirect, cmd *Command, c ctx) {
	isScript := s.Cmd == nil || (cmd != nil && IsShell(cmd.Name) && !cmd.HasFlag("-c"))
	if !isScript {
		b.word(r.Hdoc, c)
		return
	}
	line, _ := b.at(r.Hdoc.Pos().Line(), r.Hdoc.Pos().Col())
	if cmd != nil {
		c.within = cmd
	}
	b.sub(wordString(r.Hdoc), c, line, 1)
}

func (b *scriptBuilder) stmts(list []*syntax.Stmt, c ctx) {
	for _, s := range list {
		b.stmt(s, c)
	}
}

func (b *scriptBuilder) assign(a *syntax.Assign, c ctx) {
	if a.Value != nil {
		b.word(a.Value, c)
	}
	if a.Array != nil {
		for _, e := range a.Array.Elems {
			if e.Value != nil {
				b.word(e.Value, c)
			}
		}
	}
}

func (b *scriptBuilder) call(x *syntax.CallExpr, c ctx) *Command {
	for _, a := range x.Assigns {
		b.assign(a, c)
	}
	if len(x.Args) == 0 {
		return nil
	}
	args := make([]string, len(x.Args))
	for i, w := range x.Args {
		args[i] = wordString(w)
	}
	line, col := b.at(x.Args[0].Pos().Line(), x.Args[0].Pos().Col())
	cmd := b.add(args[0], args[1:], line, col, c)
	for _, a := range x.Assigns {
		if a.Name != nil && a.Value != nil {
			cmd.Env = append(cmd.Env, a.Name.Value+"="+wordString(a.Value))
		}
	}
	// Substitutions inside the arguments run before the command, but they
	// belong to it: `sh -c "$(curl ...)"` runs what curl fetched.
	inner := c
	inner.within = cmd
	for _, w := range x.Args {
		b.word(w, inner)
	}
	for i, w := range x.Args {
		if i > 0 && args[i-1] == "-c" && IsShell(cmd.Name) {
			wl, wc := b.at(w.Pos().Line(), w.Pos().Col())
			b.sub(args[i], inner, wl, wc+1)
			break
		}
	}
	return cmd
}

// add records a command and, when it is a wrapper such as sudo or env,
// the command it runs as well.
func (b *scriptBuilder) add(name string, args []string, line, col int, c ctx) *Command {
	cmd := &Command{Name: path.Base(name), Args: args, Line: line, Column: col, Within: c.within, InSubshell: c.subshell}
	b.cmds = append(b.cmds, cmd)
	via := []string{cmd.Name}
	var env []string
	wrapperArgs := cmd.Args
	for n, a := unwrap(cmd.Name, cmd.Args); n != ""; n, a = unwrap(n, a) {
		if via[len(via)-1] == "env" {
			env = append(env, envAssigns(wrapperArgs)...)
		}
		wrapperArgs = a
		inner := &Command{Name: path.Base(n), Args: a, Line: line, Column: col, Within: c.within, InSubshell: c.subshell, Via: append([]string(nil), via...), Env: env}
		b.cmds = append(b.cmds, inner)
		via = append(via, inner.Name)
		if len(via) > maxDepth {
			break
		}
	}
	return cmd
}

// envAssigns returns the NAME=value words an env wrapper sets before the
// program it runs.
func envAssigns(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if !strings.Contains(a, "=") {
			break
		}
		out = append(out, a)
	}
	return out
}

// EnvValue returns the value the command's own assignments give name.
func (c *Command) EnvValue(name string) (string, bool) {
	for _, kv := range c.Env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v, true
		}
	}
	return "", false
}

// shellC handles an exec-form RUN whose program is a shell with -c.
func (b *scriptBuilder) shellC(cmd *Command, c ctx, line, col int) {
	if !IsShell(cmd.Name) {
		return
	}
	for i, a := range cmd.Args {
		if a == "-c" && i+1 < len(cmd.Args) {
			c.within = cmd
			b.sub(cmd.Args[i+1], c, line, col)
			return
		}
	}
}

// wrapperValued lists, per wrapper, the options that take a value.
var wrapperValued = map[string][]string{
	"sudo":    {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"},
	"xargs":   {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs"},
	"nice":    {"-n", "--adjustment"},
	"timeout": {"-k", "-s", "--kill-after", "--signal"},
	"stdbuf":  {"-i", "-o", "-e"},
	"chroot":  {"--userspec", "--groups"},
	"command": {},
	"exec":    {"-a"},
	"nohup":   {},
	"time":    {"-f", "-o", "--format", "--output"},
	"env":     {"-u", "-C", "-S", "--unset", "--chdir"},
	"gosu":    {},
	"su-exec": {},
	"doas":    {"-u", "-C"},
}

// unwrap returns the command a wrapper runs: "sudo -E apt-get install x"
// yields apt-get with [install x].
func unwrap(name string, args []string) (string, []string) {
	valued, ok := wrapperValued[name]
	if !ok {
		return "", nil
	}
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if name == "env" && strings.Contains(a, "=") && !strings.HasPrefix(a, "-") {
			i++
			continue
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
		i++
		for _, v := range valued {
			if a == v {
				i++
				break
			}
		}
	}
	switch name {
	case "timeout":
		i++ // the duration
	case "chroot":
		i++ // the new root
	case "gosu", "su-exec":
		i++ // the user
	}
	if i >= len(args) {
		return "", nil
	}
	return args[i], args[i+1:]
}

// word walks a word for command and process substitutions.
func (b *scriptBuilder) word(w *syntax.Word, c ctx) {
	if w == nil {
		return
	}
	for _, p := range w.Parts {
		b.part(p, c)
	}
}

func (b *scriptBuilder) part(p syntax.WordPart, c ctx) {
	switch x := p.(type) {
	case *syntax.DblQuoted:
		for _, q := range x.Parts {
			b.part(q, c)
		}
	case *syntax.CmdSubst:
		b.stmts(x.Stmts, c)
	case *syntax.ProcSubst:
		b.stmts(x.Stmts, c)
	case *syntax.ParamExp:
		if x.Exp != nil && x.Exp.Word != nil {
			b.word(x.Exp.Word, c)
		}
	}
}

// wordString renders a word as the command would receive it where that is
// known (quotes removed) and in its written form where it is not
// (expansions and substitutions).
func wordString(w *syntax.Word) string {
	var sb strings.Builder
	for _, p := range w.Parts {
		partString(&sb, p)
	}
	return sb.String()
}

func partString(sb *strings.Builder, p syntax.WordPart) {
	switch x := p.(type) {
	case *syntax.Lit:
		sb.WriteString(unescape(x.Value))
	case *syntax.SglQuoted:
		sb.WriteString(x.Value)
	case *syntax.DblQuoted:
		for _, q := range x.Parts {
			if l, ok := q.(*syntax.Lit); ok {
				sb.WriteString(l.Value)
				continue
			}
			partString(sb, q)
		}
	default:
		var tmp strings.Builder
		if err := syntax.NewPrinter().Print(&tmp, p.(syntax.Node)); err == nil {
			sb.WriteString(tmp.String())
		}
	}
}

// unescape removes backslash escapes from an unquoted literal.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
