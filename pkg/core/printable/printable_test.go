package printable

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode": "plain text, ünïcode",
		"a\nb":                `a\nb`,
		"\x1b[2Jx":            `\x1b[2Jx`,
		"\x1b]0;t\x07":        `\x1b]0;t\a`,
		"bad \xff byte":       `bad \xff byte`,
		"line\u2028sep":       `line\u2028sep`,
		"real \ufffd":         "real \ufffd",
		"\x9b31m":             `\x9b31m`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
