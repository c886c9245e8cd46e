package dfrule

import (
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Options of package managers that take a value as the next word; knowing
// them keeps option values from being read as package names.
var (
	aptValued = []string{"-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--default-release", "--host-architecture"}
	// aptitudeValued adds aptitude's own: -F format, -w width, -D...
	aptitudeValued = append([]string{"-F", "--display-format", "-w", "--width", "--sort", "-S"}, aptValued...)
	apkValued      = []string{"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"}
	pipValued      = []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
		"-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src", "--platform", "--python-version", "--implementation",
		"--abi", "--upgrade-strategy", "--progress-bar", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--log",
		"--proxy", "--retries", "--timeout", "--exists-action", "--global-option", "--install-option", "--no-binary",
		"--only-binary", "--config-settings", "-C", "--python", "--report", "--root-user-action", "--use-feature",
		"--use-deprecated", "--keyring-provider", "--log-file", "--index", "--group"}
	pipxValued   = []string{"--python", "--pip-args", "--suffix", "--index-url", "-i", "--spec", "--preinstall", "--fetch-python"}
	zypperValued = []string{"-n", "--non-interactive", "-r", "--repo", "--root", "-R", "--from", "-t", "--type", "-D", "--reposd-dir", "-C", "--cache-dir"}
	npmValued    = []string{"--prefix", "--registry", "--cache", "--userconfig", "-w", "--workspace", "--omit", "--include", "--tag", "--loglevel"}
	gemValued    = []string{"-v", "--version", "-s", "--source", "-i", "--install-dir", "-n", "--bindir", "--platform", "-P", "--trust-policy", "--document"}
	yumValued    = []string{"-c", "--config", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "-d", "--debuglevel", "-e", "--errorlevel", "--setopt", "-x", "--exclude", "--repo", "--repoid"}
)

// isApt reports whether c is apt-get, apt or aptitude: the same package
// lists and cache, the same install and upgrade subcommands.
func isApt(c *dockerfile.Command) bool {
	return c.Name == "apt-get" || c.Name == "apt" || c.Name == "aptitude"
}

// aptValuedOf returns the valued options of c's apt front end.
func aptValuedOf(c *dockerfile.Command) []string {
	if c.Name == "aptitude" {
		return aptitudeValued
	}
	return aptValued
}

// aptSub returns the apt-get/apt/aptitude subcommand of c, or "".
func aptSub(c *dockerfile.Command) string {
	if !isApt(c) {
		return ""
	}
	return c.Subcommand(aptValuedOf(c)...)
}

// isPip reports whether c runs pip and returns its arguments after "pip":
// pip, pip3, pip3.12, and python -m pip.
func pipArgs(c *dockerfile.Command) ([]string, bool) {
	if c.Name == "pip" || strings.HasPrefix(c.Name, "pip3") || strings.HasPrefix(c.Name, "pip2") {
		return c.Args, true
	}
	if strings.HasPrefix(c.Name, "python") {
		for i, a := range c.Args {
			if a == "-m" && i+1 < len(c.Args) && (c.Args[i+1] == "pip" || c.Args[i+1] == "pip3") {
				return c.Args[i+2:], true
			}
			if !strings.HasPrefix(a, "-") {
				break
			}
		}
	}
	return nil, false
}

// pipInstall returns c as a "pip install" command with its arguments after
// "install", if it is one.
func pipInstall(c *dockerfile.Command) (*dockerfile.Command, bool) {
	args, ok := pipArgs(c)
	if !ok {
		return nil, false
	}
	sub := &dockerfile.Command{Name: "pip", Args: args}
	if sub.Subcommand(pipValued...) != "install" {
		return nil, false
	}
	for i, a := range args {
		if a == "install" {
			return &dockerfile.Command{Name: "pip", Args: args[i+1:], Line: c.Line, Column: c.Column}, true
		}
	}
	return nil, false
}

// mounts returns the targets of a RUN's --mount=type=cache and
// --mount=type=tmpfs mounts: what is written there never reaches a layer.
func mounts(in *dockerfile.Instruction) []string {
	run, ok := in.Command.(*instructions.RunCommand)
	if !ok {
		return nil
	}
	var out []string
	for _, m := range instructions.GetMounts(run) {
		if m.Type == instructions.MountTypeCache || m.Type == instructions.MountTypeTmpfs {
			out = append(out, strings.TrimSuffix(m.Target, "/"))
		}
	}
	return out
}

// mounted reports whether dir (or a parent of it) is a cache or tmpfs
// mount of the RUN.
func mounted(in *dockerfile.Instruction, dirs ...string) bool {
	for _, m := range mounts(in) {
		for _, d := range dirs {
			if m == d || strings.HasPrefix(d, m+"/") {
				return true
			}
		}
	}
	return false
}

// removes reports whether the script runs rm on dir or something inside
// it after the command at index from of s.Commands: a removal before the
// install that fills the directory removes nothing (rm -rf
// /var/lib/apt/lists/* && apt-get update ...).
func removes(s *dockerfile.Script, from int, dirs ...string) bool {
	for _, c := range s.Commands[max(from, 0):] {
		if c.Name != "rm" {
			continue
		}
		for _, a := range c.Operands() {
			a = strings.TrimRight(a, "/*")
			for _, d := range dirs {
				if a == d || strings.HasPrefix(a, d+"/") {
					return true
				}
			}
		}
	}
	return false
}

// indexOf returns the position of c in the script's commands.
func indexOf(s *dockerfile.Script, c *dockerfile.Command) int {
	return slices.Index(s.Commands, c)
}
