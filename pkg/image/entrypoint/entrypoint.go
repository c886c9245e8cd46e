// Package entrypoint works out what a container runs, as the runtime does:
// ENTRYPOINT followed by CMD, the program looked up in the image's PATH
// (or relative to WORKDIR), whether it goes through a shell, and, for a
// script, its #! interpreter. The image rules, `bulwark base` and
// `bulwark harden` all start from it.
package entrypoint

import (
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultPath is the PATH runtimes use when the image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Command is what a container runs.
type Command struct {
	// Args are ENTRYPOINT then CMD.
	Args []string
	// Field is the configuration field the program comes from
	// ("config.Entrypoint" or "config.Cmd").
	Field string
	// Shell is true for shell form (/bin/sh -c ...).
	Shell bool
	// Path is the resolved program in the image ("" when it is missing,
	// and for shell form, where the shell is the program).
	Path string
	// Interpreter is a script's #! line ("/usr/bin/env python3"), "" for
	// binaries.
	Interpreter string
}

// Program is the program as written, "" when the image runs nothing.
func (c Command) Program() string {
	if len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

// InterpreterProgram is the program a script's #! line runs: the first
// word, or for "/usr/bin/env NAME" the name.
func (c Command) InterpreterProgram() string {
	fields := strings.Fields(c.Interpreter)
	if len(fields) == 0 {
		return ""
	}
	if path.Base(fields[0]) == "env" && len(fields) > 1 {
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "-") {
				return f
			}
		}
	}
	return fields[0]
}

// Resolve works out cfg's command in the image v.
func Resolve(cfg v1.Config, v *imagefs.View) Command {
	c := Command{Args: append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...), Field: "config.Cmd"}
	if len(cfg.Entrypoint) > 0 {
		c.Field = "config.Entrypoint"
	}
	if len(c.Args) == 0 {
		return c
	}
	prog := c.Args[0]
	if (prog == "/bin/sh" || prog == "sh") && len(c.Args) > 1 && c.Args[1] == "-c" {
		c.Shell = true
		return c
	}
	p, ok := LookPath(cfg, v, prog)
	if !ok {
		return c
	}
	c.Path = p
	if facts, ok := v.FactsOf(p); ok {
		for _, f := range facts {
			if f.Kind == executable.KindScript {
				c.Interpreter = f.Data[executable.KeyInterp]
			}
		}
	}
	return c
}

// LookPath finds prog as the runtime does: a path as it is (relative to
// WORKDIR), a name in the image's PATH. It returns the resolved path.
func LookPath(cfg v1.Config, v *imagefs.View, prog string) (string, bool) {
	if strings.Contains(prog, "/") {
		full := prog
		if !strings.HasPrefix(prog, "/") {
			wd := cfg.WorkingDir
			if wd == "" {
				wd = "/"
			}
			full = path.Join(wd, prog)
		}
		if f, ok := v.Resolve(full); ok && !f.Mode.IsDir() {
			return f.Path, true
		}
		return "", false
	}
	pathVar := DefaultPath
	for _, e := range cfg.Env {
		if val, ok := strings.CutPrefix(e, "PATH="); ok {
			pathVar = val
		}
	}
	for _, dir := range strings.Split(pathVar, ":") {
		if dir == "" {
			continue
		}
		if f, ok := v.Resolve(path.Join(dir, prog)); ok && !f.Mode.IsDir() {
			return f.Path, true
		}
	}
	return "", false
}
