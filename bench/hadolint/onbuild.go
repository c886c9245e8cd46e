package hadolint

import (
	"regexp"
	"strings"
)

var (
	escapeDirective = regexp.MustCompile(`(?i)^#\s*escape\s*=\s*(\S)\s*$`)
	heredocStart    = regexp.MustCompile(`<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)["']?`)
	runKeyword      = regexp.MustCompile(`(?i)^([ \t]*)(run)([ \t]|$)`)
)

// wrapOnBuild rewrites every RUN instruction of src as ONBUILD RUN, as
// assertOnBuildChecks in Hadolint's test/Helpers.hs does on the parsed
// instructions. It works on text so that Bulwark's own parser sees the
// ONBUILD form: only lines that start an instruction are touched, never a
// continuation line or a heredoc body.
func wrapOnBuild(src string) string {
	lines := strings.SplitAfter(src, "\n")
	escape := `\`
	directives := true
	continued := false
	var heredocs []string // terminators still to come, in order
	var trimTabs []bool
	var b strings.Builder
	for _, line := range lines {
		text := strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(text)
		switch {
		case len(heredocs) > 0:
			body := text
			if trimTabs[0] {
				body = strings.TrimLeft(body, "\t")
			}
			if body == heredocs[0] {
				heredocs, trimTabs = heredocs[1:], trimTabs[1:]
			}
			b.WriteString(line)
			continue
		case directives && strings.HasPrefix(trimmed, "#"):
			if m := escapeDirective.FindStringSubmatch(trimmed); m != nil {
				escape = m[1]
			}
			b.WriteString(line)
			continue
		}
		directives = false
		if continued && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			b.WriteString(line)
			continue
		}
		start := !continued && trimmed != "" && !strings.HasPrefix(trimmed, "#")
		if start {
			if m := runKeyword.FindStringSubmatchIndex(text); m != nil {
				line = line[:m[4]] + "ONBUILD " + line[m[4]:]
			}
			for _, h := range heredocStart.FindAllStringSubmatch(text, -1) {
				heredocs = append(heredocs, h[3])
				trimTabs = append(trimTabs, h[1] == "-")
			}
		}
		if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			continued = strings.HasSuffix(strings.TrimRight(text, " \t"), escape)
		}
		b.WriteString(line)
	}
	return b.String()
}
