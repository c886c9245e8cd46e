package finding

import (
	"strings"
	"testing"
)

func TestLimit(t *testing.T) {
	l := NewLimit(2)
	var listed []Finding
	for i, sev := range []Severity{Low, Low, Low, High, Medium} {
		f := Finding{ID: "RT001", Severity: sev, Message: "m" + string(rune('0'+i)), Location: Location{File: "a.yaml", Line: i + 1}}
		if l.Add(f) {
			listed = append(listed, f)
		}
	}
	if !l.Add(Finding{ID: "RT002"}) || len(listed) != 2 {
		t.Fatalf("listed %d of RT001; another rule must still be listed", len(listed))
	}
	s := l.Summaries()
	if len(s) != 1 || s[0].ID != "RT001" || s[0].Severity != High || s[0].Location.Line != 3 ||
		!strings.HasPrefix(s[0].Message, "3 more RT001 findings in this file are not listed") || !strings.HasSuffix(s[0].Message, ": m2") {
		t.Fatalf("summaries = %+v; want one RT001 at line 3, severity high (the worst folded), naming 3 more", s)
	}
}

func TestLimitFilter(t *testing.T) {
	fs := make([]Finding, 2500)
	for i := range fs {
		fs[i] = Finding{ID: "DF010", Severity: Info}
	}
	l := NewLimit(0)
	if got := len(l.Filter(fs)); got != DefaultPerRule {
		t.Fatalf("Filter kept %d; want %d", got, DefaultPerRule)
	}
	if s := l.Summaries(); len(s) != 1 || !strings.HasPrefix(s[0].Message, "1500 more DF010 findings") {
		t.Fatalf("summaries = %+v", s)
	}
}

func TestLimitIn(t *testing.T) {
	l := NewLimit(1).In("image")
	l.Add(Finding{ID: "IMG013"})
	l.Add(Finding{ID: "IMG013"})
	if s := l.Summaries(); len(s) != 1 || !strings.HasPrefix(s[0].Message, "1 more IMG013 finding in this image is not listed") {
		t.Fatalf("%+v", s)
	}
}
