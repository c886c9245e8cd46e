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
	// Writes are paths the image is known to write (VOLUMEs, /tmp, the
	// software's own), with why.
	Writes []ImageWrite
}

// ImageWrite is a path an image writes; Volume is true for a declared
// VOLUME, which Docker mounts by itself (an anonymous volume) and
// Kubernetes does not.
type ImageWrite struct {
	Path, Reason string
	Volume       bool
}

// ImageLookup returns the facts of an image reference, or an error when
// it cannot be read (the rules then skip that container, and the caller
// says so).
type ImageLookup func(image string) (*ImageFacts, error)

type imagePass struct {
	*podPass
	facts map[string]*ImageFacts
}

var imageRules = []*Rule{rt050, rt051, rt052}

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
