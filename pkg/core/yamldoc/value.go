package yamldoc

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// ErrAliasing is returned when following aliases would build more than
// the node budget: the "billion laughs" document.
var ErrAliasing = errors.New("excessive aliasing: the document expands to too many nodes")

// Value converts a node tree into JSON's Go values (map[string]any,
// []any, string, bool, int, float64, nil) in time linear in the nodes it
// builds, for decoding into Kubernetes types through encoding/json as
// kubectl does. The YAML library's own conversion checks each mapping for
// duplicate keys by comparing every pair: a 1.4 MB manifest with 100,000
// labels took it 80 s. Aliases are followed within a budget of
// DefaultMaxNodes built nodes, merge keys ("<<") are applied, and mapping
// keys must be scalars (non-string ones are written as their text, as
// sigs.k8s.io/yaml does).
func Value(n *yaml.Node) (any, error) {
	c := converter{budget: DefaultMaxNodes}
	return c.value(n, 0)
}

type converter struct {
	budget int
}

// maxDepth bounds recursion through nested collections and aliases.
const maxDepth = 10_000

func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	c.budget--
	if c.budget < 0 {
		return nil, ErrAliasing
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("line %d: nested more than %d levels deep", n.Line, maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: unknown alias", n.Line)
		}
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		lines := make(map[string]int, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			key, err := c.key(k)
			if err != nil {
				return nil, err
			}
			// 7 and 7.0 are two YAML keys but one JSON field.
			if first, dup := lines[key]; dup {
				return nil, fmt.Errorf("line %d: key %q is the same field as the key at line %d", k.Line, k.Value, first)
			}
			lines[key] = k.Line
			val, err := c.value(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = val
		}
		// Merged keys never override the mapping's own.
		for _, m := range merges {
			if err := c.merge(out, m, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

// merge applies a "<<" value: a mapping, an alias of one, or a sequence
// of those (earlier ones win).
func (c *converter) merge(out map[string]any, m *yaml.Node, depth int) error {
	for m.Kind == yaml.AliasNode && m.Alias != nil {
		m = m.Alias
	}
	var sources []*yaml.Node
	switch m.Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{m}
	case yaml.SequenceNode:
		sources = m.Content
	default:
		return fmt.Errorf("line %d: a merge (<<) takes a mapping or a list of mappings", m.Line)
	}
	for _, s := range sources {
		v, err := c.value(s, depth+1)
		if err != nil {
			return err
		}
		mm, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: a merge (<<) takes a mapping or a list of mappings", s.Line)
		}
		for k, x := range mm {
			if _, own := out[k]; !own {
				out[k] = x
			}
		}
	}
	return nil
}

func (c *converter) key(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: a mapping key must be a scalar, not a collection", k.Line)
	}
	if k.ShortTag() == "!!str" {
		return k.Value, nil
	}
	v, err := scalar(k)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "null", nil
	}
	return fmt.Sprint(v), nil
}

// scalar resolves one scalar as the YAML library does (ints in any base,
// .inf, timestamps kept as text); strings, the common case, directly.
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str":
		return n.Value, nil
	case "!!null":
		return nil, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("line %d: %v", n.Line, err)
	}
	return v, nil
}
