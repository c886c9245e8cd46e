package baseimage

import "testing"

func TestParseRef(t *testing.T) {
	for _, c := range []struct{ in, repo, tag, short string }{
		{"alpine", "docker.io/library/alpine", "", "alpine"},
		{"node:20-slim", "docker.io/library/node", "20-slim", "node"},
		{"bitnami/redis:7", "docker.io/bitnami/redis", "7", "bitnami/redis"},
		{"ghcr.io/acme/app:1.2@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a", "ghcr.io/acme/app", "1.2", "ghcr.io/acme/app"},
		{"localhost:5000/x", "localhost:5000/x", "", "localhost:5000/x"},
	} {
		r, err := ParseRef(c.in)
		if err != nil || r.Repository() != c.repo || r.Tag != c.tag || r.Short() != c.short {
			t.Errorf("ParseRef(%q) = %+v, %v", c.in, r, err)
		}
	}
	if _, err := ParseRef("docker.io/UPPER/case"); err == nil {
		t.Error("invalid reference accepted")
	}
}

func TestExplain(t *testing.T) {
	for _, c := range []struct{ in, runtime, distro, variant string }{
		{"python:3.8-slim-buster", "python 3.8", "debian 10", "slim"},
		{"node:18-alpine3.17", "node 18", "alpine 3.17", "alpine"},
		{"golang:1.22.5-bookworm", "golang 1.22.5", "debian 12", ""},
		{"alpine:3.18.9", "", "alpine 3.18.9", "alpine"},
		{"debian:bullseye-slim", "", "debian 11", "slim"},
		{"ubuntu:jammy-20240101", "", "ubuntu 22.04", ""},
		{"centos:centos7", "", "centos 7", ""},
		{"eclipse-temurin:21-jre", "java 21", "", "jre"},
	} {
		r, _ := ParseRef(c.in)
		info, ok := r.Explain()
		str := func(rel *Release) string {
			if rel == nil {
				return ""
			}
			return rel.Product + " " + rel.Version
		}
		if !ok || str(info.Runtime) != c.runtime || str(info.Distro) != c.distro || info.Variant != c.variant {
			t.Errorf("Explain(%q) = %s / %s / %q, %v", c.in, str(info.Runtime), str(info.Distro), info.Variant, ok)
		}
	}
	for _, in := range []string{"alpine:latest", "node:lts", "myorg/node:18", "ubuntu"} {
		r, _ := ParseRef(in)
		if _, ok := r.Explain(); ok {
			t.Errorf("Explain(%q) should not claim to know", in)
		}
	}
}

func TestAlternative(t *testing.T) {
	for in, want := range map[string]string{
		"node:20":                "node:20-slim or gcr.io/distroless/nodejs20-debian12",
		"python:3.12-bookworm":   "python:3.12-slim-bookworm",
		"debian:bookworm":        "debian:bookworm-slim",
		"python:3.12-slim":       "",
		"node:20-alpine":         "",
		"ubuntu:24.04":           "",
		"eclipse-temurin:21":     "eclipse-temurin:21-jre or gcr.io/distroless/java21-debian12",
		"gcr.io/distroless/base": "",
		"golang:1.23":            "a build stage FROM golang:1.23 and a final stage FROM gcr.io/distroless/static-debian12 (or scratch) holding only the binary",
	} {
		r, _ := ParseRef(in)
		if got := r.Alternative(); got != want {
			t.Errorf("Alternative(%q) = %q, want %q", in, got, want)
		}
	}
}
