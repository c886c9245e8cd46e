package dfrule

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/baseimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/core/secret"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// isRootUser reports whether a USER value runs as root.
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0" || name == ""
}

// nonRootBase reports whether an external base image is known to default
// to a non-root user.
func nonRootBase(ref baseimage.Ref) bool {
	switch {
	case ref.Domain == "gcr.io" && strings.HasPrefix(ref.Path, "distroless/"):
		// nonroot, nonroot-amd64, debug-nonroot, debug-nonroot-arm64 ...
		return slices.Contains(strings.Split(ref.Tag, "-"), "nonroot")
	case ref.Domain == "cgr.dev" && strings.HasPrefix(ref.Path, "chainguard/"):
		// Chainguard images run as nonroot except their -dev variants.
		return !strings.HasSuffix(ref.Tag, "-dev") && ref.Tag != "latest-dev"
	}
	return false
}

// stepDown are the programs an entrypoint uses to drop from root to
// another user after doing root's part (chown a volume, bind a port).
var stepDown = []string{"gosu", "su-exec", "setpriv", "s6-setuidgid", "s6-applyuidgid", "chpst", "runuser", "setuidgid"}

// stepDownImages are official images whose entrypoint or daemon starts as
// root and drops to its own user: an image built on one of them without a
// USER keeps that design.
var stepDownImages = []string{"postgres", "redis", "nginx", "mysql", "mariadb", "mongo", "rabbitmq", "httpd",
	"haproxy", "memcached", "percona", "bitnami/postgresql", "bitnami/redis"}

// masterServers start a root master process that runs its workers as the
// user of their configuration: nginx, Apache httpd, PHP-FPM, HAProxy.
var masterServers = []string{"nginx", "httpd", "httpd-foreground", "apache2-foreground", "apache2ctl", "apachectl", "haproxy"}

// masterDrops returns the server a CMD or ENTRYPOINT starts, if it is one
// of masterServers (or php-fpm).
func masterDrops(words []string) string {
	prog := path.Base(strings.Fields(words[0] + " x")[0])
	if slices.Contains(masterServers, prog) || strings.HasPrefix(prog, "php-fpm") {
		return prog
	}
	return ""
}

// dropsPrivileges returns how the final image's entrypoint steps down from
// root, or "" when nothing in the Dockerfile says it does.
func (p *pass) dropsPrivileges() string {
	line := p.lineage()
	for _, st := range line {
		for _, in := range st.Instructions {
			var words []string
			switch c := in.Command.(type) {
			case *instructions.EntrypointCommand:
				words = c.CmdLine
			case *instructions.CmdCommand:
				words = c.CmdLine
			case *instructions.CopyCommand:
				// COPY --from=tianon/gosu /gosu /usr/local/bin/ and the like.
				words = append([]string{c.From}, c.SourcePaths...)
			case *instructions.AddCommand:
				words = c.SourcePaths
			}
			if _, isCopy := in.Command.(*instructions.CopyCommand); !isCopy && len(words) > 0 {
				if srv := masterDrops(words); srv != "" {
					return "in " + srv + "'s worker processes (its master starts as root)"
				}
			}
			for _, w := range words {
				for _, prog := range stepDown {
					if strings.Contains(w, prog) {
						return "via " + prog
					}
				}
				if strings.Contains(w, "s6-overlay") {
					return "via s6-overlay"
				}
			}
		}
	}
	// The entrypoint script is in the build context, out of sight; a
	// shipped stage that installs or runs a step-down tool is evidence
	// enough (the official images install gosu and check it runs).
	for _, st := range p.shipped() {
		for _, in := range st.Instructions {
			if in.Script == nil {
				continue
			}
			for _, c := range in.Script.Commands {
				words := append([]string{c.Name}, c.Args...)
				for _, w := range words {
					for _, prog := range stepDown[:3] {
						if w == prog || strings.HasSuffix(w, "/"+prog) || strings.HasPrefix(w, prog+"=") ||
							strings.Contains(w, "/"+prog+"/releases/") {
							return "via " + prog
						}
					}
				}
			}
		}
	}
	root := line[len(line)-1]
	if ref, ok := p.ref(root.From.Image); ok && root.From.IsExternal() && ref.Domain == "docker.io" {
		name := strings.TrimPrefix(ref.Path, "library/")
		if slices.Contains(stepDownImages, name) {
			return "as the " + name + " image's entrypoint does"
		}
		// php:*-apache, php:*-fpm and the applications built on them run
		// apache2-foreground or php-fpm by default.
		if tag := strings.Split(ref.Tag, "-"); slices.Contains([]string{"php", "wordpress", "drupal", "joomla", "nextcloud", "matomo", "mediawiki"}, name) &&
			(slices.Contains(tag, "apache") || slices.Contains(tag, "fpm") || name != "php" && !slices.Contains(tag, "cli")) {
			return "in the workers of the " + name + " image's web server (its master starts as root)"
		}
	}
	return ""
}

// declaresArg reports whether the file declares one of names as an ARG.
func (p *pass) declaresArg(names []string) bool {
	all := slices.Clone(p.f.MetaArgs)
	for _, st := range p.f.Stages {
		all = append(all, st.Instructions...)
	}
	for _, in := range all {
		if c, ok := in.Command.(*instructions.ArgCommand); ok {
			for _, kv := range c.Args {
				if slices.Contains(names, kv.Key) {
					return true
				}
			}
		}
	}
	return false
}

var df030 = &Rule{Rule: rule.Rule{
	ID: "DF030", Aliases: []string{"DL3002"}, Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Final image runs as root",
	Why: `A process running as root in a container is root on the container's filesystem, and one kernel or
runtime escape away from root on the host. Most services need no privilege at all. Without a USER
instruction, the image runs as root unless its base sets a user (as distroless ":nonroot" does).
Images that start as root on purpose and drop to another user in their entrypoint (gosu, su-exec,
setpriv, s6, chpst; the official postgres, redis and nginx images) are reported at low severity,
saying what drops privileges: root is still the starting point, and runAsNonRoot cannot be used.
A USER whose value depends on a build argument without a default is reported at low severity: what
runs depends on each build. So is a final image without USER built on a project's own image (not an
official or distribution base): its user is set by that image, which the Dockerfile does not show.`,
	Fix:  "Create an unprivileged user and switch to it at the end of the final stage: `RUN adduser -D -u 10001 app` then `USER 10001`. Use a numeric UID so Kubernetes' runAsNonRoot can verify it.",
	Bad:  "FROM alpine:3.22\nCOPY app /usr/local/bin/app\nCMD [\"app\"]",
	Good: "FROM alpine:3.22\nCOPY app /usr/local/bin/app\nUSER 10001\nCMD [\"app\"]",
	Differences: `Hadolint's DL3002 warns about the last USER of every stage. DF030 judges the image that ships:
a build stage whose last USER is root, and whose files reach the final image only through
` + "`COPY --from`" + `, never runs a container, so it is not reported (Hadolint's "warns on multiple
stages" case).`,
}, check: func(p *pass) {
	line := p.lineage()
	rootFinding := func(f *finding.Finding) {
		if how := p.dropsPrivileges(); how != "" {
			f.Message += "; the entrypoint drops to another user " + how
			f.Severity = finding.Low
		}
	}
	for _, st := range line {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			in := st.Instructions[i]
			u, ok := in.Command.(*instructions.UserCommand)
			if !ok {
				continue
			}
			switch {
			case len(in.Unresolved) > 0 && strings.Contains(u.User, "${"):
				from := "set by each build"
				if !p.declaresArg(in.Unresolved) {
					from = "taken from the base image's environment"
				}
				f := p.at(in, fmt.Sprintf("the last USER of the final image is %s, %s: the Dockerfile does not say whether it is root", u.User, from), "DL3002")
				f.Severity = finding.Low
			case isRootUser(u.User):
				rootFinding(p.at(in, fmt.Sprintf("the last USER of the final image is %q: the container starts as root", u.User), "DL3002"))
			}
			return
		}
	}
	root := line[len(line)-1]
	if ref, ok := p.ref(root.From.Image); ok && root.From.IsExternal() && nonRootBase(ref) {
		return
	}
	final := p.f.Final()
	if len(root.From.Unresolved) > 0 {
		f := p.atWord(final.FromInstruction, final.From.Raw, fmt.Sprintf("the final image sets no USER, so it runs as the user of %s, which each build chooses; the Dockerfile does not say whether it is root", root.From.Raw), noAliases...)
		f.Severity = finding.Low
		return
	}
	if ref, ok := p.ref(root.From.Image); ok && root.From.IsExternal() && !knownRootBase(ref) {
		// A project's own image may set its USER; the Dockerfile cannot
		// say, so the finding says what to check rather than claim root.
		f := p.atWord(final.FromInstruction, final.From.Raw, fmt.Sprintf("the final image sets no USER, so it runs as the user %s sets, which the Dockerfile does not show; check the image (bulwark scan reads its user)", root.From.Image), noAliases...)
		f.Severity = finding.Low
		return
	}
	rootFinding(p.atWord(final.FromInstruction, final.From.Raw, "the final image sets no USER, so the container starts as root", noAliases...))
}}

// knownRootBase reports whether an image is known to leave its user as
// root: Docker Hub's official images and their mirrors, and the
// distributions' own base images.
func knownRootBase(ref baseimage.Ref) bool {
	switch ref.Domain {
	case "docker.io":
		if strings.HasPrefix(ref.Path, "library/") {
			return true
		}
		owner, _, _ := strings.Cut(ref.Path, "/")
		return slices.Contains([]string{"rockylinux", "almalinux", "amazonlinux", "oraclelinux", "opensuse", "fedora", "ubuntu", "debian", "redhat"}, owner)
	case "public.ecr.aws", "mirror.gcr.io":
		return strings.HasPrefix(ref.Path, "docker/library/") || strings.HasPrefix(ref.Path, "library/") || strings.HasPrefix(ref.Path, "amazonlinux/")
	case "registry.access.redhat.com", "registry.redhat.io", "mcr.microsoft.com", "registry.suse.com", "registry.opensuse.org":
		return true // ubi, dotnet, bci
	case "quay.io":
		return strings.HasPrefix(ref.Path, "centos/") || strings.HasPrefix(ref.Path, "fedora/")
	case "gcr.io":
		return strings.HasPrefix(ref.Path, "distroless/") // :nonroot tags are recognised before this
	}
	return false
}

var df031 = &Rule{Rule: rule.Rule{
	ID: "DF031", Aliases: []string{"DL3004", "DKL-DI-0001"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "sudo in RUN",
	Why: `Build steps already run as the current USER, and switching with USER is explicit and auditable.
sudo in a Dockerfile means sudo is installed in the image, often with a permissive sudoers file,
handing any process in the container an easy path to root. It also behaves unpredictably without
a TTY.`,
	Fix:  "Remove sudo: run privileged steps before `USER app` (or switch with `USER root` and back). If a runtime privilege switch is needed, use gosu or su-exec.",
	Bad:  "FROM debian:12\nUSER app\nRUN sudo apt-get update",
	Good: "FROM debian:12\nRUN apt-get update\nUSER app",
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			if c.Name == "sudo" && !sudoDrops(c) {
				p.atCmd(c, "sudo in RUN: run the step before USER switches away from root instead")
			}
		}
	})
}}

// sudoDrops reports whether sudo runs its command as a user other than
// root (sudo -u app ..., sudo -E -u app ...): that drops privileges.
func sudoDrops(c *dockerfile.Command) bool {
	for i, a := range c.Args {
		u := ""
		switch {
		case (a == "-u" || a == "--user") && i+1 < len(c.Args):
			u = c.Args[i+1]
		case strings.HasPrefix(a, "--user="):
			u = strings.TrimPrefix(a, "--user=")
		case strings.HasPrefix(a, "-u") && len(a) > 2:
			u = a[2:]
		case !strings.HasPrefix(a, "-"):
			return false // the command: no -u before it
		}
		if u != "" {
			return !isRootUser(strings.TrimPrefix(u, "#"))
		}
	}
	return false
}

// onlyReference reports whether a value is nothing but variable references
// ("$TOKEN", "${TOKEN}").
var onlyReference = regexp.MustCompile(`^(\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^}]*\})+$`)

var df032 = &Rule{Rule: rule.Rule{
	ID: "DF032", Aliases: []string{"DL3064"}, Severity: finding.High, Kind: finding.KindSecret,
	Title: "Secret in ENV or ARG",
	Why: `ENV values are stored in the image configuration and ARG values in the build history: anyone who can
pull the image can read them with "docker inspect" or "docker history", long after the Dockerfile
was changed. A token or password there is leaked to every registry, cache and laptop the image
reaches. Known key formats (AWS, GitHub, GitLab, Slack, Google, Stripe, npm, private keys) are
reported as critical wherever they appear.`,
	Fix:  "Pass secrets to the build with `RUN --mount=type=secret,id=token ...` (and `docker build --secret id=token,env=TOKEN`), and to the container at run time through the orchestrator's secrets, never through ENV or ARG.",
	Bad:  "FROM alpine:3.22\nENV DB_PASSWORD=hunter2hunter2",
	Good: "FROM alpine:3.22\nENV DB_PASSWORD_FILE=/run/secrets/db_password",
	Differences: `Hadolint's DL3064 lists variable names; among them are identifiers such as
` + "`AWS_ACCESS_KEY_ID`" + `, ` + "`DOCKER_USERNAME`" + ` and ` + "`OKTA_OAUTH2_CLIENTID`" + `. DF032 reads a name as a secret by
its words and clears names that say they hold an identifier, a user, a path or a URL: AWS
documents the access key ID as not secret (the secret access key is, and ` + "`AWS_SECRET_ACCESS_KEY`" + `
is reported). Hadolint's "ARG with sensitive data" and "ENV with sensitive data" cases use
` + "`AWS_ACCESS_KEY_ID`" + ` and are not reported.`,
}, check: func(p *pass) {
	check := func(in *dockerfile.Instruction, kw, key string, val *string) {
		if val != nil {
			if sf, m, ok := secret.Find(*val); ok {
				f := p.atWord(in, key, fmt.Sprintf("%s %s holds %s (%s)", kw, key, sf.Name, secret.Mask(m)))
				f.Severity = finding.Critical
				return
			}
		}
		if !secret.Name(key) {
			return
		}
		switch {
		case kw == "ARG" && (val == nil || *val == ""):
			f := p.atWord(in, key, fmt.Sprintf("ARG %s: a value passed with --build-arg is recorded in the image history of every RUN that follows", key))
			f.Severity = finding.Medium
		case val == nil || *val == "":
		case onlyReference.MatchString(*val) && kw == "ENV":
			p.atWord(in, key, fmt.Sprintf("ENV %s=%s stores the build-time secret in the image configuration", key, *val))
		case onlyReference.MatchString(*val):
		default:
			p.atWord(in, key, fmt.Sprintf("%s %s has a literal value (%s) that is stored in the image", kw, key, secret.Mask(*val)))
		}
	}
	all := append([]*dockerfile.Instruction(nil), p.f.MetaArgs...)
	for _, st := range p.f.Stages {
		all = append(all, each(st)...)
	}
	for _, in := range all {
		p.run = in
		switch c := in.Command.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v := kv.Value
				check(in, "ENV", kv.Key, &v)
			}
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				check(in, "ARG", kv.Key, kv.Value)
			}
		}
	}
}}

// interpreters run a script read from standard input.
var interpreters = []string{"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox", "python", "python2", "python3", "perl", "ruby", "node", "php"}

func runsScript(c *dockerfile.Command) bool {
	for c != nil {
		if slices.Contains(interpreters, c.Name) || strings.HasPrefix(c.Name, "python3") {
			return true
		}
		if c.Name == "tee" || c.Name == "sudo" || c.Name == "env" {
			if c.Name != "tee" {
				if ops := c.Operands(); len(ops) > 0 && (slices.Contains(interpreters, path.Base(ops[0]))) {
					return true
				}
			}
			c = c.PipeTo
			continue
		}
		return false
	}
	return false
}

var df033 = &Rule{Rule: rule.Rule{
	ID: "DF033", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Remote script piped to a shell",
	Why: `"curl ... | sh" runs whatever the server sends at that moment, unverified, as the build user
(usually root). A compromised or spoofed server, or a truncated download, executes arbitrary
code in your build and ships its result. Nothing records what was run.`,
	Fix:  "Download to a file, verify its checksum or signature, then run it, or install through the package manager or `ADD --checksum=sha256:...`.",
	Bad:  "FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh",
	Good: "FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/install.sh /tmp/install.sh\nRUN sh /tmp/install.sh && rm /tmp/install.sh",
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			if c.Name != "curl" && c.Name != "wget" {
				continue
			}
			switch {
			case c.PipeTo != nil && runsScript(c.PipeTo):
				p.atCmd(c, fmt.Sprintf("%s output is piped to %s: a remote script runs unverified", c.Name, c.PipeTo.Name))
			case c.Within != nil && slices.Contains(interpreters, c.Within.Name):
				p.atCmd(c, fmt.Sprintf("%s output is run by %s: a remote script runs unverified", c.Name, c.Within.Name))
			}
		}
	})
}}

// worldWritable reports whether a chmod mode grants write to others,
// leaving out sticky directories (1777, as /tmp), where that is the point.
func worldWritable(mode string) bool {
	if m, err := strconv.ParseUint(mode, 8, 32); err == nil && len(mode) >= 3 {
		return m&0o002 != 0 && m&0o1000 == 0
	}
	ww, sticky := false, false
	for _, clause := range strings.Split(mode, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 {
			continue
		}
		who, op, perms := clause[:i], clause[i], clause[i+1:]
		if op == '-' {
			continue
		}
		if strings.Contains(perms, "t") {
			sticky = true
		}
		if (strings.ContainsAny(who, "oa")) && strings.Contains(perms, "w") {
			ww = true
		}
	}
	return ww && !sticky
}

var df034 = &Rule{Rule: rule.Rule{
	ID: "DF034", Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "World-writable permissions (chmod 777)",
	Why: `A file or directory that every user can write lets any process in the container, whatever its
user, replace binaries, configuration or data that others trust. "chmod 777" usually papers over a
wrong owner; the right fix is to give the one user that needs to write ownership.`,
	Fix:  "Give ownership to the user that writes (`COPY --chown=app:app`, `chown app:app /data`) and use modes such as 755 or 750 for directories and 644 for files. Shared temporary directories need the sticky bit (1777).",
	Bad:  "FROM alpine:3.22\nRUN mkdir /data && chmod 777 /data",
	Good: "FROM alpine:3.22\nRUN mkdir /data && chown 10001:10001 /data && chmod 750 /data",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for _, in := range each(st) {
			if m, ok := in.Flag("chmod"); ok && worldWritable(m) {
				p.atWord(in, "--chmod", fmt.Sprintf("%s --chmod=%s makes the copied files world-writable", in.Keyword, m))
			}
		}
	}
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			var mode string
			switch c.Name {
			case "chmod":
				for _, a := range c.Args {
					if !strings.HasPrefix(a, "-") || strings.ContainsAny(a, "+=,") && !strings.HasPrefix(a, "--") {
						mode = a
						break
					}
				}
			case "mkdir", "install":
				for i, a := range c.Args {
					if (a == "-m" || a == "--mode") && i+1 < len(c.Args) {
						mode = c.Args[i+1]
					} else if strings.HasPrefix(a, "--mode=") {
						mode = strings.TrimPrefix(a, "--mode=")
					}
				}
			}
			if mode != "" && worldWritable(mode) && !removedLater(s, c, mode) {
				p.atCmd(c, fmt.Sprintf("%s with mode %s makes files world-writable", c.Name, mode))
			}
		}
	})
}}

// removedLater reports whether every path a chmod, mkdir or install
// command names (other than mode) is removed by an rm later in the same
// RUN: a scratch directory (tempDir="$(mktemp -d)"; chmod 777 "$tempDir";
// ... rm -rf "$tempDir") leaves nothing world-writable in the layer.
func removedLater(s *dockerfile.Script, c *dockerfile.Command, mode string) bool {
	var targets []string
	for _, a := range c.Operands("-m", "--mode") {
		if a != mode {
			targets = append(targets, strings.TrimRight(a, "/"))
		}
	}
	if len(targets) == 0 {
		return false
	}
	var removed []string
	for _, r := range s.Commands[indexOf(s, c)+1:] {
		if r.Name == "rm" {
			for _, a := range r.Operands() {
				removed = append(removed, strings.TrimRight(a, "/"))
			}
		}
	}
	for _, t := range targets {
		if !slices.Contains(removed, t) {
			return false
		}
	}
	return true
}

var df035 = &Rule{Rule: rule.Rule{
	ID: "DF035", Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "SSH port 22 exposed",
	Why: `Exposing port 22 means the image runs an SSH server: another daemon to patch, keys or passwords
baked into the image or managed by hand, and a remote login path around the orchestrator's
access control and audit. Containers are entered with "docker exec" or "kubectl exec".`,
	Fix:  "Remove sshd and `EXPOSE 22`; use `kubectl exec` / `docker exec` for debugging.",
	Bad:  "FROM alpine:3.22\nEXPOSE 22 8080",
	Good: "FROM alpine:3.22\nEXPOSE 8080",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for _, in := range each(st) {
			c, ok := in.Command.(*instructions.ExposeCommand)
			if !ok {
				continue
			}
			for _, port := range c.Ports {
				num, proto, _ := strings.Cut(port, "/")
				if proto != "" && proto != "tcp" {
					continue
				}
				lo, hi, isRange := strings.Cut(num, "-")
				a, err1 := strconv.Atoi(lo)
				b := a
				var err2 error
				if isRange {
					b, err2 = strconv.Atoi(hi)
				}
				if err1 == nil && err2 == nil && a <= 22 && 22 <= b {
					p.atWord(in, port, fmt.Sprintf("EXPOSE %s opens the SSH port", port))
				}
			}
		}
	}
}}

var df036 = &Rule{Rule: rule.Rule{
	ID: "DF036", Aliases: []string{"DL3057"}, Severity: finding.Info, Kind: finding.KindMisconfiguration,
	Title: "No HEALTHCHECK in the final image",
	Why: `Without a health check, Docker and Compose only know whether the process is alive, not whether it
works: a deadlocked server keeps receiving traffic. (Kubernetes ignores HEALTHCHECK and uses its own
probes; if you deploy only there, declare probes and ignore this rule, or write HEALTHCHECK NONE.)`,
	Fix:  "Add `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]` (or a small HTTP check) to the final stage, or `HEALTHCHECK NONE` to record that health is checked elsewhere.",
	Bad:  "FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html",
	Good: "FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html\nHEALTHCHECK CMD [\"wget\", \"-q\", \"--spider\", \"http://localhost/\"]",
}, check: func(p *pass) {
	for _, st := range p.lineage() {
		for _, in := range st.Instructions {
			if in.Keyword == "HEALTHCHECK" {
				return
			}
		}
	}
	final := p.f.Final()
	p.atWord(final.FromInstruction, final.From.Raw, "the final image has no HEALTHCHECK")
}}

// windowsDrive matches an absolute Windows path ("C:\\app").
var windowsDrive = regexp.MustCompile(`^[A-Za-z]:[\\/]`)

var df037 = &Rule{Rule: rule.Rule{
	ID: "DF037", Aliases: []string{"DL3000", "DL3003"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Relative WORKDIR, or cd in RUN",
	Why: `A relative WORKDIR depends on every WORKDIR before it, including the base image's, so moving one
line or changing the base silently moves files. "cd" in a RUN only lasts for that RUN; the next
instruction is back in WORKDIR, which makes the Dockerfile harder to follow than a WORKDIR that
says where the commands run. A cd inside a subshell, "( cd dir && make )", is fine and not reported.`,
	Fix:  "Use absolute paths in WORKDIR, and WORKDIR instead of `cd` (or a subshell, `(cd dir && make)`, for one command).",
	Bad:  "FROM alpine:3.22\nWORKDIR app\nRUN cd /src && make",
	Good: "FROM alpine:3.22\nWORKDIR /src\nRUN make",
}, check: func(p *pass) {
	for _, st := range p.f.Stages {
		for _, in := range each(st) {
			c, ok := in.Command.(*instructions.WorkdirCommand)
			if !ok {
				continue
			}
			// A word BuildKit could not expand (an unterminated quote, as
			// in WORKDIR "C:\") is judged without its quotes.
			if wd := strings.Trim(c.Path, `"'`); !strings.HasPrefix(wd, "/") && !strings.HasPrefix(wd, "$") && !windowsDrive.MatchString(wd) {
				p.atWord(in, wd, fmt.Sprintf("WORKDIR %s is relative; use an absolute path", wd), "DL3000")
			}
		}
	}
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		// One finding per RUN, as Hadolint gives; a cd into a directory the
		// RUN made with mktemp has no WORKDIR equivalent.
		temp := slices.ContainsFunc(s.Commands, func(c *dockerfile.Command) bool { return c.Name == "mktemp" })
		for _, c := range s.Commands {
			if c.Name != "cd" || c.InSubshell || c.Within != nil || len(c.Via) > 0 {
				continue
			}
			if ops := c.Operands(); temp && len(ops) == 1 && strings.Contains(ops[0], "$") {
				continue
			}
			p.atCmd(c, "cd in RUN: use WORKDIR to change the directory", "DL3003")
			break
		}
	})
}}

// unpinned returns the packages an install command names without a
// version, per package manager, with the Hadolint rule that says the same.
func unpinned(c *dockerfile.Command) (pkgs []string, alias string) {
	isPath := func(s string) bool {
		return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") || strings.Contains(s, "$")
	}
	switch {
	case aptSub(c) == "install":
		for _, a := range c.Operands(aptValuedOf(c)...)[1:] {
			if !strings.Contains(a, "=") && !isPath(a) && !strings.HasSuffix(a, ".deb") && !strings.Contains(a, "/") {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3008"
	case c.Name == "apk" && c.Subcommand(apkValued...) == "add":
		for _, a := range c.Operands(apkValued...)[1:] {
			if !strings.ContainsAny(a, "=~<>") && !isPath(a) && !strings.HasSuffix(a, ".apk") {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3018"
	case c.Name == "gem":
		ops := gemOperands(c)
		if len(ops) == 0 || (ops[0] != "install" && ops[0] != "i") || c.HasFlag("-v", "--version") {
			return nil, ""
		}
		for _, a := range ops[1:] {
			if !strings.Contains(a, ":") && !isPath(a) && !strings.HasSuffix(a, ".gem") {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3028"
	case c.Name == "npm":
		sub := c.Subcommand(npmValued...)
		if sub != "install" && sub != "i" && sub != "add" {
			return nil, ""
		}
		for _, a := range c.Operands(npmValued...)[1:] {
			if !npmPinned(a) && !isPath(a) {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3016"
	case c.Name == "yum" || c.Name == "dnf" || c.Name == "dnf5" || c.Name == "microdnf":
		ops := c.Operands(yumValued...)
		switch {
		case len(ops) > 1 && ops[0] == "module" && ops[1] == "install":
			// A module is pinned by its stream: tomcat:9.
			for _, a := range ops[2:] {
				if !strings.Contains(a, ":") && !isPath(a) {
					pkgs = append(pkgs, a)
				}
			}
		case len(ops) == 0 || !slices.Contains([]string{"install", "in"}, ops[0]) || slices.Contains(ops, "group"):
			return nil, ""
		default:
			for _, a := range ops[1:] {
				if !rpmPinned(a) && !strings.HasPrefix(a, "@") && !isPath(a) && !strings.Contains(a, "://") {
					pkgs = append(pkgs, a)
				}
			}
		}
		if c.Name == "yum" {
			return pkgs, "DL3033"
		}
		return pkgs, "DL3041"
	case c.Name == "zypper":
		ops := c.Operands("-n", "--non-interactive", "-r", "--repo", "--root", "-R", "--from", "-t", "--type")
		if len(ops) == 0 || (ops[0] != "install" && ops[0] != "in") {
			return nil, ""
		}
		for _, a := range ops[1:] {
			if !strings.ContainsAny(a, "=<>") && !strings.HasSuffix(a, ".rpm") && !isPath(a) {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3037"
	case c.Name == "go":
		ops := c.Operands("-o", "-C", "-p", "-tags", "-ldflags", "-gcflags", "-modfile", "-mod", "-pkgdir", "-toolexec", "-exec")
		if len(ops) == 0 || (ops[0] != "install" && ops[0] != "get" && ops[0] != "run") {
			return nil, ""
		}
		args := ops[1:]
		if ops[0] == "run" && len(args) > 1 {
			args = args[:1] // the rest are the program's arguments
		}
		for _, a := range args {
			if a == "tool" || isPath(a) || a == "." {
				continue
			}
			at := strings.LastIndex(a, "@")
			if at < 0 || a[at+1:] == "latest" || a[at+1:] == "none" {
				if ops[0] == "run" && at < 0 && (!strings.Contains(a, ".") || strings.HasSuffix(a, ".go")) {
					continue // go run main.go-style names of local files
				}
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3062"
	}
	if c.Name == "pipx" && c.Subcommand(pipxValued...) == "install" {
		for _, a := range c.Operands(pipxValued...)[1:] {
			if !pipPinned(a) && !isPath(a) {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3013"
	}
	if pc, ok := pipInstall(c); ok {
		if pc.HasFlag("-c", "--constraint") {
			return nil, "" // the constraints file pins every package
		}
		for _, a := range pc.Operands(pipValued...) {
			if !pipPinned(a) && !isPath(a) {
				pkgs = append(pkgs, a)
			}
		}
		return pkgs, "DL3013"
	}
	return nil, ""
}

// withValues returns c with the parameters in its arguments expanded where
// the Dockerfile gives their values (yum install git-core-${version}
// after ENV version=2.51.0-2.fc42); unknown ones are left as written.
func withValues(in *dockerfile.Instruction, c *dockerfile.Command) *dockerfile.Command {
	var args []string
	for i, a := range c.Args {
		if !strings.Contains(a, "$") {
			if args != nil {
				args = append(args, a)
			}
			continue
		}
		if v, ok := in.ShellWord(a); ok {
			if args == nil {
				args = slices.Clone(c.Args[:i])
			}
			// Quotes are gone from Args; a value of several words is read
			// as the unquoted expansion it almost always is: apk add $DEPS.
			args = append(args, strings.Fields(v)...)
			continue
		}
		if args != nil {
			args = append(args, a)
		}
	}
	if args == nil {
		return c
	}
	cc := *c
	cc.Args = args
	return &cc
}

// gemOperands returns gem's operands up to "--", after which come the
// gem's build flags, not gems.
func gemOperands(c *dockerfile.Command) []string {
	args := c.Args
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	// An option gem does not take without a value is read as taking the
	// next word, as Hadolint does: "--use-system-libraries true".
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-") || a == "-":
			ops = append(ops, a)
		case strings.Contains(a, "="), slices.Contains(gemFlags, a):
		default:
			i++
		}
	}
	return ops
}

// gemFlags are the options of gem install that take no value.
var gemFlags = []string{"-N", "--no-document", "--no-ri", "--no-rdoc", "--user-install", "--no-user-install", "--conservative",
	"--minimal-deps", "-f", "--force", "--no-force", "-l", "--local", "-r", "--remote", "-b", "--both", "--pre", "--prerelease",
	"--development", "--development-all", "--ignore-dependencies", "--default", "--explain", "--lock", "--no-lock", "--suggestions",
	"--no-suggestions", "-w", "--wrappers", "--no-wrappers", "-E", "--env-shebang", "--no-env-shebang", "--norc", "-q", "--quiet",
	"-V", "--verbose", "--no-verbose", "--backtrace", "--debug", "--clear-sources", "--vendor", "--no-post-install-message",
	"--post-install-message", "--format-executable", "--no-format-executable", "-u", "--update-sources", "--no-update-sources",
	"--ri", "--rdoc"}

// vcsURL reports whether a requirement names a version-control checkout.
func vcsURL(a string) bool {
	for _, p := range []string{"git+", "git://", "hg+", "svn+", "bzr+", "github:", "gitlab:", "bitbucket:", "git@"} {
		if strings.HasPrefix(a, p) || strings.Contains(a, "@ "+p) {
			return true
		}
	}
	return false
}

// pipPinned reports whether a pip requirement fixes what is installed: a
// version specifier, a VCS URL with a ref (@v1.2 or @<sha>), or a file.
func pipPinned(a string) bool {
	if vcsURL(a) || strings.Contains(a, " @ ") {
		u := a
		if i := strings.Index(u, " @ "); i >= 0 {
			u = u[i+3:]
		}
		u, _, _ = strings.Cut(u, "#")
		rest := u[strings.Index(u, "://")+3:]
		if i := strings.Index(rest, "/"); i >= 0 {
			rest = rest[i:] // past git@host of an ssh URL
		}
		return strings.Contains(rest, "@") && !strings.HasSuffix(rest, "@")
	}
	if strings.Contains(a, "://") {
		return true // an archive URL: the file is the version
	}
	if strings.ContainsAny(a, "=<>!~") || strings.Contains(a, "/") {
		return true
	}
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"} {
		if strings.HasSuffix(a, ext) {
			return true
		}
	}
	return false
}

// npmPinned reports whether an npm install operand fixes a version: a
// version or range after @, a git URL with #ref, or a file or tarball.
func npmPinned(a string) bool {
	if vcsURL(a) || strings.HasPrefix(a, "git") && strings.Contains(a, "://") {
		_, ref, ok := strings.Cut(a, "#")
		return ok && ref != ""
	}
	if strings.Contains(a, "://") || strings.HasPrefix(a, "file:") {
		return true
	}
	for _, ext := range []string{".tgz", ".tar", ".tar.gz"} {
		if strings.HasSuffix(a, ext) {
			return true
		}
	}
	name := strings.TrimPrefix(a, "@")
	at := strings.LastIndex(name, "@")
	if at > 0 {
		v := name[at+1:]
		return v != "latest" && v != "next" && v != ""
	}
	// A user/repo shorthand is a GitHub checkout of the default branch.
	return false
}

// rpmPinned reports whether a yum/dnf package names a version
// (name-version[-release]) the way Hadolint reads it: some part after the
// first dash starts with a digit, and all are version characters.
func rpmPinned(a string) bool {
	if strings.HasSuffix(a, ".rpm") {
		return true
	}
	if strings.ContainsAny(a, "=<>") {
		return true
	}
	parts := strings.Split(a, "-")
	if len(parts) <= 1 {
		return false
	}
	// name-version or name-version-release: the version is at the end, so
	// the digits of java-11-openjdk-headless are part of the name.
	for _, part := range parts[1:] {
		for _, r := range part {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune(".~^_:+", r)) {
				return false
			}
		}
	}
	last := parts[len(parts)-1]
	return last != "" && last[0] >= '0' && last[0] <= '9'
}

var df038 = &Rule{Rule: rule.Rule{
	ID: "DF038", Aliases: []string{"DL3008", "DL3018", "DL3013", "DL3016", "DL3028", "DL3033", "DL3037", "DL3041", "DL3062"}, Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Package installed without a pinned version",
	Why: `"apt-get install curl" installs whatever version the mirror has on the day of the build. Two builds
of the same Dockerfile then ship different software, a breaking release arrives unannounced, and a
vulnerability report cannot be traced to a change. Pinned versions make builds reproducible and
upgrades deliberate (and reviewable in a diff).`,
	Fix:  "Pin versions: `apt-get install curl=7.88.1-10+deb12u8`, `apk add curl=8.9.1-r1`, `pip install flask==3.0.3` (or a requirements or constraints file with hashes), `npm install -g pnpm@9.12.0`, `gem install rails -v 7.2.1`, `dnf install -y httpd-2.4.62`, `zypper install -y curl=8.6.0`, `go install golang.org/x/tools/gopls@v0.16.2`; a git install names a tag or commit (`git+https://github.com/org/pkg.git@v1.2.0`, `github:org/pkg#v1.2.0`).",
	Bad:  "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask",
	Good: "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3",
	Differences: `A version held in a variable is judged by the value the RUN's shell gets. An ARG declared in
another stage is not visible in this one (BuildKit scopes ARG to its stage), so
` + "`yum install git-core-${version}`" + ` after ` + "`ARG version=...`" + ` in a different, unrelated stage installs
` + "`git-core-`" + ` and is reported; Hadolint accepts it (its "version as arg - different stages" cases
of DL3033 and DL3041).`,
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		for _, c := range s.Commands {
			pkgs, alias := unpinned(withValues(in, c))
			if len(pkgs) == 0 {
				continue
			}
			p.atCmd(c, fmt.Sprintf("%s installs %s without a pinned version", c.Name, strings.Join(pkgs, ", ")), alias)
		}
	})
}}

var df039 = &Rule{Rule: rule.Rule{
	ID: "DF039", Aliases: []string{"DL3025"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Shell-form ENTRYPOINT or CMD",
	Why: `In shell form ("CMD node server.js") Docker runs "/bin/sh -c '...'": the shell is PID 1 and does
not forward SIGTERM, so the application never hears "docker stop" or a Kubernetes rollout and is
killed after the grace period, dropping requests. With an exec-form ENTRYPOINT, a shell-form CMD
is worse: it is passed to the entrypoint as the three arguments "/bin/sh", "-c", "...".`,
	Fix:  "Use the JSON (exec) form: `CMD [\"node\", \"server.js\"]`. If you need shell features, end the script with `exec`.",
	Bad:  "FROM node:20-slim\nCMD node server.js",
	Good: "FROM node:20-slim\nCMD [\"node\", \"server.js\"]",
	Differences: `Hadolint's DL3025 also asks for the JSON form in ` + "`HEALTHCHECK CMD`" + `. DF039 is about signals
reaching PID 1, which a health check command is not: a shell-form health check works as intended,
so it is not reported.`,
}, check: func(p *pass) {
	execEntrypoint := false
	for _, st := range slices.Backward(p.lineage()) {
		for _, in := range st.Instructions {
			switch c := in.Command.(type) {
			case *instructions.EntrypointCommand:
				execEntrypoint = !c.PrependShell
				if c.PrependShell && len(c.CmdLine) > 0 {
					p.at(in, "ENTRYPOINT in shell form runs under /bin/sh -c, which does not pass signals to the process")
				}
			case *instructions.CmdCommand:
				if !c.PrependShell || len(c.CmdLine) == 0 {
					continue
				}
				if execEntrypoint {
					p.at(in, "CMD in shell form is passed to the exec-form ENTRYPOINT as \"/bin/sh\", \"-c\", \"...\"")
				} else {
					p.at(in, "CMD in shell form runs under /bin/sh -c, which does not pass signals to the process")
				}
			}
		}
	}
}}

// keyrings are where public signing keys go; nothing copied there is a
// secret.
var keyrings = []string{"/usr/share/keyrings", "/etc/apt/keyrings", "/etc/apt/trusted.gpg.d", "/etc/pki/rpm-gpg", "/etc/apk/keys"}

// publicKey reports whether a file name is a public key or signature.
func publicKey(base string) bool {
	lower := strings.ToLower(base)
	for _, ext := range []string{".asc", ".gpg", ".pub", ".sig", ".crt"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return strings.Contains(lower, "pub") || strings.Contains(lower, "public")
}

// sensitive names files that should never be in an image.
func sensitive(name string) string {
	base := path.Base(strings.TrimSuffix(name, "/"))
	if publicKey(base) {
		return ""
	}
	switch {
	case base == ".git":
		return "the .git directory"
	case base == ".env" || strings.HasPrefix(base, ".env.") && !slices.Contains([]string{".env.example", ".env.sample", ".env.template", ".env.dist"}, base):
		return "an environment file with secrets"
	case slices.Contains([]string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}, base):
		return "an SSH private key"
	case strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key") || strings.HasSuffix(base, ".p12") || strings.HasSuffix(base, ".pfx"):
		return "a key or certificate file"
	case base == ".npmrc" || base == ".pypirc" || base == ".netrc" || base == ".git-credentials" || base == ".dockercfg":
		return "a credentials file"
	case base == ".aws" || base == ".ssh" || base == ".docker" || base == ".kube":
		return "a credentials directory"
	}
	return ""
}

var df040 = &Rule{Rule: rule.Rule{
	ID: "DF040", Severity: finding.High, Kind: finding.KindSecret,
	Title: "Secrets or .git copied into the image",
	Why: `Files copied into an image stay in its layer even if a later step deletes them: keys, .env files,
registry and package-manager credentials and the .git directory (with its history and often
embedded tokens) can be extracted by anyone who can pull the image. Copying the whole build context
without a .dockerignore copies all of them that happen to be in the directory.`,
	Fix:  "Copy only what the image needs, add a .dockerignore that excludes `.git`, `.env*`, keys and credential files, and pass build secrets with `RUN --mount=type=secret`.",
	Bad:  "FROM alpine:3.22\nCOPY id_rsa /root/.ssh/id_rsa\nCOPY .env /app/.env",
	Good: "FROM alpine:3.22\nCOPY app.conf /app/app.conf",
}, check: func(p *pass) {
	// A build stage's files reach the image only through COPY --from,
	// which names what it takes; what it copied from the context stays
	// behind.
	for _, st := range p.shipped() {
		for _, in := range each(st) {
			var srcs []string
			var dest string
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					srcs, dest = c.SourcePaths, c.DestPath
				}
			case *instructions.AddCommand:
				srcs, dest = c.SourcePaths, c.DestPath
			}
			if inKeyring(dest) {
				continue
			}
			for _, s := range srcs {
				if what := sensitive(s); what != "" && !isURL(s) {
					f := p.atWord(in, s, fmt.Sprintf("%s copies %s (%s) into the image", in.Keyword, s, what))
					if path.Base(s) == ".git" {
						f.Severity = finding.Medium
					}
				}
			}
			if copiesContext(in) && p.opts.Context != nil {
				p.checkIgnore(in)
			}
		}
	}
}}

// inKeyring reports whether a COPY destination is a keyring directory.
func inKeyring(dest string) bool {
	for _, k := range keyrings {
		if dest == k || strings.HasPrefix(dest, k+"/") {
			return true
		}
	}
	return false
}

// checkIgnore looks at the build context of a whole-context COPY: without
// a .dockerignore it says so; with one, it names sensitive files at the
// top of the context that the ignore file lets through.
func (p *pass) checkIgnore(in *dockerfile.Instruction) {
	names := []string{".dockerignore"}
	if p.opts.DockerfileName != "" {
		names = append([]string{p.opts.DockerfileName + ".dockerignore"}, names...)
	}
	var patterns []string
	found := ""
	for _, n := range names {
		f, err := p.opts.Context.Open(n)
		if err != nil {
			continue
		}
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err == nil {
			found = n
			break
		}
	}
	if found == "" {
		f := p.at(in, fmt.Sprintf("%s copies the whole build context and there is no .dockerignore: .git, .env files and keys in the directory end up in the image", in.Keyword))
		f.Severity = finding.Medium
		return
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return
	}
	entries, err := fs.ReadDir(p.opts.Context, ".")
	if err != nil {
		return
	}
	var leaked []string
	for _, e := range entries {
		if sensitive(e.Name()) == "" {
			continue
		}
		if excluded, err := pm.MatchesOrParentMatches(e.Name()); err == nil && !excluded {
			leaked = append(leaked, e.Name())
		}
	}
	if len(leaked) > 0 {
		p.at(in, fmt.Sprintf("%s copies the whole build context, and %s does not exclude %s", in.Keyword, found, strings.Join(leaked, ", ")))
	}
}
