package fix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"go.yaml.in/yaml/v3"
)

// The fix edits the YAML trees in memory (new nodes have Line 0), then
// writes only the new nodes into the original text as inserted lines, so
// indentation, sequence style, line endings, a BOM, comments, blank lines
// and every untouched document stay byte for byte. Re-encoding the tree
// (what the first version did) rewrote 842 lines to add 26 on a real
// repository. The one line that may change is a key whose value is an
// empty flow collection or null ("securityContext: {}"), which cannot gain
// children otherwise.
//
// The inserted text is read back and compared with the edited trees: a
// file whose edit would not read back the same is refused, not written.

// errFlow is the refusal for a collection written in a flow style that
// cannot gain an entry by adding a line.
var errFlow = errors.New("a collection written in flow style on one line cannot be extended by adding lines")

type textFile struct {
	lines []string // each with its line ending
	nl    string
	// after holds the lines inserted after a source line (0-based), in
	// the order written; replace holds a source line rewritten.
	after   map[int][]string
	replace map[int]string
	step    int
	compact bool
	// keyOf maps a collection that was null or empty in the source to
	// the key that holds it, for its indentation.
	keyOf map[*yaml.Node]emptyAt
}

// emptyAt is the key of a value that was null or an empty collection in
// the source, and whether that key sits in a flow mapping (JSON).
type emptyAt struct {
	key  *yaml.Node
	flow bool
}

func newTextFile(src []byte, keyOf map[*yaml.Node]emptyAt) *textFile {
	t := &textFile{nl: "\n", after: map[int][]string{}, replace: map[int]string{}, keyOf: keyOf, step: 2, compact: compactSequences(src)}
	if bytes.Contains(src, []byte("\r\n")) {
		t.nl = "\r\n"
	}
	s := string(src)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			t.lines = append(t.lines, s)
			break
		}
		t.lines = append(t.lines, s[:i+1])
		s = s[i+1:]
	}
	return t
}

// text is a line without its ending.
func (t *textFile) text(i int) string {
	return strings.TrimRight(t.lines[i], "\r\n")
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// blockEnd returns the last line (0-based) holding content of a block
// collection that starts on line start with its keys or dashes at column
// indent: the lines after it that are blank, comments, or indented deeper
// belong to it; a line indented less, a document marker, or (for a
// sequence) a line at the dashes' indentation that is no item ends it.
func (t *textFile) blockEnd(start, indent int, seq bool) int {
	last := start
	for i := start + 1; i < len(t.lines); i++ {
		l := t.text(i)
		if i == 0 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		rest := strings.TrimLeft(l, " ")
		if rest == "" || strings.HasPrefix(rest, "#") {
			continue
		}
		ws := len(l) - len(rest)
		if ws == 0 && (rest == "---" || rest == "..." || strings.HasPrefix(rest, "--- ") || strings.HasPrefix(rest, "... ")) {
			break
		}
		if ws < indent || (seq && ws == indent && !strings.HasPrefix(rest, "-")) {
			break
		}
		last = i
	}
	return last
}

func (t *textFile) insert(after int, lines ...string) {
	t.after[after] = append(t.after[after], lines...)
}

// render walks the documents and writes every new node into the text.
func (t *textFile) render(docs []*yaml.Node) error {
	t.step = detectStep(docs)
	for _, d := range docs {
		if err := t.walk(d); err != nil {
			return err
		}
	}
	return nil
}

// walk visits children before their parent, so that when a collection
// and its parent end on the same line, the deeper insertion comes first.
func (t *textFile) walk(n *yaml.Node) error {
	if n.Line == 0 {
		return nil // a new subtree, written whole by its parent
	}
	for _, c := range n.Content {
		if err := t.walk(c); err != nil {
			return err
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		var fresh []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Line == 0 {
				fresh = append(fresh, n.Content[i], n.Content[i+1])
			}
		}
		if len(fresh) > 0 {
			return t.extendMapping(n, fresh)
		}
	case yaml.SequenceNode:
		var fresh []*yaml.Node
		for _, c := range n.Content {
			if c.Line == 0 {
				fresh = append(fresh, c)
			}
		}
		if len(fresh) > 0 {
			return t.extendSequence(n, fresh)
		}
	}
	return nil
}

var emptyValue = regexp.MustCompile(`^(\{\s*\}|\[\s*\]|null|Null|NULL|~)?\s*(#.*)?$`)

func (t *textFile) extendMapping(m *yaml.Node, fresh []*yaml.Node) error {
	old := len(m.Content) - len(fresh)
	if old == 0 {
		// It was null or {} in the source: the value of a key.
		at, ok := t.keyOf[m]
		if !ok || at.key.Line == 0 {
			return errFlow
		}
		return t.fillEmpty(at, func(indent int) []string { return t.pairs(fresh, indent) }, func() string { return jsonText(&yaml.Node{Kind: yaml.MappingNode, Content: fresh}) })
	}
	if m.Style&yaml.FlowStyle != 0 {
		// JSON written one entry a line: "{" ends its line.
		first := m.Content[0]
		if !t.opensLine(m) {
			return errFlow
		}
		var out []string
		for i := 0; i+1 < len(fresh); i += 2 {
			out = append(out, strings.Repeat(" ", first.Column-1)+jsonText(fresh[i])+": "+jsonText(fresh[i+1])+",")
		}
		t.insert(m.Line-1, out...)
		return nil
	}
	first := m.Content[0]
	indent := first.Column - 1
	end := t.blockEnd(first.Line-1, indent, false)
	t.insert(end, t.pairs(fresh, indent)...)
	return nil
}

func (t *textFile) extendSequence(s *yaml.Node, fresh []*yaml.Node) error {
	old := len(s.Content) - len(fresh)
	if old == 0 {
		at, ok := t.keyOf[s]
		if !ok || at.key.Line == 0 {
			return errFlow
		}
		return t.fillEmpty(at, func(indent int) []string {
			dash := indent
			if t.compact {
				dash -= t.step
			}
			var out []string
			for _, it := range fresh {
				out = append(out, t.item(it, dash)...)
			}
			return out
		}, func() string { return jsonText(&yaml.Node{Kind: yaml.SequenceNode, Content: fresh}) })
	}
	if s.Style&yaml.FlowStyle != 0 {
		if !t.opensLine(s) {
			return errFlow
		}
		var out []string
		for _, it := range fresh {
			out = append(out, strings.Repeat(" ", s.Content[0].Column-1)+jsonText(it)+",")
		}
		t.insert(s.Line-1, out...)
		return nil
	}
	dash := s.Column - 1
	end := t.blockEnd(s.Line-1, dash, true)
	var out []string
	for _, it := range fresh {
		out = append(out, t.item(it, dash)...)
	}
	t.insert(end, out...)
	return nil
}

// opensLine reports whether a flow collection's bracket is the last thing
// on its line (JSON written one entry a line).
func (t *textFile) opensLine(n *yaml.Node) bool {
	l := t.text(n.Line - 1)
	if n.Column-1 >= len(l) {
		return false
	}
	return strings.TrimSpace(l[n.Column:]) == ""
}

// fillEmpty gives children to a key whose value is empty in the source
// ("key:", "key: {}", "key: null"): the empty value is removed from the
// key's line and the children are added below it; in a flow document
// ("{"key": {}}") the value is written in place.
func (t *textFile) fillEmpty(at emptyAt, block func(indent int) []string, flow func() string) error {
	key := at.key
	li := key.Line - 1
	l := t.text(li)
	ending := t.lines[li][len(l):]
	// Find the value after "key:" on this line.
	pos := key.Column - 1 + len(keyText(l[key.Column-1:]))
	if pos > len(l) {
		return errFlow
	}
	rest := l[pos:]
	restTrim := strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(restTrim, ":") {
		return errFlow
	}
	afterColon := restTrim[1:]
	colonAt := pos + (len(rest) - len(restTrim))
	value := strings.TrimSpace(afterColon)
	if at.flow || !emptyValue.MatchString(value) {
		// Inside a flow collection ("{"a": {}, ...}"): write the value in
		// place.
		m := regexp.MustCompile(`^\s*(\{\s*\}|\[\s*\]|null|~)`).FindStringIndex(afterColon)
		if m == nil {
			return errFlow
		}
		t.replace[li] = l[:colonAt+1] + " " + flow() + afterColon[m[1]:] + ending
		return nil
	}
	comment := ""
	if i := strings.Index(value, "#"); i >= 0 {
		comment = " " + value[i:]
	}
	if strings.HasPrefix(value, "#") || value == "" {
		// "key:" with nothing: only lines are added.
	} else {
		t.replace[li] = l[:colonAt+1] + comment + ending
	}
	t.insert(li, block(indentOf(l)+keyIndentInLine(l, key)+t.step)...)
	return nil
}

// keyIndentInLine is how much further right than the line's indentation
// the key starts ("- name: x" has the key two columns in).
func keyIndentInLine(l string, key *yaml.Node) int {
	return key.Column - 1 - indentOf(l)
}

// keyText returns the key as written at the start of s (quoted or not).
func keyText(s string) string {
	if s == "" {
		return ""
	}
	switch s[0] {
	case '"', '\'':
		q := s[0]
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' && q == '"' {
				i++
				continue
			}
			if s[i] == q {
				return s[:i+1]
			}
		}
		return s
	}
	if i := strings.Index(s, ":"); i >= 0 {
		return strings.TrimRight(s[:i], " ")
	}
	return s
}

// pairs writes new key/value pairs as block YAML at indent.
func (t *textFile) pairs(kv []*yaml.Node, indent int) []string {
	var out []string
	pad := strings.Repeat(" ", indent)
	for i := 0; i+1 < len(kv); i += 2 {
		k, v := scalarText(kv[i]), kv[i+1]
		switch {
		case v.Kind == yaml.MappingNode && len(v.Content) > 0 && v.Style&yaml.FlowStyle == 0:
			out = append(out, pad+k+":")
			out = append(out, t.pairs(v.Content, indent+t.step)...)
		case v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Style&yaml.FlowStyle == 0:
			out = append(out, pad+k+":")
			dash := indent + t.step
			if t.compact {
				dash = indent
			}
			for _, it := range v.Content {
				out = append(out, t.item(it, dash)...)
			}
		default:
			out = append(out, pad+k+": "+inline(v))
		}
	}
	return out
}

// item writes one sequence item as block YAML with its dash at dash.
func (t *textFile) item(it *yaml.Node, dash int) []string {
	pad := strings.Repeat(" ", dash)
	if it.Kind == yaml.MappingNode && len(it.Content) > 0 {
		lines := t.pairs(it.Content, dash+2)
		lines[0] = pad + "- " + strings.TrimLeft(lines[0], " ")
		return lines
	}
	return []string{pad + "- " + inline(it)}
}

// inline writes a node on one line, in flow style.
func inline(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return flowPairs(n.Content)
	case yaml.SequenceNode:
		return flowItems(n.Content)
	}
	return scalarText(n)
}

func flowPairs(kv []*yaml.Node) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, scalarText(kv[i])+": "+inline(kv[i+1]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func flowItems(items []*yaml.Node) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = inline(it)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// plainSafe are scalars that read back as the same string unquoted.
var plainSafe = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./-]*$`)

// scalarText writes a scalar so that it reads back with its tag: strings
// that YAML would read as something else (true, 1, null) or that hold
// special characters are double-quoted, as JSON quotes them.
func scalarText(n *yaml.Node) string {
	switch n.Tag {
	case "!!bool", "!!int", "!!null":
		return n.Value
	}
	if plainSafe.MatchString(n.Value) {
		var v any
		if yaml.Unmarshal([]byte(n.Value), &v) == nil {
			if s, ok := v.(string); ok && s == n.Value {
				return n.Value
			}
		}
	}
	b, _ := json.Marshal(n.Value)
	return string(b)
}

// jsonText writes a node as compact JSON, for documents written in JSON.
func jsonText(n *yaml.Node) string {
	v, err := yamldoc.Value(n)
	if err != nil {
		return "null"
	}
	b, _ := json.Marshal(v)
	s := string(b)
	// Spaces after separators, as people write JSON by hand.
	s = strings.ReplaceAll(s, `":`, `": `)
	s = strings.ReplaceAll(s, `,"`, `, "`)
	return s
}

// output joins the text with its insertions.
func (t *textFile) output() []byte {
	var b strings.Builder
	for i := range t.lines {
		line := t.lines[i]
		if r, ok := t.replace[i]; ok {
			line = r
		}
		b.WriteString(line)
		ins := t.after[i]
		if len(ins) == 0 {
			continue
		}
		if !strings.HasSuffix(line, "\n") {
			b.WriteString(t.nl) // the last line had no ending
			for j, l := range ins {
				if j > 0 {
					b.WriteString(t.nl)
				}
				b.WriteString(l)
			}
			continue
		}
		for _, l := range ins {
			b.WriteString(l)
			b.WriteString(t.nl)
		}
	}
	return []byte(b.String())
}

// detectStep is the file's indentation step: the first nested block
// mapping's offset from its parent, else 2.
func detectStep(docs []*yaml.Node) int {
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Line > 0 && v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Content[0].Line > k.Line {
					if d := v.Content[0].Column - k.Column; d > 0 {
						return d
					}
				}
			}
		}
		for _, c := range n.Content {
			if s := find(c); s > 0 {
				return s
			}
		}
		return 0
	}
	for _, d := range docs {
		if s := find(d); s > 0 {
			return s
		}
	}
	return 2
}

// readsBack checks that out parses to the edited trees.
func readsBack(name string, out []byte, want []*yaml.Node) error {
	got, err := yamldoc.Parse(name, out)
	if err != nil {
		return fmt.Errorf("the edited text does not parse: %w", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("the edited text has %d documents, want %d", len(got), len(want))
	}
	for i := range got {
		a, err1 := yamldoc.Value(got[i])
		b, err2 := yamldoc.Value(want[i])
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			return fmt.Errorf("document %d would not read back as edited", i+1)
		}
	}
	return nil
}

// compactSequences reports whether src writes sequences at their key's
// indentation (kubectl's style: "containers:\n- name: a"), so that new
// sequences are written the same way.
func compactSequences(src []byte) bool {
	lines := strings.Split(string(src), "\n")
	for i := 0; i+1 < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r ")
		if !strings.HasSuffix(l, ":") {
			continue
		}
		next := lines[i+1]
		t := strings.TrimLeft(next, " ")
		if !strings.HasPrefix(t, "- ") && strings.TrimRight(t, "\r") != "-" {
			continue
		}
		return len(next)-len(t) == len(l)-len(strings.TrimLeft(l, " "))
	}
	return false
}
