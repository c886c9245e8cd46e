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

var df010 = &Rule{Rule: rule.Rule{
	ID: "DF010", Aliases: []string{"DL3059"}, Severity: finding.Info, Kind: finding.KindMisconfiguration,
	Title: "Consecutive RUN instructions that could be one layer",
	Why: `Each RUN makes a layer. Consecutive RUNs with the same options add layers without adding cache
value, and files one of them creates and a later one deletes stay in the earlier layer, wasting
space in every pull. As in Hadolint (DL3059), a RUN that already chains several commands with
` + "`&&`" + `, ` + "`;`" + ` or a pipe is taken to be split on purpose and is not reported.`,
	Fix:  "Join the commands with `&&` in one RUN (one command per line, with line continuations), or use a heredoc (`RUN <<EOF`).",
	Bad:  "FROM alpine:3.22\nRUN apk add --no-cache curl\nRUN apk add --no-cache git",
	Good: "FROM alpine:3.22\nRUN apk add --no-cache curl git",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for i := 1; i < len(st.Instructions); i++ {
			prev, cur := st.Instructions[i-1], st.Instructions[i]
			if prev.Keyword != "RUN" || cur.Keyword != "RUN" || !slices.Equal(prev.Node.Flags, cur.Node.Flags) {
				continue
			}
			// A RUN that already chains commands was split on purpose
			// (Hadolint's DL3059 agrees): joining it is a matter of taste.
			if chained(prev) || chained(cur) {
				continue
			}
			p.at(cur, fmt.Sprintf("RUN follows the RUN at line %d with the same options; join them into one layer", prev.Line))
		}
	}
}}

// chained reports whether a RUN runs more than one command at its top
// level (a && b, a; b, a | b), not counting commands nested in others.
func chained(in *dockerfile.Instruction) bool {
	if in.Script == nil {
		return true // not a shell we read: do not judge
	}
	n := 0
	for _, c := range in.Script.Commands {
		if c.Within == nil && len(c.Via) == 0 {
			n++
		}
	}
	return n > 1
}

var df011 = &Rule{Rule: rule.Rule{
	ID: "DF011", Aliases: []string{"CIS-DI-0007"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "apt-get update not in the same RUN as apt-get install",
	Why: `The layer of a RUN that only runs "apt-get update" is cached. Later builds reuse the old package
lists, so a changed install line installs outdated versions, or fails when the mirror has moved on.
Update and install in one RUN so that they are cached, and invalidated, together.`,
	Fix:  "Run `apt-get update && apt-get install -y --no-install-recommends ...` in one RUN.",
	Bad:  "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	Good: "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
}, check: func(p *pass) {
	updated := map[*dockerfile.Stage]int{} // line of an update-only RUN, by stage
	for _, st := range p.f.Stages {
		if st.From.Stage != nil {
			updated[st] = updated[st.From.Stage]
		}
		for _, in := range st.Instructions {
			if in.Script == nil {
				continue
			}
			var update, install *dockerfile.Command
			for _, c := range in.Script.Commands {
				switch aptSub(c) {
				case "update":
					update = c
				case "install", "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade", "reinstall", "build-dep":
					// Each reads the lists the update just fetched.
					if install == nil {
						install = c
					}
				}
			}
			switch {
			case update != nil && install == nil:
				updated[st] = update.Line
				p.atCmd(update, "apt-get update runs in a RUN without an install; its cached layer makes later installs use stale package lists")
			case install != nil && update == nil && updated[st] > 0:
				p.atCmd(install, fmt.Sprintf("apt-get install uses package lists from the apt-get update at line %d, which the build cache can keep stale; update in the same RUN", updated[st]))
			}
		}
	}
}}

var df012 = &Rule{Rule: rule.Rule{
	ID: "DF012", Aliases: []string{"DL3009", "DKL-DI-0005"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "apt lists not removed in the same RUN",
	Why: `"apt-get update" downloads package lists (tens of megabytes) into /var/lib/apt/lists. Unless the same
RUN deletes them, they stay in that layer of the image for good; deleting them in a later RUN does
not shrink the image. Stages that do not end up in the final image are not reported.`,
	Fix:  "End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache there: `RUN --mount=type=cache,target=/var/lib/apt/lists ...`.",
	Bad:  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl",
	Good: "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
	Differences: `A stage that no other stage uses and that is not the last is reported: it is a build target
(` + "`docker build --target`" + `), so it ships. Hadolint treats it as an unused intermediate stage (its
"apt-get cleanup in stage image" and "intermediate stage when stage not used later" cases).`,
}, check: func(p *pass) {
	p.runs(p.shipped(), func(in *dockerfile.Instruction, s *dockerfile.Script) {
		var update *dockerfile.Command
		cleaned := false
		last := -1 // the last apt command that writes the lists
		for i, c := range s.Commands {
			sub := aptSub(c)
			if sub == "install" && c.HasFlag("--update") {
				sub = "update" // apt 3: update, then install
			}
			switch sub {
			case "dist-clean":
				if update != nil {
					cleaned = true // apt 2.7+: removes the lists
				}
			case "update":
				if update == nil {
					update = c
				}
				last = i
			case "install", "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade", "reinstall", "build-dep":
				if update != nil {
					last = i
				}
			}
		}
		switch {
		case update == nil, cleaned:
		case !removes(s, last, "/var/lib/apt/lists") && !mounted(in, "/var/lib/apt/lists"):
			p.atCmd(update, update.Name+" update leaves /var/lib/apt/lists in this layer; remove it in the same RUN, after the install")
		case mounts(in) != nil && !mounted(in, "/var/cache/apt") && !removes(s, last, "/var/cache/apt") && p.keepsDebs(in):
			// The lists are in a mount, but with docker-clean gone apt
			// keeps every downloaded .deb in /var/cache/apt.
			p.atCmd(update, update.Name+" update: the lists are in a cache mount, but /etc/apt/apt.conf.d/docker-clean was removed, so the downloaded packages stay in /var/cache/apt in this layer; mount a cache there too")
		}
	})
}}

// keepsDebs reports whether a RUN of a shipped stage, up to and including
// in, removes Debian's docker-clean apt configuration, which otherwise
// deletes downloaded packages after every install.
func (p *pass) keepsDebs(in *dockerfile.Instruction) bool {
	for _, st := range p.shipped() {
		for _, i := range each(st) {
			if i.Script != nil && i.Line <= in.Line && removes(i.Script, 0, "/etc/apt/apt.conf.d/docker-clean") {
				return true
			}
		}
	}
	return false
}

// installRecommendsOff reports whether an apt command turns recommends off.
func installRecommendsOff(c *dockerfile.Command) bool {
	if c.HasFlag("--no-install-recommends") {
		return true
	}
	if c.Name == "aptitude" && c.HasFlag("--without-recommends", "-R") {
		return true
	}
	for i, a := range c.Args {
		v := a
		if a == "-o" && i+1 < len(c.Args) {
			v = c.Args[i+1]
		} else if !strings.HasPrefix(a, "-o") {
			continue
		} else {
			v = strings.TrimPrefix(a, "-o")
		}
		k, val, _ := strings.Cut(v, "=")
		if strings.EqualFold(k, "APT::Install-Recommends") && (strings.EqualFold(val, "false") || val == "0") {
			return true
		}
	}
	return false
}

var df013 = &Rule{Rule: rule.Rule{
	ID: "DF013", Aliases: []string{"DL3015"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "apt-get install without --no-install-recommends",
	Why: `By default apt also installs every package the requested ones "recommend": documentation, extra
tools, often X11 libraries. They make the image larger and add packages that will show up in
vulnerability reports without ever being used.`,
	Fix:  "Add `--no-install-recommends` to `apt-get install`, and list what you really need explicitly.",
	Bad:  "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
	Good: "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
}, check: func(p *pass) {
	p.runs(p.shipped(), func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			if aptSub(c) == "install" && !installRecommendsOff(c) {
				p.atCmd(c, c.Name+" install without --no-install-recommends also installs recommended packages")
			}
		}
	})
}}

var df014 = &Rule{Rule: rule.Rule{
	ID: "DF014", Aliases: []string{"DL3019", "DKL-DI-0004"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "apk add without --no-cache",
	Why: `Without --no-cache, apk keeps its package index and, when a cache is set up, downloaded packages in
the layer. They serve no purpose at run time and grow the image.`,
	Fix:  "Use `apk add --no-cache ...` (no `apk update` needed), or mount a cache: `RUN --mount=type=cache,target=/var/cache/apk ...`.",
	Bad:  "FROM alpine:3.22\nRUN apk update && apk add curl",
	Good: "FROM alpine:3.22\nRUN apk add --no-cache curl",
}, check: func(p *pass) {
	p.runs(p.shipped(), func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			if c.Name != "apk" || c.Subcommand(apkValued...) != "add" || c.HasFlag("--no-cache", "--no-network") {
				continue // --no-network installs from local files and reads no index
			}
			if removes(s, indexOf(s, c), "/var/cache/apk", "/etc/apk/cache") || mounted(in, "/var/cache/apk", "/etc/apk/cache") {
				continue
			}
			p.atCmd(c, "apk add without --no-cache leaves the package index in this layer")
		}
	})
}}

// truthy reports whether an environment value turns an option on, the way
// pip reads PIP_* variables.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// envSet reports whether ENV sets name to a truthy value in st or a stage
// it is built from, before instruction before (nil: anywhere).
// envWalk answers whether an ENV before an instruction, in its stage or
// the stages it builds on, set name to a true value. It walks each stage
// once (the stage's end state is kept), so asking for every instruction of
// a long Dockerfile is linear, not quadratic.
type envWalk struct {
	name string
	end  map[*dockerfile.Stage]bool
}

func newEnvWalk(name string) *envWalk {
	return &envWalk{name: name, end: map[*dockerfile.Stage]bool{}}
}

// atEnd is the state after the last instruction of s.
func (w *envWalk) atEnd(s *dockerfile.Stage) bool {
	if s == nil {
		return false
	}
	if v, ok := w.end[s]; ok {
		return v
	}
	w.end[s] = false // a stage that builds on itself (never valid) stops here
	on := w.atEnd(s.From.Stage)
	for _, in := range s.Instructions {
		on = w.step(on, in)
	}
	w.end[s] = on
	return on
}

// step is the state after in, given the state before it.
func (w *envWalk) step(on bool, in *dockerfile.Instruction) bool {
	if e, ok := in.Command.(*instructions.EnvCommand); ok && !on {
		for _, kv := range e.Env {
			if kv.Key == w.name && truthy(kv.Value) {
				return true
			}
		}
	}
	return on
}

var df015 = &Rule{Rule: rule.Rule{
	ID: "DF015", Aliases: []string{"DL3042"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "pip install without --no-cache-dir",
	Why: `pip keeps every downloaded wheel and source archive in ~/.cache/pip. In an image build that cache is
never reused (each build starts from the layer cache, not pip's), so it only adds size, often tens
or hundreds of megabytes.`,
	Fix:  "Use `pip install --no-cache-dir ...`, set `ENV PIP_NO_CACHE_DIR=1`, or mount a cache: `RUN --mount=type=cache,target=/root/.cache/pip pip install ...`.",
	Bad:  "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3 && pip install requests==2.32.3",
	Good: "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3 requests==2.32.3",
}, check: func(p *pass) {
	env := newEnvWalk("PIP_NO_CACHE_DIR")
	for _, st := range p.shipped() {
		on := env.atEnd(st.From.Stage)
		// Triggers come last in each(st): they run in a child's build,
		// with the environment this stage ends with.
		for _, in := range each(st) {
			p.run = in
			if in.Script != nil && !on && !mounted(in, "/root/.cache/pip", "/root/.cache") {
				exported := false
				for _, c := range in.Script.Commands {
					if c.Name == "export" && !c.InSubshell {
						for _, kv := range c.Args {
							if k, v, _ := strings.Cut(kv, "="); k == "PIP_NO_CACHE_DIR" {
								exported = truthy(v)
							}
						}
					}
					if v, ok := c.EnvValue("PIP_NO_CACHE_DIR"); exported || ok && truthy(v) {
						continue
					}
					if pc, ok := pipInstall(c); ok && !pc.HasFlag("--no-cache-dir") {
						p.atCmd(c, "pip install without --no-cache-dir keeps downloaded packages in ~/.cache/pip in this layer")
					}
				}
			}
			on = env.step(on, in)
		}
	}
	p.run = nil
}}

// cleaners describes, per package manager, what installs and what cleans.
type cleaner struct {
	names    []string
	installs []string
	valued   []string
	dirs     []string
	alias    string
}

var cleaners = []cleaner{
	{names: []string{"yum"}, installs: []string{"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade"}, valued: yumValued,
		dirs: []string{"/var/cache/yum"}, alias: "DL3032"},
	{names: []string{"dnf", "dnf5", "microdnf", "tdnf"}, installs: []string{"install", "in", "groupinstall", "reinstall", "rei", "update", "up",
		"upgrade", "upgrade-minimal", "up-min", "distro-sync", "dsync"}, valued: yumValued,
		dirs: []string{"/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf", "/var/cache/libdnf5"}, alias: "DL3040"},
	{names: []string{"zypper"}, installs: []string{"install", "in", "update", "up", "dist-upgrade", "dup", "patch"}, valued: []string{"-n", "--non-interactive", "-r", "--repo"},
		dirs: []string{"/var/cache/zypp"}, alias: "DL3036"},
	{names: []string{"yarn"}, installs: []string{"install", "", "add"}, valued: []string{"--cache-folder", "--modules-folder", "--network-timeout", "--mutex"},
		dirs: []string{"/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn"}, alias: "DL3060"},
}

// clean reports whether the RUN cleans the cache after the install at
// index from, or keeps it out of the layer with a mount.
func (cl cleaner) clean(s *dockerfile.Script, in *dockerfile.Instruction, from int) bool {
	installer := s.Commands[from].Name
	if removes(s, from, cl.dirs...) || mounted(in, cl.dirs...) {
		return true
	}
	return slices.ContainsFunc(s.Commands[from:], func(c *dockerfile.Command) bool {
		// Only the tool that filled the cache is known to clean it: dnf
		// and microdnf keep theirs apart.
		if c.Name != installer {
			return false
		}
		ops := c.Operands(cl.valued...)
		switch {
		case len(ops) > 0 && ops[0] == "clean":
			return true // yum/dnf clean all, zypper clean
		case c.Name == "zypper" && len(ops) > 0 && ops[0] == "cc":
			return true
		case c.Name == "yarn" && len(ops) > 1 && ops[0] == "cache" && ops[1] == "clean":
			return true
		}
		return false
	})
}

var df016 = &Rule{Rule: rule.Rule{
	ID: "DF016", Aliases: []string{"DL3032", "DL3040", "DL3036", "DL3060"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "yum, dnf, zypper or yarn cache not cleaned in the same RUN",
	Why: `yum, dnf, microdnf and zypper keep repository metadata and downloaded packages in /var/cache, and
yarn keeps every package it fetched in its global cache. Unless the same RUN cleans them, they stay
in the layer and in every pull of the image.`,
	Fix:  "End the RUN with `&& yum clean all` / `dnf clean all` / `zypper clean --all` / `yarn cache clean`, or mount a cache on the cache directory.",
	Bad:  "FROM rockylinux:9\nRUN dnf install -y httpd-2.4.62",
	Good: "FROM rockylinux:9\nRUN dnf install -y httpd-2.4.62 && dnf clean all",
	Differences: `A stage that no other stage uses and that is not the last is reported: it is a build target
(` + "`docker build --target`" + `), so it ships. Hadolint treats it as unused (its "yarn cache clean in stage
that is not reused later" case).`,
}, check: func(p *pass) {
	p.runs(p.shipped(), func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, cl := range cleaners {
			for _, c := range s.Commands {
				if !slices.Contains(cl.names, c.Name) || !slices.Contains(cl.installs, c.Subcommand(cl.valued...)) {
					continue
				}
				if c.Name == "yarn" && c.Subcommand(cl.valued...) == "" && (len(c.Args) > 0 && !strings.HasPrefix(c.Args[0], "-") ||
					c.HasFlag("--version", "-v", "--help", "-h")) {
					continue // "yarn build" and other scripts; yarn --version fills no cache
				}
				if !cl.clean(s, in, indexOf(s, c)) {
					what := map[string]string{"yarn": "yarn cache clean", "zypper": "zypper clean --all"}[c.Name]
					if what == "" {
						what = c.Name + " clean all"
					}
					p.atCmd(c, fmt.Sprintf("%s leaves its cache in this layer; add `%s` to the same RUN", quote(c), what), cl.alias)
				}
				break
			}
		}
	})
}}

// dependencyInstall recognises a dependency install from manifests and
// returns the manifest files it reads.
func dependencyInstall(c *dockerfile.Command) ([]string, bool) {
	switch c.Name {
	case "npm":
		switch c.Subcommand(npmValued...) {
		case "ci":
			return []string{"package.json", "package-lock.json"}, true
		case "install", "i":
			if len(c.Operands(npmValued...)) == 1 {
				return []string{"package.json", "package-lock.json"}, true
			}
		}
	case "yarn":
		ops := c.Operands("--cache-folder", "--modules-folder", "--network-timeout", "--mutex")
		if len(ops) == 0 || (ops[0] == "install" && len(ops) == 1) {
			return []string{"package.json", "yarn.lock"}, true
		}
	case "pnpm":
		if ops := c.Operands(); len(ops) == 1 && (ops[0] == "install" || ops[0] == "i") {
			return []string{"package.json", "pnpm-lock.yaml"}, true
		}
	case "poetry":
		if c.Subcommand() == "install" {
			return []string{"pyproject.toml", "poetry.lock"}, true
		}
	case "pipenv":
		if c.Subcommand() == "install" || c.Subcommand() == "sync" {
			return []string{"Pipfile", "Pipfile.lock"}, true
		}
	case "uv":
		if c.Subcommand() == "sync" {
			return []string{"pyproject.toml", "uv.lock"}, true
		}
	case "go":
		if ops := c.Operands(); len(ops) >= 2 && ops[0] == "mod" && ops[1] == "download" {
			return []string{"go.mod", "go.sum"}, true
		}
	case "bundle", "bundler":
		if s := c.Subcommand(); s == "install" || s == "" {
			return []string{"Gemfile", "Gemfile.lock"}, true
		}
	case "composer":
		if c.Subcommand() == "install" {
			return []string{"composer.json", "composer.lock"}, true
		}
	case "mvn", "mvnw":
		for _, a := range c.Operands("-f", "--file", "-s", "--settings", "-P", "-pl") {
			if strings.HasPrefix(a, "dependency:go-offline") || strings.HasPrefix(a, "dependency:resolve") {
				return []string{"pom.xml"}, true
			}
		}
	case "cargo":
		if c.Subcommand() == "fetch" {
			return []string{"Cargo.toml", "Cargo.lock"}, true
		}
	}
	if pc, ok := pipInstall(c); ok {
		var files []string
		for i, a := range pc.Args {
			switch {
			case (a == "-r" || a == "--requirement") && i+1 < len(pc.Args):
				files = append(files, pc.Args[i+1])
			case strings.HasPrefix(a, "--requirement="):
				files = append(files, strings.TrimPrefix(a, "--requirement="))
			case strings.HasPrefix(a, "-r") && len(a) > 2:
				files = append(files, a[2:])
			}
		}
		if len(files) > 0 {
			return files, true
		}
	}
	return nil, false
}

// copiesContext reports whether a COPY or ADD copies the whole build
// context (".", "./", "*").
func copiesContext(in *dockerfile.Instruction) bool {
	var srcs []string
	switch c := in.Command.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			return false
		}
		srcs = c.SourcePaths
	case *instructions.AddCommand:
		srcs = c.SourcePaths
	default:
		return false
	}
	for _, s := range srcs {
		switch path.Clean(s) {
		case ".", "*", "/":
			return true
		}
	}
	return false
}

var df017 = &Rule{Rule: rule.Rule{
	ID: "DF017", Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Whole build context copied before dependencies are installed",
	Why: `The build cache is invalidated from the first instruction whose input changed. When the whole
context is copied before the dependency install, every change to any source file re-runs the
install: minutes of downloads on every build, and a new, large layer in every push. Copying only
the manifest files first lets the install layer stay cached until the dependencies change.`,
	Fix:  "Copy the manifest files named in the finding, run the install, then copy the rest: `COPY package.json package-lock.json ./`, `RUN npm ci`, `COPY . .`.",
	Bad:  "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]",
	Good: "FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		var copied *dockerfile.Instruction
		for _, in := range st.Instructions {
			if copied == nil {
				if copiesContext(in) {
					copied = in
				}
				continue
			}
			if in.Script == nil {
				continue
			}
			for _, c := range in.Script.Commands {
				files, ok := dependencyInstall(c)
				if !ok {
					continue
				}
				p.atCmd(c, fmt.Sprintf("%s runs after %s at line %d copies the whole build context, so every code change reinstalls all dependencies; copy %s first, install, then copy the rest",
					quote(c), copied.Keyword, copied.Line, strings.Join(baseNames(files), " and ")))
			}
		}
	}
}}

// isURL reports whether an ADD source is fetched from the network.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://")
}

// archiveExts are the local archives ADD extracts, its one use that COPY
// does not cover.
var archiveExts = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma", ".gz", ".bz2", ".xz", ".zst"}

var df018 = &Rule{Rule: rule.Rule{
	ID: "DF018", Aliases: []string{"DL3020", "CIS-DI-0009"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "ADD used where COPY does, or ADD of a URL without --checksum",
	Why: `ADD does more than copy: it extracts local archives and downloads URLs. For plain files that
magic is a trap (a file that happens to be an archive gets unpacked); COPY says what it does. And
a URL fetched without --checksum can change under the build without anyone noticing: the
download is neither verified nor reproducible.`,
	Fix:  "Use COPY for local files and directories. For downloads, add `--checksum=sha256:<digest>` to ADD (BuildKit verifies it), or download and verify in a RUN.",
	Bad:  "FROM alpine:3.22\nADD app.conf /etc/app.conf\nADD https://example.com/tool.tar.gz /tmp/",
	Good: "FROM alpine:3.22\nCOPY app.conf /etc/app.conf\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /tmp/\nADD rootfs.tar.gz /",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for _, in := range each(st) {
			c, ok := in.Command.(*instructions.AddCommand)
			if !ok {
				continue
			}
			var local []string
			for _, s := range c.SourcePaths {
				switch {
				case isURL(s):
					if c.Checksum == "" && !strings.HasPrefix(s, "git") && !strings.HasSuffix(s, ".git") && !strings.Contains(s, ".git#") {
						p.atWord(in, s, fmt.Sprintf("ADD downloads %s without --checksum, so the content is not verified", s), noAliases...)
					}
				case strings.ContainsAny(s, "$"):
				default:
					isArchive := false
					for _, ext := range archiveExts {
						if strings.HasSuffix(strings.ToLower(s), ext) {
							isArchive = true
						}
					}
					if !isArchive {
						local = append(local, s)
					}
				}
			}
			if len(c.SourceContents) > 0 {
				local = append(local, "a heredoc")
			}
			if len(local) > 0 {
				p.at(in, fmt.Sprintf("ADD of %s: use COPY, which only copies", strings.Join(local, ", ")), "DL3020")
			}
		}
	}
}}

var df019 = &Rule{Rule: rule.Rule{
	ID: "DF019", Aliases: []string{"DL3005", "DL3035", "DKL-DI-0003"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Distribution upgrade inside the image build",
	Why: `"apt-get upgrade", "dist-upgrade", "apk upgrade", "zypper dist-upgrade" and "dnf upgrade" (or yum or
microdnf update without package names) pull whatever the mirrors hold on the day of the
build: two builds of one Dockerfile differ, the upgrade can pull in new major versions of system
packages the base was not tested with, and the base image's own staleness is hidden instead of
fixed. Fixes belong in the base: rebuild on a newer base image (see ` + "`bulwark outdated`" + `).`,
	Fix:  "Remove the upgrade and move to a newer base image tag or digest; install specific fixed versions only where needed.",
	Bad:  "FROM debian:12\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*",
	Good: "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			sub := ""
			switch {
			case isApt(c):
				sub = aptSub(c)
				if sub != "upgrade" && sub != "dist-upgrade" && sub != "full-upgrade" {
					continue
				}
			case c.Name == "apk":
				if sub = c.Subcommand(apkValued...); sub != "upgrade" {
					continue
				}
			case c.Name == "zypper":
				if sub = c.Subcommand(zypperValued...); sub != "dist-upgrade" && sub != "dup" {
					continue
				}
			case slices.Contains([]string{"yum", "dnf", "dnf5", "microdnf", "tdnf"}, c.Name):
				// Without package names these upgrade everything.
				ops := c.Operands(yumValued...)
				if len(ops) != 1 || !slices.Contains([]string{"update", "upgrade", "up", "distro-sync", "dsync", "upgrade-minimal", "up-min"}, ops[0]) {
					continue
				}
				sub = ops[0]
			default:
				continue
			}
			aliases := []string{"DKL-DI-0003"}
			switch {
			case isApt(c):
				aliases = append(aliases, "DL3005")
			case c.Name == "zypper":
				aliases = append(aliases, "DL3035")
			}
			p.atCmd(c, fmt.Sprintf("%s %s upgrades the base's packages in the build; use a newer base image instead", c.Name, sub), aliases...)
		}
	})
}}

var df020 = &Rule{Rule: rule.Rule{
	ID: "DF020", Aliases: []string{"DL4003", "DL4004"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "More than one CMD or ENTRYPOINT in a stage",
	Why: `Only the last CMD and the last ENTRYPOINT of a stage take effect; earlier ones are silently
ignored. A second one is almost always a leftover or a misunderstanding (such as expecting two
processes to start), and readers of the Dockerfile are misled about what the container runs.`,
	Fix:  "Keep one CMD and at most one ENTRYPOINT per stage. To start several processes, use a small init or supervisor, or better, one container per process.",
	Bad:  "FROM alpine:3.22\nCMD [\"crond\"]\nCMD [\"httpd\", \"-f\"]",
	Good: "FROM alpine:3.22\nCMD [\"httpd\", \"-f\"]",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for _, kw := range []string{"CMD", "ENTRYPOINT"} {
			var seen []*dockerfile.Instruction
			for _, in := range st.Instructions {
				if in.Keyword == kw {
					seen = append(seen, in)
				}
			}
			if len(seen) < 2 {
				continue
			}
			last := seen[len(seen)-1]
			alias := map[string]string{"CMD": "DL4003", "ENTRYPOINT": "DL4004"}[kw]
			for _, in := range seen[:len(seen)-1] {
				p.at(in, fmt.Sprintf("this %s has no effect: the %s at line %d replaces it", kw, kw, last.Line), alias)
			}
		}
	}
}}

// baseNames reduces manifest paths to the names to copy from the context.
func baseNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = path.Base(f)
	}
	return out
}
