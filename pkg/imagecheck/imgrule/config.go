package imgrule

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/core/secret"
)

var img001 = &Rule{Rule: rule.Rule{
	ID: "IMG001", Aliases: []string{"CIS-DI-0001"}, Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Image runs as root",
	Why: `The image's configured user is root (no USER, "root", "0" or "0:0"), so every container started
from it runs as root unless the orchestrator overrides it. A process running as root in a
container is one kernel or runtime escape away from root on the host, and can rewrite anything in
its filesystem.`,
	Fix:         "Set a non-root user in the Dockerfile's final stage (`USER 10001`), created in the image or numeric; Kubernetes' runAsNonRoot then verifies it.",
	ExampleLang: "json",
	Bad:         `{"config": {"User": ""}}`,
	Good:        `{"config": {"User": "10001"}}`,
}, check: func(p *pass) {
	if !p.isImage() {
		return
	}
	switch u := strings.TrimSpace(p.cfg.User); userName(u) {
	case "", "root", "0":
		what := "no user"
		if u != "" {
			what = fmt.Sprintf("user %q", u)
		}
		p.atConfig("config.User", fmt.Sprintf("the image sets %s, so containers run as root", what))
	}
}}

var img002 = &Rule{Rule: rule.Rule{
	ID: "IMG002", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Configured user or group does not exist in the image",
	Why: `When USER names a user (or group) that /etc/passwd (or /etc/group) does not list, the runtime cannot
resolve it and the container fails to start ("unable to find user"). Numeric IDs need no entry and
always work.`,
	Fix:         "Create the user in the image (`RUN adduser -D -u 10001 app`) or use numeric IDs (`USER 10001:10001`).",
	ExampleLang: "json",
	Bad:         `{"config": {"User": "app"}, "/etc/passwd": "root:x:0:0::/root:/bin/sh"}`,
	Good:        `{"config": {"User": "10001"}}`,
}, check: func(p *pass) {
	if !p.isImage() {
		return
	}
	u := strings.TrimSpace(p.cfg.User)
	name, group, _ := strings.Cut(u, ":")
	numeric := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	if name != "" && !numeric(name) {
		if found, ok := p.listed("etc/passwd", name); !ok {
			p.atConfig("config.User", fmt.Sprintf("user %q is named, but the image has no /etc/passwd to resolve it", name))
		} else if !found {
			p.atConfig("config.User", fmt.Sprintf("user %q is not in /etc/passwd: the container will not start", name))
		}
	}
	if group != "" && !numeric(group) {
		if found, ok := p.listed("etc/group", group); ok && !found {
			p.atConfig("config.User", fmt.Sprintf("group %q is not in /etc/group: the container will not start", group))
		} else if !ok {
			p.atConfig("config.User", fmt.Sprintf("group %q is named, but the image has no /etc/group to resolve it", group))
		}
	}
}}

var img003 = &Rule{Rule: rule.Rule{
	ID: "IMG003", Aliases: []string{"CIS-DI-0006"}, Severity: finding.Info, Kind: finding.KindMisconfiguration,
	Title: "No HEALTHCHECK in the image",
	Why: `Without a health check Docker and Compose only know whether the process runs, not whether it
works. Kubernetes ignores HEALTHCHECK in favour of its probes; there, declare probes instead.`,
	Fix:         "Add `HEALTHCHECK CMD [...]` to the Dockerfile, or `HEALTHCHECK NONE` to record that health is checked elsewhere.",
	ExampleLang: "json",
	Bad:         `{"config": {}}`,
	Good:        `{"config": {"Healthcheck": {"Test": ["CMD", "/app", "health"]}}}`,
}, check: func(p *pass) {
	if p.isImage() && p.cfg.Healthcheck == nil {
		p.atConfig("config.Healthcheck", "the image has no HEALTHCHECK")
	}
}}

// envInConfig reports whether a history entry is an ENV instruction whose
// settings the configuration still holds.
func envInConfig(createdBy string, env []string) bool {
	_, rest, ok := strings.Cut(createdBy, "#(nop) ")
	if !ok {
		rest = strings.TrimSuffix(strings.TrimSpace(createdBy), "# buildkit")
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "ENV ") {
		return false
	}
	for _, kv := range strings.Fields(strings.TrimPrefix(rest, "ENV ")) {
		if !slices.Contains(env, kv) {
			return false
		}
	}
	return true
}

var img013 = &Rule{Rule: rule.Rule{
	ID: "IMG013", Aliases: []string{"CIS-DI-0010"}, Severity: finding.High, Kind: finding.KindSecret,
	Title: "Secret in the image's environment, labels or build history",
	Why: `ENV values and labels are stored in the image configuration, and the build history keeps every
RUN command and the ARG values they saw: anyone who can pull the image reads them with "docker
inspect" or "docker history". Known key formats are reported as critical.`,
	Fix:         "Rebuild without the secret: pass it with `RUN --mount=type=secret`, and at run time through the orchestrator's secrets; then rotate the leaked secret.",
	ExampleLang: "json",
	Bad:         `{"config": {"Env": ["DB_PASSWORD=hunter2hunter2"]}}`,
	Good:        `{"config": {"Env": ["DB_PASSWORD_FILE=/run/secrets/db"]}}`,
}, check: func(p *pass) {
	if !p.isImage() {
		return
	}
	report := func(field, where, key, val string) {
		if f, m, ok := secret.Find(val); ok {
			x := p.atConfig(field, fmt.Sprintf("%s %s holds %s (%s)", where, key, f.Name, secret.Mask(m)))
			x.Severity = finding.Critical
			return
		}
		if key != "" && secret.Name(key) && val != "" && !strings.HasPrefix(val, "$") {
			p.atConfig(field, fmt.Sprintf("%s %s has a literal value (%s)", where, key, secret.Mask(val)))
		}
	}
	for i, e := range p.cfg.Env {
		k, v, _ := strings.Cut(e, "=")
		report(fmt.Sprintf("config.Env[%d]", i), "ENV", k, v)
	}
	keys := make([]string, 0, len(p.cfg.Labels))
	for k := range p.cfg.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		report("config.Labels."+k, "label", k, p.cfg.Labels[k])
	}
	if p.in.Config != nil {
		for i, h := range p.in.Config.History {
			if envInConfig(h.CreatedBy, p.cfg.Env) {
				continue // reported above, from the configuration itself
			}
			if f, m, ok := secret.Find(h.CreatedBy); ok {
				x := p.atConfig(fmt.Sprintf("history[%d].created_by", i), fmt.Sprintf("the build history keeps %s (%s)", f.Name, secret.Mask(m)))
				x.Severity = finding.Critical
				continue
			}
			// BuildKit records build arguments as "|N KEY=value ... /bin/sh -c".
			for _, w := range strings.Fields(h.CreatedBy) {
				k, v, ok := strings.Cut(w, "=")
				if ok && secret.Name(k) && v != "" && !strings.HasPrefix(v, "$") {
					p.atConfig(fmt.Sprintf("history[%d].created_by", i), fmt.Sprintf("the build history keeps the value of %s (%s)", k, secret.Mask(v)))
					break
				}
			}
		}
	}
}}

var img040 = &Rule{Rule: rule.Rule{
	ID: "IMG040", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Base distribution is end-of-life",
	Why: `After its end-of-life date a distribution release gets no more security fixes: vulnerabilities found
later stay in the image for good, and scanners may stop reporting them. The dates come from
endoflife.date (pkg/core/eol/eol.yaml).`,
	Fix:         "Rebuild on a supported release of the distribution (see `bulwark base IMAGE`).",
	ExampleLang: "text",
	Bad:         "an image whose /etc/os-release says Alpine 3.16",
	Good:        "an image whose /etc/os-release says Alpine 3.22",
}, check: func(p *pass) {
	os := p.in.Inventory.OS
	if os == nil || os.ID == "" {
		return
	}
	if c, ok := eolLookup(os.ID, os.Version); ok && c.Ended(p.opts.Now) {
		p.atFile("etc/os-release", -1, fmt.Sprintf("%s %s reached end of life on %s; it gets no more security fixes", os.ID, c.Version, c.EOL.Format("2006-01-02")))
	}
}}

var img041 = &Rule{Rule: rule.Rule{
	ID: "IMG041", Severity: finding.Info, Kind: finding.KindMisconfiguration,
	Title: "Image does not record a pinned base",
	Why: `The OCI annotations org.opencontainers.image.base.name and base.digest say which base an image was
built on. Without them, or with a base named by a moving tag such as "latest", nobody can tell
later which base the image has or whether it needs a rebuild when the base is fixed.`,
	Fix:         "Build with BuildKit and pin the base by digest in FROM; record the base with `--annotation org.opencontainers.image.base.name=...` and `base.digest=...` (docker buildx does with provenance).",
	ExampleLang: "json",
	Bad:         `{"annotations": {}}`,
	Good:        `{"annotations": {"org.opencontainers.image.base.name": "docker.io/library/alpine:3.22", "org.opencontainers.image.base.digest": "sha256:..."}}`,
}, check: func(p *pass) {
	if !p.isImage() {
		return
	}
	name := p.in.Annotations["org.opencontainers.image.base.name"]
	digest := p.in.Annotations["org.opencontainers.image.base.digest"]
	switch {
	case name == "" && digest == "":
		p.atConfig("manifest.annotations", "the image does not record its base (org.opencontainers.image.base.name and base.digest annotations)")
	case strings.HasSuffix(name, ":latest") || (name != "" && !strings.Contains(strings.TrimPrefix(name, strings.SplitN(name, "/", 2)[0]), ":") && !strings.Contains(name, "@")):
		p.atConfig("manifest.annotations", fmt.Sprintf("the base %s is named by a moving tag", name))
	case digest == "" && !strings.Contains(name, "@"):
		p.atConfig("manifest.annotations", fmt.Sprintf("the base %s is recorded without its digest", name))
	}
}}
