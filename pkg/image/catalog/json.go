package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RawEntry is one entry of a JSON lockfile, undecoded, with the line it
// starts on, so that a cataloger decodes entries one at a time and skips a
// bad one with its line instead of losing the file.
type RawEntry struct {
	// Key is the member name when the entries are an object's members
	// (npm's "packages", .NET's "libraries"); empty in an array.
	Key  string
	Line int
	Raw  json.RawMessage
}

// JSONEntries returns the entries of the array or object found by
// following keys from the top-level object (no keys: the top level itself).
// A missing key yields no entries and no error; a value that is neither an
// array nor an object is an error.
func JSONEntries(content []byte, keys ...string) ([]RawEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	for _, k := range keys {
		found, err := enter(dec, k)
		if err != nil || !found {
			return nil, err
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok || (d != '[' && d != '{') {
		return nil, fmt.Errorf("%v: not an array or object", tok)
	}
	var out []RawEntry
	lines := &lineCounter{b: content, line: 1}
	for dec.More() {
		var e RawEntry
		if d == '{' {
			kt, err := dec.Token()
			if err != nil {
				return out, err
			}
			e.Key, _ = kt.(string)
		}
		e.Line = lines.at(skipSpace(content, dec.InputOffset()))
		if err := dec.Decode(&e.Raw); err != nil {
			return out, fmt.Errorf("line %d: %w", e.Line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// enter moves dec into the value of key in the object that starts next.
func enter(dec *json.Decoder, key string) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return false, fmt.Errorf("looking for %q: not a JSON object", key)
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return false, err
		}
		if k, _ := kt.(string); k == key {
			return true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false, err
		}
	}
	// The key is absent; a document cut short is still an error.
	_, err = dec.Token()
	return false, err
}

// skipSpace moves past the separators json.Decoder leaves before a value.
func skipSpace(b []byte, off int64) int64 {
	for off < int64(len(b)) {
		switch b[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// lineCounter turns increasing offsets into line numbers in one pass over
// the content, so numbering every entry stays linear.
type lineCounter struct {
	b    []byte
	off  int64
	line int
}

func (c *lineCounter) at(off int64) int {
	off = min(off, int64(len(c.b)))
	if off > c.off {
		c.line += bytes.Count(c.b[c.off:off], []byte("\n"))
		c.off = off
	}
	return c.line
}

// Licenses decodes a licence field in every shape the ecosystems write:
// a string ("MIT"), a list of strings, an object ({"type": "MIT"}), or a
// list of such objects (old package.json). Anything else is no licence,
// never an error: a licence is never worth losing the package for.
type Licenses []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *Licenses) UnmarshalJSON(b []byte) error {
	*l = nil
	var one any
	if json.Unmarshal(b, &one) != nil {
		return nil
	}
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case string:
			if x != "" {
				*l = append(*l, x)
			}
		case []any:
			for _, e := range x {
				add(e)
			}
		case map[string]any:
			if t, ok := x["type"].(string); ok && t != "" {
				*l = append(*l, t)
			} else if n, ok := x["name"].(string); ok && n != "" {
				*l = append(*l, n)
			}
		}
	}
	add(one)
	return nil
}
