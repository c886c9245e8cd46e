// Package compose reads Docker Compose files (the Compose specification:
// compose.yaml, docker-compose.yml) into their services' runtime settings,
// keeping the YAML tree so findings can name the line of any field.
package compose

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"go.yaml.in/yaml/v3"
)

// Service is one service's settings that decide how hardened it runs.
// Fields the specification allows in several forms (a string or a list)
// are normalised.
type Service struct {
	Name        string
	Image       string   `yaml:"image"`
	User        string   `yaml:"user"`
	Privileged  bool     `yaml:"privileged"`
	ReadOnly    bool     `yaml:"read_only"`
	CapAdd      []string `yaml:"cap_add"`
	CapDrop     []string `yaml:"cap_drop"`
	SecurityOpt []string `yaml:"security_opt"`
	NetworkMode string   `yaml:"network_mode"`
	Pid         string   `yaml:"pid"`
	Ipc         string   `yaml:"ipc"`
	// Volumes are kept as nodes: decoding mappings into Go maps would run
	// the YAML library's quadratic duplicate-key check (see yamldoc).
	Volumes []yaml.Node `yaml:"volumes"`
	// Path is the service's path in the document ("services.web").
	Path string     `yaml:"-"`
	Doc  *yaml.Node `yaml:"-"`
	// Key and Body are the service's name and mapping nodes (service
	// names may contain dots, which paths cannot carry).
	Key  *yaml.Node `yaml:"-"`
	Body *yaml.Node `yaml:"-"`
}

// Mounts returns the container paths the service mounts something on:
// tmpfs entries and volume targets (short "src:/dst[:mode]" or "/dst",
// long {target: /dst}).
func (s *Service) Mounts() []string {
	var out []string
	if t, ok := yamlpath.Find(s.Body, "tmpfs"); ok {
		items := []*yaml.Node{t}
		if t.Kind == yaml.SequenceNode {
			items = t.Content
		}
		for _, n := range items {
			if n.Kind == yaml.ScalarNode && n.Value != "" {
				p, _, _ := strings.Cut(n.Value, ":")
				out = append(out, p)
			}
		}
	}
	for _, v := range s.Volumes {
		switch v.Kind {
		case yaml.ScalarNode:
			parts := strings.Split(v.Value, ":")
			switch {
			case len(parts) == 1:
				out = append(out, parts[0])
			case len(parts) >= 2:
				out = append(out, parts[1])
			}
		case yaml.MappingNode:
			if t, ok := yamlpath.Find(&v, "target"); ok && t.Kind == yaml.ScalarNode {
				out = append(out, t.Value)
			}
		}
	}
	return out
}

// Line is the line of the service's field (a path below the service, ""
// for the service itself).
func (s *Service) Line(field string) int {
	if field == "" || s.Body == nil || s.Body.Kind != yaml.MappingNode {
		if s.Key != nil {
			return s.Key.Line
		}
		return 0
	}
	if l := yamlpath.KeyLine(s.Body, field); l > 0 {
		return l
	}
	return s.Key.Line
}

// File is a parsed Compose file.
type File struct {
	Name     string
	Services []*Service
	Doc      *yaml.Node
}

// IsComposeName reports whether a file name is one Compose looks for.
func IsComposeName(name string) bool {
	switch path.Base(name) {
	case "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml":
		return true
	}
	b := path.Base(name)
	return (strings.HasPrefix(b, "compose.") || strings.HasPrefix(b, "docker-compose.")) && (strings.HasSuffix(b, ".yaml") || strings.HasSuffix(b, ".yml"))
}

// IsCompose reports whether a document looks like a Compose file: a
// top-level services mapping and no Kubernetes apiVersion/kind.
func IsCompose(doc *yaml.Node) bool {
	s, ok := yamlpath.Find(doc, "services")
	return ok && s.Kind == yaml.MappingNode && !k8s.IsManifest(doc)
}

// Parse reads a Compose file.
func Parse(name string, src []byte) (*File, error) {
	docs, err := k8s.Documents(name, src)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return &File{Name: name}, nil
	}
	if len(docs) > 1 {
		return nil, inputerr.New(name, docs[1].Line, fmt.Errorf("a Compose file is one YAML document"))
	}
	return FromDoc(name, docs[0])
}

// FromDoc reads a Compose file already split into its document.
func FromDoc(name string, doc *yaml.Node) (*File, error) {
	f := &File{Name: name, Doc: doc}
	services, ok := yamlpath.Find(doc, "services")
	if !ok {
		return f, nil
	}
	if services.Kind != yaml.MappingNode {
		return nil, inputerr.New(name, services.Line, fmt.Errorf("services: want a mapping of service names"))
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		key, body := services.Content[i], services.Content[i+1]
		s, err := decodeService(name, key.Value, body)
		if err != nil {
			return nil, err
		}
		s.Path, s.Doc, s.Key, s.Body = "services."+key.Value, doc, key, body
		f.Services = append(f.Services, s)
	}
	sort.SliceStable(f.Services, func(i, j int) bool { return f.Services[i].Name < f.Services[j].Name })
	return f, nil
}

func decodeService(file, name string, body *yaml.Node) (*Service, error) {
	s := &Service{Name: name}
	if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
		return s, nil
	}
	if body.Kind != yaml.MappingNode {
		return nil, inputerr.New(file, body.Line, fmt.Errorf("service %s: want a mapping", name))
	}
	// Compose accepts a string where a list is expected for these; decode
	// a copy, so the document (which --fix rewrites) keeps its form.
	cp := *body
	cp.Content = append([]*yaml.Node(nil), body.Content...)
	for _, k := range []string{"cap_add", "cap_drop", "security_opt"} {
		if n, ok := yamlpath.Find(&cp, k); ok && n.Kind == yaml.ScalarNode {
			setKey(&cp, k, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{n}, Line: n.Line})
		}
	}
	if err := cp.Decode(s); err != nil {
		return nil, inputerr.FromYAML(file, err)
	}
	s.Name = name
	return s, nil
}

func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
		}
	}
}
