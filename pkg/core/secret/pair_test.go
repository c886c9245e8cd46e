package secret

import (
	"strings"
	"testing"
)

// TestRedactAWSPair: beside an access key ID, the secret key is masked
// whatever names it, or nothing does (found in review: the history line
// "--key AKIA... --secret wJal..." printed the secret in clear).
func TestRedactAWSPair(t *testing.T) {
	const id, key = "AKIAQ3EGRNRTY7WB4Z5P", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLQ9k"
	for _, s := range []string{
		"RUN deploy --key " + id + " --secret " + key,
		"RUN echo " + id + ":" + key,
		`{"AccessKeyId":"` + id + `","SecretAccessKey":"` + key + `"}`,
		"RUN x " + id + " " + key + " " + key,
	} {
		got := Redact(s)
		if strings.Contains(got, key) || strings.Contains(got, id) {
			t.Errorf("Redact(%q) = %q: in clear", s, got)
		}
	}
	// Without an ID a 40-character word is left alone (a git hash is 40 hex).
	if s := "RUN git checkout 0123456789abcdef0123456789abcdef01234567"; Redact(s) != s {
		t.Errorf("Redact(%q) = %q", s, Redact(s))
	}
}
