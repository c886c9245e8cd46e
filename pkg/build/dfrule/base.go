package dfrule

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/baseimage"
	"github.com/bulwarksec/bulwark/pkg/core/eol"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// externalBases calls fn for each stage built on a registry image whose
// name is fully resolved (unresolved names are DF004's business).
func (p *pass) externalBases(fn func(s *dockerfile.Stage, ref baseimage.Ref)) {
	for _, s := range p.f.Stages {
		if !s.From.IsExternal() || len(s.From.Unresolved) > 0 {
			continue
		}
		if ref, ok := p.ref(s.From.Image); ok {
			fn(s, ref)
		}
	}
}

// imageUse is an image an instruction pulls other than as a stage's base:
// COPY --from=<image> or RUN --mount=...,from=<image>.
type imageUse struct {
	in    *dockerfile.Instruction
	image string
	what  string // how the instruction names it, for messages
}

// pulledImages returns the images that COPY --from and RUN --mount from=
// pull from a registry: BuildKit reads a name that is not an earlier
// stage as an image (--from=nginx is nginx:latest) unless the build
// passes a named context of that name, which the Dockerfile cannot show.
func (p *pass) pulledImages() []imageUse {
	var out []imageUse
	image := func(name string, st *dockerfile.Stage) bool {
		// Any stage's name, even its own or a later one's, is a stage to
		// BuildKit (a circular or forward reference fails the build).
		return name != "" && !p.isStage(name, st) && p.f.StageNamed(name, nil) == nil && !strings.Contains(name, "$")
	}
	for _, st := range p.f.Stages {
		for _, in := range each(st) {
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				if image(c.From, st) {
					out = append(out, imageUse{in, c.From, "COPY --from=" + c.From})
				}
			case *instructions.RunCommand:
				for _, m := range instructions.GetMounts(c) {
					if image(m.From, st) {
						out = append(out, imageUse{in, m.From, "RUN --mount from=" + m.From})
					}
				}
			}
		}
	}
	return out
}

// ref parses an image reference once per pass; several rules look at
// every base.
func (p *pass) ref(image string) (baseimage.Ref, bool) {
	if r, ok := p.refs[image]; ok {
		return r, r.Domain != ""
	}
	r, err := baseimage.ParseRef(image)
	if err != nil {
		r = baseimage.Ref{}
	}
	if p.refs == nil {
		p.refs = map[string]baseimage.Ref{}
	}
	p.refs[image] = r
	return r, err == nil
}

var df001 = &Rule{Rule: rule.Rule{
	ID: "DF001", Aliases: []string{"DL3006", "DL3007"}, Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Base image without a tag or with the latest tag",
	Why: `An image named without a tag means "latest", and "latest" is whatever the publisher pushed last.
The same Dockerfile then builds on a different base from one day to the next: a new major
release of the distribution or runtime can break the build or the application, and nobody can
say which base a given image was built on.`,
	Fix:  "Name the release you tested with (`FROM node:20.18-bookworm-slim`), and better, pin its digest too (`FROM node:20.18-bookworm-slim@sha256:...`).",
	Bad:  "FROM ubuntu:latest\nRUN echo hello",
	Good: "FROM ubuntu:24.04\nRUN echo hello",
}, check: func(p *pass) {
	p.externalBases(func(s *dockerfile.Stage, ref baseimage.Ref) {
		switch {
		case ref.Digest != "":
		case ref.Tag == "":
			p.atWord(s.FromInstruction, s.From.Raw, fmt.Sprintf("FROM %s has no tag, so it builds on whatever \"latest\" is today", s.From.Image), "DL3006")
		case ref.Tag == "latest":
			p.atWord(s.FromInstruction, s.From.Raw, fmt.Sprintf("FROM %s uses the latest tag, which moves to each new release", s.From.Image), "DL3007")
		}
	})
	for _, u := range p.pulledImages() {
		ref, ok := p.ref(u.image)
		switch {
		case !ok || ref.Digest != "":
		case ref.Tag == "":
			p.atWord(u.in, u.image, fmt.Sprintf("%s has no tag, so it copies from whatever \"latest\" is today", u.what), noAliases...)
		case ref.Tag == "latest":
			p.atWord(u.in, u.image, fmt.Sprintf("%s uses the latest tag, which moves to each new release", u.what), noAliases...)
		}
	}
}}

var df002 = &Rule{Rule: rule.Rule{
	ID: "DF002", Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Base image not pinned by digest",
	Why: `A tag is a name that the publisher can point at new content at any time; even "node:20.18.0" is
rebuilt when its distribution gets fixes. Only a digest names exact bytes. Pinning by digest makes
builds reproducible and stops a compromised or mistaken push from entering your image unnoticed.
Keep the tag beside the digest for people, and let a bot (or ` + "`bulwark outdated`" + `) propose updates.`,
	Fix:  "Append the digest of the tested image: `FROM alpine:3.22@sha256:<digest>` (`crane digest alpine:3.22` prints it). Set `requireDigest: true` in .bulwark.yaml or pass `--require-digest` to make this rule high.",
	Bad:  "FROM alpine:3.22\nRUN echo hello",
	Good: "FROM alpine:3.22@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nRUN echo hello",
}, check: func(p *pass) {
	p.externalBases(func(s *dockerfile.Stage, ref baseimage.Ref) {
		if ref.Digest != "" {
			return
		}
		f := p.atWord(s.FromInstruction, s.From.Raw, fmt.Sprintf("FROM %s is not pinned by digest; the tag can be moved to other content", s.From.Image))
		if p.opts.RequireDigest {
			f.Severity = finding.High
		}
	})
	for _, u := range p.pulledImages() {
		if ref, ok := p.ref(u.image); ok && ref.Digest != "" {
			continue
		}
		f := p.atWord(u.in, u.image, fmt.Sprintf("%s is not pinned by digest; the tag can be moved to other content", u.what))
		if p.opts.RequireDigest {
			f.Severity = finding.High
		}
	}
}}

// trusted reports whether ref comes from one of the trusted registries.
func trusted(ref baseimage.Ref, list []string) bool {
	repo := ref.Repository()
	for _, t := range list {
		t = strings.TrimSuffix(strings.ToLower(t), "/")
		if t == "docker.io" || t == "index.docker.io" || t == "registry-1.docker.io" {
			t = "docker.io"
		}
		switch {
		case strings.Contains(t, "/"):
			if repo == t || strings.HasPrefix(repo, t+"/") {
				return true
			}
		case strings.ContainsAny(t, "*?["):
			if ok, _ := path.Match(t, ref.Domain); ok {
				return true
			}
		case t == ref.Domain:
			return true
		}
	}
	return false
}

var df003 = &Rule{Rule: rule.Rule{
	ID: "DF003", Aliases: []string{"DL3026"}, Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Image from a registry that is not trusted",
	Why: `Organisations keep a short list of registries they mirror, scan and trust. A base image or a
` + "`COPY --from`" + ` image pulled from anywhere else bypasses that control: its content, its availability and
its owner's security are unknown. This rule is active when trusted registries are configured
(` + "`trustedRegistries`" + ` in .bulwark.yaml).`,
	Fix:  "Pull the image through a trusted registry (mirror it there first), or add the registry to `trustedRegistries` after review.",
	Bad:  "FROM quay.io/unknown/base:1.0\nRUN echo hello",
	Good: "FROM docker.io/library/alpine:3.22\nRUN echo hello",
}, check: func(p *pass) {
	list := p.opts.TrustedRegistries
	if len(list) == 0 {
		return
	}
	p.externalBases(func(s *dockerfile.Stage, ref baseimage.Ref) {
		if !trusted(ref, list) {
			p.atWord(s.FromInstruction, s.From.Raw, fmt.Sprintf("FROM %s pulls from %s, which is not a trusted registry (%s)", s.From.Image, ref.Domain, strings.Join(list, ", ")))
		}
	})
	// COPY --from=<image> and RUN --mount from=<image> pull an image too.
	for _, u := range p.pulledImages() {
		if ref, ok := p.ref(u.image); ok && !trusted(ref, list) {
			p.atWord(u.in, u.image, fmt.Sprintf("%s pulls from %s, which is not a trusted registry (%s)", u.what, ref.Domain, strings.Join(list, ", ")))
		}
	}
}}

// isStage reports whether name refers to a stage defined before st (by
// name or index).
func (p *pass) isStage(name string, st *dockerfile.Stage) bool {
	for _, s := range p.f.Stages {
		if s.Index >= st.Index {
			break
		}
		if strings.EqualFold(s.Name, name) || fmt.Sprint(s.Index) == name {
			return true
		}
	}
	return false
}

// sbomArgs are build arguments BuildKit reads itself; FROM may use them
// without a default.
var sbomArgs = []string{"BUILDKIT_SBOM_SCAN_STAGE", "BUILDKIT_SBOM_SCAN_CONTEXT"}

var df004 = &Rule{Rule: rule.Rule{
	ID: "DF004", Severity: finding.Medium, Kind: finding.KindMisconfiguration,
	Title: "Base image depends on an ARG without a default",
	Why: `When FROM uses a build argument that has no default, the base image is whatever each build passes
with --build-arg, or an invalid name when nothing is passed. The Dockerfile alone no longer says
what it builds on, so builds are not reproducible and reviews cannot see the base.`,
	Fix:  "Give the ARG before the first FROM a default that names a tested, pinned image: `ARG BASE=alpine:3.22`.",
	Bad:  "ARG BASE\nFROM ${BASE}\nRUN echo hello",
	Good: "ARG BASE=alpine:3.22\nFROM ${BASE}\nRUN echo hello",
}, check: func(p *pass) {
	for _, s := range p.f.Stages {
		var missing []string
		for _, v := range s.From.Unresolved {
			if dockerfile.IsAutomaticArg(v) || slices.Contains(sbomArgs, v) {
				continue
			}
			missing = append(missing, v)
		}
		slices.Sort(missing)
		if len(missing) == 0 {
			continue
		}
		p.atWord(s.FromInstruction, s.From.Raw, fmt.Sprintf("FROM %s uses %s, which %s no default value: the base image depends on what each build passes",
			s.From.Raw, "$"+strings.Join(missing, ", $"), map[bool]string{true: "has", false: "have"}[len(missing) == 1]))
	}
}}

var df005 = &Rule{Rule: rule.Rule{
	ID: "DF005", Severity: finding.High, Kind: finding.KindMisconfiguration,
	Title: "Base image release is end-of-life",
	Why: `After its end-of-life date a distribution or language runtime gets no more security fixes: every
vulnerability found later stays in your image for good, and scanners may stop reporting them because
the publisher no longer tracks the release. The dates come from endoflife.date (pkg/core/eol/eol.yaml
names each source). A build stage that is not shipped is reported at low severity: its toolchain
still shapes what it builds.`,
	Fix:  "Move to a supported release of the same image (for example `python:3.13-slim-bookworm` instead of `python:3.8-slim-buster`), test, and rebuild.",
	Bad:  "FROM python:3.8-slim-buster\nCMD [\"python3\"]",
	Good: "FROM python:3.13-slim-bookworm\nCMD [\"python3\"]",
}, check: func(p *pass) {
	p.externalBases(func(s *dockerfile.Stage, ref baseimage.Ref) {
		info, ok := ref.Explain()
		if !ok {
			return
		}
		var ended []string
		for _, rel := range []*baseimage.Release{info.Runtime, info.Distro} {
			if rel == nil {
				continue
			}
			if c, ok := eol.Lookup(rel.Product, rel.Version); ok && c.Ended(p.opts.Now) {
				ended = append(ended, fmt.Sprintf("%s %s reached end of life on %s", rel.Product, c.Version, c.EOL.Format("2006-01-02")))
			}
		}
		if len(ended) == 0 {
			return
		}
		msg := fmt.Sprintf("FROM %s: %s; it gets no more security fixes", s.From.Image, strings.Join(ended, " and "))
		if !s.Shipped {
			msg += " (build stage, not shipped)"
		}
		f := p.atWord(s.FromInstruction, s.From.Raw, msg)
		if !s.Shipped {
			f.Severity = finding.Low
		}
	})
}}

var df006 = &Rule{Rule: rule.Rule{
	ID: "DF006", Severity: finding.Info, Kind: finding.KindMisconfiguration,
	Title: "Final image built on a full distribution where a slim or distroless variant exists",
	Why: `The default tags of official runtime images (node:20, python:3.12, golang:1.23) carry a complete
Debian with compilers, headers and hundreds of packages the application never uses. Each of them
is attack surface and a source of vulnerability reports. The slim and distroless variants of the
same runtime ship a fraction of that, so they scan cleaner and pull faster.`,
	Fix:  "Build in the full image if you need its tools, then run from the slim or distroless variant named in the finding (multi-stage build).",
	Bad:  "FROM node:20\nCOPY . /app\nCMD [\"node\", \"/app/index.js\"]",
	Good: "FROM node:20-slim\nCOPY . /app\nCMD [\"node\", \"/app/index.js\"]",
}, check: func(p *pass) {
	line := p.lineage()
	root := line[len(line)-1]
	if !root.From.IsExternal() || len(root.From.Unresolved) > 0 {
		return
	}
	ref, ok := p.ref(root.From.Image)
	if !ok {
		return
	}
	if alt := ref.Alternative(); alt != "" {
		p.atWord(root.FromInstruction, root.From.Raw, fmt.Sprintf("the final image is built on %s, a full distribution; use %s", root.From.Image, alt))
	}
}}
