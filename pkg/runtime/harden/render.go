package harden

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/printable"
	yaml3 "go.yaml.in/yaml/v3"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Formats harden writes.
const (
	FormatK8s     = "k8s"
	FormatCompose = "compose"
	FormatDocker  = "docker"
	FormatPodman  = "podman"
)

// Name is a workload name derived from the image reference.
func (p Plan) Name() string {
	n := p.Image
	if i := strings.IndexAny(n, "@"); i >= 0 {
		n = n[:i]
	}
	if i := strings.LastIndex(n, "/"); i >= 0 {
		n = n[i+1:]
	}
	if i := strings.Index(n, ":"); i >= 0 {
		n = n[:i]
	}
	n = strings.Trim(nonName.ReplaceAllString(strings.ToLower(n), "-"), "-")
	if n == "" {
		return "app"
	}
	return n
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// header is the comment block above every output: what it is, and what
// the user must know or do. Every line goes through comment, so no value
// from the image can end the comment and start a command or a key.
func (p Plan) header() string {
	var b strings.Builder
	line := func(format string, args ...any) { b.WriteString(comment(fmt.Sprintf(format, args...))) }
	line("Hardened settings for %s, derived from the image by bulwark harden.", p.Image)
	if p.Rebuild {
		line("REBUILD NEEDED: the image runs as root. Add to its Dockerfile:")
		for _, l := range p.DockerfileLines {
			line("  %s", l)
		}
	}
	for _, g := range p.Add {
		line("cap_add %s: %s", g.Capability, g.Reason)
	}
	for _, m := range p.Mounts {
		line("writable %s: %s", m.Path, m.Reason)
	}
	for _, n := range p.Notes {
		line("note: %s", n)
	}
	line("resources: the limits are placeholders; set them from measurements.")
	return b.String()
}

// comment makes one comment line of s: control characters (a newline
// above all) and bytes that are not UTF-8 are escaped, so s stays on its
// line.
func comment(s string) string { return "# " + printable.Escape(s) + "\n" }

func volumeName(p string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(p), "-"), "-")
	if n == "" {
		n = "root"
	}
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// PodSpec is the hardened pod spec.
func (p Plan) PodSpec() corev1.PodSpec {
	f, t := false, true
	uid, gid := p.RunAsUser, p.RunAsGroup
	sc := &corev1.PodSecurityContext{
		RunAsNonRoot:   &t,
		RunAsUser:      &uid,
		RunAsGroup:     &gid,
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	if p.UnprivilegedPorts {
		sc.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}}
	}
	c := corev1.Container{
		Name:  p.Name(),
		Image: p.Image,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &f,
			ReadOnlyRootFilesystem:   &t,
			RunAsNonRoot:             &t,
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
		Resources: corev1.ResourceRequirements{
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("512Mi")},
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		},
	}
	for _, g := range p.Add {
		c.SecurityContext.Capabilities.Add = append(c.SecurityContext.Capabilities.Add, corev1.Capability(g.Capability))
	}
	for _, port := range p.Profile.Ports {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: int32(port)})
	}
	spec := corev1.PodSpec{AutomountServiceAccountToken: &f, SecurityContext: sc}
	for _, m := range p.Mounts {
		name := volumeName(m.Path)
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: m.Path})
	}
	spec.Containers = []corev1.Container{c}
	return spec
}

// Kubernetes writes a Pod, or a Deployment when kind is "deployment".
func (p Plan) Kubernetes(kind string) ([]byte, error) {
	var obj any
	meta := metav1.ObjectMeta{Name: p.Name(), Labels: map[string]string{"app.kubernetes.io/name": p.Name()}}
	switch strings.ToLower(kind) {
	case "", "pod":
		obj = &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: p.PodSpec()}
	case "deployment":
		one := int32(1)
		obj = &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{
				Replicas: &one,
				Selector: &metav1.LabelSelector{MatchLabels: meta.Labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: meta.Labels}, Spec: p.PodSpec()},
			},
		}
	default:
		return nil, fmt.Errorf("unknown kind %q (want pod or deployment)", kind)
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	// The API types carry empty status and creationTimestamp fields that
	// no manifest writes.
	var out bytes.Buffer
	out.WriteString(p.header())
	for _, l := range strings.SplitAfter(string(b), "\n") {
		t := strings.TrimSpace(l)
		if t == "status: {}" || t == "creationTimestamp: null" || t == "strategy: {}" {
			continue
		}
		out.WriteString(l)
	}
	return out.Bytes(), nil
}

// composeService is the one service Compose writes, in the order a person
// reads it. Every value goes through the YAML encoder: a value taken from
// the image can only ever be a string of its own.
type composeService struct {
	Image       string         `yaml:"image"`
	User        string         `yaml:"user"`
	ReadOnly    bool           `yaml:"read_only"`
	CapDrop     []string       `yaml:"cap_drop,flow"`
	CapAdd      []string       `yaml:"cap_add,flow,omitempty"`
	SecurityOpt []string       `yaml:"security_opt"`
	Tmpfs       []string       `yaml:"tmpfs,omitempty"`
	Sysctls     map[string]int `yaml:"sysctls,omitempty"`
}

// Compose writes a Compose file with one service.
func (p Plan) Compose() []byte {
	svc := composeService{Image: p.Image, User: fmt.Sprintf("%d:%d", p.RunAsUser, p.RunAsGroup), ReadOnly: true,
		CapDrop: []string{"ALL"}, CapAdd: p.Capabilities(), SecurityOpt: []string{"no-new-privileges:true"}}
	for _, m := range p.Mounts {
		svc.Tmpfs = append(svc.Tmpfs, m.Path)
	}
	if p.UnprivilegedPorts {
		svc.Sysctls = map[string]int{"net.ipv4.ip_unprivileged_port_start": 0}
	}
	var b bytes.Buffer
	b.WriteString(p.header())
	enc := yaml3.NewEncoder(&b)
	enc.SetIndent(2)
	// Encoding plain strings, ints and slices cannot fail.
	_ = enc.Encode(map[string]map[string]composeService{"services": {p.Name(): svc}})
	enc.Close()
	return b.Bytes()
}

// RunArgs are the docker (or podman) run arguments, image last.
func (p Plan) RunArgs() []string {
	args := []string{"run", "--read-only", "--cap-drop", "ALL"}
	for _, c := range p.Capabilities() {
		args = append(args, "--cap-add", c)
	}
	args = append(args, "--security-opt", "no-new-privileges:true", "--user", fmt.Sprintf("%d:%d", p.RunAsUser, p.RunAsGroup))
	for _, m := range p.Mounts {
		args = append(args, "--tmpfs", m.Path)
	}
	if p.UnprivilegedPorts {
		args = append(args, "--sysctl", "net.ipv4.ip_unprivileged_port_start=0")
	}
	return append(args, p.Image)
}

// Command writes the run command for tool ("docker" or "podman").
func (p Plan) Command(tool string) []byte {
	var b strings.Builder
	b.WriteString(p.header())
	b.WriteString(tool)
	for _, a := range p.RunArgs() {
		b.WriteString(" " + shellQuote(a))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// shellQuote quotes s as one POSIX shell word. Only words made wholly of
// characters no shell treats specially stay bare; anything else is single
// quoted, inside which every byte but the quote itself is literal.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
