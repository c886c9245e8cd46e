package imgrule

import (
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

var img014 = &Rule{Rule: rule.Rule{
	ID: "IMG014", Aliases: []string{"DKL-LI-0001"}, Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Account with an empty password",
	Why: `An empty password field in /etc/shadow (or in /etc/passwd, where there is no shadow entry) lets anyone
log in as that account, or su to it, without a password: one process that can reach a login service
or run su is enough. Locked accounts have "!" or "*" there.`,
	Fix:         "Lock the account (`passwd -l NAME`, or `*` in the password field) or delete it.",
	ExampleLang: "text",
	Bad:         "/etc/shadow: app::19000:0:99999:7:::",
	Good:        "/etc/shadow: app:!:19000:0:99999:7:::",
}, check: func(p *pass) {
	shadowed := map[string]bool{}
	if b, ok := p.in.View.Raw("etc/shadow"); ok {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Split(l, ":")
			if len(f) < 2 || f[0] == "" {
				continue
			}
			shadowed[f[0]] = true
			if f[1] == "" {
				p.atFile("etc/shadow", -1, fmt.Sprintf("account %q has an empty password in /etc/shadow", f[0]))
			}
		}
	}
	if b, ok := p.in.View.Raw("etc/passwd"); ok {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Split(l, ":")
			if len(f) >= 2 && f[0] != "" && f[1] == "" && !shadowed[f[0]] {
				p.atFile("etc/passwd", -1, fmt.Sprintf("account %q has an empty password in /etc/passwd", f[0]))
			}
		}
	}
}}

var img015 = &Rule{Rule: rule.Rule{
	ID: "IMG015", Aliases: []string{"DKL-LI-0002"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Two accounts or groups share an ID",
	Why: `Users and groups are told apart by number: two names with one UID (or GID) are the same account to the
kernel, so files, permissions and audit logs of one are the other's. It is almost always a copy-and-paste
mistake in a Dockerfile's useradd.`,
	Fix:         "Give each account its own UID and each group its own GID.",
	ExampleLang: "text",
	Bad:         "/etc/passwd:\nroot:x:0:0:root:/root:/bin/sh\ntoor:x:0:0:root:/root:/bin/sh",
	Good:        "/etc/passwd:\nroot:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/sbin/nologin",
}, check: func(p *pass) {
	for _, file := range []string{"etc/passwd", "etc/group"} {
		b, ok := p.in.View.Raw(file)
		if !ok {
			continue
		}
		idField := 2
		first := map[string]string{}
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Split(l, ":")
			if len(f) <= idField || f[0] == "" || strings.HasPrefix(f[0], "#") {
				continue
			}
			id := f[idField]
			if other, dup := first[id]; dup {
				p.atFile(file, -1, fmt.Sprintf("%s and %s share ID %s in /%s", other, f[0], id, file))
				continue
			}
			first[id] = f[0]
		}
	}
}}
