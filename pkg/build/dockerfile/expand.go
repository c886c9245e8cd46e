package dockerfile

import (
	"maps"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Option configures how a Dockerfile is read.
type Option func(*parseOptions)

type parseOptions struct {
	buildArgs map[string]string
}

// WithBuildArgs gives build arguments the values `docker build
// --build-arg` would, overriding the ARG defaults as BuildKit does.
func WithBuildArgs(args map[string]string) Option {
	return func(o *parseOptions) { o.buildArgs = args }
}

// vars is the environment BuildKit's word expansion sees at one point of
// the build. A variable can be set with a value, or be known to exist with
// a value the Dockerfile does not give (an ARG without a default, or one
// whose default names such an ARG): rules must not guess those.
type vars struct {
	val map[string]string
	// unknown maps a variable to the names whose missing values it
	// depends on (itself, for an ARG without a default).
	unknown map[string][]string
}

func newVars() *vars {
	return &vars{val: map[string]string{}, unknown: map[string][]string{}}
}

func (v *vars) clone() *vars {
	return &vars{val: maps.Clone(v.val), unknown: maps.Clone(v.unknown)}
}

func (v *vars) set(k, val string, unresolved []string) {
	v.val[k] = val
	if len(unresolved) > 0 {
		v.unknown[k] = unresolved
	} else {
		delete(v.unknown, k)
	}
}

// copyFrom sets k as it is in other (a stage ARG taking the value of the
// global ARG of the same name); it reports whether other has k.
func (v *vars) copyFrom(other *vars, k string) bool {
	val, ok := other.val[k]
	if !ok {
		return false
	}
	v.set(k, val, other.unknown[k])
	return true
}

// expander expands words as BuildKit does (quote removal, $VAR, ${VAR},
// ${VAR:-default} ...) and collects the variables whose values are not
// known. Such a variable is left in the result as ${NAME}, so that a rule
// reading the value sees a reference, not an empty string it would
// misjudge (USER "$APP_UID" is not USER "").
type expander struct {
	lex        *shell.Lex
	env        *vars
	unresolved []string
}

// word expands one word; on a syntax error BuildKit would fail the build,
// and the word is kept as written.
func (x *expander) word(w string) (string, error) {
	if !strings.ContainsAny(w, "$\"'\\`") {
		return w, nil
	}
	res, err := x.lex.ProcessWordWithMatches(w, lookup{x, w})
	if err != nil {
		return w, nil
	}
	return res.Result, nil
}

func (x *expander) note(names ...string) {
	for _, n := range names {
		if !slices.Contains(x.unresolved, n) {
			x.unresolved = append(x.unresolved, n)
		}
	}
}

// lookup is the shell.EnvGetter of one word.
type lookup struct {
	x    *expander
	word string
}

func (l lookup) Get(k string) (string, bool) {
	v, ok := l.x.env.val[k]
	deps, unknown := l.x.env.unknown[k]
	switch {
	case ok && !unknown:
		return v, true
	case hasInlineDefault(l.word, k):
		// ${K:-fallback}: the fallback is what the Dockerfile means when
		// K is not passed.
		return "", false
	case ok:
		l.x.note(deps...) // its value names variables that are not known
		return v, true
	}
	l.x.note(k)
	return "${" + k + "}", true
}

func (l lookup) Keys() []string { return slices.Collect(maps.Keys(l.x.env.val)) }

// hasInlineDefault reports whether word gives k a fallback, as in
// ${k:-alpine} or ${k-alpine}.
func hasInlineDefault(word, k string) bool {
	return strings.Contains(word, "${"+k+":-") || strings.Contains(word, "${"+k+"-")
}

// automaticArgs are set by BuildKit for every build; their values depend
// on the platform built for, so they are known to exist but not known.
var automaticArgs = []string{"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
	"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE"}

// IsAutomaticArg reports whether name is one of the ARGs BuildKit sets
// for every build (TARGETARCH, BUILDPLATFORM ...).
func IsAutomaticArg(name string) bool { return slices.Contains(automaticArgs, name) }

// expandMeta expands the meta ARGs in order, each seeing the ones before
// it, build arguments overriding their defaults, as BuildKit does.
func (f *File) expandMeta(lex *shell.Lex, buildArgs map[string]string) {
	global := newVars()
	for _, a := range automaticArgs {
		global.set(a, "${"+a+"}", []string{a})
	}
	for k, v := range buildArgs {
		global.set(k, v, nil)
	}
	for _, in := range f.MetaArgs {
		f.expandArgs(in, &expander{lex: lex, env: global}, global, nil, buildArgs)
	}
	f.global = global
}

// expandStages runs BuildKit's word expansion over every instruction of
// every stage, in build order, each stage starting from the environment
// of the stage it is built on. It replaces the typed commands' words with
// their expanded values and records what could not be known in
// Instruction.Unresolved.
func (f *File) expandStages(lex *shell.Lex, buildArgs map[string]string) {
	end := map[*Stage]*vars{}
	defined := map[string]bool{}
	for _, s := range f.Stages {
		env := newVars()
		if s.From.Stage != nil && end[s.From.Stage] != nil {
			env = end[s.From.Stage].clone()
		}
		triggers := s.Triggers
		for _, in := range s.Instructions {
			switch in.Command.(type) {
			case *instructions.ArgCommand, *instructions.EnvCommand:
				// A RUN keeps the vars it saw (ShellWord), so they are
				// copied on write rather than changed in place.
				env = env.clone()
				for _, kv := range argsOrEnv(in.Command) {
					defined[kv] = true
				}
			}
			x := &expander{lex: lex, env: env}
			switch c := in.Command.(type) {
			case *instructions.OnbuildCommand:
				// A trigger is expanded in the child's build, which starts
				// from this image's ENV; its own ARGs are not known here.
				if len(triggers) > 0 && triggers[0].Line == in.Line {
					t := triggers[0]
					triggers = triggers[1:]
					tx := &expander{lex: lex, env: env}
					if e, ok := t.Command.(instructions.SupportsSingleWordExpansion); ok {
						if _, isRun := t.Command.(*instructions.RunCommand); !isRun {
							_ = e.Expand(tx.word)
						}
					}
					t.Unresolved = tx.unresolved
				}
			case *instructions.ArgCommand:
				f.expandArgs(in, x, env, f.global, buildArgs)
			case *instructions.EnvCommand:
				_ = c.Expand(x.word)
				for _, kv := range c.Env {
					env.set(kv.Key, kv.Value, x.unresolved)
				}
			case *instructions.ExposeCommand:
				for i, p := range c.Ports {
					c.Ports[i], _ = x.word(p)
				}
			case *instructions.RunCommand:
				in.env = &runEnv{vars: env, defined: defined}
				if c.Expand(x.word) != nil {
					// A mount BuildKit would refuse; keep what can be read.
					_ = c.Expand(func(w string) (string, error) { return w, nil })
				}
			case instructions.SupportsSingleWordExpansion:
				_ = c.Expand(x.word)
			}
			in.Unresolved = x.unresolved
		}
		end[s] = env
	}
}

// expandArgs applies one ARG instruction to env. global is the meta ARGs'
// environment for an ARG inside a stage (nil for a meta ARG).
func (f *File) expandArgs(in *Instruction, x *expander, env, global *vars, buildArgs map[string]string) {
	c := in.Command.(*instructions.ArgCommand)
	for i, kv := range c.Args {
		if v, ok := buildArgs[kv.Key]; ok {
			env.set(kv.Key, v, nil)
			continue
		}
		if kv.Value == nil {
			if global != nil && env.copyFrom(global, kv.Key) {
				continue
			}
			if _, ok := env.val[kv.Key]; !ok {
				env.set(kv.Key, "${"+kv.Key+"}", []string{kv.Key})
			}
			continue
		}
		before := len(x.unresolved)
		v, _ := x.word(*kv.Value)
		c.Args[i].Value = &v
		env.set(kv.Key, v, slices.Clone(x.unresolved[before:]))
	}
	in.Unresolved = x.unresolved
}

// argsOrEnv returns the names an ARG or ENV instruction sets.
func argsOrEnv(cmd any) []string {
	var out []string
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			out = append(out, kv.Key)
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			out = append(out, kv.Key)
		}
	}
	return out
}

// runEnv is the environment a RUN's shell gets from the Dockerfile.
type runEnv struct {
	vars *vars
	// defined holds every name an ARG or ENV of the file sets, in any
	// stage: one set only in another stage is unset here, a classic
	// multi-stage mistake, where a name the file never sets may come from
	// the base image's ENV.
	defined map[string]bool
}

// ShellWord expands the parameters in w, a word of a RUN's script, with
// the values the RUN's shell gets from its stage's ARG and ENV. ok is
// false when a value is not known: an ARG without a default, a name the
// file never sets (it may come from the base image), a word of an ONBUILD
// trigger (its values are the child's) or a word the shell would do more
// with than parameter expansion.
func (in *Instruction) ShellWord(w string) (string, bool) {
	if !strings.Contains(w, "$") {
		return w, true
	}
	if in.env == nil || strings.ContainsAny(w, "`'\"\\") || strings.Contains(w, "$(") {
		return w, false
	}
	ok := true
	// The script's escape character is the shell's, not the Dockerfile's.
	res, err := shell.NewLex('\\').ProcessWordWithMatches(w, shellGetter{in.env, w, &ok})
	if err != nil || !ok {
		return w, false
	}
	return res.Result, true
}

type shellGetter struct {
	env  *runEnv
	word string
	ok   *bool
}

func (g shellGetter) Get(k string) (string, bool) {
	v, set := g.env.vars.val[k]
	_, unknown := g.env.vars.unknown[k]
	switch {
	case set && !unknown:
		return v, true
	case hasInlineDefault(g.word, k):
		return "", false
	case !set && g.env.defined[k]:
		return "", false
	}
	*g.ok = false
	return "", false
}

func (g shellGetter) Keys() []string { return slices.Collect(maps.Keys(g.env.vars.val)) }
