package baseadvice

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// app builds an application image on the minimal Alpine root filesystem.
func app(t *testing.T, cfg v1.Config, files ...testimage.File) *source.Target {
	t.Helper()
	img, err := testimage.Build(nil, cfg,
		testimage.Step{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / ", Files: testimage.AlpineRoot},
		testimage.Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["/bin/sh"]`, Empty: true},
		testimage.Step{CreatedBy: "/bin/sh -c #(nop) COPY dir:def in /app ", Files: append([]testimage.File{{Name: "app/"}}, files...)},
	)
	if err != nil {
		t.Fatal(err)
	}
	return source.FromImage("app", img)
}

func explain(t *testing.T, tg *source.Target, opts Options) *Advice {
	t.Helper()
	opts.Now = now
	a, err := Explain(context.Background(), tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func option(t *testing.T, a *Advice, name string) Option {
	t.Helper()
	for _, o := range a.Options {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no candidate %s in %+v", name, a.Options)
	return Option{}
}

func TestAdvice(t *testing.T) {
	for _, c := range []struct {
		name    string
		cfg     v1.Config
		files   []testimage.File
		base    string // candidate to look at
		fits    bool
		because string
	}{
		{"static Go binary", v1.Config{Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755}},
			"gcr.io/distroless/static-debian12", true, "static binaries (/app/server) need no libc: gcr.io/distroless/static-debian12 fits"},
		{"glibc binary", v1.Config{Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/server", Content: testimage.GlibcELF(), Mode: 0o755}},
			"alpine:3.22", false, "links glibc (/app/server): alpine:3.22 has musl; it does not fit without rebuilding for musl"},
		{"glibc binary on distroless base", v1.Config{Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/server", Content: testimage.GlibcELF(), Mode: 0o755}},
			"gcr.io/distroless/base-debian12", true, "links glibc (/app/server): gcr.io/distroless/base-debian12 has it"},
		{"shell script entrypoint", v1.Config{Entrypoint: []string{"/app/run.sh"}}, []testimage.File{{Name: "app/run.sh", Content: "#!/bin/sh\nexec /app/server\n", Mode: 0o755}},
			"gcr.io/distroless/static-debian12", false, "the entrypoint /app/run.sh is a shell script (/bin/sh): gcr.io/distroless/static-debian12 has no shell"},
		{"shell form", v1.Config{Cmd: []string{"/bin/sh", "-c", "/app/server"}}, nil,
			"gcr.io/distroless/base-debian12", false, "shell form (/bin/sh -c ...): gcr.io/distroless/base-debian12 has no shell"},
		{"python", v1.Config{Entrypoint: []string{"/app/main.py"}}, []testimage.File{{Name: "app/main.py", Content: "#!/usr/bin/env python3\nprint(1)\n", Mode: 0o755}},
			"gcr.io/distroless/python3-debian12", true, "runs python3: gcr.io/distroless/python3-debian12 provides it"},
		{"python on static", v1.Config{Entrypoint: []string{"/app/main.py"}}, []testimage.File{{Name: "app/main.py", Content: "#!/usr/bin/env python3\nprint(1)\n", Mode: 0o755}},
			"gcr.io/distroless/static-debian12", false, "has neither python3 nor a package manager"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := explain(t, app(t, c.cfg, c.files...), Options{})
			if a.Identity.BaseLayers != 1 || a.Identity.BaseBy != ByHistory || a.Identity.Libc != "musl" || a.Identity.Shell != "busybox" {
				t.Errorf("identity: %+v", a.Identity)
			}
			o := option(t, a, c.base)
			if o.Fits != c.fits || !strings.Contains(strings.Join(o.Reasons, "\n"), c.because) {
				t.Errorf("%s: fits=%v %q, want fits=%v %q", c.base, o.Fits, o.Reasons, c.fits, c.because)
			}
		})
	}
}

func TestFittingFirstSmallestFirst(t *testing.T) {
	a := explain(t, app(t, v1.Config{Entrypoint: []string{"/app/server"}}, testimage.File{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755}), Options{})
	if a.Options[0].Name != "cgr.dev/chainguard/static" || !a.Options[0].Fits {
		t.Errorf("first: %+v", a.Options[0])
	}
	for i := 1; i < len(a.Options); i++ {
		p, c := a.Options[i-1], a.Options[i]
		if p.Fits == c.Fits && p.Size > c.Size || !p.Fits && c.Fits {
			t.Errorf("order: %s before %s", p.Name, c.Name)
		}
	}
	for _, o := range a.Options {
		if strings.Contains(o.Name, "python3") || strings.Contains(o.Name, "java") {
			t.Errorf("%s offered for a static binary", o.Name)
		}
	}
}

// TestRealImages identifies the real bases and measures a real candidate.
func TestRealImages(t *testing.T) {
	images := sharedtest.Path(t, "testdata", "images")
	deb, err := source.Open(context.Background(), "docker-archive:"+filepath.Join(images, "debian-bookworm.docker.tar"))
	if err != nil {
		t.Fatal(err)
	}
	defer deb.Close()
	alpine, err := source.Open(context.Background(), "oci-dir:"+filepath.Join(images, "alpine-oci")+":alpine-3.20.3")
	if err != nil {
		t.Fatal(err)
	}
	a := explain(t, deb, Options{Candidates: []NamedTarget{{Name: "alpine:3.20.3", Target: alpine}}})
	id := a.Identity
	if id.OS == nil || id.OS.ID != "debian" || id.Libc != "glibc" || id.Shell != "dash" || id.PackageManager != "apt" ||
		id.EOL != "2028-06-30" || id.EOLPassed || id.BaseLayers != 1 || id.BaseBy != ByWhole || id.BaseSize < 100<<20 {
		t.Errorf("debian: %+v", id)
	}
	o := option(t, a, "alpine:3.20.3")
	if !o.Measured || o.Libc != "musl" || !o.Shell || o.PackageManager != "apk" || o.Size < 7<<20 || o.Size > 8<<20 {
		t.Errorf("measured alpine: %+v", o.Candidate)
	}

	vulnapp, err := source.Open(context.Background(), "oci-dir:"+filepath.Join(images, "alpine-oci")+":vulnapp-alpine3.18-multilayer")
	if err != nil {
		t.Fatal(err)
	}
	base, err := source.Open(context.Background(), "oci-dir:"+filepath.Join(images, "alpine-oci")+":alpine-3.18.9")
	if err != nil {
		t.Fatal(err)
	}
	a = explain(t, vulnapp, Options{Base: base})
	if a.Identity.BaseLayers != 1 || a.Identity.BaseBy != ByGiven || a.Identity.AppSize == 0 || !a.Identity.EOLPassed {
		t.Errorf("vulnapp: %+v", a.Identity)
	}
	// Its application: the static gin binary and a Node.js app.
	if len(a.Needs.Static) == 0 || a.Needs.Static[0] != "/usr/local/bin/vulnapp" || strings.Join(a.Needs.Interpreters, ",") != "node" {
		t.Errorf("vulnapp needs: %+v", a.Needs)
	}
}
