// Package printable makes text from images and files safe to show: in a
// terminal, where escape sequences clear the screen, move the cursor or
// set the title, and in line-based outputs (comments in generated files),
// where a newline would start a line the text's author chose.
package printable

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with control characters (line and paragraph
// separators too) written as Go escapes, and bytes that are not UTF-8 as
// \xNN; s itself when it has none.
func Escape(s string) string {
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case unsafe(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		s = s[size:]
	}
	return b.String()
}

// unsafe reports runes a terminal or a line-based format would obey; the
// replacement character stands for bytes that are not UTF-8 (a real
// U+FFFD is written back as itself).
func unsafe(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// Plural is one when n is 1 and many otherwise: "1 finding", "2 findings".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Text is Escape for a whole rendered text: each line is escaped, the
// newlines and tabs that lay it out are kept. For writers that format
// many fields from an image at once.
func Text(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unsafe(r) }) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cells := strings.Split(l, "\t")
		for j, c := range cells {
			cells[j] = Escape(c)
		}
		lines[i] = strings.Join(cells, "\t")
	}
	return strings.Join(lines, "\n")
}
