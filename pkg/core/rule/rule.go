// Package rule holds what every Bulwark rule is, as data: its stable ID,
// aliases in other tools, default severity, title, why it matters, how to
// fix it, and a bad and a good example. Rule families (Dockerfile, image,
// runtime, registry) pair this data with a check; reports take help text
// from it and docs/rules pages are generated from it.
package rule

import (
	"fmt"
	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

// DocsBase is where rule pages are published; each rule's page is
// DocsBase + ID + ".md", generated from the same data into docs/rules.
const DocsBase = "https://github.com/bulwarksec/bulwark/blob/main/docs/rules/"

// Rule describes one check.
type Rule struct {
	// ID is stable once released: DF### Dockerfile, IMG### image,
	// RT### runtime configuration, REG### registry.
	ID string
	// Aliases are the IDs of equivalent checks in other tools (Hadolint
	// DL####, Dockle CIS-DI-####, Pod Security control names), so users
	// can keep their ignore lists.
	Aliases  []string
	Severity finding.Severity
	Kind     finding.Kind
	Title    string
	// Why explains the risk, in a paragraph.
	Why string
	// Fix says how to resolve a finding, in a sentence or two.
	Fix string
	// Bad must make the rule fire and Good must not; tests check both.
	Bad, Good string
	// Example file name for Bad and Good ("Dockerfile", "pod.yaml").
	ExampleLang string
	References  []string
	// Differences says, where the rule deliberately judges a case unlike
	// the peer rule it aliases, what differs and why.
	Differences string
}

// HelpURI is the rule's documentation page.
func (r *Rule) HelpURI() string { return DocsBase + r.ID + ".md" }

// Markdown renders the rule's docs/rules page.
func (r *Rule) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", r.ID, r.Title)
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Severity | %s |\n| Kind | %s |\n", r.Severity, r.Kind)
	if len(r.Aliases) > 0 {
		fmt.Fprintf(&b, "| Aliases | %s |\n", strings.Join(r.Aliases, ", "))
	}
	fmt.Fprintf(&b, "\n## Why it matters\n\n%s\n", strings.TrimSpace(r.Why))
	lang := r.ExampleLang
	if lang == "" {
		lang = "dockerfile"
	}
	fmt.Fprintf(&b, "\n## Bad\n\n```%s\n%s\n```\n", lang, strings.TrimSpace(r.Bad))
	fmt.Fprintf(&b, "\n## Good\n\n```%s\n%s\n```\n", lang, strings.TrimSpace(r.Good))
	fmt.Fprintf(&b, "\n## How to fix\n\n%s\n", strings.TrimSpace(r.Fix))
	if r.Differences != "" {
		fmt.Fprintf(&b, "\n## Differences from %s\n\n%s\n", peerOf(r.Aliases), strings.TrimSpace(r.Differences))
	}
	if len(r.Aliases) > 0 {
		fmt.Fprintf(&b, "\n## Ignoring\n\n`# bulwark:ignore=%s` on the line above the instruction, or an entry in `.bulwarkignore.yaml`. ", r.ID)
		fmt.Fprintf(&b, "The alias%s %s work%s too, so existing `# hadolint ignore=` comments keep working.\n",
			printable.Plural(len(r.Aliases), "", "es"), "`"+strings.Join(r.Aliases, "`, `")+"`", printable.Plural(len(r.Aliases), "s", ""))
	} else {
		fmt.Fprintf(&b, "\n## Ignoring\n\n`# bulwark:ignore=%s` on the line above the instruction, or an entry in `.bulwarkignore.yaml`.\n", r.ID)
	}
	if len(r.References) > 0 {
		b.WriteString("\n## References\n\n")
		for _, ref := range r.References {
			fmt.Fprintf(&b, "- <%s>\n", ref)
		}
	}
	return b.String()
}

// peerOf names the tool the aliases come from.
func peerOf(aliases []string) string {
	for _, a := range aliases {
		switch {
		case strings.HasPrefix(a, "DL"):
			return "Hadolint"
		case strings.HasPrefix(a, "CIS-DI-"), strings.HasPrefix(a, "DKL-"):
			return "Dockle"
		}
	}
	return "peer tools"
}

// New returns a finding of this rule with its default severity, title,
// fix and references, at loc with message msg. Aliases default to the
// rule's; pass a narrower set where only some apply (DL3006 for a missing
// tag, DL3007 for "latest").
func (r *Rule) New(loc finding.Location, msg string, aliases ...string) finding.Finding {
	if aliases == nil {
		aliases = r.Aliases
	}
	return finding.Finding{
		ID:         r.ID,
		Kind:       r.Kind,
		Severity:   r.Severity,
		Title:      r.Title,
		Message:    msg,
		Location:   loc,
		Fix:        r.Fix,
		References: append([]string{r.HelpURI()}, r.References...),
		Aliases:    append([]string(nil), aliases...),
	}
}

// Index renders a family's index page: one table row per rule.
func Index(title string, rules []*Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nGenerated from the rule data (`make docs`).\n\n| ID | severity | title | aliases |\n| --- | --- | --- | --- |\n", title)
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s | %s |\n", r.ID, r.ID, r.Severity, r.Title, strings.Join(r.Aliases, ", "))
	}
	return b.String()
}

// Pages are a rule family's docs/rules pages: the index (under its file
// name) and one page per rule.
func Pages(indexFile, title string, rules []*Rule, extra string) map[string]string {
	pages := map[string]string{indexFile: Index(title, rules) + extra}
	for _, r := range rules {
		pages[r.ID+".md"] = r.Markdown()
	}
	return pages
}

// SyncPages writes pages into dir when update is set; otherwise it returns
// the files that are missing or differ, for a test to report.
func SyncPages(dir string, pages map[string]string, update bool) ([]string, error) {
	var stale []string
	for name, want := range pages {
		file := filepath.Join(dir, name)
		if update {
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				return nil, err
			}
			continue
		}
		if got, err := os.ReadFile(file); err != nil || string(got) != want {
			stale = append(stale, file)
		}
	}
	sort.Strings(stale)
	return stale, nil
}
