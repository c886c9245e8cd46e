// Package yamldoc reads YAML documents with limits that hold in linear
// time. The YAML library's own duplicate-key check, run whenever it
// decodes into a map or struct, compares every key with every other: a
// 90 KB file repeating one key 10,000 times took it over a minute. Here
// documents are first read as node trees (no such check), duplicate keys
// are found with a map in one pass, and only trees within the limits are
// decoded into Go values.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"go.yaml.in/yaml/v3"
)

// DefaultMaxNodes caps the nodes of one document: no manifest, policy or
// lockfile comes near it.
const DefaultMaxNodes = 1 << 20

// DefaultMaxKeys caps the keys of one mapping that Decode hands to the YAML
// library, whose per-mapping check is quadratic: 10,000 keys cost it about
// 0.3 s.
const DefaultMaxKeys = 10_000

type options struct {
	maxNodes, maxKeys, maxFileNodes, maxDocs int
}

// Option changes a limit.
type Option func(*options)

// MaxNodes caps the nodes of one document.
func MaxNodes(n int) Option { return func(o *options) { o.maxNodes = n } }

// MaxFileNodes caps the nodes of all documents of one input together; 0
// means no cap. A stream of many small documents stays under the
// per-document cap while its trees, kept for the caller, take hundreds of
// bytes a node.
func MaxFileNodes(n int) Option { return func(o *options) { o.maxFileNodes = n } }

// MaxDocuments caps the documents of one input; 0 means no cap.
func MaxDocuments(n int) Option { return func(o *options) { o.maxDocs = n } }

// MaxKeys caps the keys of one mapping; 0 means no cap.
func MaxKeys(n int) Option { return func(o *options) { o.maxKeys = n } }

// Parse reads every document of src as a node tree, refusing duplicate
// keys and oversized trees, and drops empty documents (between "---"
// lines). name is the file, for errors.
func Parse(name string, src []byte, opts ...Option) ([]*yaml.Node, error) {
	o := options{maxNodes: DefaultMaxNodes}
	for _, opt := range opts {
		opt(&o)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	total := 0
	for {
		var n yaml.Node
		err := decodeSafely(dec, &n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, inputerr.FromYAML(name, err)
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue
		}
		count, line, err := check(&n, o)
		if err != nil {
			return nil, inputerr.New(name, line, err)
		}
		if total += count; o.maxFileNodes > 0 && total > o.maxFileNodes {
			return nil, inputerr.New(name, n.Line, fmt.Errorf("more than %d YAML nodes in the file", o.maxFileNodes))
		}
		if o.maxDocs > 0 && len(docs) == o.maxDocs {
			return nil, inputerr.New(name, n.Line, fmt.Errorf("more than %d YAML documents", o.maxDocs))
		}
		docs = append(docs, &n)
	}
}

// Decode decodes the one document of src into v after Parse's checks
// (with at most DefaultMaxKeys keys per mapping). With strict, fields v
// does not have are errors. Empty input leaves v as it is.
func Decode(name string, src []byte, v any, strict bool) error {
	docs, err := Parse(name, src, MaxKeys(DefaultMaxKeys))
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	if len(docs) > 1 {
		return inputerr.New(name, docs[1].Line, errors.New("more than one YAML document"))
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(strict)
	if err := decodeSafely(dec, v); err != nil && !errors.Is(err, io.EOF) {
		return inputerr.FromYAML(name, err)
	}
	return nil
}

// check walks the tree once: duplicate keys, node count, keys per mapping.
// It returns the nodes counted.
func check(root *yaml.Node, o options) (int, int, error) {
	count := 0
	var walk func(n *yaml.Node) (int, error)
	walk = func(n *yaml.Node) (int, error) {
		count++
		if count > o.maxNodes {
			return n.Line, fmt.Errorf("more than %d YAML nodes", o.maxNodes)
		}
		if n.Kind == yaml.MappingNode {
			if o.maxKeys > 0 && len(n.Content)/2 > o.maxKeys {
				return n.Line, fmt.Errorf("more than %d keys in one mapping", o.maxKeys)
			}
			seen := make(map[string]int, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode {
					continue
				}
				if first, dup := seen[k.Value]; dup {
					return k.Line, fmt.Errorf("key %q is already defined at line %d", k.Value, first)
				}
				seen[k.Value] = k.Line
			}
		}
		for _, c := range n.Content {
			if line, err := walk(c); err != nil {
				return line, err
			}
		}
		return 0, nil
	}
	line, err := walk(root)
	return count, line, err
}

// decodeSafely turns a panic of the YAML library into an error: a crash
// on a user's file must stay one line naming it.
func decodeSafely(dec *yaml.Decoder, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(v)
}
