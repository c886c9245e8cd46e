// Package corpus generates a varied, deterministic corpus of Dockerfiles
// for the lint benchmarks: the stacks people build (Node, Python, Go, Java,
// Ruby, plain Debian/Alpine/RHEL tooling, static sites), each with random
// good and bad practice, multi-stage builds, long continued RUN lines,
// heredocs, ARGs and comments, so that every rule and parser path is hit.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Generate returns n Dockerfiles made from seed; the same seed gives the
// same corpus.
func Generate(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([][]byte, n)
	for i := range out {
		g := &gen{r: r}
		templates[i%len(templates)](g)
		out[i] = []byte(g.b.String())
	}
	return out
}

// Write writes the corpus to dir as dir/NNNN/Dockerfile, the layout every
// linter discovers.
func Write(dir string, files [][]byte) error {
	for i, f := range files {
		d := filepath.Join(dir, fmt.Sprintf("%04d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "Dockerfile"), f, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type gen struct {
	r *rand.Rand
	b strings.Builder
}

func (g *gen) line(format string, a ...any) { fmt.Fprintf(&g.b, format+"\n", a...) }
func (g *gen) coin() bool                   { return g.r.IntN(2) == 0 }
func (g *gen) pick(xs ...string) string     { return xs[g.r.IntN(len(xs))] }

// tagged returns image:tag, sometimes latest or untagged, sometimes pinned.
func (g *gen) tagged(image string, tags ...string) string {
	switch g.r.IntN(8) {
	case 0:
		return image
	case 1:
		return image + ":latest"
	case 2:
		return fmt.Sprintf("%s:%s@sha256:%064x", image, g.pick(tags...), g.r.Uint64())
	}
	return image + ":" + g.pick(tags...)
}

func (g *gen) header() {
	if g.coin() {
		g.line("# syntax=docker/dockerfile:1.%d", 4+g.r.IntN(4))
	}
	g.line("# Generated benchmark Dockerfile, variant %d", g.r.IntN(1000))
	if g.r.IntN(4) == 0 {
		g.line("# hadolint global ignore=DL3059")
	}
}

func (g *gen) apt(pkgs ...string) {
	pinned := g.coin()
	var list []string
	for _, p := range pkgs {
		if pinned {
			p += fmt.Sprintf("=%d.%d-%d", 1+g.r.IntN(9), g.r.IntN(20), 1+g.r.IntN(5))
		}
		list = append(list, p)
	}
	if g.r.IntN(3) == 0 {
		g.line("RUN apt-get update")
		g.line("RUN apt-get install -y %s", strings.Join(list, " "))
		return
	}
	g.line("RUN set -eux; \\")
	g.line("    apt-get update; \\")
	nr := ""
	if g.coin() {
		nr = " --no-install-recommends"
	}
	g.line("    apt-get install -y%s \\", nr)
	for _, p := range list {
		g.line("        %s \\", p)
	}
	if g.coin() {
		g.line("    ; rm -rf /var/lib/apt/lists/*")
	} else {
		g.line("    ; apt-get clean")
	}
}

func (g *gen) apk(pkgs ...string) {
	if g.coin() {
		g.line("RUN apk add --no-cache %s", strings.Join(pkgs, " "))
	} else {
		g.line("RUN apk update && apk add %s", strings.Join(pkgs, " "))
	}
}

func (g *gen) user() {
	switch g.r.IntN(4) {
	case 0:
	case 1:
		g.line("USER root")
	default:
		g.line("USER %d", 1000+g.r.IntN(9000))
	}
}

func (g *gen) tail(cmd ...string) {
	if g.coin() {
		g.line("HEALTHCHECK --interval=30s CMD [\"%s\", \"--health\"]", cmd[0])
	}
	if g.r.IntN(4) == 0 {
		g.line("EXPOSE %d 22", 8000+g.r.IntN(1000))
	} else {
		g.line("EXPOSE %d", 8000+g.r.IntN(1000))
	}
	g.user()
	if g.r.IntN(6) == 0 {
		g.line("CMD [\"sh\"]")
	}
	if g.coin() {
		g.line("CMD [\"%s\"]", strings.Join(cmd, "\", \""))
	} else {
		g.line("CMD %s", strings.Join(cmd, " "))
	}
}

func (g *gen) secret() {
	switch g.r.IntN(6) {
	case 0:
		g.line("ENV DB_PASSWORD=changeme%d", g.r.IntN(100))
	case 1:
		g.line("ARG GITHUB_TOKEN")
	case 2:
		g.line("ENV AWS_ACCESS_KEY_ID=AKIA%016X", g.r.Uint64()%(1<<62))
	}
}

var templates = []func(*gen){
	func(g *gen) { // Node
		g.header()
		v := g.pick("16", "18", "20", "22", "24")
		g.line("FROM %s", g.tagged("node", v, v+"-slim", v+"-alpine", v+"-bookworm-slim"))
		g.secret()
		g.line("WORKDIR %s", g.pick("/app", "app", "/usr/src/app"))
		if g.coin() {
			g.line("COPY package.json package-lock.json ./")
			g.line("RUN npm ci --omit=dev")
			g.line("COPY . .")
		} else {
			g.line("COPY . .")
			g.line("RUN npm install && npm install -g %s", g.pick("pm2", "pm2@5.4.2", "nodemon"))
		}
		if g.coin() {
			g.line("RUN curl -fsSL https://example.com/install.sh | bash")
		}
		g.tail("node", "server.js")
	},
	func(g *gen) { // Python
		g.header()
		v := g.pick("3.8", "3.9", "3.11", "3.12", "3.13")
		g.line("FROM %s", g.tagged("python", v, v+"-slim", v+"-slim-bookworm", v+"-alpine"))
		g.line("ENV PYTHONDONTWRITEBYTECODE=1")
		if g.coin() {
			g.line("ENV PIP_NO_CACHE_DIR=1")
		}
		g.apt("gcc", "libpq-dev")
		g.line("WORKDIR /srv")
		g.line("COPY requirements.txt .")
		g.line("RUN pip install %s -r requirements.txt", g.pick("", "--no-cache-dir"))
		g.line("RUN pip install %s", g.pick("gunicorn", "gunicorn==23.0.0", "'uvicorn>=0.30'"))
		g.line("COPY . .")
		g.secret()
		g.tail("gunicorn", "app:app")
	},
	func(g *gen) { // Go multi-stage
		g.header()
		if g.r.IntN(5) == 0 {
			g.line("ARG GO_VERSION")
		} else {
			g.line("ARG GO_VERSION=%s", g.pick("1.20", "1.22", "1.24", "1.26"))
		}
		g.line("FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build")
		g.line("WORKDIR /src")
		if g.coin() {
			g.line("COPY go.mod go.sum ./")
			g.line("RUN --mount=type=cache,target=/go/pkg/mod go mod download")
		}
		g.line("COPY . .")
		g.line("RUN --mount=type=cache,target=/root/.cache/go-build \\")
		g.line("    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \\")
		g.line("    go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/app")
		g.line("FROM %s", g.pick("scratch", "gcr.io/distroless/static-debian12:nonroot", "alpine:3.18", "alpine:3.22"))
		g.line("COPY --from=build /out/app /app")
		if g.coin() {
			g.line("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")
		}
		g.line("ENTRYPOINT [\"/app\"]")
		g.user()
	},
	func(g *gen) { // Java
		g.header()
		g.line("FROM %s AS build", g.tagged("maven", "3.9-eclipse-temurin-21", "3-eclipse-temurin-17"))
		g.line("WORKDIR /build")
		g.line("COPY pom.xml .")
		g.line("RUN mvn -B dependency:go-offline")
		g.line("COPY src ./src")
		g.line("RUN mvn -B package -DskipTests")
		g.line("FROM %s", g.tagged("eclipse-temurin", "21-jre", "21", "17-jre-alpine"))
		g.line("COPY --from=build /build/target/app.jar /opt/app.jar")
		g.secret()
		g.tail("java", "-jar", "/opt/app.jar")
	},
	func(g *gen) { // Debian tooling with heredoc
		g.header()
		g.line("FROM %s", g.tagged("debian", "bookworm", "bookworm-slim", "buster", "12", "11-slim"))
		g.line("ARG DEBIAN_FRONTEND=noninteractive")
		if g.coin() {
			g.line("RUN <<EOF")
			g.line("set -e")
			g.line("apt-get update")
			g.line("apt-get install -y --no-install-recommends ca-certificates curl jq")
			g.line("rm -rf /var/lib/apt/lists/*")
			g.line("EOF")
		} else {
			g.apt("ca-certificates", "curl", "jq", "git", "openssh-client")
		}
		g.line("RUN useradd -r -u 10001 app && mkdir -p /data && chmod %s /data", g.pick("777", "750", "1777"))
		if g.coin() {
			apt := g.pick("apt-get", "apt")
			g.line("RUN %s update && %s -y upgrade", apt, apt)
		}
		if g.coin() {
			g.line(g.pick("RUN curl -fsSLo /usr/local/bin/helm https://example.com/helm && chmod +x /usr/local/bin/helm",
				"RUN wget -qO- https://example.com/release.json | jq -r .version > /etc/tool-version"))
		}
		g.line("ADD %s /usr/local/bin/tool", g.pick("tool", "https://example.com/tool", "tool.tar.gz"))
		g.line("WORKDIR /data")
		g.line("RUN cd /tmp && wget -qO- https://example.com/x.sh | sh")
		g.tail("/usr/local/bin/tool", "serve")
	},
	func(g *gen) { // Alpine tool
		g.header()
		g.line("FROM %s", g.tagged("alpine", "3.16", "3.18", "3.20", "3.21", "3.22"))
		g.apk("ca-certificates", "tzdata", g.pick("curl", "curl=8.9.1-r1", "bash"))
		g.line("COPY %s /usr/local/bin/", g.pick("entrypoint.sh", ".env", "id_rsa", "bin/tool"))
		g.line("RUN chmod +x /usr/local/bin/* && sudo addgroup -S app")
		if g.coin() {
			g.line("# bulwark:ignore=DF033")
			g.line("RUN sh -c \"$(wget -qO- https://example.com/setup.sh)\"")
		}
		g.line("ENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]")
		g.tail("tool", "--daemon")
	},
	func(g *gen) { // RHEL family
		g.header()
		g.line("FROM %s", g.tagged("rockylinux", "9", "8", "9-minimal"))
		g.line("RUN dnf install -y %s httpd && %s", g.pick("mod_ssl", "mod_ssl-2.4.62"), g.pick("dnf clean all", "echo done"))
		g.line("RUN yum install -y %s", g.pick("tar", "tar gzip && yum clean all"))
		g.line("COPY site/ /var/www/html/")
		g.secret()
		g.tail("httpd", "-DFOREGROUND")
	},
	func(g *gen) { // Ruby
		g.header()
		g.line("FROM %s", g.tagged("ruby", "3.3", "3.3-slim", "3.1-alpine"))
		g.line("WORKDIR /app")
		g.line("COPY . .")
		g.line("RUN bundle install && gem install %s", g.pick("rails", "rails -v 7.2.1", "foreman:0.88.1"))
		g.line("RUN yarn install && yarn build")
		g.tail("bundle", "exec", "puma")
	},
	func(g *gen) { // nginx static
		g.header()
		g.line("FROM node:20-alpine AS assets")
		g.line("WORKDIR /w")
		g.line("COPY package.json yarn.lock ./")
		g.line("RUN yarn install --frozen-lockfile && yarn cache clean")
		g.line("COPY . .")
		g.line("RUN yarn build")
		g.line("FROM %s", g.tagged("nginx", "1.27-alpine", "1.27", "stable-alpine"))
		g.line("COPY --from=assets /w/dist /usr/share/nginx/html")
		g.line("COPY --chmod=%s nginx.conf /etc/nginx/conf.d/default.conf", g.pick("644", "777"))
		g.tail("nginx", "-g", "daemon off;")
	},
}
