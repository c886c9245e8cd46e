// Package inputerr is the error for bad user input: a file Bulwark could
// not read or parse, with the line where the problem is. Every parser
// returns it, so the CLI prints one line that names the file and exits 2.
package inputerr

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is a problem in a user's file. Line is 0 when there is no line.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error for file at line.
func New(file string, line int, err error) *Error {
	return &Error{File: file, Line: line, Err: err}
}

// FromYAML turns a yaml.v3 error ("yaml: line 3: mapping values are not
// allowed") into an Error for file, with the line lifted out of the text.
func FromYAML(file string, err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		fmt.Sscanf(msg, "line %d", &line)
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	return &Error{File: file, Line: line, Err: errors.New(msg)}
}
