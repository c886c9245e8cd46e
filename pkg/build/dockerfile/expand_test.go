package dockerfile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// TestExpandAsBuildKit checks that instruction words are read after
// BuildKit's quote removal and variable expansion, with each stage's ARG
// and ENV values, and that what the Dockerfile does not say stays visible.
func TestExpandAsBuildKit(t *testing.T) {
	f := mustParse(t, `ARG NODE_VERSION="20.6-bookworm-slim"
ARG ARCH="amd64"
ARG REG
ARG IMG=${REG}/app
FROM node:${NODE_VERSION} AS build
ARG ARCH
ARG APP_UID
ENV HOME_DIR="/home/app" Q='single $ARCH'
USER "root"
WORKDIR "${HOME_DIR}"
WORKDIR "${HOME}"
ADD "http://example.com/x-${ARCH}.tgz" /tmp/
USER $APP_UID
EXPOSE "8080"
FROM build
USER ${APP_UID:-1000}
WORKDIR $HOME_DIR/sub
FROM ${IMG}
`)
	s := f.Stages
	if got := s[0].From.Image; got != "node:20.6-bookworm-slim" || len(s[0].From.Unresolved) != 0 {
		t.Errorf("FROM with a quoted meta ARG default: %q %v", got, s[0].From.Unresolved)
	}
	if got := s[2].From; got.Image != "${REG}/app" || !cmp.Equal(got.Unresolved, []string{"REG"}) {
		t.Errorf("FROM through an ARG whose default names an unset ARG: %+v", got)
	}
	type want struct {
		word       string
		unresolved []string
	}
	words := func(in *Instruction) string {
		switch c := in.Command.(type) {
		case *instructions.UserCommand:
			return c.User
		case *instructions.WorkdirCommand:
			return c.Path
		case *instructions.AddCommand:
			return c.SourcePaths[0]
		case *instructions.ExposeCommand:
			return c.Ports[0]
		case *instructions.EnvCommand:
			return c.Env[0].Value + "|" + c.Env[1].Value
		case *instructions.ArgCommand:
			if v := c.Args[0].Value; v != nil {
				return *v
			}
			return "<nil>"
		}
		return "?"
	}
	wants := []want{
		{"<nil>", nil}, // ARG ARCH takes the global value
		{"<nil>", nil},
		{"/home/app|single $ARCH", nil},
		{"root", nil},
		{"/home/app", nil},
		{"${HOME}", []string{"HOME"}},
		{"http://example.com/x-amd64.tgz", nil},
		{"${APP_UID}", []string{"APP_UID"}},
		{"8080", nil},
	}
	for i, in := range s[0].Instructions {
		if got := words(in); got != wants[i].word || !cmp.Equal(in.Unresolved, wants[i].unresolved) {
			t.Errorf("line %d: %q %v, want %q %v", in.Line, got, in.Unresolved, wants[i].word, wants[i].unresolved)
		}
	}
	// The second stage inherits the first one's environment.
	if got := words(s[1].Instructions[0]); got != "1000" || len(s[1].Instructions[0].Unresolved) != 0 {
		t.Errorf("USER with an inline default: %q %v", got, s[1].Instructions[0].Unresolved)
	}
	if got := words(s[1].Instructions[1]); got != "/home/app/sub" {
		t.Errorf("inherited ENV: %q", got)
	}
}

func TestBuildArgsOverrideDefaults(t *testing.T) {
	f, err := ParseBytes("Dockerfile", []byte("ARG TAG=3.20\nFROM alpine:$TAG\nARG USER_ID=1\nUSER $USER_ID\n"),
		WithBuildArgs(map[string]string{"TAG": "3.22", "USER_ID": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Stages[0].From.Image; got != "alpine:3.22" {
		t.Errorf("FROM = %q", got)
	}
	if got := f.Stages[0].Instructions[1].Command.(*instructions.UserCommand).User; got != "0" {
		t.Errorf("USER = %q", got)
	}
}

// TestShellWord: a RUN's words expand with the values its stage gives,
// and say so when a value is not known.
func TestShellWord(t *testing.T) {
	src := "FROM a AS one\nENV V=1.2\nARG NODEF\nARG LATER=x\nRUN one\nENV V=9\nFROM a\nRUN two\nONBUILD RUN three\n"
	f, err := ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	one, two := f.Stages[0].Instructions[3], f.Stages[1].Instructions[0]
	trigger := f.Stages[1].Triggers[0]
	for _, c := range []struct {
		in   *Instruction
		word string
		want string
		ok   bool
	}{
		{one, "pkg-${V}", "pkg-1.2", true}, // the ENV after the RUN does not count
		{one, "pkg-$LATER", "pkg-x", true},
		{one, "pkg-$NODEF", "pkg-$NODEF", false},
		{one, "pkg-${HOME}", "pkg-${HOME}", false}, // may come from the base image
		{one, "pkg-${NODEF:-1}", "pkg-1", true},
		{one, "$(cat v)", "$(cat v)", false},
		{one, "plain", "plain", true},
		{two, "pkg-${V}", "pkg-", true}, // set only in another stage
		{trigger, "pkg-${V}", "pkg-${V}", false},
	} {
		got, ok := c.in.ShellWord(c.word)
		if got != c.want || ok != c.ok {
			t.Errorf("line %d: ShellWord(%q) = %q, %v; want %q, %v", c.in.Line, c.word, got, ok, c.want, c.ok)
		}
	}
}
