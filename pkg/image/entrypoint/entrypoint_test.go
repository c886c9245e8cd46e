package entrypoint

import "testing"

func TestInterpreterProgram(t *testing.T) {
	for in, want := range map[string]string{
		"/bin/bash":                "/bin/bash",
		"/usr/bin/env python3":     "python3",
		"/usr/bin/env -S node --x": "node",
		"/bin/sh -e":               "/bin/sh",
		"":                         "",
	} {
		if got := (Command{Interpreter: in}).InterpreterProgram(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
