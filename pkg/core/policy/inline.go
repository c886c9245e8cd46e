package policy

import (
	"regexp"
	"strings"
)

// Scope says what an inline ignore comment covers.
type Scope int

const (
	// Next covers the instruction (or manifest entry) below the comment.
	Next Scope = iota
	// File covers the whole file.
	File
)

// Inline is a parsed ignore comment.
type Inline struct {
	IDs   []string
	Scope Scope
}

// inlineRe matches the comment forms Bulwark honours, after the comment
// marker:
//
//	bulwark:ignore=DF001,DF002       the next instruction
//	bulwark:ignore-file=DF036        the whole file
//	hadolint ignore=DL3007,DL3008    the next instruction (Hadolint's form)
//	hadolint global ignore=DL3008    the whole file (Hadolint's form)
var inlineRe = regexp.MustCompile(`^(?i)(bulwark:ignore(-file)?|bulwark\s+(global\s+)?ignore|hadolint\s+(global\s+)?ignore)\s*[=:]\s*([A-Za-z0-9_.:\-]+(\s*,\s*[A-Za-z0-9_.:\-]+)*)`)

// ParseInline reads one comment's text (without the leading '#') and
// returns the ignore it states, if any.
func ParseInline(comment string) (Inline, bool) {
	c := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(comment), "#"))
	m := inlineRe.FindStringSubmatch(c)
	if m == nil {
		return Inline{}, false
	}
	in := Inline{Scope: Next}
	if m[2] != "" || m[3] != "" || m[4] != "" {
		in.Scope = File
	}
	for _, id := range strings.Split(m[5], ",") {
		if id = strings.TrimSpace(id); id != "" {
			in.IDs = append(in.IDs, id)
		}
	}
	return in, len(in.IDs) > 0
}
