// Package yamlpath finds nodes in a YAML document by the dotted paths that
// findings use (spec.template.spec.containers[0].securityContext.privileged),
// so findings point to a line, and --fix can change a node in place.
package yamlpath

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Step is one element of a path: a mapping key, or a sequence index when
// Key is "".
type Step struct {
	Key   string
	Index int
}

// Parse splits "a.b[2].c" into steps. Keys may not contain '.' or '['
// (Kubernetes field names do not).
func Parse(path string) []Step {
	var out []Step
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			out = append(out, Step{Key: key})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			if n, err := strconv.Atoi(num); err == nil {
				out = append(out, Step{Index: n})
			}
			_, rest, _ = strings.Cut(after, "[")
		}
	}
	return out
}

// Find returns the node at path under root (a document or a mapping),
// and the deepest node on the way when the whole path does not exist
// (so a finding about a missing field points to the object that lacks
// it). exact says whether the whole path was found.
func Find(root *yaml.Node, path string) (n *yaml.Node, exact bool) {
	n = root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, s := range Parse(path) {
		next := child(n, s)
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

// Line is the line of the node at path, or of its deepest existing
// ancestor; 0 when root is nil.
func Line(root *yaml.Node, path string) int {
	n, _ := Find(root, path)
	if n == nil {
		return 0
	}
	return n.Line
}

// Get returns the value of key in the mapping n (following an alias), or
// nil: one step of a path, for keys that themselves hold dots.
func Get(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func child(n *yaml.Node, s Step) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case s.Key != "":
		return Get(n, s.Key)
	case n.Kind == yaml.SequenceNode:
		if s.Index >= 0 && s.Index < len(n.Content) {
			return n.Content[s.Index]
		}
	}
	return nil
}

// KeyLine is the line of the key of the node at path (the line people
// look for: "privileged: true" rather than the value, which is the same
// line for scalars but not for mappings).
func KeyLine(root *yaml.Node, path string) int {
	steps := Parse(path)
	if len(steps) == 0 || steps[len(steps)-1].Key == "" {
		return Line(root, path)
	}
	parent, exact := Find(root, Join(steps[:len(steps)-1]))
	if !exact || parent == nil || parent.Kind != yaml.MappingNode {
		return Line(root, path)
	}
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == steps[len(steps)-1].Key {
			return parent.Content[i].Line
		}
	}
	return parent.Line
}

// Join writes steps back as a path.
func Join(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		if s.Key != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		} else {
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		}
	}
	return b.String()
}
