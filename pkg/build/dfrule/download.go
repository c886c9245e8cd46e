package dfrule

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

// unpackers read an archive or package from a pipe or a file.
var unpackers = []string{"tar", "bsdtar", "unzip", "gunzip", "zcat", "xz", "unxz", "zstd", "bunzip2", "cpio", "7z", "dpkg", "rpm", "apk"}

// binDirs are where a downloaded file becomes a program.
var binDirs = []string{"/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"}

// verifies reports whether a command checks a file's checksum or
// signature: sha256sum -c, gpg --verify, cosign verify-blob, rpm -K, or
// computes a digest to compare (openssl sha512 -r file, sha256sum file
// inside a test).
func verifies(c *dockerfile.Command) bool {
	switch {
	case strings.HasSuffix(c.Name, "sum") || c.Name == "shasum":
		return c.HasFlag("-c", "--check") || c.Within != nil || c.PipeTo != nil
	case c.Name == "rpm":
		return c.HasFlag("-K", "--checksig")
	case c.Name == "gpg" || c.Name == "gpg2":
		return c.HasFlag("--verify")
	case c.Name == "gpgv", c.Name == "sigstore", c.Name == "slsa-verifier":
		return true
	case c.Name == "cosign":
		s := c.Subcommand()
		return strings.HasPrefix(s, "verify")
	case c.Name == "minisign" || c.Name == "signify":
		return c.HasFlag("-V")
	case c.Name == "openssl":
		sub := c.Subcommand()
		return c.HasFlag("-verify") || sub == "dgst" || strings.HasPrefix(sub, "sha") || sub == "md5"
	}
	return false
}

// downloadValued are options of curl and wget whose value is not a URL.
var downloadValued = []string{"-H", "--header", "-u", "--user", "-d", "--data", "--data-binary", "--data-raw", "-X", "--request",
	"-A", "--user-agent", "-e", "--referer", "-F", "--form", "-w", "--write-out", "--retry", "--retry-delay", "-m", "--max-time",
	"--connect-timeout", "-C", "--continue-at", "-r", "--range", "--cacert", "--cert", "--key", "-x", "--proxy", "-T", "--upload-file",
	"-b", "--cookie", "-c", "--cookie-jar", "--resolve", "--limit-rate", "--tries", "-t", "--timeout", "-T", "--header", "--user",
	"--password", "--http-user", "--http-password", "--ca-certificate", "--certificate", "--private-key", "-e", "--execute"}

// downloadTarget returns the file a curl or wget command writes ("" for
// standard output or when the command is not a download).
func downloadTarget(c *dockerfile.Command) (file, url string, ok bool) {
	var out, dir string
	remote := false
	args := c.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case strings.HasPrefix(a, "http://") || strings.HasPrefix(a, "https://") || strings.HasPrefix(a, "ftp://"):
			url = a
		case strings.HasPrefix(a, "$") && url == "":
			url = a // "$url": an operand of curl or wget is a URL
		case slices.Contains(downloadValued, a):
			next()
		case c.Name == "curl" && (a == "-o" || a == "--output"):
			out = next()
		case c.Name == "curl" && (a == "-O" || a == "--remote-name" || a == "--remote-name-all"):
			remote = true
		case c.Name == "curl" && strings.HasPrefix(a, "--output="):
			out = strings.TrimPrefix(a, "--output=")
		case c.Name == "curl" && (a == "--output-dir"):
			dir = next()
		case c.Name == "wget" && (a == "-O" || a == "--output-document"):
			out = next()
		case c.Name == "wget" && strings.HasPrefix(a, "--output-document="):
			out = strings.TrimPrefix(a, "--output-document=")
		case c.Name == "wget" && (a == "-P" || a == "--directory-prefix"):
			dir = next()
		case len(a) > 2 && a[0] == '-' && a[1] != '-':
			// Combined short options: curl -fsSLo FILE, -fsSLO, wget -qO FILE.
			flags := a[1:]
			last := flags[len(flags)-1]
			switch {
			case c.Name == "curl" && last == 'o', c.Name == "wget" && last == 'O':
				out = next()
			case c.Name == "wget" && strings.Contains(flags, "O"):
				out = flags[strings.Index(flags, "O")+1:] // -qO- or -qOfile
			case c.Name == "curl" && strings.ContainsRune(flags, 'O'):
				remote = true
			}
		}
	}
	if url == "" {
		return "", "", false
	}
	switch {
	case out == "-":
		return "", url, true
	case out != "":
		file = out
	case c.Name == "wget" || remote:
		u := strings.SplitN(strings.SplitN(url, "?", 2)[0], "#", 2)[0]
		file = path.Base(u)
	default:
		return "", url, true // curl without -o writes to standard output
	}
	if dir != "" && !strings.HasPrefix(file, "/") {
		file = path.Join(dir, file)
	}
	return file, url, true
}

// sameFile reports whether an operand names the downloaded file.
func sameFile(op, file string) bool {
	op = strings.TrimPrefix(op, "./")
	f := strings.TrimPrefix(file, "./")
	if op == f {
		return true
	}
	if strings.ContainsAny(op, "*?[") {
		if ok, _ := path.Match(path.Base(op), path.Base(f)); ok {
			return true // apt-get install ./*.deb
		}
	}
	if !strings.HasPrefix(op, "/") || !strings.HasPrefix(f, "/") {
		return path.Base(op) == path.Base(f)
	}
	return false
}

var df042 = &Rule{Rule: rule.Rule{
	ID: "DF042", Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Download unpacked, installed or run without a checksum",
	Why: `A file fetched with curl or wget is whatever the server, a mirror or anyone on the path sends that
day. Unpacked, installed into a bin directory or run without checking its checksum or signature,
it becomes part of the image unverified: a compromised release page or a truncated download ships
silently, and two builds of one Dockerfile may differ.`,
	Fix:  "Pin the expected digest and check it in the same RUN before use: `echo \"<sha256>  tool.tar.gz\" | sha256sum -c -`, verify a signature with `gpg --verify`, or use `ADD --checksum=sha256:<digest> <url> <dest>`.",
	Bad:  "FROM debian:12\nRUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl && chmod +x /usr/local/bin/kubectl",
	Good: "FROM debian:12\nRUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl \\\n && echo \"7c3807c0f5c1b30110a2ff1e55da1d112a6d0096201f1beb81b269f582b5d1c5  /usr/local/bin/kubectl\" | sha256sum -c - \\\n && chmod +x /usr/local/bin/kubectl",
}, check: func(p *pass) {
	p.runs(p.f.Stages, func(in *dockerfile.Instruction, s *dockerfile.Script) {
		if slices.ContainsFunc(s.Commands, verifies) {
			return
		}
		for i, c := range s.Commands {
			if c.Name != "curl" && c.Name != "wget" {
				continue
			}
			file, url, ok := downloadTarget(c)
			if !ok {
				continue
			}
			if file == "" {
				if c.PipeTo != nil && slices.Contains(unpackers, c.PipeTo.Name) {
					p.atCmd(c, fmt.Sprintf("%s output is unpacked by %s with no checksum or signature check", c.Name, c.PipeTo.Name))
				}
				continue // piped into a shell is DF033's
			}
			if verifiedLater(in, file) {
				continue
			}
			if dir := path.Dir(file); slices.Contains(binDirs, dir) {
				p.atCmd(c, fmt.Sprintf("%s writes %s into %s with no checksum or signature check", c.Name, path.Base(file), dir))
				continue
			}
			if use := usedAfter(s.Commands[i+1:], file); use != nil {
				p.atCmd(c, fmt.Sprintf("%s downloads %s and %s uses it with no checksum or signature check", c.Name, shortURL(url), use.Name))
			}
		}
	})
}}

// verifiedLater reports whether a later RUN of the stage checks a checksum
// or signature and names file: a stage may download in one RUN and verify
// in the next, before anything leaves it.
func verifiedLater(in *dockerfile.Instruction, file string) bool {
	if in.Stage == nil || in.OnBuild {
		return false
	}
	base := path.Base(file)
	for _, i := range in.Stage.Instructions {
		if i.Line <= in.Line || i.Script == nil || !slices.ContainsFunc(i.Script.Commands, verifies) {
			continue
		}
		for _, c := range i.Script.Commands {
			for _, a := range c.Args {
				if path.Base(a) == base {
					return true
				}
			}
		}
	}
	return false
}

// usedAfter returns the first command that unpacks, installs or runs
// file.
func usedAfter(cmds []*dockerfile.Command, file string) *dockerfile.Command {
	for _, c := range cmds {
		if sameFile(c.Name, file) {
			return c // run directly: /tmp/install.sh
		}
		user := slices.Contains(unpackers, c.Name) || slices.Contains(interpreters, c.Name) ||
			slices.Contains([]string{"chmod", "install", "mv", "cp", "java", "unsquashfs", "apt-get", "apt", "yum", "dnf", "microdnf", "zypper", "pip", "pip3"}, c.Name)
		if !user {
			continue
		}
		for _, a := range c.Args {
			if v, ok := strings.CutPrefix(a, "-f"); ok && v != "" {
				a = v // tar -xzf
			}
			if v, ok := strings.CutPrefix(a, "--file="); ok {
				a = v
			}
			if sameFile(a, file) {
				return c
			}
		}
	}
	return nil
}

// shortURL keeps messages readable.
func shortURL(u string) string {
	if len(u) > 60 {
		return u[:57] + "..."
	}
	return u
}
