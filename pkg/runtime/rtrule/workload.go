package rtrule

import (
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/baseimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	corev1 "k8s.io/api/core/v1"
)

// container is one container of a pod spec with its path ("containers[0]").
type container struct {
	path string
	c    *corev1.Container
}

// containers lists every container, init and ephemeral ones included:
// the rules check them alike.
func containers(s *corev1.PodSpec) []container {
	var out []container
	for i := range s.InitContainers {
		out = append(out, container{fmt.Sprintf("initContainers[%d]", i), &s.InitContainers[i]})
	}
	for i := range s.Containers {
		out = append(out, container{fmt.Sprintf("containers[%d]", i), &s.Containers[i]})
	}
	for i := range s.EphemeralContainers {
		c := corev1.Container(s.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, container{fmt.Sprintf("ephemeralContainers[%d]", i), &c})
	}
	return out
}

var rt030 = &Rule{Rule: rule.Rule{
	ID: "RT030", Severity: finding.Medium, Kind: finding.KindMisconfiguration, ExampleLang: "yaml",
	Aliases: []string{"notReadOnlyRootFilesystem", "container-security-context-readonlyrootfilesystem"},
	Title:   "Root filesystem not read-only",
	Why: `A writable root filesystem lets an intruder drop tools, change binaries and configuration, and
keep them until the container is replaced. With readOnlyRootFilesystem the image is what runs; the
paths the software must write get emptyDir volumes (` + "`bulwark harden IMAGE`" + ` lists them).`,
	Fix:  "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the program writes (/tmp, caches).",
	Bad:  "spec:\n  containers:\n  - name: app\n    image: app:1",
	Good: "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      readOnlyRootFilesystem: true",
}, workload: func(p *podPass) {
	for _, c := range containers(p.w.Spec) {
		if sc := c.c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			p.at(c.path+".securityContext.readOnlyRootFilesystem", fmt.Sprintf("container %q has a writable root filesystem", c.c.Name))
		}
	}
}}

var rt031 = &Rule{Rule: rule.Rule{
	ID: "RT031", Severity: finding.Info, Kind: finding.KindMisconfiguration, ExampleLang: "yaml",
	Aliases: []string{"cpuLimitsMissing", "memoryLimitsMissing", "container-resources"},
	Title:   "Container without CPU or memory limits",
	Why: `Without limits one container can take a node's memory or CPU from every other pod on it, by a bug
or an attack; without a memory limit the node's OOM killer chooses what dies.`,
	Fix:  "Set resources.limits.memory and resources.limits.cpu (and requests).",
	Bad:  "spec:\n  containers:\n  - name: app\n    image: app:1",
	Good: "spec:\n  containers:\n  - name: app\n    image: app:1\n    resources:\n      limits:\n        cpu: 500m\n        memory: 256Mi",
}, workload: func(p *podPass) {
	for _, c := range containers(p.w.Spec) {
		if strings.HasPrefix(c.path, "ephemeral") {
			continue // ephemeral containers cannot have resources
		}
		var missing []string
		if _, ok := c.c.Resources.Limits[corev1.ResourceCPU]; !ok {
			missing = append(missing, "CPU")
		}
		if _, ok := c.c.Resources.Limits[corev1.ResourceMemory]; !ok {
			missing = append(missing, "memory")
		}
		if len(missing) > 0 {
			p.at(c.path+".resources.limits", fmt.Sprintf("container %q has no %s limit", c.c.Name, strings.Join(missing, " or ")))
		}
	}
}}

var rt032 = &Rule{Rule: rule.Rule{
	ID: "RT032", Severity: finding.Medium, Kind: finding.KindMisconfiguration, ExampleLang: "yaml",
	Aliases: []string{"tagNotSpecified", "container-image-tag"},
	Title:   "Image without a tag, with latest, or without a digest",
	Why: `An image named without a tag or with latest can change under the same name at any pull: two nodes
may run different code, and a rollback does not roll back. A tag without a digest can be moved too;
only a digest names content. Tags without digest are reported as low, no tag or latest as medium.`,
	Fix:  "Name images by tag and digest (`bulwark pin` writes the digests).",
	Bad:  "spec:\n  containers:\n  - name: app\n    image: nginx:latest",
	Good: "spec:\n  containers:\n  - name: app\n    image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000",
}, workload: func(p *podPass) {
	for _, c := range containers(p.w.Spec) {
		if msg, sev := imageProblem(c.c.Image); msg != "" {
			p.at(c.path+".image", fmt.Sprintf("container %q: %s", c.c.Name, msg))
			p.out[len(p.out)-1].Severity = sev
		}
	}
}, service: func(p *servicePass) {
	if p.s.Image == "" {
		return // built from source
	}
	if msg, sev := imageProblem(p.s.Image); msg != "" {
		p.at("image", msg)
		p.out[len(p.out)-1].Severity = sev
	}
}}

// imageProblem judges an image reference.
func imageProblem(image string) (string, finding.Severity) {
	if image == "" {
		return "", 0
	}
	r, err := baseimage.ParseRef(image)
	if err != nil {
		return fmt.Sprintf("image %q is not a valid reference", image), finding.Medium
	}
	switch {
	case r.Digest != "":
		return "", 0
	case r.Tag == "":
		return fmt.Sprintf("image %s has no tag (so latest) and no digest", image), finding.Medium
	case r.Tag == "latest":
		return fmt.Sprintf("image %s uses the moving latest tag", image), finding.Medium
	}
	return fmt.Sprintf("image %s is not pinned by digest", image), finding.Low
}

var rt033 = &Rule{Rule: rule.Rule{
	ID: "RT033", Severity: finding.Low, Kind: finding.KindMisconfiguration, ExampleLang: "yaml",
	Aliases: []string{"automountServiceAccountToken"},
	Title:   "Service account token mounted into a pod that does not use the API",
	Why: `Kubernetes mounts a token of the pod's service account unless told not to; an intruder in any
container then talks to the API server with it. A pod that runs as the namespace's default service
account almost never needs the API (pods that do get their own service account), so it is reported
unless automountServiceAccountToken is false.`,
	Fix:  "Set automountServiceAccountToken: false on the pod (or on the default service account).",
	Bad:  "spec:\n  containers:\n  - name: app\n    image: app:1",
	Good: "spec:\n  automountServiceAccountToken: false\n  containers:\n  - name: app\n    image: app:1",
}, workload: func(p *podPass) {
	s := p.w.Spec
	if s.AutomountServiceAccountToken != nil && !*s.AutomountServiceAccountToken {
		return
	}
	sa := s.ServiceAccountName
	if sa == "" {
		sa = s.DeprecatedServiceAccount // what the API server reads when the new field is empty
	}
	if sa != "" && sa != "default" {
		return // a service account of its own: it probably uses the API
	}
	if p.w.AccountTokenOff {
		return // the ServiceAccount in the same input turns the token off
	}
	p.at("automountServiceAccountToken", "the default service account's token is mounted; set automountServiceAccountToken: false")
}}

var workloadRules = []*Rule{rt030, rt031, rt032, rt033}
