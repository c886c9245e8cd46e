package executable

import (
	"testing"

	"github.com/bulwarksec/bulwark/internal/testimage"
)

func TestInspect(t *testing.T) {
	in := New()
	for _, c := range []struct {
		name, content string
		kind, interp  string
		libc          string
	}{
		{"glibc", testimage.GlibcELF(), KindELF, "/lib64/ld-linux-x86-64.so.2", "glibc"},
		{"static", testimage.StaticELF(), KindELF, "", ""},
		{"script", "#!/usr/bin/env python3\nprint()\n", KindScript, "/usr/bin/env python3", ""},
		{"text", "hello", "", "", ""},
		{"truncated ELF", testimage.GlibcELF()[:70], "", "", ""},
	} {
		facts, err := in.Inspect("app/x", 0o755, []byte(c.content))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.kind == "" {
			if len(facts) != 0 {
				t.Errorf("%s: %+v", c.name, facts)
			}
			continue
		}
		if len(facts) != 1 || facts[0].Kind != c.kind || facts[0].Data[KeyInterp] != c.interp || Libc(facts[0]) != c.libc {
			t.Errorf("%s: %+v", c.name, facts)
		}
	}
}

// FuzzInspect: hostile executables never panic the inspector (debug/elf
// has had panics on crafted files; the walker recovers too, but the
// inspector should not need it).
func FuzzInspect(f *testing.F) {
	f.Add([]byte(testimage.GlibcELF()))
	f.Add([]byte(testimage.StaticELF()))
	f.Add([]byte("#!/bin/sh\n"))
	in := New()
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = in.Inspect("x", 0o755, b) })
}
