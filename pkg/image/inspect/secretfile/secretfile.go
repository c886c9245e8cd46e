// Package secretfile finds secrets left in an image's files: private keys,
// cloud and registry credentials, package-manager tokens, .env files and
// shell histories. Only a short, masked excerpt is kept.
package secretfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/secret"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
)

// Name is the inspector's name.
const Name = "secret"

// maxSize skips large files: credentials are small.
const maxSize = 1 << 20

// Fact keys.
const (
	KeyWhat    = "what"
	KeyExcerpt = "excerpt"
)

type inspector struct{}

// New returns the secret file inspector.
func New() imagefs.Inspector { return inspector{} }

func (inspector) Name() string { return Name }
func (inspector) Version() int { return 2 }

var keyNames = map[string]bool{"id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true}

var histories = map[string]bool{".bash_history": true, ".ash_history": true, ".zsh_history": true, ".sh_history": true, ".python_history": true, ".mysql_history": true, ".psql_history": true}

func (inspector) Wants(p string, size int64, mode fs.FileMode) bool {
	if !mode.IsRegular() || size == 0 || size > maxSize {
		return false
	}
	dir, base := path.Split(p)
	switch {
	case keyNames[base], histories[base]:
		return true
	case base == ".git-credentials", base == ".npmrc", base == ".pypirc", base == ".netrc":
		return true
	case base == ".env" || strings.HasPrefix(base, ".env."):
		return true
	case base == "credentials" && strings.HasSuffix(dir, ".aws/"):
		return true
	case base == "config.json" && strings.HasSuffix(dir, ".docker/"):
		return true
	case strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key"):
		// Certificates are public; ssl/certs holds only those.
		return !strings.Contains(dir, "/certs/") && !strings.HasPrefix(dir, "usr/share/ca-certificates")
	}
	return size <= maxContentSize && appFile(dir, base)
}

// maxContentSize bounds the application files read for token formats.
const maxContentSize = 256 << 10

// appExts are the source and configuration files an application keeps a
// token in by mistake (config.py, settings.json, application.yml ...).
var appExts = map[string]bool{".py": true, ".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".json": true, ".yaml": true, ".yml": true,
	".toml": true, ".ini": true, ".cfg": true, ".conf": true, ".properties": true, ".xml": true, ".sh": true, ".rb": true,
	".php": true, ".go": true, ".java": true, ".env": true, ".txt": true, ".tf": true, ".tfvars": true}

// appFile reports whether a file is the application's own source or
// configuration, read by content for known token formats (as Trivy's
// secret scanner reads files): not the distribution's (usr/, lib/, ...),
// and not third-party packages, whose test fixtures are full of fake
// tokens.
func appFile(dir, base string) bool {
	if !appExts[path.Ext(base)] {
		return false
	}
	for _, sys := range []string{"usr/", "lib/", "lib64/", "bin/", "sbin/", "var/lib/", "var/cache/", "etc/ssl/", "proc/", "sys/"} {
		if strings.HasPrefix(dir, sys) {
			return false
		}
	}
	for _, vendored := range []string{"node_modules/", "site-packages/", "dist-packages/", "vendor/", ".git/", "__pycache__/"} {
		if strings.HasPrefix(dir, vendored) || strings.Contains(dir, "/"+vendored) {
			return false
		}
	}
	return true
}

var urlCreds = regexp.MustCompile(`://[^/\s:@]+:[^/\s@]+@`)

func fact(what, excerpt string) []imagefs.Fact {
	return []imagefs.Fact{{Kind: Name, Data: map[string]string{KeyWhat: what, KeyExcerpt: secret.Mask(excerpt)}}}
}

func (inspector) Inspect(p string, _ fs.FileMode, content []byte) ([]imagefs.Fact, error) {
	dir, base := path.Split(p)
	text := string(content)
	// A known token format anywhere in these files is a secret.
	if f, m, ok := secret.Find(text); ok {
		return fact(f.Name, m), nil
	}
	switch {
	case histories[base]:
		return fact("a shell history (commands, often with passwords in them)", strings.TrimSpace(firstLine(text))), nil
	case base == ".git-credentials":
		if m := urlCreds.FindString(text); m != "" {
			return fact("Git credentials", m), nil
		}
	case base == ".npmrc":
		if v := valueOf(text, "_authToken", "_auth", "_password"); v != "" {
			return fact("an npm registry token", v), nil
		}
	case base == ".pypirc":
		if v := valueOf(text, "password"); v != "" {
			return fact("a PyPI password", v), nil
		}
	case base == ".netrc":
		if v := valueOf(text, "password"); v != "" {
			return fact("a .netrc password", v), nil
		}
	case base == "credentials" && strings.HasSuffix(dir, ".aws/"):
		if v := valueOf(text, "aws_secret_access_key"); v != "" {
			return fact("an AWS secret access key", v), nil
		}
	case base == "config.json":
		var cfg struct {
			Auths map[string]struct {
				Auth          string `json:"auth"`
				IdentityToken string `json:"identitytoken"`
			} `json:"auths"`
		}
		if json.Unmarshal(content, &cfg) == nil {
			for _, reg := range slices.Sorted(maps.Keys(cfg.Auths)) {
				if a := cfg.Auths[reg]; a.Auth != "" || a.IdentityToken != "" {
					return fact("Docker registry credentials for "+reg, a.Auth+a.IdentityToken), nil
				}
			}
		}
	case base == ".env" || strings.HasPrefix(base, ".env."):
		if k, v := envSecret(text); k != "" {
			return fact(".env value of "+k, v), nil
		}
	}
	return nil, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// valueOf finds "key = value" or "key: value" or "key value" (netrc),
// and returns a non-empty value.
func valueOf(text string, keys ...string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		for _, k := range keys {
			i := strings.Index(l, k)
			if i < 0 || (i+len(k) < len(l) && !strings.ContainsRune(" \t=:\"'", rune(l[i+len(k)]))) {
				continue // another key that starts the same ("_auth" in "_authToken")
			}
			fields := strings.Fields(strings.TrimLeft(l[i+len(k):], " \t=:\"'"))
			if len(fields) == 0 {
				continue // the key with no value
			}
			rest := strings.Trim(fields[0], `"'`)
			if rest != "" && !strings.HasPrefix(rest, "$") {
				return rest
			}
		}
	}
	return ""
}

// envSecret finds a secret-named key with a literal value in a .env file.
func envSecret(text string) (string, string) {
	sc := bufio.NewScanner(bytes.NewReader([]byte(text)))
	for sc.Scan() {
		l := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export "))
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if secret.Name(strings.TrimSpace(k)) && v != "" && !strings.HasPrefix(v, "$") && !strings.EqualFold(v, "changeme") {
			return strings.TrimSpace(k), v
		}
	}
	return "", ""
}
