// Package secret recognises secrets: token formats that are secrets
// wherever they appear (AWS keys, GitHub and GitLab tokens, private keys
// ...) and variable names that say they hold one. The Dockerfile rules and
// the image rules share it, so a secret is a secret everywhere.
package secret

import (
	"regexp"
	"slices"
	"strings"
)

// Format is a token format that is a secret whatever it is called.
type Format struct {
	// Name says what it is, with its article ("an AWS access key ID").
	Name string
	re   *regexp.Regexp
	// hints are substrings one of which every match holds: most text
	// holds none, and skips the expression (secrets are looked for in
	// every report string and every application file).
	hints []string
}

// in reports whether s may hold the format.
func (f Format) in(s string) bool {
	for _, h := range f.hints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// Formats are the known token formats.
var Formats = []Format{
	{"an AWS access key ID", regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), []string{"AKIA", "ASIA"}},
	// A secret access key is 40 characters of base64 with nothing to mark
	// it but the name it is given: only that pairing is a secret here.
	{"an AWS secret access key", regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[:=\s]\s*["']?[A-Za-z0-9/+]{40}\b`), []string{"ecret", "ECRET"}},
	{"a GitHub token", regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`), []string{"gh", "github_pat_"}},
	{"a GitLab token", regexp.MustCompile(`\bglpat-[0-9A-Za-z_\-]{20,}\b`), []string{"glpat-"}},
	{"a Slack token", regexp.MustCompile(`\bxox[baprs]-[0-9A-Za-z-]{10,}`), []string{"xox"}},
	{"a Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`), []string{"AIza"}},
	{"a Stripe secret key", regexp.MustCompile(`\b[sr]k_live_[0-9a-zA-Z]{20,}\b`), []string{"k_live_"}},
	{"an npm token", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`), []string{"npm_"}},
	{"a private key", regexp.MustCompile(`-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----`), []string{"PRIVATE KEY"}},
}

// Find returns the first known secret format in s and the matching text.
func Find(s string) (Format, string, bool) {
	for _, f := range Formats {
		if !f.in(s) {
			continue
		}
		if m := f.re.FindString(s); m != "" {
			return f, m, true
		}
	}
	return Format{}, "", false
}

// words mark a variable name as holding a secret; suffixes that describe
// where a secret is, not the secret, clear it.
var (
	words   = []string{"PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIALS", "CREDENTIAL", "PASSPHRASE", "PRIVATEKEY"}
	pairs   = [][2]string{{"API", "KEY"}, {"PRIVATE", "KEY"}, {"ACCESS", "KEY"}, {"SECRET", "KEY"}, {"AUTH", "KEY"}, {"CLIENT", "SECRET"}, {"ENCRYPTION", "KEY"}, {"SIGNING", "KEY"}}
	clears  = []string{"FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "NAME", "USER", "USERNAME", "ID", "TYPE", "LENGTH", "SIZE", "ENDPOINT", "HEADER", "ENABLED", "REQUIRED", "VERSION", "EXPIRY", "TTL", "MODE", "LOCATION", "ARN", "REF"}
	splitRe = regexp.MustCompile(`[^A-Za-z0-9]+|([a-z])([A-Z])`)
)

// Name reports whether a variable name says it holds a secret
// (DB_PASSWORD, apiKey, GITHUB_TOKEN), not where one is (PASSWORD_FILE).
func Name(name string) bool {
	if name == "PWD" || name == "OLDPWD" {
		return false // the shell's working directory
	}
	ws := strings.Split(strings.ToUpper(splitRe.ReplaceAllString(name, "${1}_${2}")), "_")
	ws = slices.DeleteFunc(ws, func(s string) bool { return s == "" })
	if len(ws) == 0 || slices.Contains(clears, ws[len(ws)-1]) {
		return false
	}
	for i, w := range ws {
		if slices.Contains(words, w) {
			return true
		}
		for _, pr := range pairs {
			if w == pr[0] && i+1 < len(ws) && ws[i+1] == pr[1] {
				return true
			}
		}
	}
	return false
}

// awsSecretWord is a 40-character word of an AWS secret key's alphabet,
// with what bounds it (Go's expressions have no lookaround).
var awsSecretWord = regexp.MustCompile(`(^|[^A-Za-z0-9/+=])[A-Za-z0-9/+]{40}($|[^A-Za-z0-9/+=])`)

const awsSecretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"

// assignment is NAME=value, the value quoted or not.
var assignment = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|[^\s"';|&]+)`)

// Redact masks every secret in s: each known token format, and the value
// of each NAME=value whose name says it holds a secret. It is what every
// printed value that comes from an image goes through (build history
// above all), so a secret is shown nowhere but as a masked excerpt.
func Redact(s string) string {
	// Beside an access key ID, a bare 40-character base64 word is its
	// secret key ("--key AKIA... --secret wJal..."), whatever it is called:
	// masking one that was not costs nothing.
	pair := Formats[0].in(s) && Formats[0].re.MatchString(s)
	for _, f := range Formats {
		if f.in(s) {
			s = f.re.ReplaceAllStringFunc(s, Mask)
		}
	}
	if pair {
		mask := func(m string) string {
			i := strings.IndexAny(m, awsSecretChars)
			j := strings.LastIndexAny(m, awsSecretChars)
			return m[:i] + Mask(m[i:j+1]) + m[j+1:]
		}
		// Twice: two words one character apart share the character
		// that bounds them, and a match takes it from the next.
		s = awsSecretWord.ReplaceAllStringFunc(awsSecretWord.ReplaceAllStringFunc(s, mask), mask)
	}
	if !strings.Contains(s, "=") {
		return s
	}
	return assignment.ReplaceAllStringFunc(s, func(m string) string {
		k, v, _ := strings.Cut(m, "=")
		raw := strings.Trim(v, `"'`)
		if !Name(k) || raw == "" || strings.HasPrefix(raw, "$") || strings.Contains(raw, "****") {
			return m
		}
		return k + "=" + Mask(raw)
	})
}

// Mask shows the start of a secret and hides the rest: only a short,
// masked excerpt is ever printed.
func Mask(s string) string {
	if len(s) <= 8 {
		return "****"
	}
	return s[:4] + strings.Repeat("*", 8)
}
