package dfrule

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
)

var update = flag.Bool("update", false, "rewrite docs/rules pages from the rule data")

// testNow is the date end-of-life is judged at in tests, so that results
// do not change as time passes.
var testNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Now: testNow, TrustedRegistries: []string{"docker.io", "gcr.io/distroless"}}
}

func parse(t testing.TB, src string) *dockerfile.File {
	t.Helper()
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return f
}

func TestRulesFireOnBadAndNotOnGood(t *testing.T) {
	for _, r := range All {
		t.Run(r.ID, func(t *testing.T) {
			if got := r.Check(parse(t, r.Bad), testOptions()); len(got) == 0 {
				t.Errorf("%s did not fire on its bad example:\n%s", r.ID, r.Bad)
			}
			if got := r.Check(parse(t, r.Good), testOptions()); len(got) != 0 {
				t.Errorf("%s fired on its good example:\n%s\n%v", r.ID, r.Good, got)
			}
		})
	}
}

func TestRuleList(t *testing.T) {
	id := regexp.MustCompile(`^DF\d{3}$`)
	seen := map[string]bool{}
	for i, r := range All {
		if !id.MatchString(r.ID) {
			t.Errorf("rule %q: ID is not DF###", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if i > 0 && All[i-1].ID >= r.ID {
			t.Errorf("All is not in ID order at %s", r.ID)
		}
		if r.Title == "" || r.Why == "" || r.Fix == "" || r.Bad == "" || r.Good == "" {
			t.Errorf("%s: title, why, fix and both examples are required", r.ID)
		}
		if r.Kind == "" || r.Severity == finding.Unknown {
			t.Errorf("%s: kind and severity are required", r.ID)
		}
		for _, a := range r.Aliases {
			if !regexp.MustCompile(`^(DL\d{4}|CIS-DI-\d{4}|DKL-DI-\d{4})$`).MatchString(a) {
				t.Errorf("%s: alias %q is not a Hadolint or Dockle ID", r.ID, a)
			}
		}
	}
	// Every rule variable defined in this package must be listed.
	src, _ := filepath.Glob("*.go")
	def := regexp.MustCompile(`(?m)^var (df\d{3}) = &Rule`)
	for _, file := range src {
		b, _ := os.ReadFile(file)
		for _, m := range def.FindAllStringSubmatch(string(b), -1) {
			if !seen[strings.ToUpper(m[1])] {
				t.Errorf("%s is defined in %s but not listed in All", m[1], file)
			}
		}
	}
}

// TestDocs checks that docs/rules has a current page per rule; run with
// -update to regenerate them.
func TestDocs(t *testing.T) {
	var rules []*rule.Rule
	for _, r := range All {
		rules = append(rules, &r.Rule)
	}
	stale, err := rule.SyncPages(filepath.Join("..", "..", "..", "docs", "rules"), rule.Pages("dockerfile.md", "Dockerfile rules (bulwark lint)", rules, ""), *update)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		t.Errorf("%s is missing or stale; run go test ./pkg/build/dfrule -run TestDocs -update", f)
	}
}

type want struct {
	id   string
	line int
	col  int
}

func check(t *testing.T, src string, opts Options, wants ...want) {
	t.Helper()
	got := Run(parse(t, src), opts)
	var gs []string
	for _, f := range got {
		gs = append(gs, f.ID+" "+f.Location.String()+" "+f.Message)
	}
	for _, w := range wants {
		found := false
		for _, f := range got {
			if f.ID == w.id && (w.line == 0 || f.Location.Line == w.line) && (w.col == 0 || f.Location.Column == w.col) {
				found = true
			}
		}
		if !found {
			t.Errorf("want %s at line %d col %d; got:\n%s", w.id, w.line, w.col, strings.Join(gs, "\n"))
		}
	}
}

func checkNot(t *testing.T, src string, opts Options, ids ...string) {
	t.Helper()
	for _, f := range Run(parse(t, src), opts) {
		for _, id := range ids {
			if f.ID == id {
				t.Errorf("unexpected %s at %s: %s", f.ID, f.Location, f.Message)
			}
		}
	}
}

func TestLineOfCommandInMultiLineRun(t *testing.T) {
	src := `FROM debian:12
RUN set -eux; \
    apt-get update; \
    # a comment inside the RUN
    if [ -n "$X" ]; then \
        apt-get install -y curl; \
    fi; \
    rm -rf /var/lib/apt/lists/*
`
	check(t, src, testOptions(), want{"DF013", 6, 9}, want{"DF038", 6, 9})
	checkNot(t, src, testOptions(), "DF012", "DF011")
}

func TestHeredocRun(t *testing.T) {
	src := "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8\nEOF\nUSER 1000\n"
	check(t, src, testOptions(), want{"DF012", 4, 1})
	checkNot(t, src, testOptions(), "DF013", "DF038", "DF011")
}

func TestShellC(t *testing.T) {
	check(t, "FROM alpine:3.22\nRUN sh -c 'sudo apk add curl'\n", testOptions(), want{"DF031", 2, 0}, want{"DF014", 2, 0})
	check(t, "FROM alpine:3.22\nRUN [\"/bin/sh\", \"-c\", \"apk add curl\"]\n", testOptions(), want{"DF014", 2, 0})
	check(t, "FROM alpine:3.22\nRUN bash -c \"$(curl -fsSL https://x/install.sh)\"\n", testOptions(), want{"DF033", 2, 0})
	check(t, "FROM alpine:3.22\nRUN wget -qO- https://x/i.sh | sudo -E bash -s --\n", testOptions(), want{"DF033", 2, 5})
}

func TestEscapeDirectiveAndPowershell(t *testing.T) {
	src := "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Invoke-WebRequest https://x | iex; `\n  cd C:\\\\x\n"
	checkNot(t, src, testOptions(), "DF037", "DF033")
}

func TestFromArgsAndStages(t *testing.T) {
	src := `ARG GO=1.23
ARG DISTRO
FROM --platform=$BUILDPLATFORM golang:${GO}-alpine AS build
RUN go build -o /app .
FROM ${DISTRO}
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
`
	check(t, src, testOptions(), want{"DF004", 5, 6}, want{"DF002", 3, 32}, want{"DF005", 3, 0})
	checkNot(t, src, testOptions(), "DF001", "DF030", "DF006", "DF003")
	fs := Run(parse(t, src), testOptions())
	for _, f := range fs {
		if f.ID == "DF005" && f.Severity != finding.Low {
			t.Errorf("DF005 on a build stage should be low, got %s", f.Severity)
		}
	}
}

func TestLatestAliases(t *testing.T) {
	fs := Run(parse(t, "FROM ubuntu\nFROM ubuntu:latest\nFROM ubuntu@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\n"), testOptions())
	var got []string
	for _, f := range fs {
		if f.ID == "DF001" {
			got = append(got, strings.Join(f.Aliases, ","))
		}
	}
	if strings.Join(got, " ") != "DL3006 DL3007" {
		t.Errorf("DF001 aliases = %v, want DL3006 then DL3007", got)
	}
}

func TestRequireDigest(t *testing.T) {
	opts := testOptions()
	opts.RequireDigest = true
	for _, f := range Run(parse(t, "FROM alpine:3.22\n"), opts) {
		if f.ID == "DF002" && f.Severity != finding.High {
			t.Errorf("DF002 with RequireDigest = %s, want high", f.Severity)
		}
	}
}

func TestUntrustedRegistry(t *testing.T) {
	src := "FROM ghcr.io/acme/base:1\nCOPY --from=quay.io/x/y:1 /a /a\nFROM gcr.io/distroless/base:nonroot\n"
	check(t, src, testOptions(), want{"DF003", 1, 6}, want{"DF003", 2, 0})
	opts := testOptions()
	opts.TrustedRegistries = []string{"ghcr.io/acme", "*.io"}
	checkNot(t, src, opts, "DF003")
	checkNot(t, src, Options{Now: testNow}, "DF003")
}

func TestEOL(t *testing.T) {
	for _, img := range []string{"alpine:3.16", "debian:buster-slim", "node:16-alpine", "python:3.8", "golang:1.20", "ubuntu:18.04", "centos:7", "node:22-alpine3.18", "python:3.12-slim-buster"} {
		check(t, "FROM "+img+"\n", testOptions(), want{"DF005", 1, 6})
	}
	for _, img := range []string{"alpine:3.22", "debian:bookworm", "node:22", "python:3.13-slim", "ubuntu:24.04", "alpine:latest", "myorg/python:3.6"} {
		checkNot(t, "FROM "+img+"\n", testOptions(), "DF005")
	}
}

func TestFinalUser(t *testing.T) {
	check(t, "FROM alpine:3.22\nUSER app\nUSER root\n", testOptions(), want{"DF030", 3, 1})
	check(t, "FROM alpine:3.22\nUSER 0:0\n", testOptions(), want{"DF030", 2, 1})
	checkNot(t, "FROM alpine:3.22 AS base\nUSER 1000\nFROM base\nCMD [\"x\"]\n", testOptions(), "DF030")
	check(t, "FROM alpine:3.22 AS build\nUSER 1000\nFROM scratch\nCOPY --from=build /x /x\n", testOptions(), want{"DF030", 3, 6})
	checkNot(t, "FROM cgr.dev/chainguard/static:latest\n", testOptions(), "DF030")
}

func TestSecrets(t *testing.T) {
	check(t, "FROM alpine:3.22\nENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", testOptions(), want{"DF032", 2, 5})
	check(t, "FROM alpine:3.22\nARG GITHUB_TOKEN\n", testOptions(), want{"DF032", 2, 5})
	check(t, "FROM alpine:3.22\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}\n", testOptions(), want{"DF032", 3, 5})
	check(t, "FROM alpine:3.22\nENV apiKey=abcdef0123456789\n", testOptions(), want{"DF032", 2, 5})
	for _, ok := range []string{"ENV PASSWORD_FILE=/run/secrets/pw", "ENV TOKEN_URL=https://x", "ENV PATH=/usr/bin", "ARG SECRET_NAME=foo", "ENV PWD=/app", "ENV PASSENGER_VERSION=6"} {
		checkNot(t, "FROM alpine:3.22\n"+ok+"\n", testOptions(), "DF032")
	}
	for _, f := range Run(parse(t, "FROM alpine:3.22\nENV X=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n"), testOptions()) {
		if f.ID == "DF032" {
			if f.Severity != finding.Critical || strings.Contains(f.Message, "abcdefghij") {
				t.Errorf("GitHub token: severity %s message %q; want critical and masked", f.Severity, f.Message)
			}
		}
	}
}

func TestChmod(t *testing.T) {
	for _, bad := range []string{"chmod 777 /x", "chmod -R 0777 /x", "chmod o+w /x", "chmod a=rwx /x", "mkdir -m 777 /x", "install -m 0666 a /b"} {
		check(t, "FROM alpine:3.22\nRUN "+bad+"\n", testOptions(), want{"DF034", 2, 5})
	}
	for _, good := range []string{"chmod 1777 /tmp", "chmod 755 /x", "chmod +x /x", "chmod a+rwxt /tmp", "chmod u+w /x", "chmod go-w /x"} {
		checkNot(t, "FROM alpine:3.22\nRUN "+good+"\n", testOptions(), "DF034")
	}
	check(t, "FROM alpine:3.22\nCOPY --chmod=777 a /a\n", testOptions(), want{"DF034", 2, 6})
}

func TestPinning(t *testing.T) {
	bad := []string{
		"apt-get install -y curl=7.88 wget",
		"apk add --no-cache curl",
		"pip install --no-cache-dir -U pip",
		"npm install -g pnpm",
		"npm i @scope/pkg",
		"gem install rails",
	}
	for _, b := range bad {
		check(t, "FROM debian:12\nRUN "+b+"\n", testOptions(), want{"DF038", 2, 5})
	}
	good := []string{
		"apt-get install -y -o Dpkg::Options::=--force-confold curl=7.88 ./local.deb",
		"apk add --no-cache --virtual .build-deps curl=8.9.1-r1",
		"pip install --no-cache-dir -r requirements.txt",
		"pip install --no-cache-dir 'flask>=3,<4' .",
		"npm install -g pnpm@9.12.0 @scope/pkg@1.0.0",
		"npm ci",
		"gem install rails -v 7.2.1",
		"gem install rails:7.2.1",
	}
	for _, g := range good {
		checkNot(t, "FROM debian:12\nRUN "+g+"\n", testOptions(), "DF038")
	}
}

func TestCopyContextOrder(t *testing.T) {
	check(t, "FROM python:3.12-slim\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\n", testOptions(), want{"DF017", 3, 5})
	check(t, "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build ./...\n", testOptions(), want{"DF017", 4, 5})
	checkNot(t, "FROM node:20-slim\nCOPY . .\nRUN npm install express@4.21.0\n", testOptions(), "DF017")
	checkNot(t, "FROM node:20-slim\nCOPY --from=deps /app/node_modules ./node_modules\nRUN npm ci\n", testOptions(), "DF017")
}

func TestOnlyShippedStagesForCaches(t *testing.T) {
	src := "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /x /x\n"
	checkNot(t, src, testOptions(), "DF012", "DF013")
	check(t, src, testOptions(), want{"DF038", 2, 0})
}

func TestCacheMounts(t *testing.T) {
	src := "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl=1\n"
	checkNot(t, src, testOptions(), "DF012")
	checkNot(t, "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.3\n", testOptions(), "DF015")
	check(t, "FROM python:3.12-slim\nRUN python3 -m pip install flask==3.0.3\n", testOptions(), want{"DF015", 2, 5})
	// The ENV counts from the stage a stage builds on, and only after it.
	checkNot(t, "FROM python:3.12-slim AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask==3.0.3\n", testOptions(), "DF015")
	check(t, "FROM python:3.12-slim\nRUN pip install flask==3.0.3\nENV PIP_NO_CACHE_DIR=1\n", testOptions(), want{"DF015", 2, 5})
}

// BenchmarkManyRuns shows the rules stay linear in the number of RUN
// lines (DF015 once asked every RUN about every ENV before it: 64,000
// lines took 10 s); ns/op per size should grow with n, not n².
func BenchmarkManyRuns(b *testing.B) {
	for _, n := range []int{1000, 4000, dockerfile.MaxInstructions - 1} {
		var sb strings.Builder
		sb.WriteString("FROM python:3.12-slim\n")
		for i := range n {
			fmt.Fprintf(&sb, "RUN pip install p%d\n", i)
		}
		f := parse(b, sb.String())
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				Run(f, testOptions())
			}
		})
	}
}

func TestCdInSubshell(t *testing.T) {
	checkNot(t, "FROM alpine:3.22\nRUN (cd /src && make)\n", testOptions(), "DF037")
	check(t, "FROM alpine:3.22\nRUN make && cd /x\n", testOptions(), want{"DF037", 2, 13})
}

func TestAddRules(t *testing.T) {
	check(t, "FROM alpine:3.22\nADD https://example.com/a.tgz /a\n", testOptions(), want{"DF018", 2, 5})
	checkNot(t, "FROM alpine:3.22\nADD rootfs.tar.xz /\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://x/a /a\n", testOptions(), "DF018")
}

func TestShellFormCmdAfterExecEntrypoint(t *testing.T) {
	src := "FROM alpine:3.22\nENTRYPOINT [\"/app\"]\nCMD serve --port 80\n"
	fs := Run(parse(t, src), testOptions())
	found := false
	for _, f := range fs {
		if f.ID == "DF039" && strings.Contains(f.Message, "passed to the exec-form ENTRYPOINT") {
			found = true
		}
	}
	if !found {
		t.Errorf("want DF039 about the exec-form ENTRYPOINT, got %v", fs)
	}
	checkNot(t, "FROM alpine:3.22 AS build\nCMD make\nFROM alpine:3.22\nCMD [\"x\"]\n", testOptions(), "DF039")
}

func TestDockerignore(t *testing.T) {
	src := "FROM alpine:3.22\nCOPY . /app\n"
	opts := testOptions()
	opts.Context = fstest.MapFS{"main.go": {}}
	check(t, src, opts, want{"DF040", 2, 1})
	opts.Context = fstest.MapFS{".dockerignore": {Data: []byte(".git\n")}, ".git/config": {}, ".env": {}}
	check(t, src, opts, want{"DF040", 2, 1})
	opts.Context = fstest.MapFS{".dockerignore": {Data: []byte(".git\n.env*\n")}, ".git/config": {}, ".env": {}}
	checkNot(t, src, opts, "DF040")
	opts.Context = fstest.MapFS{"Dockerfile.dockerignore": {Data: []byte("**\n")}, ".env": {}}
	opts.DockerfileName = "Dockerfile"
	checkNot(t, src, opts, "DF040")
}

func TestUpdateAloneThenInstall(t *testing.T) {
	src := "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl=1 && rm -rf /var/lib/apt/lists/*\n"
	check(t, src, testOptions(), want{"DF011", 2, 5}, want{"DF011", 3, 5})
}

// TestFindingsPerRuleBounded: one file lists at most DefaultPerRule
// findings of a rule; the rest is one summary (finding.Limit's own test
// covers its severity).
func TestFindingsPerRuleBounded(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("FROM python:3.12-slim\n")
	for i := range finding.DefaultPerRule + 3 {
		fmt.Fprintf(&sb, "RUN pip install p%d\n", i)
	}
	fs := Run(parse(t, sb.String()), testOptions())
	n, summary := 0, 0
	for _, f := range fs {
		if f.ID == "DF010" {
			n++
			if strings.HasPrefix(f.Message, "2 more DF010 findings in this file are not listed") {
				summary++
			}
		}
	}
	if n != finding.DefaultPerRule+1 || summary != 1 {
		t.Fatalf("DF010: %d findings, %d summaries; want %d and one", n, summary, finding.DefaultPerRule+1)
	}
}
