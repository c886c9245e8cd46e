package finding

import "fmt"

// DefaultPerRule is how many findings of one rule one input file lists.
// Past it a report stops being read by anyone, and each finding costs a
// kilobyte or more: 100,000 Pods in a 10 MB manifest made 800,000
// findings and 1.8 GB.
const DefaultPerRule = 1000

// Limit lists at most PerRule findings of each rule from one input and
// folds the rest of each rule into one summary finding, so that what a
// file can make a report hold is bounded while the gate still sees the
// highest severity of every rule that fired (the summary carries it) and
// an ignore of the rule still covers it.
type Limit struct {
	perRule int
	listed  map[string]int
	folded  map[string]*summary
	order   []string
	where   string
}

type summary struct {
	first Finding
	count int
	worst Severity
}

// NewLimit returns a Limit of perRule findings per rule (DefaultPerRule
// when perRule is 0 or less).
func NewLimit(perRule int) *Limit {
	if perRule <= 0 {
		perRule = DefaultPerRule
	}
	return &Limit{perRule: perRule, listed: map[string]int{}, folded: map[string]*summary{}, where: "file"}
}

// In names what the findings come from in summaries ("image"; "file" by
// default).
func (l *Limit) In(what string) *Limit {
	l.where = what
	return l
}

// Take reports whether one more finding of rule id is listed, and counts
// it when it is. A finding Take refused goes to Fold.
func (l *Limit) Take(id string) bool {
	if l.listed[id] >= l.perRule {
		return false
	}
	l.listed[id]++
	return true
}

// Fold counts f, a finding Take refused, into its rule's summary.
func (l *Limit) Fold(f Finding) {
	s := l.folded[f.ID]
	if s == nil {
		s = &summary{first: f}
		l.folded[f.ID] = s
		l.order = append(l.order, f.ID)
	}
	s.count++
	s.worst = max(s.worst, f.Severity)
}

// Add lists f or folds it: it reports whether f is to be listed.
func (l *Limit) Add(f Finding) bool {
	if l.Take(f.ID) {
		return true
	}
	l.Fold(f)
	return false
}

// Filter keeps the findings of fs that Add lists, in place.
func (l *Limit) Filter(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if l.Add(f) {
			out = append(out, f)
		}
	}
	return out
}

// Summaries are the folded findings, one per rule that went over the
// limit, in the order the rules first went over it. Each is the first
// folded finding with the highest folded severity and a message that
// says how many were not listed.
func (l *Limit) Summaries() []Finding {
	out := make([]Finding, 0, len(l.order))
	for _, id := range l.order {
		s := l.folded[id]
		f := s.first
		f.Severity = s.worst
		noun := "findings in this " + l.where + " are"
		if s.count == 1 {
			noun = "finding in this " + l.where + " is"
		}
		f.Message = fmt.Sprintf("%d more %s %s not listed (the first %d of each rule are); the first of them: %s",
			s.count, id, noun, l.perRule, f.Message)
		out = append(out, f)
	}
	return out
}
