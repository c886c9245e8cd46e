// Package fix adds missing hardening settings to Kubernetes manifests and
// Compose files, and only those that cannot stop the workload from
// starting.
//
// Safe by construction:
//   - A value the author set is never changed: an explicit false stays
//     (the audit's finding says what it costs).
//   - Without the image only settings that no image can trip over are
//     added: seccomp RuntimeDefault, allowPrivilegeEscalation: false
//     (Compose: no-new-privileges) and no service account token for pods
//     on the default account. runAsNonRoot, a read-only root and dropped
//     capabilities depend on the image and are added only when its facts
//     are known (WithImages, from `audit --image-aware`): runAsNonRoot for
//     a non-root user the kubelet can verify, a read-only root together
//     with empty volumes for /tmp and every path the image is known to
//     write, capabilities dropped with what its entrypoint needs added
//     back (a root entrypoint that steps down with gosu or su-exec needs
//     CHOWN, DAC_OVERRIDE, FOWNER, SETGID and SETUID).
//   - Windows pods get no Linux settings.
//   - The file's text changes only by added lines (see text.go).
package fix

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
)

// Result is a fixed file.
type Result struct {
	// Output is the whole file after the fix.
	Output []byte
	// Changes say what was set, one line each, with the YAML path.
	Changes []string
	// Notes say what was left out and why.
	Notes []string

	opts  options
	keyOf map[*yaml.Node]emptyAt
	// noImage lists containers and services whose image was not known.
	noImage []string
}

// Option configures a fix.
type Option func(*options)

type options struct {
	images func(image string) *rtrule.ImageFacts
}

// WithImages gives the facts of each container's image (nil when not
// known): with them the fix adds the settings that depend on the image.
func WithImages(lookup func(image string) *rtrule.ImageFacts) Option {
	return func(o *options) { o.images = lookup }
}

// File fixes a manifest or Compose file. It parses the whole file first
// and returns an error, changing nothing, when any of it does not parse
// or the edit would not read back as intended.
func File(name string, src []byte, opts ...Option) (*Result, error) {
	res := &Result{keyOf: map[*yaml.Node]emptyAt{}}
	for _, o := range opts {
		o(&res.opts)
	}
	docs, err := k8s.Documents(name, src)
	if err != nil {
		return nil, err
	}
	isManifest := false
	for _, d := range docs {
		isManifest = isManifest || k8s.IsManifest(d)
	}
	switch {
	case isManifest:
		f, err := k8s.FromDocuments(name, docs)
		if err != nil {
			return nil, err
		}
		for _, w := range f.Workloads {
			res.workload(w)
		}
	case len(docs) == 1 && compose.IsCompose(docs[0]):
		f, err := compose.FromDoc(name, docs[0])
		if err != nil {
			return nil, err
		}
		for _, s := range f.Services {
			res.service(s)
		}
	default:
		return nil, fmt.Errorf("%s: neither Kubernetes objects nor a Compose file", name)
	}
	if len(res.noImage) > 0 && res.opts.images == nil {
		res.Notes = append(res.Notes, fmt.Sprintf("runAsNonRoot, a read-only root and dropped capabilities depend on the image and were not added (%s): run with --image-aware or --image-map", strings.Join(first(res.noImage, 5), ", ")))
	} else if len(res.noImage) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("the image of %s could not be read: only the settings that do not depend on it were added", strings.Join(first(res.noImage, 5), ", ")))
	}
	res.Output = src
	if len(res.Changes) == 0 {
		return res, nil
	}
	t := newTextFile(src, res.keyOf)
	if err := t.render(docs); err != nil {
		return nil, fmt.Errorf("%s: not edited: %w", name, err)
	}
	out := t.output()
	if err := readsBack(name, out, docs); err != nil {
		return nil, fmt.Errorf("%s: not edited: %w", name, err)
	}
	res.Output = out
	return res, nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// The capabilities of Docker's and containerd's default set: what a
// container had before capabilities were dropped. Only these are added
// back; others it never had.
var defaultCaps = []string{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

// stepDownCaps are what an entrypoint that starts as root, prepares its
// data directory and switches user (gosu, su-exec) uses: the official
// postgres, mariadb and redis images run with these and no others.
var stepDownCaps = []string{"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}

func capName(c string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c)), "CAP_")
}

// addBack is the capabilities a container needs after dropping all, and
// whether dropping is safe at all.
func addBack(f *rtrule.ImageFacts, root bool) ([]string, bool) {
	var out []string
	for _, c := range f.EntrypointCaps {
		if c = capName(c); slices.Contains(defaultCaps, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if root {
		if !f.StepDown {
			return nil, false
		}
		for _, c := range stepDownCaps {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out, true
}

func (r *Result) workload(w *k8s.Workload) {
	spec, ok := yamlpath.Find(w.Doc, w.SpecPath)
	if !ok || spec.Kind != yaml.MappingNode {
		return
	}
	at := func(p string) string { return w.FieldPath(p) }
	ps := w.Spec
	sa := ps.ServiceAccountName
	if sa == "" {
		sa = ps.DeprecatedServiceAccount
	}
	if (sa == "" || sa == "default") && ps.AutomountServiceAccountToken == nil && !w.AccountTokenOff {
		r.add(spec, "automountServiceAccountToken", scalar("false", "!!bool"), at("automountServiceAccountToken"))
	}
	if ps.OS != nil && ps.OS.Name == corev1.Windows {
		r.Notes = append(r.Notes, fmt.Sprintf("%s %s is a Windows pod: Linux settings (seccomp, capabilities, privilege escalation, read-only root) were not added", w.Kind, w.Name))
		return
	}
	psc := ps.SecurityContext
	if psc == nil || psc.SeccompProfile == nil {
		if sc := r.mapping(spec, "securityContext"); sc != nil {
			if sp := r.mapping(sc, "seccompProfile"); sp != nil {
				r.add(sp, "type", scalar("RuntimeDefault", "!!str"), at("securityContext.seccompProfile.type"))
			}
		}
	}
	var mounts []mountPlan
	for _, list := range []string{"initContainers", "containers"} {
		seq, ok := yamlpath.Find(spec, list)
		if !ok || seq.Kind != yaml.SequenceNode {
			continue
		}
		typed := ps.Containers
		if list == "initContainers" {
			typed = ps.InitContainers
		}
		for i, cn := range seq.Content {
			if cn.Kind != yaml.MappingNode || i >= len(typed) {
				continue
			}
			p := fmt.Sprintf("%s[%d]", list, i)
			mounts = append(mounts, r.container(w, &typed[i], cn, p)...)
		}
	}
	r.addVolumes(w, spec, mounts)
}

// mountPlan is an emptyDir to mount in a container.
type mountPlan struct {
	container *yaml.Node
	path      string
	cpath     string // the container's path, for the change line
	cname     string
}

func (r *Result) container(w *k8s.Workload, c *corev1.Container, cn *yaml.Node, p string) []mountPlan {
	at := func(s string) string { return w.FieldPath(p + "." + s) }
	sc := c.SecurityContext
	privileged := sc != nil && sc.Privileged != nil && *sc.Privileged
	var adds []string
	if sc != nil && sc.Capabilities != nil {
		for _, a := range sc.Capabilities.Add {
			adds = append(adds, capName(string(a)))
		}
	}
	sysAdmin := slices.Contains(adds, "SYS_ADMIN") || slices.Contains(adds, "ALL")
	var f *rtrule.ImageFacts
	if r.opts.images != nil && c.Image != "" {
		f = r.opts.images(c.Image)
	}
	name := fmt.Sprintf("%s %s container %q", w.Kind, w.Name, c.Name)
	// allowPrivilegeEscalation false: the API server rejects it beside
	// privileged or CAP_SYS_ADMIN; an entrypoint with file capabilities or
	// setuid would lose them.
	if (sc == nil || sc.AllowPrivilegeEscalation == nil) && !privileged && !sysAdmin {
		if f != nil && (len(f.EntrypointCaps) > 0 || f.EntrypointSetuid) {
			r.Notes = append(r.Notes, name+": allowPrivilegeEscalation: false not added: its entrypoint has file capabilities or is setuid, which no_new_privs turns off")
		} else if csc := r.mapping(cn, "securityContext"); csc != nil {
			r.add(csc, "allowPrivilegeEscalation", scalar("false", "!!bool"), at("securityContext.allowPrivilegeEscalation"))
		}
	}
	if f == nil {
		r.noImage = append(r.noImage, w.Name+"/"+c.Name)
		return nil
	}
	uid, nonRoot := effective(w.Spec.SecurityContext, c)
	root := (uid != nil && *uid == 0) || (uid == nil && f.Root)
	switch {
	case nonRoot != nil:
		// The author decided.
	case root:
		r.Notes = append(r.Notes, fmt.Sprintf("%s runs as root (its image's USER is %s): runAsNonRoot would stop it; rebuild the image with a non-root USER (`bulwark harden %s`)", name, userText(f), c.Image))
	case uid != nil || f.Numeric:
		if csc := r.mapping(cn, "securityContext"); csc != nil {
			r.add(csc, "runAsNonRoot", scalar("true", "!!bool"), at("securityContext.runAsNonRoot"))
		}
	case f.Resolved && f.UID != 0:
		// A user name the kubelet cannot verify: the same user by number.
		if csc := r.mapping(cn, "securityContext"); csc != nil {
			r.add(csc, "runAsUser", scalar(strconv.FormatInt(f.UID, 10), "!!int"), at("securityContext.runAsUser"))
			r.add(csc, "runAsNonRoot", scalar("true", "!!bool"), at("securityContext.runAsNonRoot"))
		}
	default:
		r.Notes = append(r.Notes, fmt.Sprintf("%s: its image's user %q does not resolve to a number: runAsNonRoot not added", name, f.User))
	}
	var mounts []mountPlan
	if sc == nil || sc.ReadOnlyRootFilesystem == nil {
		var need []string
		blocked := ""
		for _, wr := range f.Writes {
			if mountedIn(c, wr.Path) || slices.Contains(need, wr.Path) {
				continue
			}
			if wr.Populated {
				blocked = wr.Path
				break
			}
			need = append(need, wr.Path)
		}
		switch {
		case blocked != "":
			r.Notes = append(r.Notes, fmt.Sprintf("%s: readOnlyRootFilesystem not added: its image writes to %s, which holds files an empty volume would hide", name, blocked))
		case len(need) > 0 && !r.canExtend(cn, "volumeMounts"):
			r.Notes = append(r.Notes, fmt.Sprintf("%s: readOnlyRootFilesystem not added: its volumeMounts are written in a form that cannot be extended line by line", name))
		default:
			if csc := r.mapping(cn, "securityContext"); csc != nil {
				r.add(csc, "readOnlyRootFilesystem", scalar("true", "!!bool"), at("securityContext.readOnlyRootFilesystem"))
				for _, n := range need {
					mounts = append(mounts, mountPlan{container: cn, path: n, cpath: p, cname: c.Name})
				}
			}
		}
	}
	if !privileged && (sc == nil || sc.Capabilities == nil || sc.Capabilities.Drop == nil) {
		back, ok := addBack(f, root)
		var missing []string
		for _, b := range back {
			if !slices.Contains(adds, b) {
				missing = append(missing, b)
			}
		}
		switch {
		case !ok:
			r.Notes = append(r.Notes, fmt.Sprintf("%s runs as root without a step-down tool: which capabilities it uses is unknown, so none were dropped", name))
		case len(missing) > 0 && sc != nil && sc.Capabilities != nil && sc.Capabilities.Add != nil:
			r.Notes = append(r.Notes, fmt.Sprintf("%s: capabilities not dropped: it needs %s, which its own add list leaves out", name, strings.Join(missing, ", ")))
		default:
			if csc := r.mapping(cn, "securityContext"); csc != nil {
				if caps := r.mapping(csc, "capabilities"); caps != nil {
					r.add(caps, "drop", flowSeq("ALL"), at("securityContext.capabilities.drop"))
					if len(missing) > 0 {
						r.add(caps, "add", flowSeq(missing...), at("securityContext.capabilities.add"))
					}
				}
			}
		}
	}
	return mounts
}

// addVolumes adds an emptyDir volume and its mount for each planned path.
func (r *Result) addVolumes(w *k8s.Workload, spec *yaml.Node, mounts []mountPlan) {
	if len(mounts) == 0 {
		return
	}
	if !r.canExtend(spec, "volumes") {
		r.Notes = append(r.Notes, fmt.Sprintf("%s %s: volumes are written in a form that cannot be extended line by line: add emptyDir volumes for %s by hand", w.Kind, w.Name, mounts[0].path))
		return
	}
	taken := map[string]bool{}
	for _, v := range w.Spec.Volumes {
		taken[v.Name] = true
	}
	multi := len(w.Spec.Containers)+len(w.Spec.InitContainers) > 1
	for _, m := range mounts {
		name := volumeName(m.path, m.cname, multi, taken)
		taken[name] = true
		vol := mapNode("name", scalar(name, "!!str"), "emptyDir", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle})
		r.appendItem(spec, "volumes", vol, w.FieldPath("volumes")+": + emptyDir "+name)
		vm := mapNode("name", scalar(name, "!!str"), "mountPath", scalar(m.path, "!!str"))
		r.appendItem(m.container, "volumeMounts", vm, w.FieldPath(m.cpath+".volumeMounts")+": + "+m.path)
	}
}

var nonLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// volumeName makes a DNS-1123 label for a volume at p, unique in the pod.
func volumeName(p, container string, multi bool, taken map[string]bool) string {
	base := strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(strings.Trim(p, "/")), "-"), "-")
	if base == "" {
		base = "root"
	}
	if multi {
		base = strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(container), "-"), "-") + "-" + base
	}
	if len(base) > 55 {
		base = strings.Trim(base[:55], "-")
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

func mountedIn(c *corev1.Container, p string) bool {
	for _, m := range c.VolumeMounts {
		mp := path.Clean(m.MountPath)
		if p == mp || strings.HasPrefix(p, mp+"/") || mp == "/" {
			return true
		}
	}
	return false
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

func userText(f *rtrule.ImageFacts) string {
	if f.User == "" {
		return "unset"
	}
	return f.User
}

func (r *Result) service(s *compose.Service) {
	body := s.Body
	if body == nil {
		return
	}
	if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
		r.keyOf[body] = emptyAt{key: s.Key}
		body.Kind, body.Tag, body.Value = yaml.MappingNode, "!!map", ""
	}
	if body.Kind != yaml.MappingNode {
		return
	}
	has := func(k string) bool { return yamlpath.Get(body, k) != nil }
	name := "service " + s.Name
	var f *rtrule.ImageFacts
	if r.opts.images != nil && s.Image != "" {
		f = r.opts.images(s.Image)
	}
	if !s.Privileged && !hasOpt(s.SecurityOpt, "no-new-privileges") {
		switch {
		case f != nil && (len(f.EntrypointCaps) > 0 || f.EntrypointSetuid):
			r.Notes = append(r.Notes, name+": no-new-privileges not added: its entrypoint has file capabilities or is setuid")
		case !r.canExtend(body, "security_opt"):
			r.Notes = append(r.Notes, name+": no-new-privileges not added: security_opt is written in a form that cannot be extended line by line")
		default:
			r.appendItem(body, "security_opt", scalar("no-new-privileges:true", "!!str"), s.Path+".security_opt: + no-new-privileges:true")
		}
	}
	if f == nil {
		r.noImage = append(r.noImage, name)
		return
	}
	user := strings.TrimSpace(s.User)
	if user == "" {
		user = f.User
	}
	uname, _, _ := strings.Cut(user, ":")
	root := uname == "" || uname == "root" || uname == "0"
	if !has("read_only") && !s.Privileged {
		mounts := s.Mounts()
		var need []string
		blocked := ""
		for _, wr := range f.Writes {
			if wr.Volume || under(wr.Path, mounts) || slices.Contains(need, wr.Path) {
				continue // Docker mounts an image's VOLUMEs itself
			}
			if wr.Populated {
				blocked = wr.Path
				break
			}
			need = append(need, wr.Path)
		}
		switch {
		case blocked != "":
			r.Notes = append(r.Notes, fmt.Sprintf("%s: read_only not added: its image writes to %s, which holds files an empty tmpfs would hide", name, blocked))
		case len(need) > 0 && !r.canExtend(body, "tmpfs"):
			r.Notes = append(r.Notes, name+": read_only not added: tmpfs is written in a form that cannot be extended line by line")
		default:
			r.add(body, "read_only", scalar("true", "!!bool"), s.Path+".read_only")
			for _, n := range need {
				r.appendItem(body, "tmpfs", scalar(n, "!!str"), s.Path+".tmpfs: + "+n)
			}
		}
	}
	if !has("cap_drop") && !s.Privileged {
		back, ok := addBack(f, root)
		var adds []string
		for _, a := range s.CapAdd {
			adds = append(adds, capName(a))
		}
		var missing []string
		for _, b := range back {
			if !slices.Contains(adds, b) {
				missing = append(missing, b)
			}
		}
		switch {
		case !ok:
			r.Notes = append(r.Notes, name+" runs as root without a step-down tool: which capabilities it uses is unknown, so none were dropped")
		case len(missing) > 0 && has("cap_add"):
			r.Notes = append(r.Notes, fmt.Sprintf("%s: capabilities not dropped: it needs %s, which its own cap_add leaves out", name, strings.Join(missing, ", ")))
		default:
			r.add(body, "cap_drop", flowSeq("ALL"), s.Path+".cap_drop")
			if len(missing) > 0 {
				r.add(body, "cap_add", flowSeq(missing...), s.Path+".cap_add")
			}
		}
	}
}

// hasOpt reports whether a security_opt list sets the option, to any value.
func hasOpt(opts []string, name string) bool {
	for _, o := range opts {
		o = strings.ToLower(strings.TrimSpace(o))
		if o == name || strings.HasPrefix(o, name+":") || strings.HasPrefix(o, name+"=") {
			return true
		}
	}
	return false
}

func under(p string, mounts []string) bool {
	for _, m := range mounts {
		m = path.Clean(m)
		if p == m || strings.HasPrefix(p, m+"/") || m == "/" {
			return true
		}
	}
	return false
}

func scalar(v, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

func flowSeq(items ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, scalar(it, "!!str"))
	}
	return n
}

func mapNode(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string), "!!str"), kv[i+1].(*yaml.Node))
	}
	return n
}

// mapping returns the mapping at key in m: the existing one, a new one,
// or a null or empty value turned into one. It returns nil when the value
// is something else (the author wrote a scalar there: left alone).
func (r *Result) mapping(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if _, ok := r.keyOf[v]; ok {
			return v // empty in the source, filled here
		}
		empty := emptyAt{key: m.Content[i], flow: m.Style&yaml.FlowStyle != 0}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			v.Kind, v.Tag, v.Value, v.Style = yaml.MappingNode, "!!map", "", 0
			r.keyOf[v] = empty
			return v
		case v.Kind == yaml.MappingNode && len(v.Content) == 0:
			if v.Line > 0 {
				r.keyOf[v] = empty
			}
			return v
		case v.Kind == yaml.MappingNode && (v.Style&yaml.FlowStyle == 0 || v.Line == 0 || v.Content[0].Line > v.Line):
			return v
		case v.Kind == yaml.MappingNode:
			r.Notes = append(r.Notes, fmt.Sprintf("%s at line %d is written in flow style on one line: not extended", key, v.Line))
		}
		return nil
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, scalar(key, "!!str"), v)
	return v
}

// add sets key in m when it is missing; a key the author wrote is never
// changed.
func (r *Result) add(m *yaml.Node, key string, v *yaml.Node, path string) {
	if m == nil || m.Kind != yaml.MappingNode || yamlpath.Get(m, key) != nil {
		return
	}
	m.Content = append(m.Content, scalar(key, "!!str"), v)
	r.Changes = append(r.Changes, fmt.Sprintf("%s: %s", path, inline(v)))
}

// canExtend reports whether the sequence at key in m can take an item by
// adding lines: missing, null, empty, or a block sequence.
func (r *Result) canExtend(m *yaml.Node, key string) bool {
	v := yamlpath.Get(m, key)
	switch {
	case v == nil:
		return true
	case v.Kind == yaml.ScalarNode:
		return v.Tag == "!!null"
	case v.Kind == yaml.SequenceNode:
		_, empty := r.keyOf[v]
		return empty || v.Style&yaml.FlowStyle == 0 || len(v.Content) == 0 || v.Line == 0 || v.Content[0].Line > v.Line
	}
	return false
}

// appendItem adds an item to the sequence at key (creating it).
func (r *Result) appendItem(m *yaml.Node, key string, item *yaml.Node, change string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			v.Kind, v.Tag, v.Value, v.Style = yaml.SequenceNode, "!!seq", "", 0
		}
		if v.Kind != yaml.SequenceNode {
			return
		}
		if len(v.Content) == 0 && v.Line > 0 {
			r.keyOf[v] = emptyAt{key: m.Content[i], flow: m.Style&yaml.FlowStyle != 0}
		}
		v.Content = append(v.Content, item)
		r.Changes = append(r.Changes, change)
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{item}}
	if item.Kind == yaml.ScalarNode {
		seq.Style = yaml.FlowStyle
	}
	m.Content = append(m.Content, scalar(key, "!!str"), seq)
	r.Changes = append(r.Changes, change)
}
