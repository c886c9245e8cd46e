package dfrule

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// shellName is a SHELL program's base name, lower case, without .exe.
func shellName(prog string) string {
	return strings.TrimSuffix(strings.ToLower(path.Base(strings.ReplaceAll(prog, `\`, "/"))), ".exe")
}

// setsPipefail reports whether args (a shell's options or set's
// arguments) turn on pipefail: "-o pipefail", "-eo pipefail",
// "-euxo pipefail".
func setsPipefail(args []string) bool {
	for i, a := range args {
		if a == "pipefail" && i > 0 {
			prev := args[i-1]
			if prev == "-o" || len(prev) > 1 && prev[0] == '-' && prev[1] != '-' && strings.HasSuffix(prev, "o") {
				return true
			}
		}
	}
	return false
}

// pipefailShells can be told to fail a pipe; sh (dash on Debian, busybox
// on Alpine) cannot be relied on to.
var pipefailShells = []string{"bash", "zsh", "ash", "ksh", "mksh"}

var df041 = &Rule{Rule: rule.Rule{
	ID: "DF041", Aliases: []string{"DL4006"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "RUN with a pipe and no pipefail",
	Why: `A shell reports the exit status of the last command of a pipe. In
"RUN curl -fsSL https://.../release.json | jq -r .version > /etc/tool-version" a failed download
gives jq no input, jq succeeds, and the build goes on with an empty version: it ships an image
without the software, or with half of it. With pipefail the first failure fails the step.`,
	Fix:  "Set the shell with pipefail before the RUN: `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (`/bin/ash` on Alpine), or start the script with `set -o pipefail`.",
	Bad:  "FROM debian:12\nRUN curl -fsSL https://example.com/release.json | jq -r .version > /etc/tool-version",
	Good: "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com/release.json | jq -r .version > /etc/tool-version",
	Differences: `A stage built FROM another stage of the file keeps that stage's SHELL, as BuildKit builds it;
Hadolint starts every FROM with the default shell. A script that runs ` + "`set -o pipefail`" + ` before its
pipe is not reported. Nor is a pipe whose failure cannot be hidden: from a command that only writes
its arguments (echo, printf), or into a reader that fails on empty or cut-off input (tar, gzip -d,
gpg --import, sha256sum -c, grep); Hadolint reports every pipe.`,
}, check: func(p *pass) {
	// on: pipefail is set; skip: the shell is not POSIX (PowerShell, cmd).
	type state struct{ on, skip bool }
	end := map[*dockerfile.Stage]state{}
	for _, st := range p.f.Stages {
		var s state
		if st.From.Stage != nil {
			s = end[st.From.Stage]
		}
		for _, in := range each(st) {
			p.run = in
			switch c := in.Command.(type) {
			case *instructions.ShellCommand:
				if len(c.Shell) == 0 {
					continue
				}
				name := shellName(c.Shell[0])
				s.skip = !dockerfile.IsShell(c.Shell[0])
				s.on = slices.Contains(pipefailShells, name) && setsPipefail(c.Shell[1:])
			case *instructions.RunCommand:
				if s.on || s.skip || !c.PrependShell || in.Script == nil {
					continue
				}
				if pipe := unguardedPipe(in.Script); pipe != nil {
					p.atCmd(pipe, fmt.Sprintf("%s is piped into %s without pipefail: if %s fails, the RUN still succeeds", pipe.Name, pipe.PipeTo.Name, pipe.Name))
				}
			}
		}
		p.run = nil
		end[st] = s
	}
}}

// unguardedPipe returns the first command of the script whose failure a
// pipe would hide, unless the script sets pipefail before it.
func unguardedPipe(s *dockerfile.Script) *dockerfile.Command {
	for _, c := range s.Commands {
		if c.Name == "set" && setsPipefail(c.Args) && c.Within == nil && !c.InSubshell {
			return nil
		}
		if c.PipeTo != nil && hides(c) {
			return c
		}
	}
	return nil
}

// literalWriters only write their arguments: nothing pipefail would
// catch can go wrong on their side of a pipe.
var literalWriters = []string{"echo", "printf", "yes", "true", "seq"}

// hides reports whether the pipe from c hides c's failure: the reader
// succeeds on the short or empty input a failed c leaves it. A reader that
// fails on no input (sha256sum -c, grep, test) fails the RUN anyway, and
// a download piped to a shell is DF033's.
func hides(c *dockerfile.Command) bool {
	r := c.PipeTo
	switch {
	case slices.Contains(literalWriters, c.Name):
		return false
	case (c.Name == "curl" || c.Name == "wget") && runsScript(r):
		return false
	case c.Within != nil && slices.Contains([]string{"test", "[", "[["}, c.Within.Name):
		return false // the substitution's output is what is tested
	}
	for r.PipeTo != nil {
		r = r.PipeTo // the last reader's status is the pipe's
	}
	switch {
	case verifies(r), r.Name == "grep" || r.Name == "egrep" || r.Name == "fgrep":
		return false
	case r.Name == "test" || r.Name == "[":
		return false
	case failsOnEmpty(r):
		return false
	}
	return true
}

// failsOnEmpty reports whether a reader exits non-zero on empty or cut-off
// input: tar and the decompressors (not an archive, unexpected end of
// file), gpg importing or dearmoring a key.
func failsOnEmpty(r *dockerfile.Command) bool {
	switch r.Name {
	case "tar", "bsdtar", "gunzip", "zcat", "unxz", "xzcat", "bunzip2", "bzcat", "unzstd", "zstdcat", "cpio":
		return true
	case "gzip", "xz", "bzip2", "zstd":
		return r.HasFlag("-d", "--decompress", "--uncompress")
	case "gpg", "gpg2":
		return r.HasFlag("--import", "--dearmor", "--enarmor")
	}
	return false
}

var df043 = &Rule{Rule: rule.Rule{
	ID: "DF043", Aliases: []string{"DL3027"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "apt used in a script instead of apt-get",
	Why: `apt is the command line for people at a terminal: its output and behaviour may change between
releases, and it warns "apt does not have a stable CLI interface. Use with caution in scripts".
apt-get and apt-cache are the stable interfaces for scripts and builds.`,
	Fix:  "Use `apt-get` (install, update, upgrade, remove) or `apt-cache` (search, show, policy).",
	Bad:  "FROM debian:12\nRUN apt update && apt install -y --no-install-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*",
	Good: "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*",
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			if c.Name != "apt" {
				continue
			}
			sub := c.Subcommand(aptValued...)
			alt := "apt-get"
			switch {
			case slices.Contains([]string{"search", "show", "policy", "depends", "rdepends"}, sub):
				alt = "apt-cache"
			case sub == "list":
				alt = "dpkg-query -l or apt-cache policy"
			}
			p.atCmd(c, fmt.Sprintf("apt %s: apt has no stable command line for scripts; use %s", sub, alt))
		}
	})
}}
