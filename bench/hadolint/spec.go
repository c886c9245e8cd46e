// Package hadolint measures how far Bulwark's Dockerfile rules agree with
// Hadolint's own rule test suite. Extract reads one Hadolint hspec file
// (test/Hadolint/Rule/DLxxxxSpec.hs) and returns the Dockerfile cases its
// assertions make; hadolint_test.go runs them through dfrule.
//
// The extractor is a small Haskell lexer plus a recogniser for the few
// forms the rule specs use: the helpers of test/Helpers.hs applied to a
// rule code and a Dockerfile expression, `let` bindings (scoped by layout
// column) of strings, lists of strings and `Text.unlines` of them, and
// `let ?config = def { ... }`. Anything else is reported as Skipped with
// a reason rather than guessed at.
package hadolint

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Case is one assertion of a Hadolint rule spec.
type Case struct {
	File string // spec file name, as passed to Extract
	Line int    // line of the helper call (ruleCatches ...)
	Name string // description of the enclosing `it`
	Rule string // Hadolint rule code, DLxxxx
	// Catch is true when Hadolint expects the rule to fail on Dockerfile.
	Catch bool
	// OnBuild is true for the onBuild* helpers: every RUN instruction of
	// Dockerfile is to be wrapped as ONBUILD RUN before checking.
	OnBuild bool
	// Count is the exact number of failures of Rule expected, or -1 for
	// "at least one" (ruleCatches, failsWithSome). ruleCatchesNot and
	// onBuildRuleCatchesNot expect 0, onBuildRuleCatches exactly 1 (see
	// failsWith in test/Helpers.hs), assertChecks ... (failsWith N) N.
	Count int
	// Helper is the Helpers.hs function the case came from.
	Helper string
	// Dockerfile is the text given to the helper, decoded from Haskell
	// string syntax. Helpers.hs parses it with "\n" appended.
	Dockerfile string
	// Config holds the fields of the implicit ?config in scope (e.g.
	// "allowedRegistries": "a.com,*.b.com", "labelSchema": "foo=RawText",
	// "strictLabels": "True"); nil for the default configuration.
	Config map[string]string
}

// Skipped is an assertion Extract found but could not turn into a Case.
type Skipped struct {
	File   string
	Line   int
	Name   string
	Helper string
	Rule   string
	Reason string
}

// Helpers lists the assertion helpers Extract recognises.
var Helpers = []string{"ruleCatches", "ruleCatchesNot", "onBuildRuleCatches", "onBuildRuleCatchesNot", "assertChecks", "assertOnBuildChecks"}

var (
	specName = regexp.MustCompile(`^DL[0-9]{4}Spec\.hs$`)
	ruleCode = regexp.MustCompile(`^DL[0-9]{4}$`)
)

// Extract returns the cases of one spec file. Files not named
// DLxxxxSpec.hs yield nothing.
func Extract(name string, src []byte) ([]Case, []Skipped) {
	if !specName.MatchString(path.Base(name)) {
		return nil, nil
	}
	toks, err := lex(string(src))
	if err != nil {
		return nil, []Skipped{{File: name, Line: err.line, Reason: "lexing: " + err.msg}}
	}
	x := &extractor{file: name, toks: toks}
	x.run()
	return x.cases, x.skipped
}

// ---------------------------------------------------------------------------
// Lexer

type tokKind int

const (
	tIdent  tokKind = iota // foo, Text.unlines, ?config, True
	tString                // "..." (s holds the decoded value)
	tNumber                // 42
	tSym                   // ( ) [ ] , { } ; ` and operators ($ <> = ...)
	tChar                  // 'x'
)

type token struct {
	kind      tokKind
	s         string // identifier/symbol text, or decoded string value
	line, col int    // 1-based
	bol       bool   // first token on its line
}

type lexError struct {
	line int
	msg  string
}

func isSymChar(r rune) bool { return strings.ContainsRune("!#$%&*+./<=>?@\\^|-~:", r) }
func isIdentStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r)
}
func isIdentChar(r rune) bool {
	return r == '_' || r == '\'' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

type lexer struct {
	src       string
	pos       int
	line, col int
}

func (l *lexer) peek(off int) rune {
	p := l.pos
	for i := 0; i < off && p < len(l.src); i++ {
		_, n := utf8.DecodeRuneInString(l.src[p:])
		p += n
	}
	if p >= len(l.src) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(l.src[p:])
	return r
}

func (l *lexer) next() rune {
	r, n := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func lex(src string) ([]token, *lexError) {
	l := &lexer{src: src, line: 1, col: 1}
	var toks []token
	lastLine := 0
	for l.pos < len(l.src) {
		r := l.peek(0)
		switch {
		case r == '\n' || unicode.IsSpace(r):
			l.next()
			continue
		case r == '-' && l.peek(1) == '-' && lineComment(l.src[l.pos:]):
			for l.pos < len(l.src) && l.peek(0) != '\n' {
				l.next()
			}
			continue
		case r == '{' && l.peek(1) == '-':
			line := l.line
			depth := 0
			for {
				if l.pos >= len(l.src) {
					return nil, &lexError{line, "unterminated {- comment"}
				}
				if l.peek(0) == '{' && l.peek(1) == '-' {
					l.next()
					l.next()
					depth++
					continue
				}
				if l.peek(0) == '-' && l.peek(1) == '}' {
					l.next()
					l.next()
					depth--
					if depth == 0 {
						break
					}
					continue
				}
				l.next()
			}
			continue
		}
		t := token{line: l.line, col: l.col, bol: l.line != lastLine}
		lastLine = l.line
		switch {
		case r == '"':
			s, err := l.str()
			if err != nil {
				return nil, err
			}
			t.kind, t.s = tString, s
		case r == '\'':
			if s, ok := l.char(); ok {
				t.kind, t.s = tChar, s
			} else {
				l.next()
				t.kind, t.s = tSym, "'"
			}
		case r == '?' && isIdentStart(l.peek(1)):
			l.next()
			t.kind, t.s = tIdent, "?"+l.ident()
		case isIdentStart(r):
			t.kind, t.s = tIdent, l.ident()
		case unicode.IsDigit(r):
			start := l.pos
			for unicode.IsDigit(l.peek(0)) {
				l.next()
			}
			t.kind, t.s = tNumber, l.src[start:l.pos]
		case strings.ContainsRune("()[],{};`", r):
			l.next()
			t.kind, t.s = tSym, string(r)
		case isSymChar(r):
			start := l.pos
			for isSymChar(l.peek(0)) {
				l.next()
			}
			t.kind, t.s = tSym, l.src[start:l.pos]
		default:
			l.next()
			t.kind, t.s = tSym, string(r)
		}
		toks = append(toks, t)
	}
	return toks, nil
}

// lineComment reports whether s, which starts with "--", starts a line
// comment: a run of dashes not followed by another operator character.
func lineComment(s string) bool {
	i := 0
	for i < len(s) && s[i] == '-' {
		i++
	}
	if i == len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isSymChar(r)
}

// ident reads an identifier, joining qualified names (Text.unlines,
// Map.fromList, Rule.RawText) into one token.
func (l *lexer) ident() string {
	start := l.pos
	for {
		first := l.peek(0)
		for isIdentChar(l.peek(0)) {
			l.next()
		}
		if unicode.IsUpper(first) && l.peek(0) == '.' && isIdentStart(l.peek(1)) {
			l.next()
			continue
		}
		return l.src[start:l.pos]
	}
}

var asciiNames = []struct {
	name string
	r    rune
}{
	// Longest first where one name prefixes another (SOH before SO).
	{"NUL", 0}, {"SOH", 1}, {"STX", 2}, {"ETX", 3}, {"EOT", 4}, {"ENQ", 5}, {"ACK", 6},
	{"BEL", 7}, {"BS", 8}, {"HT", 9}, {"LF", 10}, {"VT", 11}, {"FF", 12}, {"CR", 13},
	{"SO", 14}, {"SI", 15}, {"DLE", 16}, {"DC1", 17}, {"DC2", 18}, {"DC3", 19},
	{"DC4", 20}, {"NAK", 21}, {"SYN", 22}, {"ETB", 23}, {"CAN", 24}, {"EM", 25},
	{"SUB", 26}, {"ESC", 27}, {"FS", 28}, {"GS", 29}, {"RS", 30}, {"US", 31},
	{"SP", 32}, {"DEL", 127},
}

// escape decodes one escape after the backslash (already consumed). It
// returns ok=false with no rune for \& (the empty escape).
func (l *lexer) escape() (rune, bool, *lexError) {
	line := l.line
	r := l.peek(0)
	simple := map[rune]rune{'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': '\\', '"': '"', '\'': '\''}
	if v, ok := simple[r]; ok {
		l.next()
		return v, true, nil
	}
	switch {
	case r == '&':
		l.next()
		return 0, false, nil
	case r == '^':
		l.next()
		c := l.next()
		return c - '@', true, nil
	case unicode.IsDigit(r) || r == 'x' || r == 'o':
		base, digits := 10, "0123456789"
		if r == 'x' {
			base, digits = 16, "0123456789abcdefABCDEF"
			l.next()
		} else if r == 'o' {
			base, digits = 8, "01234567"
			l.next()
		}
		start := l.pos
		for l.pos < len(l.src) && strings.ContainsRune(digits, l.peek(0)) {
			l.next()
		}
		n, err := strconv.ParseInt(l.src[start:l.pos], base, 32)
		if err != nil {
			return 0, false, &lexError{line, "bad numeric escape"}
		}
		return rune(n), true, nil
	}
	for _, a := range asciiNames {
		if strings.HasPrefix(l.src[l.pos:], a.name) {
			for range a.name {
				l.next()
			}
			return a.r, true, nil
		}
	}
	return 0, false, &lexError{line, fmt.Sprintf("unknown escape \\%c", r)}
}

// str reads a string literal, decoding escapes and gaps.
func (l *lexer) str() (string, *lexError) {
	line := l.line
	l.next() // opening quote
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", &lexError{line, "unterminated string"}
		}
		r := l.next()
		switch r {
		case '"':
			return b.String(), nil
		case '\n':
			return "", &lexError{line, "newline in string"}
		case '\\':
			if unicode.IsSpace(l.peek(0)) { // gap: \   \
				for l.pos < len(l.src) && unicode.IsSpace(l.peek(0)) {
					l.next()
				}
				if l.pos >= len(l.src) || l.next() != '\\' {
					return "", &lexError{line, "bad string gap"}
				}
				continue
			}
			v, ok, err := l.escape()
			if err != nil {
				return "", err
			}
			if ok {
				b.WriteRune(v)
			}
		default:
			b.WriteRune(r)
		}
	}
}

// char reads a character literal; it leaves the lexer alone when the
// quote does not start one.
func (l *lexer) char() (string, bool) {
	save := *l
	l.next()
	var v rune
	if l.peek(0) == '\\' {
		l.next()
		r, ok, err := l.escape()
		if err != nil || !ok {
			*l = save
			return "", false
		}
		v = r
	} else {
		v = l.next()
	}
	if l.peek(0) != '\'' {
		*l = save
		return "", false
	}
	l.next()
	return string(v), true
}

// ---------------------------------------------------------------------------
// Values and scopes

type valKind int

const (
	vBad valKind = iota
	vStr
	vList
	vConfig
)

type value struct {
	kind valKind
	s    string
	l    []string
	cfg  map[string]string
	why  string // for vBad
}

func bad(format string, args ...any) value {
	return value{kind: vBad, why: fmt.Sprintf(format, args...)}
}

// binding is a name in scope from a let (or an `it` description, under
// the name itName). It stays in scope until a line starts left of col,
// the column of the let keyword: Haskell's layout rule, near enough for
// these specs.
type binding struct {
	name string
	val  value
	col  int
}

const itName = "\x00it"

type extractor struct {
	file    string
	toks    []token
	scope   []binding
	cases   []Case
	skipped []Skipped
}

func (x *extractor) tok(i int) token {
	if i < len(x.toks) {
		return x.toks[i]
	}
	return token{kind: tSym, s: "<EOF>"}
}

func (x *extractor) is(i int, kind tokKind, s string) bool {
	t := x.tok(i)
	return t.kind == kind && t.s == s
}

func (x *extractor) lookup(name string) (value, bool) {
	for i := len(x.scope) - 1; i >= 0; i-- {
		if x.scope[i].name == name {
			return x.scope[i].val, true
		}
	}
	return value{}, false
}

func (x *extractor) bind(name string, v value, col int) {
	x.scope = append(x.scope, binding{name, v, col})
}

func (x *extractor) name() string {
	v, _ := x.lookup(itName)
	return v.s
}

func (x *extractor) run() {
	helpers := map[string]bool{}
	for _, h := range Helpers {
		helpers[h] = true
	}
	for i := 0; i < len(x.toks); {
		t := x.toks[i]
		if t.bol {
			n := len(x.scope)
			for n > 0 && x.scope[n-1].col > t.col {
				n--
			}
			x.scope = x.scope[:n]
		}
		switch {
		case t.kind == tIdent && (t.s == "it" || t.s == "specify") && x.tok(i+1).kind == tString:
			x.bind(itName, value{kind: vStr, s: strings.Join(strings.Fields(x.tok(i+1).s), " ")}, t.col)
			i += 2
		case t.kind == tIdent && t.s == "let":
			i = x.let(i)
		case t.kind == tIdent && helpers[t.s]:
			i = x.helper(i)
		default:
			i++
		}
	}
}

// let reads `let a = e` or a layout block of bindings, binding what it can.
func (x *extractor) let(i int) int {
	col := x.toks[i].col
	j := i + 1
	first := x.tok(j).col
	for {
		n := x.tok(j)
		if n.kind != tIdent || !x.is(j+1, tSym, "=") || n.col != first {
			return j
		}
		var v value
		var next int
		if n.s == "?config" {
			v, next = x.config(j + 2)
		} else {
			v, next = x.expr(j + 2)
		}
		x.bind(n.s, v, col)
		if next <= j+2 { // nothing consumed
			next = j + 3
		}
		j = next
		if !x.tok(j).bol {
			return j
		}
	}
}

// expr reads `$ e`, an atom (or known function applied to one), and
// `e <> e`.
func (x *extractor) expr(i int) (value, int) {
	if x.is(i, tSym, "$") {
		return x.expr(i + 1)
	}
	v, i := x.app(i)
	for x.is(i, tSym, "<>") {
		w, j := x.app(i + 1)
		i = j
		switch {
		case v.kind == vBad:
		case w.kind == vBad:
			v = w
		case v.kind == vStr && w.kind == vStr:
			v.s += w.s
		case v.kind == vList && w.kind == vList:
			v.l = append(append([]string(nil), v.l...), w.l...)
		default:
			v = bad("<> of mismatched values")
		}
	}
	return v, i
}

// app reads an atom, or one of the few functions the specs apply to
// Dockerfile text.
func (x *extractor) app(i int) (value, int) {
	t := x.tok(i)
	if t.kind == tIdent {
		switch t.s {
		case "Text.unlines", "unlines", "T.unlines":
			v, j := x.arg(i + 1)
			if v.kind == vBad {
				return v, j
			}
			if v.kind != vList {
				return bad("%s of a non-list", t.s), j
			}
			var b strings.Builder
			for _, s := range v.l {
				b.WriteString(s)
				b.WriteByte('\n')
			}
			return value{kind: vStr, s: b.String()}, j
		case "Text.intercalate", "intercalate", "T.intercalate":
			sep, j := x.arg(i + 1)
			v, k := x.arg(j)
			if sep.kind != vStr || v.kind != vList {
				return bad("unsupported %s", t.s), k
			}
			return value{kind: vStr, s: strings.Join(v.l, sep.s)}, k
		case "Text.concat", "mconcat", "T.concat":
			v, j := x.arg(i + 1)
			if v.kind != vList {
				return bad("unsupported %s", t.s), j
			}
			return value{kind: vStr, s: strings.Join(v.l, "")}, j
		case "Text.pack", "T.pack", "pack":
			return x.arg(i + 1)
		}
	}
	return x.atom(i)
}

// arg is an argument of a function: an atom, or `$ e`.
func (x *extractor) arg(i int) (value, int) {
	if x.is(i, tSym, "$") {
		return x.expr(i + 1)
	}
	return x.atom(i)
}

func (x *extractor) atom(i int) (value, int) {
	t := x.tok(i)
	switch {
	case t.kind == tString:
		return value{kind: vStr, s: t.s}, i + 1
	case t.kind == tSym && t.s == "(":
		v, j := x.expr(i + 1)
		if !x.is(j, tSym, ")") {
			return bad("unsupported expression inside ( ) near %q", x.tok(j).s), x.skipTo(j, ")")
		}
		return v, j + 1
	case t.kind == tSym && t.s == "[":
		var l []string
		j := i + 1
		if x.is(j, tSym, "]") {
			return value{kind: vList}, j + 1
		}
		for {
			v, k := x.expr(j)
			if v.kind != vStr {
				if v.kind == vBad {
					return v, x.skipTo(k, "]")
				}
				return bad("list of non-strings"), x.skipTo(k, "]")
			}
			l = append(l, v.s)
			switch {
			case x.is(k, tSym, ","):
				j = k + 1
			case x.is(k, tSym, "]"):
				return value{kind: vList, l: l}, k + 1
			default:
				return bad("unsupported list element near %q", x.tok(k).s), x.skipTo(k, "]")
			}
		}
	case t.kind == tIdent && unicode.IsLower([]rune(t.s)[0]):
		if v, ok := x.lookup(t.s); ok {
			return v, i + 1
		}
		return bad("unbound name %s", t.s), i + 1
	}
	return bad("unsupported expression near %q", t.s), i + 1
}

// skipTo returns the index after the bracket closing the one before i.
func (x *extractor) skipTo(i int, closer string) int {
	opener := map[string]string{")": "(", "]": "[", "}": "{"}[closer]
	depth := 0
	for ; i < len(x.toks); i++ {
		switch {
		case x.is(i, tSym, opener):
			depth++
		case x.is(i, tSym, closer):
			if depth == 0 {
				return i + 1
			}
			depth--
		}
	}
	return i
}

// config reads `def` or `def { field = value, ... }`.
func (x *extractor) config(i int) (value, int) {
	if !x.is(i, tIdent, "def") {
		return bad("?config is not def{...}"), i + 1
	}
	cfg := map[string]string{}
	i++
	if !x.is(i, tSym, "{") {
		return value{kind: vConfig, cfg: cfg}, i
	}
	i++
	for {
		if x.is(i, tSym, "}") {
			return value{kind: vConfig, cfg: cfg}, i + 1
		}
		f := x.tok(i)
		if f.kind != tIdent || !x.is(i+1, tSym, "=") {
			return bad("unsupported ?config near %q", f.s), x.skipTo(i, "}")
		}
		v, j, ok := x.configValue(i + 2)
		if !ok {
			return bad("unsupported ?config value for %s", f.s), x.skipTo(j, "}")
		}
		cfg[f.s] = v
		i = j
		if x.is(i, tSym, ",") {
			i++
		}
	}
}

// configValue reads a list of strings (joined with ","), a
// Map.fromList of (string, constructor) pairs ("k=Ctor" joined with ","),
// a constructor or a string.
func (x *extractor) configValue(i int) (string, int, bool) {
	t := x.tok(i)
	switch {
	case t.kind == tString:
		return t.s, i + 1, true
	case t.kind == tNumber:
		return t.s, i + 1, true
	case t.kind == tIdent && t.s == "Map.fromList" && x.is(i+1, tSym, "["):
		var out []string
		j := i + 2
		for !x.is(j, tSym, "]") {
			if !x.is(j, tSym, "(") || x.tok(j+1).kind != tString || !x.is(j+2, tSym, ",") || x.tok(j+3).kind != tIdent || !x.is(j+4, tSym, ")") {
				return "", j, false
			}
			out = append(out, x.tok(j+1).s+"="+unqualify(x.tok(j+3).s))
			j += 5
			if x.is(j, tSym, ",") {
				j++
			}
		}
		return strings.Join(out, ","), j + 1, true
	case t.kind == tIdent && unicode.IsUpper([]rune(t.s)[0]):
		return unqualify(t.s), i + 1, true
	case t.kind == tSym && t.s == "[":
		v, j := x.atom(i)
		if v.kind != vList {
			return "", j, false
		}
		return strings.Join(v.l, ","), j, true
	}
	return "", i + 1, false
}

func unqualify(s string) string {
	if k := strings.LastIndexByte(s, '.'); k >= 0 {
		return s[k+1:]
	}
	return s
}

// helper reads one assertion starting at the helper's name.
func (x *extractor) helper(i int) int {
	h := x.toks[i]
	sk := Skipped{File: x.file, Line: h.line, Name: x.name(), Helper: h.s}
	c := Case{File: x.file, Line: h.line, Name: sk.Name, Helper: h.s}
	var df value
	j := i + 1
	switch h.s {
	case "assertChecks", "assertOnBuildChecks":
		c.OnBuild = h.s == "assertOnBuildChecks"
		df, j = x.arg(j)
		if x.is(j, tSym, "$") {
			j++
		}
		paren := x.is(j, tSym, "(")
		if paren {
			j++
		}
		switch {
		case x.is(j, tIdent, "failsWith") && x.tok(j+1).kind == tNumber:
			c.Count, _ = strconv.Atoi(x.tok(j + 1).s)
			j += 2
		case x.is(j, tIdent, "failsWithSome"):
			c.Count = -1
			j++
		default:
			sk.Reason = fmt.Sprintf("%s with an assertion other than failsWith/failsWithSome (%q)", h.s, x.tok(j).s)
			x.skipped = append(x.skipped, sk)
			return j
		}
		rule, k := x.atom(j)
		j = k
		if paren && x.is(j, tSym, ")") {
			j++
		}
		if rule.kind != vStr {
			sk.Reason = "rule code is not a string: " + rule.why
			x.skipped = append(x.skipped, sk)
			return j
		}
		c.Rule = rule.s
	default:
		c.OnBuild = strings.HasPrefix(h.s, "onBuild")
		rule, k := x.atom(j)
		if rule.kind != vStr {
			sk.Reason = "rule code is not a string: " + rule.why
			x.skipped = append(x.skipped, sk)
			return k
		}
		c.Rule = rule.s
		df, j = x.expr(k)
		switch {
		case strings.HasSuffix(h.s, "Not"):
			c.Count = 0
		case c.OnBuild:
			c.Count = 1
		default:
			c.Count = -1
		}
	}
	c.Catch = c.Count != 0
	sk.Rule = c.Rule
	if !ruleCode.MatchString(c.Rule) {
		sk.Reason = fmt.Sprintf("rule code %q is not a DLxxxx code (the spec passes something else)", c.Rule)
		x.skipped = append(x.skipped, sk)
		return j
	}
	switch df.kind {
	case vStr:
		c.Dockerfile = df.s
	case vBad:
		sk.Reason = "Dockerfile expression: " + df.why
		x.skipped = append(x.skipped, sk)
		return j
	default:
		sk.Reason = "Dockerfile expression is not a string"
		x.skipped = append(x.skipped, sk)
		return j
	}
	if cfg, ok := x.lookup("?config"); ok {
		if cfg.kind != vConfig {
			sk.Reason = "?config: " + cfg.why
			x.skipped = append(x.skipped, sk)
			return j
		}
		if len(cfg.cfg) > 0 {
			c.Config = maps.Clone(cfg.cfg)
		}
	}
	x.cases = append(x.cases, c)
	return j
}
