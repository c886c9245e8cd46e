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

func TestText(t *testing.T) {
	in := "Needs  runs /e\x1b]8;;http://evil\x1b\\link\n  a\tb\x1b[2J\n"
	want := "Needs  runs /e\\x1b]8;;http://evil\\x1b\\link\n  a\tb\\x1b[2J\n"
	if got := Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if s := "plain\ttext\n"; Text(s) != s {
		t.Error("plain text changed")
	}
}
