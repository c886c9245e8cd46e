package rtrule

import (
	"fmt"
	"path"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	corev1 "k8s.io/api/core/v1"
)

// ImageFacts is what the image-aware rules need to know of a container's
// image (pkg/runtime/harden derives it).
type ImageFacts struct {
	// User is the image's USER as written; UID its numeric ID when it
	// resolves; Numeric whether User is a number (the kubelet can verify
	// only those); Root whether it is root.
	User    string
	UID     int64
	Numeric bool
	Root    bool
	// Resolved is true when User resolves to UID through the image's
	// /etc/passwd (a number always does).
	Resolved bool
	// Writes are paths the image is known to write (VOLUMEs, /tmp, the
	// software's own), with why.
	Writes []ImageWrite
	// StepDown is true when the image carries a step-down tool (gosu,
	// su-exec): an entrypoint that starts as root and switches
	// user needs SETUID and SETGID, and usually CHOWN, DAC_OVERRIDE and
	// FOWNER to prepare its data directory first.
	StepDown bool
	// EntrypointCaps are the file capabilities of the entrypoint program:
	// without them in the bounding set the kernel refuses to run it, and
	// with no_new_privs it runs without them.
	EntrypointCaps []string
	// EntrypointSetuid is true when the entrypoint program is setuid or
	// setgid.
	EntrypointSetuid bool
}

// ImageWrite is a path an image writes; Volume is true for a declared
// VOLUME, which Docker mounts by itself (an anonymous volume) and
// Kubernetes does not.
type ImageWrite struct {
	Path, Reason string
	Volume       bool
	// Populated is true when the image has files below the path: an empty
	// volume mounted there would hide them.
	Populated bool
}

// ImageLookup returns the facts of an image reference, or an error when
// it cannot be read (the rules then skip that container, and the caller
// says so).
type ImageLookup func(image string) (*ImageFacts, error)

type imagePass struct {
	*podPass
	facts map[string]*ImageFacts
}

var imageRules = []*Rule{rt050, rt051, rt052, rt055}

// WorkloadImages runs the image-aware rules on a workload, with the facts
// of each container's image.
func WorkloadImages(w *k8s.Workload, facts map[string]*ImageFacts) []finding.Finding {
	p := &imagePass{podPass: &podPass{w: w}, facts: facts}
	for _, r := range imageRules {
		p.rule = r
		r.image(p)
	}
	finding.Sort(p.out)
	return p.out
}

// effective returns a container's runAsUser and runAsNonRoot, container
// settings over the pod's.
func effective(pod *corev1.PodSecurityContext, c *corev1.Container) (uid *int64, nonRoot *bool) {
	if pod != nil {
		uid, nonRoot = pod.RunAsUser, pod.RunAsNonRoot
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = sc.RunAsUser
		}
		if sc.RunAsNonRoot != nil {
			nonRoot = sc.RunAsNonRoot
		}
	}
	return uid, nonRoot
}

func imageRule(r rule.Rule, check func(*imagePass)) *Rule {
	r.Kind, r.ExampleLang = finding.KindMisconfiguration, "yaml"
	return &Rule{Rule: r, image: check}
}

var rt050 = imageRule(rule.Rule{ID: "RT050", Severity: finding.High,
	Title: "Container runs as root because its image does (--image-aware)",
	Why:   "When neither the pod nor the container sets runAsUser, the container runs as the image's USER; for an image that sets none, that is root. The manifest looks neutral, the process is root.",
	Fix:   "Set runAsUser (and runAsGroup) to a non-zero ID, or rebuild the image with a non-root USER (`bulwark harden IMAGE` gives both).",
	Bad:   "spec:\n  containers:\n  - name: app\n    image: root-image:1   # USER not set in the image",
	Good:  "spec:\n  securityContext:\n    runAsUser: 10001\n  containers:\n  - name: app\n    image: root-image:1"},
	func(p *imagePass) {
		p.each(func(c container, f *ImageFacts, uid *int64, nonRoot *bool) {
			if uid == nil && f.Root && (nonRoot == nil || !*nonRoot) {
				p.at(c.path+".securityContext.runAsUser", fmt.Sprintf("container %q runs as root: its image %s has USER %s and no runAsUser is set", c.c.Name, c.c.Image, userOf(f)))
			}
		})
	})

var rt051 = imageRule(rule.Rule{ID: "RT051", Severity: finding.Critical,
	Title: "runAsNonRoot set, but the image's user is root or not numeric: the pod will not start (--image-aware)",
	Why:   "With runAsNonRoot: true and no runAsUser, the kubelet checks the image's USER before starting the container: root, or a user name it cannot verify as non-root, stops the pod with CreateContainerConfigError.",
	Fix:   "Set runAsUser to the image's numeric UID (`bulwark harden IMAGE` resolves it), or rebuild the image with a numeric non-root USER.",
	Bad:   "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: app\n    image: root-image:1",
	Good:  "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n  containers:\n  - name: app\n    image: root-image:1"},
	func(p *imagePass) {
		p.each(func(c container, f *ImageFacts, uid *int64, nonRoot *bool) {
			if uid != nil || nonRoot == nil || !*nonRoot {
				return
			}
			switch {
			case f.Root:
				p.at(c.path+".securityContext.runAsUser", fmt.Sprintf("container %q will not start (CreateContainerConfigError): runAsNonRoot is true and its image %s runs as root", c.c.Name, c.c.Image))
			case !f.Numeric:
				p.at(c.path+".securityContext.runAsUser", fmt.Sprintf("container %q will not start (CreateContainerConfigError): runAsNonRoot is true and its image's user %q is a name the kubelet cannot verify; set runAsUser: %d", c.c.Name, f.User, f.UID))
			}
		})
	})

var rt052 = imageRule(rule.Rule{ID: "RT052", Severity: finding.Medium,
	Title: "Read-only root filesystem, but the image writes where no volume is mounted (--image-aware)",
	Why:   "With readOnlyRootFilesystem the container can write only to mounted volumes. Paths the image declares as VOLUMEs, /tmp and the paths its software is known to write fail with EROFS at run time unless a volume (an emptyDir) is mounted there.",
	Fix:   "Mount an emptyDir volume at each listed path (`bulwark harden IMAGE` writes them).",
	Bad:   "spec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      readOnlyRootFilesystem: true",
	Good:  "spec:\n  volumes:\n  - name: tmp\n    emptyDir: {}\n  - name: cache\n    emptyDir: {}\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      readOnlyRootFilesystem: true\n    volumeMounts:\n    - name: tmp\n      mountPath: /tmp\n    - name: cache\n      mountPath: /var/cache/nginx"},
	func(p *imagePass) {
		p.each(func(c container, f *ImageFacts, _ *int64, _ *bool) {
			if sc := c.c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				return
			}
			var missing []string
			for _, w := range f.Writes {
				if !mounted(c.c, w.Path) {
					missing = append(missing, fmt.Sprintf("%s (%s)", w.Path, w.Reason))
				}
			}
			if len(missing) > 0 {
				p.at(c.path+".volumeMounts", fmt.Sprintf("container %q has a read-only root filesystem, but its image writes to %s, where no volume is mounted", c.c.Name, strings.Join(missing, ", ")))
			}
		})
	})

var rt055 = imageRule(rule.Rule{ID: "RT055", Severity: finding.High,
	Title: "Capabilities dropped that the image's entrypoint needs (--image-aware)",
	Why:   "An entrypoint that starts as root and switches user with gosu or su-exec (the official postgres, redis, mariadb images) fails with \"operation not permitted\" without SETUID and SETGID. A program with file capabilities does not start when they are outside the bounding set, and runs without them under allowPrivilegeEscalation: false.",
	Fix:   "Add back what the entrypoint needs (`bulwark harden IMAGE` lists it): for a step-down entrypoint capabilities.add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID], or run the image as its non-root user.",
	Bad:   "spec:\n  containers:\n  - name: db\n    image: postgres:17   # root, steps down with gosu\n    securityContext:\n      capabilities:\n        drop: [ALL]",
	Good:  "spec:\n  containers:\n  - name: db\n    image: postgres:17\n    securityContext:\n      capabilities:\n        drop: [ALL]\n        add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]"},
	func(p *imagePass) {
		p.each(func(c container, f *ImageFacts, uid *int64, _ *bool) {
			sc := c.c.SecurityContext
			if sc == nil || (sc.Privileged != nil && *sc.Privileged) {
				return
			}
			var drop, add []string
			if sc.Capabilities != nil {
				for _, d := range sc.Capabilities.Drop {
					drop = append(drop, capName(string(d)))
				}
				for _, a := range sc.Capabilities.Add {
					add = append(add, capName(string(a)))
				}
			}
			root := (uid != nil && *uid == 0) || (uid == nil && f.Root)
			nnp := sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
			if msg := capsProblem(f, root, drop, add, nnp, unprivilegedPorts(p.w.Spec)); msg != "" {
				p.at(c.path+".securityContext.capabilities", fmt.Sprintf("container %q %s", c.c.Name, msg))
			}
		})
	})

// defaultCaps is the runtime's default capability set (Docker, containerd).
var defaultCaps = []string{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

// capsProblem says why a container's capabilities stop its image's
// entrypoint, "" when they do not: the bounding set is the default set
// less what is dropped, plus what is added.
func capsProblem(f *ImageFacts, root bool, drop, add []string, nnp, lowPorts bool) string {
	has := func(c string) bool {
		if containsFold(add, c) || containsFold(add, "ALL") {
			return true
		}
		return !containsFold(drop, "ALL") && !containsFold(drop, c) && containsFold(defaultCaps, c)
	}
	if root && f.StepDown && (!has("SETUID") || !has("SETGID")) {
		return "will not start: its entrypoint runs as root and switches user with gosu or su-exec, which needs SETUID and SETGID, and they are dropped"
	}
	var missing []string
	for _, c := range f.EntrypointCaps {
		if !has(capName(c)) {
			missing = append(missing, capName(c))
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("will not start: its entrypoint has the file capabilities %s, which are outside the bounding set (the kernel refuses to run it)", strings.Join(missing, ", "))
	}
	var lost []string
	for _, c := range f.EntrypointCaps {
		if c = capName(c); c != "NET_BIND_SERVICE" || !lowPorts {
			lost = append(lost, c)
		}
	}
	if nnp && len(lost) > 0 && !root {
		return fmt.Sprintf("runs without its entrypoint's file capabilities %s: no privilege escalation (no_new_privs) makes the kernel ignore them", strings.Join(lost, ", "))
	}
	return ""
}

// unprivilegedPorts reports whether the pod lets any user bind ports
// below 1024 (the namespaced sysctl harden sets), which makes
// NET_BIND_SERVICE unnecessary.
func unprivilegedPorts(s *corev1.PodSpec) bool {
	if s.SecurityContext == nil {
		return false
	}
	for _, sc := range s.SecurityContext.Sysctls {
		if sc.Name == "net.ipv4.ip_unprivileged_port_start" {
			return true
		}
	}
	return false
}

func mounted(c *corev1.Container, p string) bool {
	for _, m := range c.VolumeMounts {
		mp := path.Clean(m.MountPath)
		if p == mp || strings.HasPrefix(p, mp+"/") || mp == "/" {
			return true
		}
	}
	return false
}

func userOf(f *ImageFacts) string {
	if f.User == "" {
		return "unset (root)"
	}
	return f.User
}

// each calls fn for every container whose image facts are known.
func (p *imagePass) each(fn func(c container, f *ImageFacts, uid *int64, nonRoot *bool)) {
	for _, c := range containers(p.w.Spec) {
		f := p.facts[c.c.Image]
		if f == nil {
			continue
		}
		uid, nonRoot := effective(p.w.Spec.SecurityContext, c.c)
		fn(c, f, uid, nonRoot)
	}
}

// The image-aware rules for Compose services: Docker runs a service as the
// image's USER unless user: is set, and mounts the image's VOLUMEs by
// itself, so read_only needs tmpfs or volumes only for the other paths.
var serviceImageRules = []*Rule{
	serviceImageRule(rule.Rule{ID: "RT053", Severity: finding.High,
		Title: "Compose service runs as root because its image does (--image-aware)",
		Why:   "Without user:, Docker runs the service as the image's USER; for an image that sets none, that is root. RT045 says the service sets no user; this says the image gives it root.",
		Fix:   "Set user: to a non-zero UID:GID, or rebuild the image with a non-root USER (`bulwark harden IMAGE --format compose` gives both).",
		Bad:   "services:\n  app:\n    image: root-image:1",
		Good:  "services:\n  app:\n    image: root-image:1\n    user: \"10001:10001\""},
		func(p *servicePass, f *ImageFacts) {
			if strings.TrimSpace(p.s.User) == "" && f.Root {
				p.at("user", fmt.Sprintf("runs as root: its image %s has USER %s and the service sets no user", p.s.Image, userOf(f)))
			}
		}),
	serviceImageRule(rule.Rule{ID: "RT054", Severity: finding.Medium,
		Title: "Compose service with read_only, but its image writes where nothing is mounted (--image-aware)",
		Why:   "With read_only: true the container can write only to tmpfs mounts, volumes and the image's own VOLUMEs (Docker mounts those). /tmp and the paths its software is known to write fail with EROFS at run time unless something is mounted there.",
		Fix:   "Add a tmpfs mount (or a volume) for each listed path (`bulwark harden IMAGE --format compose` writes them).",
		Bad:   "services:\n  app:\n    image: nginx:1.27\n    read_only: true",
		Good:  "services:\n  app:\n    image: nginx:1.27\n    read_only: true\n    tmpfs: [/tmp, /var/cache/nginx]"},
		func(p *servicePass, f *ImageFacts) {
			if !p.s.ReadOnly {
				return
			}
			mounts := p.s.Mounts()
			var missing []string
			for _, w := range f.Writes {
				if !w.Volume && !under(w.Path, mounts) {
					missing = append(missing, fmt.Sprintf("%s (%s)", w.Path, w.Reason))
				}
			}
			if len(missing) > 0 {
				p.at("read_only", fmt.Sprintf("read_only is set, but its image %s writes to %s, where nothing is mounted", p.s.Image, strings.Join(missing, ", ")))
			}
		}),
	serviceImageRule(rule.Rule{ID: "RT056", Severity: finding.High,
		Title: "Compose service drops capabilities its image's entrypoint needs (--image-aware)",
		Why:   "The Compose form of RT055: a root entrypoint that switches user with gosu or su-exec needs SETUID and SETGID; a program with file capabilities does not start without them in the bounding set, and runs without them under no-new-privileges.",
		Fix:   "Add back what the entrypoint needs: cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID] for a step-down entrypoint (`bulwark harden IMAGE --format compose`).",
		Bad:   "services:\n  db:\n    image: postgres:17\n    cap_drop: [ALL]",
		Good:  "services:\n  db:\n    image: postgres:17\n    cap_drop: [ALL]\n    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]"},
		func(p *servicePass, f *ImageFacts) {
			if p.s.Privileged {
				return
			}
			u := strings.TrimSpace(p.s.User)
			if u == "" {
				u = f.User
			}
			name, _, _ := strings.Cut(u, ":")
			root := name == "" || name == "root" || name == "0"
			nnp := false
			for _, o := range p.s.SecurityOpt {
				o = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(o)), "=", ":")
				nnp = nnp || o == "no-new-privileges" || o == "no-new-privileges:true"
			}
			// Docker lets every user bind low ports (it sets
			// ip_unprivileged_port_start to 0 since 20.10).
			if msg := capsProblem(f, root, capNames(p.s.CapDrop), capNames(p.s.CapAdd), nnp, true); msg != "" {
				p.at("cap_drop", msg)
			}
		}),
}

func serviceImageRule(r rule.Rule, check func(*servicePass, *ImageFacts)) *Rule {
	r.Kind, r.ExampleLang = finding.KindMisconfiguration, "yaml"
	return &Rule{Rule: r, serviceImage: check}
}

// ServiceImages runs the image-aware rules on a Compose service, with the
// facts of its image (none when they are unknown).
func ServiceImages(file string, s *compose.Service, facts map[string]*ImageFacts) []finding.Finding {
	f := facts[s.Image]
	if f == nil {
		return nil
	}
	p := &servicePass{file: file, s: s}
	for _, r := range serviceImageRules {
		p.rule = r
		r.serviceImage(p, f)
	}
	finding.Sort(p.out)
	return p.out
}

// under reports whether p is at or below one of the mount points.
func under(p string, mounts []string) bool {
	for _, m := range mounts {
		m = path.Clean(m)
		if p == m || strings.HasPrefix(p, m+"/") || m == "/" {
			return true
		}
	}
	return false
}
