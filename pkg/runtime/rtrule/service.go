package rtrule

import (
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

func composeRule(r rule.Rule, check func(*servicePass)) *Rule {
	r.Kind, r.ExampleLang = finding.KindMisconfiguration, "yaml"
	return &Rule{Rule: r, service: check}
}

var serviceRules = []*Rule{
	composeRule(rule.Rule{ID: "RT040", Severity: finding.High, Aliases: []string{"hostNetworkSet", "hostPIDSet", "hostIPCSet"},
		Title: "Compose service shares the host's network, PID or IPC namespace",
		Why:   "network_mode: host, pid: host and ipc: host put the container in the host's namespaces: it sees the host's connections, processes or shared memory (the Compose form of RT001).",
		Fix:   "Remove network_mode: host, pid: host and ipc: host; publish ports instead.",
		Bad:   "services:\n  web:\n    image: web:1\n    network_mode: host",
		Good:  "services:\n  web:\n    image: web:1\n    ports: [\"8080:8080\"]"},
		func(p *servicePass) {
			for _, f := range []struct{ key, val string }{{"network_mode", p.s.NetworkMode}, {"pid", p.s.Pid}, {"ipc", p.s.Ipc}} {
				if f.val == "host" {
					p.at(f.key, fmt.Sprintf("%s: host shares the host's namespace", f.key))
				}
			}
		}),
	composeRule(rule.Rule{ID: "RT041", Severity: finding.Critical, Aliases: []string{"runAsPrivileged"},
		Title: "Privileged Compose service",
		Why:   "privileged: true gives the container every capability and device of the host: root on the host (the Compose form of RT002).",
		Fix:   "Remove privileged; add only the capabilities the process needs.",
		Bad:   "services:\n  web:\n    image: web:1\n    privileged: true",
		Good:  "services:\n  web:\n    image: web:1"},
		func(p *servicePass) {
			if p.s.Privileged {
				p.at("privileged", "privileged: true")
			}
		}),
	composeRule(rule.Rule{ID: "RT042", Severity: finding.High, Aliases: []string{"insecureCapabilities", "dangerousCapabilities"},
		Title: "Compose service adds capabilities",
		Why:   "cap_add gives the container kernel powers beyond the default set; only NET_BIND_SERVICE (to bind a port below 1024) is harmless.",
		Fix:   "Remove cap_add, or keep only NET_BIND_SERVICE.",
		Bad:   "services:\n  web:\n    image: web:1\n    cap_add: [SYS_ADMIN]",
		Good:  "services:\n  web:\n    image: web:1\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE]"},
		func(p *servicePass) {
			var bad []string
			for _, c := range p.s.CapAdd {
				if n := capName(c); n != "NET_BIND_SERVICE" {
					bad = append(bad, n)
				}
			}
			if len(bad) > 0 {
				p.at("cap_add", "cap_add adds "+strings.Join(bad, ", "))
				if containsFold(bad, "ALL") || containsFold(bad, "SYS_ADMIN") {
					p.out[len(p.out)-1].Severity = finding.Critical
				}
			}
		}),
	composeRule(rule.Rule{ID: "RT043", Severity: finding.Medium,
		Title: "Compose service does not drop all capabilities",
		Why:   "Docker starts containers with 14 capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW ...); most programs need none of them. cap_drop: [ALL] removes them (the Compose form of RT025).",
		Fix:   "Add cap_drop: [ALL], and cap_add only what is needed.",
		Bad:   "services:\n  web:\n    image: web:1",
		Good:  "services:\n  web:\n    image: web:1\n    cap_drop: [ALL]"},
		func(p *servicePass) {
			if !containsFold(capNames(p.s.CapDrop), "ALL") {
				p.at("cap_drop", "capabilities are not dropped (cap_drop: [ALL])")
			}
		}),
	composeRule(rule.Rule{ID: "RT044", Severity: finding.Medium, Aliases: []string{"notReadOnlyRootFilesystem"},
		Title: "Compose service with a writable root filesystem",
		Why:   "read_only: true makes the image's filesystem read-only, so an intruder cannot change binaries or drop tools (the Compose form of RT030); tmpfs mounts give the program the paths it writes.",
		Fix:   "Set read_only: true and add tmpfs mounts where the program writes (/tmp).",
		Bad:   "services:\n  web:\n    image: web:1",
		Good:  "services:\n  web:\n    image: web:1\n    read_only: true\n    tmpfs: [/tmp]"},
		func(p *servicePass) {
			if !p.s.ReadOnly {
				p.at("read_only", "the root filesystem is writable (read_only: true is not set)")
			}
		}),
	composeRule(rule.Rule{ID: "RT045", Severity: finding.Medium, Aliases: []string{"runAsRootAllowed"},
		Title: "Compose service runs as root",
		Why:   "Without user, the container runs as the image's USER, which is root unless the image sets another; user: root or 0 says so outright. A process that runs as root in a container is one kernel bug away from root on the host.",
		Fix:   "Set user: to a non-zero UID:GID (`bulwark harden IMAGE --format compose` finds the image's own).",
		Bad:   "services:\n  web:\n    image: web:1\n    user: root",
		Good:  "services:\n  web:\n    image: web:1\n    user: \"10001:10001\""},
		func(p *servicePass) {
			u := strings.TrimSpace(p.s.User)
			name, _, _ := strings.Cut(u, ":")
			switch {
			case u == "":
				p.at("user", "no user: it runs as the image's USER, root unless the image sets one")
			case name == "root" || name == "0":
				p.at("user", fmt.Sprintf("user %q is root", u))
			}
		}),
	composeRule(rule.Rule{ID: "RT046", Severity: finding.Medium, Aliases: []string{"privilegeEscalationAllowed"},
		Title: "Compose service allows privilege escalation",
		Why:   "security_opt: [no-new-privileges:true] stops processes from gaining privileges through setuid binaries or file capabilities (the Compose form of RT021).",
		Fix:   "Add security_opt: [\"no-new-privileges:true\"].",
		Bad:   "services:\n  web:\n    image: web:1",
		Good:  "services:\n  web:\n    image: web:1\n    security_opt: [\"no-new-privileges:true\"]"},
		func(p *servicePass) {
			for _, o := range p.s.SecurityOpt {
				o = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(o)), "=", ":")
				if o == "no-new-privileges" || o == "no-new-privileges:true" {
					return
				}
			}
			p.at("security_opt", "no-new-privileges:true is not set")
		}),
	composeRule(rule.Rule{ID: "RT047", Severity: finding.High,
		Title: "Compose service turns off seccomp, AppArmor or SELinux",
		Why:   "security_opt entries seccomp:unconfined, apparmor:unconfined and label:disable remove the kernel filters and mandatory access control that contain a compromised process (the Compose form of RT006, RT007 and RT009).",
		Fix:   "Remove those security_opt entries; use a custom profile if the default one blocks something needed.",
		Bad:   "services:\n  web:\n    image: web:1\n    security_opt: [\"seccomp:unconfined\"]",
		Good:  "services:\n  web:\n    image: web:1\n    security_opt: [\"no-new-privileges:true\"]"},
		func(p *servicePass) {
			for _, o := range p.s.SecurityOpt {
				norm := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(o)), "=", ":")
				if norm == "seccomp:unconfined" || norm == "apparmor:unconfined" || norm == "label:disable" || norm == "label:type:spc_t" {
					p.at("security_opt", fmt.Sprintf("security_opt %s turns off a kernel protection", o))
				}
			}
		}),
}

// capName normalises a capability name as Docker accepts it ("cap_sys_admin").
func capName(c string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c)), "CAP_")
}

func capNames(cs []string) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = capName(c)
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
