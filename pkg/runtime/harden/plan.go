package harden

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NonRootID is the UID and GID given to images that run as root: high
// enough not to collide with system accounts or a host's users.
const NonRootID = 10001

// Grant is a capability added back, and why.
type Grant struct {
	Capability string `json:"capability"`
	Reason     string `json:"reason"`
}

// Plan is the hardened way to run an image.
type Plan struct {
	Image   string  `json:"image"`
	Profile Profile `json:"profile"`
	// RunAsUser and RunAsGroup are the numeric IDs to run as.
	RunAsUser  int64 `json:"runAsUser"`
	RunAsGroup int64 `json:"runAsGroup"`
	// Rebuild is true when the image runs as root: the IDs above need the
	// Dockerfile lines in DockerfileLines to be safe.
	Rebuild         bool     `json:"rebuild"`
	DockerfileLines []string `json:"dockerfileLines,omitempty"`
	Add             []Grant  `json:"add,omitempty"`
	// UnprivilegedPorts is true when a port below 1024 must be bound by a
	// non-root process: the pod sysctl net.ipv4.ip_unprivileged_port_start
	// lets it, where the added capability alone does not.
	UnprivilegedPorts bool     `json:"unprivilegedPorts,omitempty"`
	Mounts            []Mount  `json:"mounts"`
	Notes             []string `json:"notes,omitempty"`
}

// Options tune a plan.
type Options struct {
	// Allow are capabilities to add although the image does not show it
	// needs them (--allow).
	Allow []string
}

// NewPlan derives the plan for an image named image from its profile.
func NewPlan(image string, p Profile, opts Options) Plan {
	pl := Plan{Image: image, Profile: p, RunAsUser: p.UID, RunAsGroup: p.GID}
	switch {
	case p.Root:
		pl.RunAsUser, pl.RunAsGroup, pl.Rebuild = NonRootID, NonRootID, true
		pl.DockerfileLines = userLines(p)
		pl.Notes = append(pl.Notes, fmt.Sprintf("the image runs as root: these settings run it as %d:%d, which works only when everything it writes is writable by that user; rebuild with the Dockerfile lines above", NonRootID, NonRootID))
	case !p.Resolved:
		pl.Notes = append(pl.Notes, fmt.Sprintf("USER %q does not resolve through the image's /etc/passwd and /etc/group: set runAsUser/runAsGroup by hand", p.User))
	}
	if pl.RunAsGroup == 0 && pl.RunAsUser != 0 {
		pl.RunAsGroup = pl.RunAsUser // never the root group
	}
	// Capabilities: drop ALL, then add what the image shows it needs.
	add := map[string]string{}
	if prog := p.Command.Path; prog != "" {
		for _, c := range p.FileCaps["/"+prog] {
			add[c] = fmt.Sprintf("file capability on the entrypoint /%s", prog)
		}
	}
	binds := make([]Bind, 0, len(p.Ports)+len(p.Binds))
	for _, port := range p.Ports {
		binds = append(binds, Bind{port, fmt.Sprintf("EXPOSE %d", port)})
	}
	for _, b := range append(binds, p.Binds...) {
		if _, done := add["NET_BIND_SERVICE"]; !done && b.Port > 0 && b.Port < 1024 {
			add["NET_BIND_SERVICE"] = b.Reason + ": a port below 1024"
			pl.UnprivilegedPorts = true
		}
	}
	for _, c := range opts.Allow {
		c = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c)), "CAP_")
		if c != "" {
			add[c] = "--allow"
		}
	}
	if _, ok := add["NET_BIND_SERVICE"]; ok {
		// no_new_privs drops file capabilities, and Kubernetes sets no
		// ambient ones: the sysctl is what lets a non-root process bind.
		pl.UnprivilegedPorts = true
	}
	for c, why := range add {
		pl.Add = append(pl.Add, Grant{Capability: c, Reason: why})
	}
	sort.Slice(pl.Add, func(i, j int) bool { return pl.Add[i].Capability < pl.Add[j].Capability })
	var others []string
	for file, caps := range p.FileCaps {
		if file != "/"+p.Command.Path {
			others = append(others, fmt.Sprintf("%s (%s)", file, strings.Join(caps, ", ")))
		}
	}
	sort.Strings(others)
	if len(others) > 0 {
		pl.Notes = append(pl.Notes, "not added: file capabilities of programs the entrypoint is not: "+strings.Join(others, "; ")+"; use --allow if the container runs them")
	}
	if len(pl.Add) > 0 {
		pl.Notes = append(pl.Notes, "with allowPrivilegeEscalation false the kernel ignores file capabilities, and Kubernetes gives a non-root process no ambient capabilities: an added capability reaches a non-root process only where the runtime sets it ambient (Docker does)")
	}
	if pl.UnprivilegedPorts {
		pl.Notes = append(pl.Notes, "net.ipv4.ip_unprivileged_port_start=0 (a namespaced sysctl the Pod Security Standards allow) lets the non-root process bind ports below 1024 without any capability")
	}
	if prog := p.Command.Path; prog != "" && slices.Contains(p.Setuid, "/"+prog) {
		pl.Notes = append(pl.Notes, fmt.Sprintf("the entrypoint /%s is setuid or setgid: with allowPrivilegeEscalation false it runs without those privileges", prog))
	} else if len(p.Setuid) > 0 {
		pl.Notes = append(pl.Notes, fmt.Sprintf("%d setuid/setgid programs (%s) lose those privileges with allowPrivilegeEscalation false; the entrypoint is not one of them", len(p.Setuid), strings.Join(first(p.Setuid, 3), ", ")))
	}
	// Writable paths: declared VOLUMEs, then what the software writes.
	seen := map[string]bool{}
	addMount := func(m Mount) {
		// A path with control characters or bytes that are not UTF-8 is
		// no path anyone meant, and not every output format can carry it
		// as data: refused, with a note.
		if strings.IndexFunc(m.Path, unicode.IsControl) >= 0 || !utf8.ValidString(m.Path) {
			pl.Notes = append(pl.Notes, fmt.Sprintf("the writable path %q has control characters or is not UTF-8: left out; mount it by hand if it is real", m.Path))
			return
		}
		// --tmpfs PATH:OPTIONS and Compose's tmpfs read what follows a
		// colon as mount options, and a comma separates them: a VOLUME
		// "/data:exec,suid,mode=4777" would be a setuid, world-writable
		// mount. Such a path cannot be written as data there: refused.
		if strings.ContainsAny(m.Path, ":,") {
			pl.Notes = append(pl.Notes, fmt.Sprintf("the writable path %q has ':' or ',', which mount flags read as options: left out; mount it by hand if it is real", m.Path))
			return
		}
		m.Path = path.Clean(m.Path)
		for s := range seen {
			if m.Path == s || strings.HasPrefix(m.Path, s+"/") {
				return
			}
		}
		seen[m.Path] = true
		pl.Mounts = append(pl.Mounts, m)
	}
	for _, v := range p.Volumes {
		addMount(Mount{Path: v, Reason: "VOLUME in the image (an emptyDir here; give it a persistent volume if the data must outlive the pod)"})
	}
	for _, w := range p.Writes {
		addMount(w)
	}
	return pl
}

// userLines are the Dockerfile lines that add a non-root user, in the
// image's own dialect.
func userLines(p Profile) []string {
	id := fmt.Sprint(NonRootID)
	user := []string{"USER " + id + ":" + id}
	if !p.HasShell {
		return user // distroless, scratch: numeric IDs need no account
	}
	switch p.Distro {
	case "alpine", "wolfi", "chainguard":
		return append([]string{"RUN addgroup -S -g " + id + " app && adduser -S -D -H -u " + id + " -G app app"}, user...)
	case "debian", "ubuntu":
		return append([]string{"RUN groupadd --system --gid " + id + " app && useradd --system --uid " + id + " --gid app --no-create-home --shell /usr/sbin/nologin app"}, user...)
	case "":
		return user
	}
	return append([]string{"RUN groupadd -r -g " + id + " app && useradd -r -u " + id + " -g app -M -s /sbin/nologin app"}, user...)
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Capabilities lists the capabilities to add, by name.
func (p Plan) Capabilities() []string {
	out := make([]string, len(p.Add))
	for i, g := range p.Add {
		out[i] = g.Capability
	}
	return out
}
