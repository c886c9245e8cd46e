package harden

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// netBindCap is vfs_cap_data v2 with NET_BIND_SERVICE permitted and
// effective: what `setcap cap_net_bind_service=+ep` writes.
const netBindCap = "\x01\x00\x00\x02" + "\x00\x04\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

func root(extra ...testimage.File) []testimage.File {
	files := append([]testimage.File(nil), testimage.AlpineRoot...)
	files[2] = testimage.File{Name: "etc/passwd", Content: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/sbin/nologin\nnginx:x:101:101::/var/cache/nginx:/sbin/nologin\n"}
	files[3] = testimage.File{Name: "etc/group", Content: "root:x:0:\nstaff:x:50:\napp:x:1001:\nnginx:x:101:\n"}
	return append(files, extra...)
}

func image(t *testing.T, cfg v1.Config, files ...testimage.File) *source.Target {
	t.Helper()
	img, err := testimage.Build(nil, cfg, testimage.Step{CreatedBy: "ADD rootfs /", Files: root(files...)})
	if err != nil {
		t.Fatal(err)
	}
	return source.FromImage("example.local/app:1", img)
}

func plan(t *testing.T, tg *source.Target, opts Options) Plan {
	t.Helper()
	p, err := For(context.Background(), tg, "", nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var server = testimage.File{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755}

func TestPlans(t *testing.T) {
	for _, c := range []struct {
		name     string
		cfg      v1.Config
		files    []testimage.File
		uid, gid int64
		rebuild  bool
		caps     string
		mounts   string
		lines    string
	}{
		{"root", v1.Config{Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, server},
			NonRootID, NonRootID, true, "", "/tmp", "RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app|USER 10001:10001"},
		{"named user", v1.Config{User: "app", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, server},
			1000, 1001, false, "", "/tmp", ""},
		{"user and group names", v1.Config{User: "app:staff", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, server},
			1000, 50, false, "", "/tmp", ""},
		{"port 80", v1.Config{User: "101", ExposedPorts: map[string]struct{}{"80/tcp": {}}, Volumes: map[string]struct{}{"/data": {}}, Entrypoint: []string{"nginx"}},
			[]testimage.File{{Name: "usr/"}, {Name: "usr/sbin/"}, {Name: "usr/sbin/nginx", Content: testimage.StaticELF(), Mode: 0o755}},
			101, 101, false, "NET_BIND_SERVICE", "/data,/tmp,/var/cache/nginx,/var/run,/run", ""},
		{"nginx listening on 80, nothing EXPOSEd", v1.Config{User: "101", Entrypoint: []string{"nginx"}},
			[]testimage.File{{Name: "usr/"}, {Name: "usr/sbin/"}, {Name: "usr/sbin/nginx", Content: testimage.StaticELF(), Mode: 0o755},
				{Name: "etc/nginx/"}, {Name: "etc/nginx/conf.d/"}, {Name: "etc/nginx/conf.d/default.conf", Content: "server {\n    # listen 8443;\n    listen       80;\n    listen  [::]:80;\n}\n"}},
			101, 101, false, "NET_BIND_SERVICE", "/tmp,/var/cache/nginx,/var/run,/run", ""},
		{"--port 443 on the command line", v1.Config{User: "app", Entrypoint: []string{"/app/server"}, Cmd: []string{"--port", "443"}}, []testimage.File{{Name: "app/"}, server},
			1000, 1001, false, "NET_BIND_SERVICE", "/tmp", ""},
		{"ENV PORT=80", v1.Config{User: "app", Env: []string{"PORT=80"}, Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, server},
			1000, 1001, false, "NET_BIND_SERVICE", "/tmp", ""},
		{"a high port needs nothing", v1.Config{User: "app", Env: []string{"PORT=8080"}, Entrypoint: []string{"/app/server", "--listen=0.0.0.0:8443"}}, []testimage.File{{Name: "app/"}, server},
			1000, 1001, false, "", "/tmp", ""},
		{"file capability", v1.Config{User: "app", Entrypoint: []string{"/app/server"}},
			[]testimage.File{{Name: "app/"}, {Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755, PAX: map[string]string{"SCHILY.xattr.security.capability": netBindCap}}},
			1000, 1001, false, "NET_BIND_SERVICE", "/tmp", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := plan(t, image(t, c.cfg, c.files...), Options{})
			if p.RunAsUser != c.uid || p.RunAsGroup != c.gid || p.Rebuild != c.rebuild {
				t.Errorf("user %d:%d rebuild %v, want %d:%d %v", p.RunAsUser, p.RunAsGroup, p.Rebuild, c.uid, c.gid, c.rebuild)
			}
			if got := strings.Join(p.Capabilities(), ","); got != c.caps {
				t.Errorf("caps %q, want %q (%+v)", got, c.caps, p.Add)
			}
			var mounts []string
			for _, m := range p.Mounts {
				mounts = append(mounts, m.Path)
			}
			if got := strings.Join(mounts, ","); got != c.mounts {
				t.Errorf("mounts %q, want %q", got, c.mounts)
			}
			if got := strings.Join(p.DockerfileLines, "|"); got != c.lines {
				t.Errorf("Dockerfile lines %q, want %q", got, c.lines)
			}
			if !strings.HasPrefix(p.Image, "example.local/app:1@sha256:") {
				t.Errorf("image %q", p.Image)
			}
			roundTrip(t, p)
		})
	}
}

func TestCommandBinds(t *testing.T) {
	for _, c := range []struct {
		args  []string
		shell bool
		env   []string
		want  string
	}{
		{[]string{"uvicorn", "app:main", "--host", "0.0.0.0", "--port", "80"}, false, nil, "80 the command's --port 80"},
		{[]string{"gunicorn", "-b", "0.0.0.0:443", "app:wsgi"}, false, nil, "443 the command's -b 0.0.0.0:443"},
		{[]string{"/server", "-addr=:53"}, false, nil, "53 the command's -addr :53"},
		{[]string{"php", "-S", "0.0.0.0:80", "-t", "public"}, false, nil, "80 the command's argument 0.0.0.0:80"},
		{[]string{"python3", "-m", "http.server", "80"}, false, nil, "80 the command's http.server 80"},
		{[]string{"/bin/sh", "-c", "exec /app --listen [::]:25"}, true, nil, "25 the command's --listen [::]:25"},
		{[]string{"/app"}, false, []string{"PORT=8080", "HOME=/root"}, "8080 ENV PORT=8080"},
		// Not ports: a time, a version, a path, a flag of another meaning.
		{[]string{"/app", "--timeout", "10:30", "v1.2:3x", "/data:/x", "-n", "80"}, false, nil, ""},
	} {
		var got []string
		for _, b := range commandBinds(entrypoint.Command{Args: c.args, Shell: c.shell}, c.env) {
			got = append(got, fmt.Sprint(b.Port, " ", b.Reason))
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%q: %q, want %q", c.args, strings.Join(got, "|"), c.want)
		}
	}
}

// roundTrip: what harden writes passes audit at the restricted level with
// no finding at all, image-aware too, as a Pod, a Deployment and a Compose
// service.
func roundTrip(t *testing.T, p Plan) {
	t.Helper()
	for _, kind := range []string{"pod", "deployment"} {
		out, err := p.Kubernetes(kind)
		if err != nil {
			t.Fatal(err)
		}
		f, err := k8s.Parse(kind+".yaml", out)
		if err != nil || len(f.Workloads) != 1 {
			t.Fatalf("%s: %v\n%s", kind, err, out)
		}
		facts := map[string]*rtrule.ImageFacts{p.Image: p.Profile.Facts()}
		if fs := append(rtrule.Workload(f.Workloads[0]), rtrule.WorkloadImages(f.Workloads[0], facts)...); len(fs) > 0 {
			t.Errorf("%s has findings: %v\n%s", kind, messages(fs), out)
		}
	}
	out := p.Compose()
	f, err := compose.Parse("compose.yaml", out)
	if err != nil || len(f.Services) != 1 {
		t.Fatalf("compose: %v\n%s", err, out)
	}
	facts := map[string]*rtrule.ImageFacts{p.Image: p.Profile.Facts()}
	if fs := append(rtrule.Service(f.Name, f.Services[0]), rtrule.ServiceImages(f.Name, f.Services[0], facts)...); len(fs) > 0 {
		t.Errorf("compose has findings: %v\n%s", messages(fs), out)
	}
}

func messages(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID+" "+f.Message)
	}
	return out
}

// TestRealImages: the round trip for every image in ../shared/testdata.
func TestRealImages(t *testing.T) {
	images := sharedtest.Path(t, "testdata", "images")
	for _, ref := range []string{
		"docker-archive:" + filepath.Join(images, "debian-bookworm.docker.tar"),
		"oci-dir:" + filepath.Join(images, "alpine-oci") + ":alpine-3.18.9",
		"oci-dir:" + filepath.Join(images, "alpine-oci") + ":alpine-3.20.3",
		"oci-dir:" + filepath.Join(images, "alpine-oci") + ":vulnapp-alpine3.18-multilayer",
	} {
		t.Run(filepath.Base(ref), func(t *testing.T) {
			tg, err := source.Open(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			p := plan(t, tg, Options{})
			if !p.Rebuild || p.RunAsUser != NonRootID {
				t.Errorf("these images run as root: %+v", p)
			}
			roundTrip(t, p)
		})
	}
}

func TestRunArgs(t *testing.T) {
	p := plan(t, image(t, v1.Config{User: "101", ExposedPorts: map[string]struct{}{"443/tcp": {}}}), Options{Allow: []string{"cap_net_raw"}})
	got := strings.Join(p.RunArgs(), " ")
	want := "run --read-only --cap-drop ALL --cap-add NET_BIND_SERVICE --cap-add NET_RAW --security-opt no-new-privileges:true --user 101:101 --tmpfs /tmp --sysctl net.ipv4.ip_unprivileged_port_start=0 example.local/app:1@"
	if !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s...", got, want)
	}
}

// TestNginxListenReason: the capability's reason names the directive, and
// a commented-out listen is not read.
func TestNginxListenReason(t *testing.T) {
	files := []testimage.File{{Name: "usr/"}, {Name: "usr/sbin/"}, {Name: "usr/sbin/nginx", Content: testimage.StaticELF(), Mode: 0o755},
		{Name: "etc/nginx/"}, {Name: "etc/nginx/conf.d/"}, {Name: "etc/nginx/conf.d/default.conf", Content: "server {\n    # listen 443;\n    listen       80;\n}\n"}}
	p := plan(t, image(t, v1.Config{User: "101", Entrypoint: []string{"nginx"}}, files...), Options{})
	if len(p.Add) != 1 || p.Add[0].Reason != "/etc/nginx/conf.d/default.conf:3: listen       80;: a port below 1024" {
		t.Errorf("add %+v", p.Add)
	}
	if len(p.Profile.Binds) != 1 {
		t.Errorf("binds %+v", p.Profile.Binds)
	}
}

// FuzzCommandBinds: any command line and environment gives ports in range
// and never a panic.
func FuzzCommandBinds(f *testing.F) {
	f.Add("uvicorn app --port 80", "PORT=8080", false)
	f.Add("/bin/sh -c exec /app --listen [::]:25", "", true)
	f.Add("php -S 0.0.0.0:80", "HTTP_PORT=:443", false)
	f.Fuzz(func(t *testing.T, cmd, env string, shell bool) {
		for _, b := range commandBinds(entrypoint.Command{Args: strings.Fields(cmd), Shell: shell}, strings.Split(env, "\n")) {
			if b.Port < 1 || b.Port > 65535 || b.Reason == "" {
				t.Fatalf("%+v from %q %q", b, cmd, env)
			}
		}
	})
}

// TestSetuidNotes: setuid programs are listed; an entrypoint that is one
// is named, since it loses those privileges under allowPrivilegeEscalation
// false.
func TestSetuidNotes(t *testing.T) {
	suid := testimage.File{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o4755}
	p := plan(t, image(t, v1.Config{User: "app", Entrypoint: []string{"/app/server"}}, testimage.File{Name: "app/"}, suid), Options{})
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "the entrypoint /app/server is setuid or setgid") }) {
		t.Errorf("entrypoint: %q", p.Notes)
	}
	other := testimage.File{Name: "usr/bin/su", Content: testimage.StaticELF(), Mode: 0o4755}
	p = plan(t, image(t, v1.Config{User: "app", Entrypoint: []string{"/app/server"}}, testimage.File{Name: "app/"}, server, testimage.File{Name: "usr/"}, testimage.File{Name: "usr/bin/"}, other), Options{})
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "1 setuid/setgid programs (/usr/bin/su)") }) {
		t.Errorf("other programs: %q", p.Notes)
	}
}
