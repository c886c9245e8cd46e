package imgrule

import (
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

// Incomplete is IMG050. It runs with the vulnerability check, not with the
// image rules: it says what that check could not see, so a gate on
// vulnerabilities fails closed on a package database read only in part.
var Incomplete = img050

var img050 = &Rule{Rule: rule.Rule{
	ID: "IMG050", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Package database read only in part",
	Why: `A package database or lockfile with entries Bulwark could not read (a stanza without a version,
a field of the wrong type, a file over the size limit) is read entry by entry: every entry that
could be read is listed and matched, and the rest are named in warnings. The packages in what was
skipped are unknown, so no finding about them can be trusted to be complete: this finding makes a
vulnerability gate fail instead of passing on what it could not check. Ignore it (by ID and path)
once the file has been looked at.`,
	Fix:         "Repair or regenerate the file (the warnings name each skipped entry and its line), or ignore the finding for that path after checking it by hand.",
	ExampleLang: "text",
	Bad:         "/lib/apk/db/installed whose first stanza has no V: line",
	Good:        "/lib/apk/db/installed as apk writes it",
}, withVulns: true, check: func(p *pass) {
	for _, part := range p.in.Partial {
		problems := part.Problems
		more := ""
		if len(problems) > 3 {
			problems, more = problems[:3], fmt.Sprintf("; and %d more", len(part.Problems)-3)
		}
		p.atFile(part.Path, part.Layer, fmt.Sprintf("the %s cataloger could read this file only in part (%d %s: %s%s): packages in what was skipped are not checked for vulnerabilities",
			part.Cataloger, len(part.Problems), printable.Plural(len(part.Problems), "problem", "problems"), strings.Join(problems, "; "), more))
	}
}}
