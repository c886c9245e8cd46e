package dockerfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func TestStagesAndBases(t *testing.T) {
	f := mustParse(t, `# syntax=docker/dockerfile:1.7
ARG BASE=alpine
ARG TAG
FROM --platform=$BUILDPLATFORM ${BASE}:3.22 AS Build
RUN echo build
FROM build AS test
FROM scratch
COPY --from=build /x /x
FROM $BASE:$TAG
`)
	if f.Syntax != "docker/dockerfile:1.7" || len(f.MetaArgs) != 2 || len(f.Stages) != 4 {
		t.Fatalf("syntax %q, %d meta args, %d stages", f.Syntax, len(f.MetaArgs), len(f.Stages))
	}
	s := f.Stages
	if s[0].Name != "build" || s[0].From.Image != "alpine:3.22" || s[0].From.Platform != "${BUILDPLATFORM}" || s[0].From.Stage != nil {
		t.Errorf("stage 0: %+v", s[0].From)
	}
	if s[1].From.Stage != s[0] || !s[2].From.IsScratch() || s[2].From.IsExternal() {
		t.Errorf("stage refs: %+v %+v", s[1].From, s[2].From)
	}
	if s[3].From.Image != "alpine:${TAG}" || !cmp.Equal(s[3].From.Unresolved, []string{"TAG"}) || !s[3].InFinalImage || s[0].InFinalImage {
		t.Errorf("stage 3: %+v final=%v", s[3].From, s[3].InFinalImage)
	}
}

func TestFinalChain(t *testing.T) {
	f := mustParse(t, "FROM alpine AS a\nFROM debian AS b\nFROM a AS c\nFROM c\n")
	var got []bool
	for _, s := range f.Stages {
		got = append(got, s.InFinalImage)
	}
	if !cmp.Equal(got, []bool{true, false, true, true}) {
		t.Errorf("InFinalImage = %v", got)
	}
}

type cmdPos struct {
	Name      string
	Line, Col int
}

func commands(in *Instruction) []cmdPos {
	var out []cmdPos
	for _, c := range in.Script.Commands {
		out = append(out, cmdPos{c.Name, c.Line, c.Column})
	}
	return out
}

func TestRunLineMapping(t *testing.T) {
	f := mustParse(t, "FROM alpine\n"+
		"  RUN --mount=type=cache,target=/var/cache/apk \\\n"+ // 2
		"    set -eux; \\\n"+ // 3
		"    # comment line, dropped by BuildKit\n"+ // 4
		"\n"+ // 5: empty continuation line
		"    if true; then \\\n"+ // 6
		"      sudo apk add curl; \\\n"+ // 7
		"    fi && echo \"$(id -u)\"\n") // 8
	in := f.Stages[0].Instructions[0]
	if in.Line != 2 || in.EndLine != 8 || in.Column != 3 {
		t.Errorf("instruction span %d-%d col %d", in.Line, in.EndLine, in.Column)
	}
	want := []cmdPos{{"set", 3, 5}, {"true", 6, 8}, {"sudo", 7, 7}, {"apk", 7, 7}, {"echo", 8, 11}, {"id", 8, 19}}
	if d := cmp.Diff(want, commands(in)); d != "" {
		t.Errorf("commands (-want +got):\n%s", d)
	}
	apk := in.Script.Commands[3]
	if !cmp.Equal(apk.Via, []string{"sudo"}) || !cmp.Equal(apk.Args, []string{"add", "curl"}) {
		t.Errorf("apk via %v args %v", apk.Via, apk.Args)
	}
}

func TestHeredocAndShellC(t *testing.T) {
	f := mustParse(t, "FROM alpine\nRUN <<EOF\napk add x\ncurl -s https://x | sh\nEOF\nRUN [\"sh\", \"-c\", \"apk add y\"]\nRUN bash <<'SH'\n  apt-get update\nSH\n")
	ins := f.Stages[0].Instructions
	if d := cmp.Diff([]cmdPos{{"apk", 3, 1}, {"curl", 4, 1}, {"sh", 4, 21}}, commands(ins[0])); d != "" {
		t.Errorf("heredoc (-want +got):\n%s", d)
	}
	if c := ins[0].Script.Commands[1]; c.PipeTo == nil || c.PipeTo.Name != "sh" {
		t.Errorf("curl pipe = %+v", c.PipeTo)
	}
	if got := commands(ins[1]); len(got) != 2 || got[1].Name != "apk" {
		t.Errorf("exec-form sh -c: %v", got)
	}
	if got := commands(ins[2]); len(got) != 2 || got[1] != (cmdPos{"apt-get", 8, 3}) {
		t.Errorf("bash heredoc: %v", got)
	}
}

func TestNonPosixShell(t *testing.T) {
	f := mustParse(t, "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem | Out-Null; `\n  cd C:\\\n")
	if f.Escape != '`' {
		t.Errorf("escape = %q", f.Escape)
	}
	if s := f.Stages[0].Instructions[1].Script; s != nil {
		t.Errorf("PowerShell RUN parsed as sh: %+v", s)
	}
}

func TestShellSyntaxErrorIsKept(t *testing.T) {
	f := mustParse(t, "FROM alpine\nRUN if then fi (\n")
	if s := f.Stages[0].Instructions[0].Script; s == nil || s.Err == nil || len(s.Commands) != 0 {
		t.Errorf("script = %+v", s)
	}
}

func TestCommandHelpers(t *testing.T) {
	c := &Command{Name: "apt-get", Args: []string{"-qy", "-o", "Acquire::Retries=3", "install", "--no-install-recommends", "curl"}}
	if !c.HasFlag("-y") || !c.HasFlag("--no-install-recommends") || c.HasFlag("-t") {
		t.Error("HasFlag")
	}
	if got := c.Subcommand("-o"); got != "install" {
		t.Errorf("Subcommand = %q", got)
	}
	if got := c.Operands("-o"); !cmp.Equal(got, []string{"install", "curl"}) {
		t.Errorf("Operands = %v", got)
	}
}

func TestTypedCommands(t *testing.T) {
	f := mustParse(t, "FROM alpine\nCOPY --from=build --chmod=755 a b /dst/\nCMD echo hi\nENTRYPOINT [\"/app\"]\n")
	ins := f.Stages[0].Instructions
	cp := ins[0].Command.(*instructions.CopyCommand)
	if cp.From != "build" || !cmp.Equal(cp.SourcePaths, []string{"a", "b"}) {
		t.Errorf("COPY: %+v", cp)
	}
	if v, ok := ins[0].Flag("chmod"); !ok || v != "755" {
		t.Errorf("Flag(chmod) = %q %v", v, ok)
	}
	if !ins[1].Command.(*instructions.CmdCommand).PrependShell || ins[2].Command.(*instructions.EntrypointCommand).PrependShell {
		t.Error("shell/exec form")
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		src  string
		line int
		msg  string
	}{
		{"", 0, "file with no instructions"},
		{"# just a comment\n", 1, "file with no instructions"},
		{"FROM alpine\nFOO bar\n", 2, "unknown instruction: FOO"},
		{"RUN x\n", 1, "RUN before the first FROM"},
		{"ARG X\n", 0, "no FROM instruction"},
		{"FROM a\nRUN <<EOF\nx\n", 2, "unterminated heredoc"},
		{"FROM a\x00\n", 0, "binary file"},
		{"FROM a\nEXPOSE\n", 2, "EXPOSE requires at least one argument"},
		{"FROM a\nRUN " + strings.Repeat("a", 70000) + "\n", 2, "line longer than"},
		{"FROM a\n" + strings.Repeat("RUN x\n", MaxInstructions), MaxInstructions + 1, "more than the 10000"},
	} {
		_, err := ParseBytes("Dockerfile", []byte(c.src))
		var ie *inputerr.Error
		if !errors.As(err, &ie) || ie.Line != c.line || !strings.Contains(err.Error(), c.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseBytes(%.30q) = %v (line %v); want line %d, %q", c.src, err, ie, c.line, c.msg)
		}
	}
}
