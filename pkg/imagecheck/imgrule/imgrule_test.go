package imgrule

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

var update = flag.Bool("update", false, "rewrite docs/rules pages")

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// file is a tar entry: mode 0 means 0644 (0755 for directories, when the
// name ends in "/"); link makes a symlink; whiteout names are as stored.
type file struct {
	name    string
	content string
	mode    int64
	link    string
	uid     int
}

func layerOf(t *testing.T, files ...file) v1.Layer {
	t.Helper()
	tf := make([]testimage.File, len(files))
	for i, f := range files {
		tf[i] = testimage.File{Name: f.name, Content: f.content, Mode: f.mode, Link: f.link, UID: f.uid}
	}
	l, err := testimage.Layer(tf...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type spec struct {
	layers      [][]file
	history     []string
	config      v1.Config
	annotations map[string]string
}

// alpineBase is a minimal musl root filesystem.
var alpineBase = []file{
	{name: "etc/"}, {name: "etc/os-release", content: "ID=alpine\nVERSION_ID=3.22.1\n"},
	{name: "etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/sbin/nologin\n"},
	{name: "etc/group", content: "root:x:0:\napp:x:10001:\n"},
	{name: "lib/"}, {name: "lib/ld-musl-x86_64.so.1", content: strings.Repeat("x", 100), mode: 0o755},
	{name: "bin/"}, {name: "bin/busybox", content: strings.Repeat("b", 100), mode: 0o755}, {name: "bin/sh", link: "/bin/busybox"},
	{name: "tmp/", mode: 0o1777},
}

func build(t *testing.T, s spec) *Input {
	t.Helper()
	img := empty.Image
	for i, files := range s.layers {
		h := v1.History{CreatedBy: "layer"}
		if i < len(s.history) {
			h.CreatedBy = s.history[i]
		}
		var err error
		if img, err = mutate.Append(img, mutate.Addendum{Layer: layerOf(t, files...), History: h}); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.Config = s.config
	img, _ = mutate.ConfigFile(img, cfg)
	res, err := analyzer.Analyze(context.Background(), source.FromImage("test", img), analyzer.Options{Inspectors: analyzer.DefaultInspectors()})
	if err != nil {
		t.Fatal(err)
	}
	return &Input{Result: res, Annotations: s.annotations}
}

func ids(fs []finding.Finding, id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// good is an image every rule passes.
func good() spec {
	return spec{
		layers:      [][]file{alpineBase, {{name: "app/"}, {name: "app/server", content: "#!/bin/sh\necho hi\n", mode: 0o755}}},
		config:      v1.Config{User: "app", Entrypoint: []string{"/app/server"}, Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "/app/server"}}},
		annotations: map[string]string{"org.opencontainers.image.base.name": "docker.io/library/alpine:3.22", "org.opencontainers.image.base.digest": "sha256:" + strings.Repeat("a", 64)},
	}
}

func TestGoodImageIsClean(t *testing.T) {
	if fs := Run(build(t, good()), Options{Now: now}); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("%s %s: %s", f.ID, f.Location, f.Message)
		}
	}
}

func TestRulesOnBadImages(t *testing.T) {
	for _, c := range []struct {
		id     string
		mutate func(s *spec)
		want   string
	}{
		{"IMG001", func(s *spec) { s.config.User = "" }, "sets no user"},
		{"IMG001", func(s *spec) { s.config.User = "0:0" }, `user "0:0"`},
		{"IMG002", func(s *spec) { s.config.User = "nobody" }, `user "nobody" is not in /etc/passwd`},
		{"IMG002", func(s *spec) { s.config.User = "app:staff" }, `group "staff" is not in /etc/group`},
		{"IMG003", func(s *spec) { s.config.Healthcheck = nil }, "no HEALTHCHECK"},
		{"IMG010", func(s *spec) { s.layers[1] = append(s.layers[1], file{name: "app/su", content: "x", mode: 0o4755}) }, "/app/su is setuid"},
		{"IMG011", func(s *spec) { s.layers[1] = append(s.layers[1], file{name: "data/", mode: 0o777}) }, "/data is a world-writable directory"},
		{"IMG012", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "root/.ssh/id_rsa", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", mode: 0o600})
		}, "/root/.ssh/id_rsa holds a private key (----********)"},
		{"IMG012", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "app/.env", content: "DEBUG=1\nDB_PASSWORD=s3cr3t-value\n"})
		}, ".env value of DB_PASSWORD"},
		{"IMG013", func(s *spec) { s.config.Env = []string{"GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"} }, "ENV GITHUB_TOKEN holds a GitHub token (ghp_********)"},
		{"IMG013", func(s *spec) { s.history = []string{"", "|1 NPM_TOKEN=abcd1234efgh /bin/sh -c npm ci"} }, "the build history keeps the value of NPM_TOKEN"},
		{"IMG014", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "etc/shadow", content: "root:!:19000::::::\napp::19000:0:99999:7:::\n", mode: 0o640})
		}, `account "app" has an empty password in /etc/shadow`},
		{"IMG014", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\napp::10001:10001::/home/app:/bin/sh\n"})
		}, `account "app" has an empty password in /etc/passwd`},
		{"IMG015", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n"})
		}, "root and toor share ID 0 in /etc/passwd"},
		{"IMG020", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "var/cache/apk/APKINDEX.tar.gz", content: strings.Repeat("i", 4096)})
		}, "/var/cache/apk holds apk's cache: 1 files, 4.0 kB wasted"},
		{"IMG021", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "opt/big", content: strings.Repeat("z", 10000)})
			s.layers = append(s.layers, []file{{name: "opt/.wh.big"}})
		}, "wasted by files overwritten or deleted in later layers"},
		{"IMG030", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "app/server", content: testimage.GlibcELF(), mode: 0o755})
		}, "the entrypoint /app/server needs glibc's loader /lib64/ld-linux-x86-64.so.2"},
		{"IMG031", func(s *spec) { s.config.Entrypoint = []string{"/app/missing"} }, "/app/missing is not in the image"},
		{"IMG031", func(s *spec) {
			s.layers[1] = append(s.layers[1], file{name: "app/server", content: "#!/bin/bash\necho\n", mode: 0o755})
		}, "/app/server is a script for /bin/bash, which the image does not have"},
		{"IMG040", func(s *spec) { s.layers[0][1].content = "ID=alpine\nVERSION_ID=3.16.2\n" }, "alpine 3.16 reached end of life on 2024-05-23"},
		{"IMG041", func(s *spec) { s.annotations = nil }, "does not record its base"},
		// Dockerfile rules on the build history, as Dockle's history checks.
		{"DF014", func(s *spec) { s.history = []string{"", "RUN /bin/sh -c apk add curl # buildkit"} }, "build history: apk add without --no-cache"},
		{"DF031", func(s *spec) { s.history = []string{"", "/bin/sh -c sudo make install"} }, "build history: "},
		{"DF019", func(s *spec) { s.history = []string{"", "/bin/sh -c apt-get update && apt-get dist-upgrade -y"} }, "build history: "},
		{"IMG041", func(s *spec) {
			s.annotations = map[string]string{"org.opencontainers.image.base.name": "docker.io/library/alpine:latest"}
		}, "moving tag"},
	} {
		t.Run(c.id, func(t *testing.T) {
			s := good()
			s.layers = [][]file{append([]file(nil), s.layers[0]...), append([]file(nil), s.layers[1]...)}
			c.mutate(&s)
			got := ids(Run(build(t, s), Options{Now: now}), c.id)
			found := false
			for _, f := range got {
				if strings.Contains(f.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s %q, got %+v", c.id, c.want, got)
			}
		})
	}
}

func TestLargeLayer(t *testing.T) {
	s := good()
	s.layers[1] = append(s.layers[1], file{name: "opt/blob", content: strings.Repeat("q", 3000)})
	s.history = []string{"ADD rootfs /", "COPY blob /opt/"}
	got := ids(Run(build(t, s), Options{Now: now, MaxLayerSize: 2000}), "IMG022")
	if len(got) != 1 || !strings.Contains(got[0].Message, "made by: COPY blob /opt/") {
		t.Errorf("%+v", got)
	}
}

// glibcELF returns a minimal 64-bit ELF executable whose PT_INTERP is
// glibc's loader.

const historyNote = `The scan also runs the Dockerfile rules that judge single RUN and ADD lines
(DF011, DF013, DF014, DF015, DF016, DF018, DF019, DF031, DF033, DF034) on the image's build history,
as Dockle's history checks do; those findings keep the Dockerfile rule's ID and point to ` + "`history[N]`" + `.
`

func TestDocs(t *testing.T) {
	var rules []*rule.Rule
	for _, r := range All {
		rules = append(rules, &r.Rule)
	}
	stale, err := rule.SyncPages(filepath.Join("..", "..", "..", "docs", "rules"), rule.Pages("image.md", "Image rules (bulwark scan)", rules, "\n"+historyNote), *update)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		t.Errorf("%s is missing or stale; run go test ./pkg/imagecheck/imgrule -run TestDocs -update", f)
	}
}
