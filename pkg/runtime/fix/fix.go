// Package fix adds the missing hardening settings to Kubernetes manifests
// and Compose files: the settings that are safe to add without knowing
// the application (runAsNonRoot, seccomp RuntimeDefault, no privilege
// escalation, a read-only root, capabilities dropped, no service account
// token; in Compose read_only, cap_drop and no-new-privileges). Settings
// that change what the application may do (privileged, host namespaces,
// added capabilities) are reported by the audit and left to people.
//
// It edits the YAML tree, so comments and the order of keys stay; the YAML
// library re-indents what it writes.
package fix

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"go.yaml.in/yaml/v3"
)

// Result is a fixed file.
type Result struct {
	// Output is the whole file after the fix.
	Output []byte
	// Changes say what was set, one line each, with the YAML path.
	Changes []string
}

// File fixes a manifest or Compose file. It parses the whole file first
// and returns an error, changing nothing, when any of it does not parse.
func File(name string, src []byte) (*Result, error) {
	docs, err := k8s.Documents(name, src)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	isManifest := false
	for _, d := range docs {
		isManifest = isManifest || k8s.IsManifest(d)
	}
	switch {
	case isManifest:
		f, err := k8s.Parse(name, src)
		if err != nil {
			return nil, err
		}
		// The workloads' trees are the documents of f: edit those.
		for _, w := range f.Workloads {
			res.workload(w)
		}
		docs = f.Docs
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
	if len(res.Changes) == 0 {
		res.Output = src
		return res, nil
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if compactSequences(src) {
		enc.CompactSeqIndent()
	}
	for _, d := range docs {
		keepNulls(d)
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("%s: writing the fixed file: %w", name, err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	res.Output = out.Bytes()
	return res, nil
}

// keepNulls spells out implicit nulls ("{limits}", "key:"): the YAML
// encoder would write them as empty strings, which changes their meaning.
func keepNulls(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" {
		n.Value = "null"
	}
	for _, c := range n.Content {
		keepNulls(c)
	}
}

// compactSequences reports whether src writes sequences at their key's
// indentation (kubectl's style: "containers:\n- name: a"), so the fix
// writes them the same way.
func compactSequences(src []byte) bool {
	lines := strings.Split(string(src), "\n")
	for i := 0; i+1 < len(lines); i++ {
		l := lines[i]
		if !strings.HasSuffix(strings.TrimRight(l, " "), ":") {
			continue
		}
		next := lines[i+1]
		t := strings.TrimLeft(next, " ")
		if !strings.HasPrefix(t, "- ") {
			continue
		}
		return len(next)-len(t) == len(l)-len(strings.TrimLeft(l, " "))
	}
	return false
}

func (r *Result) workload(w *k8s.Workload) {
	spec, ok := yamlpath.Find(w.Doc, w.SpecPath)
	if !ok || spec.Kind != yaml.MappingNode {
		return
	}
	at := func(p string) string { return w.FieldPath(p) }
	if sa := w.Spec.ServiceAccountName; (sa == "" || sa == "default") && w.Spec.AutomountServiceAccountToken == nil {
		r.set(spec, "automountServiceAccountToken", "false", "!!bool", at("automountServiceAccountToken"))
	}
	sc := mapping(spec, "securityContext")
	if v := w.Spec.SecurityContext; v == nil || v.RunAsNonRoot == nil || !*v.RunAsNonRoot {
		if !containerOptsOut(w) {
			r.set(sc, "runAsNonRoot", "true", "!!bool", at("securityContext.runAsNonRoot"))
		}
	}
	if v := w.Spec.SecurityContext; v == nil || v.SeccompProfile == nil || v.SeccompProfile.Type == "Unconfined" {
		sp := mapping(sc, "seccompProfile")
		r.set(sp, "type", "RuntimeDefault", "!!str", at("securityContext.seccompProfile.type"))
	}
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		seq, ok := yamlpath.Find(spec, list)
		if !ok || seq.Kind != yaml.SequenceNode {
			continue
		}
		for i, c := range seq.Content {
			if c.Kind != yaml.MappingNode {
				continue
			}
			p := fmt.Sprintf("%s[%d].securityContext", list, i)
			csc := mapping(c, "securityContext")
			r.setUnlessTrue(csc, "readOnlyRootFilesystem", at(p+".readOnlyRootFilesystem"), true)
			r.setUnlessTrue(csc, "allowPrivilegeEscalation", at(p+".allowPrivilegeEscalation"), false)
			caps := mapping(csc, "capabilities")
			r.dropAll(caps, at(p+".capabilities.drop"))
		}
	}
}

// containerOptsOut reports whether a container sets runAsNonRoot: false,
// a deliberate choice the pod-level setting must not overrule.
func containerOptsOut(w *k8s.Workload) bool {
	for _, c := range w.Spec.Containers {
		if sc := c.SecurityContext; sc != nil && sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			return true
		}
	}
	return false
}

func (r *Result) service(s *compose.Service) {
	body := s.Body
	if body == nil {
		return
	}
	if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
		body.Kind, body.Tag, body.Value = yaml.MappingNode, "!!map", ""
	}
	if body.Kind != yaml.MappingNode {
		return
	}
	if !s.ReadOnly {
		r.set(body, "read_only", "true", "!!bool", s.Path+".read_only")
	}
	hasAll := false
	for _, c := range s.CapDrop {
		hasAll = hasAll || strings.EqualFold(strings.TrimPrefix(strings.ToUpper(c), "CAP_"), "ALL")
	}
	if !hasAll {
		r.appendItem(body, "cap_drop", "ALL", s.Path+".cap_drop")
	}
	nnp := false
	for _, o := range s.SecurityOpt {
		o = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(o)), "=", ":")
		nnp = nnp || o == "no-new-privileges" || o == "no-new-privileges:true"
	}
	if !nnp {
		r.appendItem(body, "security_opt", "no-new-privileges:true", s.Path+".security_opt")
	}
}

// mapping returns the mapping at key in m, adding an empty one (or
// replacing a null) when there is none.
func mapping(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				v.Kind, v.Tag, v.Value, v.Style = yaml.MappingNode, "!!map", "", 0
			}
			return v
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

// set sets key in m to a scalar, noting the change.
func (r *Result) set(m *yaml.Node, key, value, tag, path string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Value == value {
				return
			}
			*v = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, LineComment: v.LineComment, HeadComment: v.HeadComment}
			r.Changes = append(r.Changes, fmt.Sprintf("%s: %s", path, value))
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
	r.Changes = append(r.Changes, fmt.Sprintf("%s: %s", path, value))
}

// setUnlessTrue sets a boolean to want when it is missing or different.
func (r *Result) setUnlessTrue(m *yaml.Node, key, path string, want bool) {
	r.set(m, key, fmt.Sprint(want), "!!bool", path)
}

// dropAll makes capabilities.drop contain ALL.
func (r *Result) dropAll(caps *yaml.Node, path string) {
	r.appendItem(caps, "drop", "ALL", path)
}

// appendItem adds value to the sequence at key (creating it; turning a
// scalar into a one-item sequence), unless it is there.
func (r *Result) appendItem(m *yaml.Node, key, value, path string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	item := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		switch v.Kind {
		case yaml.SequenceNode:
			for _, x := range v.Content {
				if strings.EqualFold(x.Value, value) {
					return
				}
			}
			v.Content = append(v.Content, item)
		case yaml.ScalarNode:
			if strings.EqualFold(v.Value, value) {
				return
			}
			old := *v
			comment := old.LineComment
			old.LineComment = ""
			*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{&old, item}, LineComment: comment}
			if old.Tag == "!!null" {
				v.Content = []*yaml.Node{item}
			}
		default:
			return
		}
		r.Changes = append(r.Changes, fmt.Sprintf("%s: + %s", path, value))
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{item}})
	r.Changes = append(r.Changes, fmt.Sprintf("%s: [%s]", path, value))
}
