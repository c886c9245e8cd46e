package dfrule

import (
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

// classCase is one small Dockerfile of a class of inputs real projects
// write, and what one rule must say about it: fire (at a severity, when
// want is set) or stay quiet.
type classCase struct {
	name string
	rule string
	src  string
	want finding.Severity // Unknown: must not fire
}

// checkClasses runs the cases; a case fires when any finding of its rule
// is reported, and its severity is the highest such finding's.
func checkClasses(t *testing.T, cases []classCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ByID(c.rule)
			if r == nil {
				t.Fatalf("no rule %s", c.rule)
			}
			got := finding.Unknown
			var msgs []string
			for _, f := range r.Check(parse(t, c.src), testOptions()) {
				if f.Severity > got {
					got = f.Severity
				}
				msgs = append(msgs, f.Message)
			}
			if got != c.want {
				t.Errorf("%s: severity %v, want %v\n%s\n%s", c.rule, got, c.want, strings.Join(msgs, "\n"), c.src)
			}
		})
	}
}

// TestWordsAsBuildKitReadsThem: quotes and variables are resolved before
// rules judge a value (issue 14, item 1).
func TestWordsAsBuildKitReadsThem(t *testing.T) {
	checkClasses(t, []classCase{
		{"quoted root user", "DF030", "FROM alpine:3.22\nUSER \"root\"", finding.High},
		{"root through an ARG", "DF030", "FROM alpine:3.22\nARG U=root\nUSER ${U}", finding.High},
		{"user from a build arg without default", "DF030", "FROM alpine:3.22\nARG APP_UID\nUSER $APP_UID", finding.Low},
		{"quoted user", "DF030", "FROM alpine:3.22\nUSER \"app\"", finding.Unknown},
		{"quoted absolute workdir", "DF037", "FROM alpine:3.22\nWORKDIR \"/usr/local\"", finding.Unknown},
		{"workdir from base env", "DF037", "FROM alpine:3.22\nWORKDIR \"${HOME}\"", finding.Unknown},
		{"workdir from ENV", "DF037", "FROM alpine:3.22\nENV APP=/srv/app\nWORKDIR $APP", finding.Unknown},
		{"relative workdir through ENV", "DF037", "FROM alpine:3.22\nENV APP=srv\nWORKDIR \"$APP\"", finding.Low},
		{"quoted ADD URL", "DF018", "FROM alpine:3.22\nADD \"http://example.com/a.tgz\" /a", finding.Medium},
		{"ADD URL in a variable", "DF018", "FROM alpine:3.22\nARG URL=https://example.com/a.tgz\nADD ${URL} /a", finding.Medium},
		{"quoted local ADD", "DF018", "FROM alpine:3.22\nADD \"conf\" /etc/conf", finding.Medium},
		{"quoted meta ARG default, EOL", "DF005", "ARG NODE_VERSION=\"16-bullseye-slim\"\nFROM node:${NODE_VERSION}", finding.High},
		{"quoted meta ARG default, latest", "DF001", "ARG TAG=\"latest\"\nFROM debian:${TAG}", finding.Medium},
		{"quoted meta ARG default, digest", "DF002", "ARG ARCH=\"amd64\"\nFROM ${ARCH}/alpine:3.22", finding.Low},
		{"FROM from an unset ARG", "DF004", "ARG BASE\nFROM ${BASE}", finding.Medium},
		{"FROM with TARGETARCH", "DF004", "FROM --platform=$BUILDPLATFORM golang:1.23\nARG TARGETARCH\nRUN echo $TARGETARCH", finding.Unknown},
		{"ENV with quotes", "DF015", "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=\"1\"\nRUN pip install flask==3.0.3", finding.Unknown},
	})
}

// TestOnBuildTriggers: ONBUILD RUN, COPY and ADD are judged as the
// instruction they wrap (item 2).
func TestOnBuildTriggers(t *testing.T) {
	checkClasses(t, []classCase{
		{"onbuild apt without recommends", "DF013", "FROM debian:12\nONBUILD RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", finding.Low},
		{"onbuild sudo", "DF031", "FROM debian:12\nONBUILD RUN sudo make install", finding.Medium},
		{"onbuild curl pipe sh", "DF033", "FROM debian:12\nONBUILD RUN curl -fsSL https://example.com/i.sh | sh", finding.High},
		{"onbuild ADD local", "DF018", "FROM debian:12\nONBUILD ADD app.conf /etc/app.conf", finding.Medium},
		{"onbuild COPY secret", "DF040", "FROM debian:12\nONBUILD COPY .env /app/.env", finding.High},
		{"onbuild pinned", "DF038", "FROM debian:12\nONBUILD RUN apt-get install -y --no-install-recommends curl=7.88.1-10", finding.Unknown},
	})
	f := parse(t, "FROM debian:12\n  ONBUILD   RUN apt-get update\n")
	got := ByID("DF012").Check(f, testOptions())
	if len(got) != 1 || got[0].Location.Line != 2 || !strings.Contains(got[0].Message, "ONBUILD") {
		t.Errorf("trigger finding: %+v", got)
	}
}

// TestCleanAfterInstall: a clean before the install cleans nothing
// (item 3).
func TestCleanAfterInstall(t *testing.T) {
	checkClasses(t, []classCase{
		{"yum clean before", "DF016", "FROM centos:7\nRUN yum clean all && yum install -y httpd-2.4.6", finding.Low},
		{"yum clean after", "DF016", "FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all", finding.Unknown},
		{"zypper clean before", "DF016", "FROM opensuse/leap:15.6\nRUN zypper clean && zypper in -y curl=8.6.0", finding.Low},
		{"yarn clean before", "DF016", "FROM node:20-slim\nRUN yarn cache clean && yarn install", finding.Low},
		{"apt lists removed before", "DF012", "FROM debian:12\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends curl", finding.Low},
		{"apt lists removed after", "DF012", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*", finding.Unknown},
		{"apk cache removed before", "DF014", "FROM alpine:3.22\nRUN rm -rf /var/cache/apk/* && apk add curl", finding.Low},
	})
}

// TestPackageManagerCommandLines: options, files and URLs read as each
// tool reads them (item 4).
func TestPackageManagerCommandLines(t *testing.T) {
	checkClasses(t, []classCase{
		{"pip constraints file", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir -c constraints.txt flask requests", finding.Unknown},
		{"pip root-user-action value", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir --root-user-action ignore flask==3.0.3", finding.Unknown},
		{"pip local path", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir ./src/pkg", finding.Unknown},
		{"pip relative dir", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir src/pkg", finding.Unknown},
		{"pip git without ref", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/org/pkg.git", finding.Low},
		{"pip git ssh without ref", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir git+ssh://git@github.com/org/pkg.git", finding.Low},
		{"pip git with ref", "DF038", "FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/org/pkg.git@v1.2.0", finding.Unknown},
		{"npm git without ref", "DF038", "FROM node:20\nRUN npm install git+https://github.com/org/pkg.git", finding.Low},
		{"npm github shorthand", "DF038", "FROM node:20\nRUN npm install github:org/pkg", finding.Low},
		{"npm git with ref", "DF038", "FROM node:20\nRUN npm install git+ssh://git@github.com/org/pkg.git#v1.2.0", finding.Unknown},
		{"npm tarball", "DF038", "FROM node:20\nRUN npm install ./pkg.tar.gz && npm install pkg.tar", finding.Unknown},
		{"gem i", "DF038", "FROM ruby:3.3\nRUN gem i rails", finding.Low},
		{"gem build flags", "DF038", "FROM ruby:3.3\nRUN gem install pg -v 1.5.9 -- --with-pg-config=/usr/bin/pg_config", finding.Unknown},
		{"gem after --", "DF038", "FROM ruby:3.3\nRUN gem install pg:1.5.9 -- --with-pg-include /usr/include", finding.Unknown},
		{"dnf in", "DF016", "FROM fedora:41\nRUN dnf in -y httpd-2.4.62", finding.Low},
		{"dnf up", "DF016", "FROM fedora:41\nRUN dnf up -y", finding.Low},
		{"dnf rei", "DF016", "FROM fedora:41\nRUN dnf rei -y httpd-2.4.62", finding.Low},
		{"dnf upgrade-minimal", "DF016", "FROM fedora:41\nRUN dnf upgrade-minimal -y", finding.Low},
		{"dnf5 cache removed", "DF016", "FROM fedora:41\nRUN dnf5 install -y httpd-2.4.62 && rm -rf /var/cache/libdnf5", finding.Unknown},
		{"dnf5 cache mount", "DF016", "FROM fedora:41\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf5 install -y httpd-2.4.62", finding.Unknown},
		{"aptitude lists", "DF012", "FROM debian:12\nRUN aptitude update && aptitude install -y curl", finding.Low},
		{"aptitude unpinned", "DF038", "FROM debian:12\nRUN aptitude install -y curl", finding.Low},
		{"PIP_NO_CACHE_DIR prefix", "DF015", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask==3.0.3", finding.Unknown},
		{"PIP_NO_CACHE_DIR env", "DF015", "FROM python:3.12\nRUN env PIP_NO_CACHE_DIR=1 pip install flask==3.0.3", finding.Unknown},
		{"PIP_NO_CACHE_DIR export", "DF015", "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask==3.0.3", finding.Unknown},
		{"PIP_NO_CACHE_DIR=0", "DF015", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=0 pip install flask==3.0.3", finding.Low},
		{"apk no-network", "DF014", "FROM alpine:3.22\nRUN apk add --no-network /tmp/pkgs/*.apk", finding.Unknown},
		{"yarn version", "DF016", "FROM node:20\nRUN yarn --version", finding.Unknown},
		{"yum unpinned", "DF038", "FROM centos:7\nRUN yum install -y httpd && yum clean all", finding.Low},
		{"yum pinned", "DF038", "FROM centos:7\nRUN yum install -y httpd-2.4.6 perl-Data-Dumper-2.167 && yum clean all", finding.Unknown},
		{"zypper unpinned", "DF038", "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean", finding.Low},
		{"dnf unpinned", "DF038", "FROM fedora:41\nRUN dnf install -y python3-devel && dnf clean all", finding.Low},
		{"go install latest", "DF038", "FROM golang:1.23\nRUN go install golang.org/x/tools/gopls@latest", finding.Low},
		{"go install pinned", "DF038", "FROM golang:1.23\nRUN go install golang.org/x/tools/gopls@v0.16.2 && go install ./cmd/app", finding.Unknown},
	})
}

// TestStagesJudgedByWhatShips (item 5).
func TestStagesJudgedByWhatShips(t *testing.T) {
	builder := "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n"
	checkClasses(t, []classCase{
		{"builder copies context", "DF040", builder + "FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app", finding.Unknown},
		{"builder copies .env", "DF040", "FROM golang:1.23 AS build\nCOPY .env /src/.env\nFROM scratch\nCOPY --from=build /src/app /app", finding.Unknown},
		{"final copies .env", "DF040", builder + "FROM scratch\nCOPY .env /.env", finding.High},
		{"target stage ships", "DF012", "FROM debian:12 AS debug\nRUN apt-get update && apt-get install -y --no-install-recommends gdb=13.1-3\nFROM debian:12\nRUN echo ok", finding.Low},
		{"copied-from stage does not ship", "DF012", "FROM debian:12 AS tools\nRUN apt-get update && apt-get install -y --no-install-recommends gdb=13.1-3\nFROM debian:12\nCOPY --from=tools /usr/bin/gdb /usr/bin/gdb", finding.Unknown},
		{"mounted stage does not ship", "DF012", "FROM debian:12 AS tools\nRUN apt-get update && apt-get install -y --no-install-recommends gdb=13.1-3\nFROM debian:12\nRUN --mount=from=tools,source=/usr/bin/gdb,target=/gdb true", finding.Unknown},
	})
}

// TestIntentToStepDown (items 6 and 7).
func TestIntentToStepDown(t *testing.T) {
	checkClasses(t, []classCase{
		{"gosu installed", "DF030", "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gosu=1.14-1 && rm -rf /var/lib/apt/lists/* && gosu nobody true\nENTRYPOINT [\"docker-entrypoint.sh\"]", finding.Low},
		{"su-exec in entrypoint", "DF030", "FROM alpine:3.22\nENTRYPOINT [\"su-exec\", \"app\", \"/app\"]", finding.Low},
		{"s6-overlay", "DF030", "FROM alpine:3.22\nADD https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz /tmp\nENTRYPOINT [\"/init\"]", finding.Low},
		{"postgres base", "DF030", "FROM postgres:17\nCOPY init.sql /docker-entrypoint-initdb.d/", finding.Low},
		{"nginx base", "DF030", "FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html", finding.Low},
		{"plain root", "DF030", "FROM debian:12\nCMD [\"/app\"]", finding.High},
		{"distroless nonroot arch", "DF030", "FROM gcr.io/distroless/static-debian12:nonroot-amd64\nCOPY app /app", finding.Unknown},
		{"distroless debug-nonroot", "DF030", "FROM gcr.io/distroless/base-debian12:debug-nonroot\nCOPY app /app", finding.Unknown},
		{"sudo -u", "DF031", "FROM debian:12\nRUN sudo -u app make", finding.Unknown},
		{"sudo -E -u", "DF031", "FROM debian:12\nRUN sudo -E -u app make", finding.Unknown},
		{"sudo -u root", "DF031", "FROM debian:12\nRUN sudo -u root make", finding.Medium},
		{"plain sudo", "DF031", "FROM debian:12\nRUN sudo make install", finding.Medium},
	})
}

// TestPublicKeysAndIgnores (item 8).
func TestPublicKeysAndIgnores(t *testing.T) {
	checkClasses(t, []classCase{
		{"asc key", "DF040", "FROM debian:12\nCOPY nodesource.asc /tmp/nodesource.asc", finding.Unknown},
		{"gpg to keyrings", "DF040", "FROM debian:12\nCOPY repo.key /usr/share/keyrings/repo.key", finding.Unknown},
		{"pub key", "DF040", "FROM debian:12\nCOPY signing-pub.pem /etc/app/", finding.Unknown},
		{"private key", "DF040", "FROM debian:12\nCOPY server.key /etc/ssl/private/", finding.High},
	})
}

// TestNothingStale (item 9).
func TestNothingStale(t *testing.T) {
	checkClasses(t, []classCase{
		{"update upgrade clean", "DF011", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*", finding.Unknown},
		{"update alone", "DF011", "FROM debian:12\nRUN apt-get update", finding.Medium},
		{"mktemp dir removed", "DF034", "FROM debian:12\nRUN tempDir=\"$(mktemp -d)\"; chmod 777 \"$tempDir\"; cd \"$tempDir\" && make; rm -rf \"$tempDir\"", finding.Unknown},
		{"dir kept", "DF034", "FROM debian:12\nRUN mkdir /data && chmod 777 /data", finding.Medium},
	})
}

// TestConsecutiveRuns (item 10): like Hadolint's DL3059.
func TestConsecutiveRuns(t *testing.T) {
	checkClasses(t, []classCase{
		{"two single commands", "DF010", "FROM debian:12\nRUN a\nRUN b", finding.Info},
		{"first chained", "DF010", "FROM debian:12\nRUN a && b\nRUN c", finding.Unknown},
		{"second chained", "DF010", "FROM debian:12\nRUN a\nRUN b; c", finding.Unknown},
		{"three with two single", "DF010", "FROM debian:12\nRUN a && b\nRUN c\nRUN d", finding.Info},
		{"different mounts", "DF010", "FROM debian:12\nRUN --mount=type=secret,id=a a\nRUN --mount=type=secret,id=b b", finding.Unknown},
	})
}

// TestHadolintSuiteClasses are the classes the Hadolint-suite measurement
// (bench/hadolint) found Bulwark reading differently, each in our own
// words.
func TestHadolintSuiteClasses(t *testing.T) {
	checkClasses(t, []classCase{
		{"pipx unpinned", "DF038", "FROM python:3.12-slim\nRUN pipx install black", finding.Low},
		{"pipx pinned", "DF038", "FROM python:3.12-slim\nRUN pipx install --python python3.12 black==24.8.0", finding.Unknown},
		{"gem option value", "DF038", "FROM ruby:3.3\nRUN gem install nokogiri:1.16.7 --use-system-libraries true", finding.Unknown},
		{"gem flag then gem", "DF038", "FROM ruby:3.3\nRUN gem install --no-document rails", finding.Low},
		{"yum module without stream", "DF038", "FROM rockylinux:9\nRUN yum module install -y nodejs && yum clean all", finding.Low},
		{"dnf module with stream", "DF038", "FROM rockylinux:9\nRUN dnf module install -y nodejs:20 && dnf clean all", finding.Unknown},
		{"version from ENV", "DF038", "FROM fedora:42\nENV V=2.51.0-2.fc42\nRUN dnf -y install git-core-${V} && dnf clean all", finding.Unknown},
		{"version from ARG", "DF038", "FROM fedora:42\nARG V=2.51.0-2.fc42\nRUN dnf -y install git-core-$V && dnf clean all", finding.Unknown},
		{"version from a build arg", "DF038", "FROM fedora:42\nARG V\nRUN dnf -y install git-core-$V && dnf clean all", finding.Unknown},
		{"version set in another stage", "DF038", "FROM fedora:42 AS a\nENV V=2.51.0-2.fc42\nFROM fedora:42\nRUN dnf -y install git-core-${V} && dnf clean all", finding.Low},
		{"version from the base stage", "DF038", "FROM fedora:42 AS a\nENV V=2.51.0-2.fc42\nFROM a\nRUN dnf -y install git-core-${V} && dnf clean all", finding.Unknown},
		{"microdnf does not clean dnf's cache", "DF016", "FROM fedora:42\nRUN dnf install -y httpd-2.4.62 && microdnf clean all", finding.Low},
		{"ONBUILD pip cache", "DF015", "FROM python:3.12-slim\nONBUILD RUN pip install flask==3.0.3", finding.Low},
		{"ONBUILD pip under ENV", "DF015", "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install flask==3.0.3", finding.Unknown},
		{"lists mounted, docker-clean removed", "DF012", "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends curl", finding.Low},
		{"lists and archives mounted", "DF012", "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl", finding.Unknown},
		{"lists mounted, docker-clean kept", "DF012", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends curl", finding.Unknown},
		{"windows workdir BuildKit cannot expand", "DF037", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR \"C:\\\"", finding.Unknown},
	})
	opts := testOptions()
	opts.TrustedRegistries = []string{"docker.io"}
	for _, c := range []struct {
		rule, src string
		want      int
	}{
		{"DF003", "FROM alpine:3.22\nRUN --mount=type=bind,from=quay.io/x/y:1,target=/m true", 1},
		{"DF003", "FROM alpine:3.22\nRUN --mount=type=cache,from=quay.io/x/y:1,target=/m true", 1},
		{"DF003", "FROM alpine:3.22\nCOPY --from=quay.io/x/y:1 /a /a", 1},
		{"DF003", "FROM quay.io/x/y:1 AS b\nFROM alpine:3.22\nCOPY --from=b /a /a\nRUN --mount=from=b,target=/m true", 1},
		{"DF001", "FROM alpine:3.22\nCOPY --from=nginx:latest /a /a\nCOPY --from=nginx /b /b", 2},
		{"DF001", "FROM alpine:3.22 AS x\nCOPY --from=x /a /b\nCOPY --from=later /c /d\nFROM alpine:3.22 AS later", 0},
		{"DF002", "FROM alpine:3.22@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nRUN --mount=from=nginx:1.27,target=/m true", 1},
		{"DF002", "FROM alpine:3.22@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nCOPY --from=nginx:1.27@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a /a /a", 0},
	} {
		if got := len(ByID(c.rule).Check(parse(t, c.src), opts)); got != c.want {
			t.Errorf("%s on %q: %d findings, want %d", c.rule, c.src, got, c.want)
		}
	}
}

// TestPipefail: DF041 follows SHELL through stages as BuildKit does.
func TestPipefail(t *testing.T) {
	checkClasses(t, []classCase{
		{"pipe", "DF041", "FROM debian:12\nRUN curl -fsSL https://x | jq -r .v > /v", finding.Low},
		{"no pipe", "DF041", "FROM debian:12\nRUN curl -fsSLo a https://x && tar -xzf a", finding.Unknown},
		{"bash with -eo pipefail", "DF041", "FROM debian:12\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | tar -xz", finding.Unknown},
		{"sh -o pipefail is not trusted", "DF041", "FROM debian:12\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | jq -r .v > /v", finding.Low},
		{"set -o pipefail first", "DF041", "FROM debian:12\nRUN set -euxo pipefail; curl -fsSL https://x | tar -xz", finding.Unknown},
		{"set after the pipe", "DF041", "FROM debian:12\nRUN curl -fsSL https://x | jq -r .v > /v; set -o pipefail", finding.Low},
		{"SHELL back to sh", "DF041", "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nSHELL [\"/bin/sh\", \"-c\"]\nRUN a | b", finding.Low},
		{"inherited from the base stage", "DF041", "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b", finding.Unknown},
		{"a new stage starts with sh", "DF041", "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM debian:12\nRUN a | b", finding.Low},
		{"powershell", "DF041", "FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", finding.Unknown},
		{"ONBUILD pipe", "DF041", "FROM debian:12\nONBUILD RUN a | b", finding.Low},
		{"apt install", "DF043", "FROM debian:12\nRUN apt install -y curl", finding.Low},
		{"ONBUILD apt", "DF043", "FROM debian:12\nONBUILD RUN apt-get update && apt install -y curl", finding.Low},
		{"apt-get and apt-cache", "DF043", "FROM debian:12\nRUN apt-get install -y curl && apt-cache policy curl", finding.Unknown},
	})
}

// TestDownloads: DF042 judges what a RUN does with what it downloaded.
func TestDownloads(t *testing.T) {
	checkClasses(t, []classCase{
		{"curl into tar", "DF042", "FROM debian:12\nRUN curl -fsSL https://x.org/t.tgz | tar -xz -C /opt", finding.Medium},
		{"wget -qO- into tar", "DF042", "FROM debian:12\nRUN wget -qO- https://x.org/t.tgz | tar -xz -C /opt", finding.Medium},
		{"into a bin directory", "DF042", "FROM debian:12\nRUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/kubectl && chmod +x /usr/local/bin/kubectl", finding.Medium},
		{"downloaded, then unpacked", "DF042", "FROM debian:12\nRUN wget https://x.org/t.tar.gz && tar -xzf t.tar.gz && rm t.tar.gz", finding.Medium},
		{"curl -O, then run", "DF042", "FROM debian:12\nRUN cd /tmp && curl -fsSLO https://x.org/install.sh && sh install.sh", finding.Medium},
		{"output dir, then run directly", "DF042", "FROM debian:12\nRUN curl -fsSL -o /tmp/i.sh https://x.org/i.sh && chmod +x /tmp/i.sh && /tmp/i.sh", finding.Medium},
		{"checksum checked", "DF042", "FROM debian:12\nRUN curl -fsSLo t.tgz https://x.org/t.tgz && echo \"abc  t.tgz\" | sha256sum -c - && tar -xzf t.tgz", finding.Unknown},
		{"signature checked", "DF042", "FROM debian:12\nRUN wget -O t.tgz https://x.org/t.tgz && wget -O t.tgz.asc https://x.org/t.tgz.asc && gpg --batch --verify t.tgz.asc t.tgz && tar -xzf t.tgz", finding.Unknown},
		{"downloaded, not used here", "DF042", "FROM debian:12\nRUN curl -fsSLo /etc/app/config.json https://x.org/config.json", finding.Unknown},
		{"piped to a shell is DF033's", "DF042", "FROM debian:12\nRUN curl -fsSL https://x.org/i.sh | sh", finding.Unknown},
		{"ONBUILD", "DF042", "FROM debian:12\nONBUILD RUN curl -fsSL https://x.org/t.tgz | tar -xz", finding.Medium},
		{"pipe to a shell: no DF041 beside DF033", "DF041", "FROM debian:12\nRUN curl -fsSL https://x.org/i.sh | bash", finding.Unknown},
	})
}

// TestRealWorldClasses are the classes a review of 44 public Dockerfiles
// found misjudged (session 6), each in our own words.
func TestRealWorldClasses(t *testing.T) {
	checkClasses(t, []classCase{
		{"checksum through a pipe", "DF041", "FROM alpine:3.22\nRUN wget -O t.tgz https://x/t.tgz && echo \"abc  t.tgz\" | sha256sum -c - && tar xzf t.tgz", finding.Unknown},
		{"literal into a reader", "DF041", "FROM debian:12\nRUN echo \"debconf debconf/frontend select Teletype\" | debconf-set-selections", finding.Unknown},
		{"into grep", "DF041", "FROM debian:12\nRUN ldd /usr/bin/x | grep -q libc", finding.Unknown},
		{"into tar", "DF041", "FROM debian:12\nRUN curl -fsSL https://x.org/t.tgz | tar -xz -C /opt", finding.Unknown},
		{"into gpg --dearmor", "DF041", "FROM debian:12\nRUN curl -fsSL https://x.org/k.asc | gpg --dearmor -o /usr/share/keyrings/k.gpg", finding.Unknown},
		{"the pipe that matters is named", "DF041", "FROM debian:12\nRUN echo a | sha256sum -c - && find / -name x | xargs rm", finding.Low},
		{"digest compared in a test", "DF042", "FROM debian:12\nRUN curl -fLO https://x/t.tgz && [ \"$(openssl sha512 -r t.tgz)\" = \"abc *t.tgz\" ] && tar xzf t.tgz", finding.Unknown},
		{"rpm -K", "DF042", "FROM rockylinux:9\nRUN curl -fo x.rpm https://x/x.rpm && rpm -K x.rpm && rpm -ivh x.rpm", finding.Unknown},
		{"verified in the next RUN", "DF042", "FROM debian:12 AS get\nRUN curl -o /usr/local/bin/t https://x/t && curl -o /tmp/t.asc https://x/t.asc && chmod +x /usr/local/bin/t\nRUN gpg --batch --verify /tmp/t.asc /usr/local/bin/t", finding.Unknown},
		{"apt-get dist-clean", "DF012", "FROM debian:13\nRUN apt-get update && apt-get install -y --no-install-recommends curl=8.14.1-2 && apt-get dist-clean", finding.Unknown},
		{"apt-get install --update", "DF012", "FROM debian:13\nRUN apt-get install --update -y --no-install-recommends curl=8.14.1-2", finding.Low},
		{"nginx built from source", "DF030", "FROM debian:12-slim\nRUN useradd --system --uid 101 nginx\nCMD [\"nginx\", \"-g\", \"daemon off;\"]", finding.Low},
		{"php-fpm", "DF030", "FROM debian:12-slim\nCMD [\"php-fpm\"]", finding.Low},
		{"user from the base image's env", "DF030", "FROM quay.io/jupyter/base-notebook:2025-01-01\nUSER ${NB_UID}", finding.Low},
		{"no USER on a project's own image", "DF030", "FROM docker.elastic.co/elasticsearch/elasticsearch:8.11.2", finding.Low},
		{"no USER on an official image", "DF030", "FROM python:3.12-slim\nCMD [\"python\"]", finding.High},
		{"no USER on UBI", "DF030", "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nCMD [\"app\"]", finding.High},
		{"cd into a mktemp directory", "DF037", "FROM debian:12\nWORKDIR /src\nRUN d=\"$(mktemp -d)\" && cd \"$d\" && make", finding.Unknown},
		{"microdnf update", "DF019", "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf update -y && microdnf clean all", finding.Low},
		{"dnf upgrade of named packages", "DF019", "FROM rockylinux:9\nRUN dnf upgrade -y openssl && dnf clean all", finding.Unknown},
		{"alternative picked by a build arg", "DF005", "ARG SRC=builder\nFROM alpine:3.22 AS builder\nFROM alpine:3.20 AS alt\nFROM ${SRC} AS src\nFROM alpine:3.22\nCOPY --from=src /a /a", finding.Low},
		{"stage picked by TARGETARCH", "DF016", "FROM almalinux:8 AS base-amd64\nRUN dnf install -y git-2.43.5\nFROM base-${TARGETARCH} AS base\nFROM ubuntu:24.04\nCOPY --from=base /out /out", finding.Unknown},
		{"go run of a local file", "DF038", "FROM golang:1.23\nCOPY build.go .\nRUN go run build.go build", finding.Unknown},
		{"php apache base", "DF030", "FROM php:8.4-apache-bookworm\nCOPY index.php /var/www/html/", finding.Low},
		{"php cli base", "DF030", "FROM php:8.4-cli\nCOPY app.php /app/", finding.High},
		{"base from a build arg without default", "DF030", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo hi", finding.Low},
		{"other file verified later", "DF042", "FROM debian:12\nRUN curl -fsSLo lfs.tgz https://x.org/lfs.tgz && tar -xzf lfs.tgz\nRUN curl -fsSLo pm.jar https://x.org/pm.jar && echo \"abc  pm.jar\" | sha256sum -c -", finding.Medium},
		{"URL in a variable", "DF042", "FROM debian:12\nARG URL=https://x.org/d.zip\nRUN curl \"$URL\" --output /tmp/d.zip && unzip /tmp/d.zip", finding.Medium},
		{"deb installed with apt-get", "DF042", "FROM debian:12\nRUN curl -LO https://x.org/j.deb && apt-get install -y ./*.deb", finding.Medium},
		{"tar --file=", "DF042", "FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://x.org/t.tgz && tar -x --file=/tmp/t.tgz", finding.Medium},
		{"package list in an ENV", "DF038", "FROM alpine:3.22\nENV DEPS=\"curl git=2.45.2-r0\"\nRUN apk add --no-cache $DEPS", finding.Low},
		{"pinned list in an ENV", "DF038", "FROM alpine:3.22\nENV DEPS=\"curl=8.9.1-r1 git=2.45.2-r0\"\nRUN apk add --no-cache $DEPS", finding.Unknown},
		{"rpm name with digits", "DF038", "FROM rockylinux:9\nRUN dnf install -y java-11-openjdk-headless && dnf clean all", finding.Low},
		{"rpm name with digits, pinned", "DF038", "FROM rockylinux:9\nRUN dnf install -y java-11-openjdk-headless-11.0.25.0.9-1.el9 && dnf clean all", finding.Unknown},
	})
}
