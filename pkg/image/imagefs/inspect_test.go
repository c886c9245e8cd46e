package imagefs

import (
	"io/fs"
	"strings"
	"testing"
)

// shebang is an inspector for tests: files starting "#!" yield a fact
// with the interpreter; a file named "boom" panics it.
type shebang struct{}

func (shebang) Name() string                                { return "shebang" }
func (shebang) Version() int                                { return 1 }
func (shebang) Wants(p string, _ int64, _ fs.FileMode) bool { return !strings.HasPrefix(p, "etc/") }
func (shebang) Inspect(p string, _ fs.FileMode, b []byte) ([]Fact, error) {
	if strings.HasSuffix(p, "boom") {
		panic("boom")
	}
	s := string(b)
	if !strings.HasPrefix(s, "#!") {
		return nil, nil
	}
	line, _, _ := strings.Cut(s[2:], "\n")
	return []Fact{{Kind: "script", Data: map[string]string{"interp": line}}}, nil
}

func TestInspectors(t *testing.T) {
	o := Options{Inspectors: []Inspector{shebang{}}}
	v, err := read(t, o, tarOf(t,
		entry{"bin/", ""},
		entry{"bin/a", "#!/bin/sh\necho"},
		entry{"bin/b => bin/a", ""},     // a hard link takes its target's facts
		entry{"bin/c", "#!/bin/bash\n"}, // rewritten below: its facts go
		entry{"bin/c", "plain"},
		entry{"bin/d", "plain"}, // rewritten as a script: it gets facts
		entry{"bin/d", "#!/usr/bin/env python3\n"},
		entry{"bin/boom", "#!x"},
	))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range v.Facts() {
		got[f.Path] = f.Data["interp"]
	}
	want := map[string]string{"bin/a": "/bin/sh", "bin/b": "/bin/sh", "bin/d": "/usr/bin/env python3"}
	if len(got) != len(want) {
		t.Errorf("facts %v, want %v", got, want)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
	var boom bool
	for _, l := range v.Layers {
		for _, e := range l.Errors {
			boom = boom || (e.Path == "bin/boom" && strings.Contains(e.Err, "inspector failed: boom"))
		}
	}
	if !boom {
		t.Error("a panicking inspector must become a file error")
	}
}

func TestFileCaps(t *testing.T) {
	// vfs_cap_data v2, effective, permitted NET_BIND_SERVICE (10) and NET_RAW (13).
	v2 := "\x01\x00\x00\x02" + "\x00\x24\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"
	if got := strings.Join(fileCaps(v2), ","); got != "NET_BIND_SERVICE,NET_RAW" {
		t.Errorf("v2: %s", got)
	}
	// v3 carries a root UID after; CAP_BPF (39) is in the second word.
	v3 := "\x00\x00\x00\x03" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x80\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"
	if got := strings.Join(fileCaps(v3), ","); got != "BPF" {
		t.Errorf("v3: %s", got)
	}
	for _, bad := range []string{"", "short", "\x00\x00\x00\x09" + strings.Repeat("\x00", 16)} {
		if fileCaps(bad) != nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
