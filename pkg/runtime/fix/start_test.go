package fix

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"github.com/bulwarksec/bulwark/internal/testimage"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/harden"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// startRules are the image-aware findings that say a workload will not
// start or will fail at run time.
var startRules = map[string]bool{"RT051": true, "RT052": true, "RT054": true, "RT055": true, "RT056": true}

// netBindCap is vfs_cap_data v2 with NET_BIND_SERVICE permitted and
// effective (`setcap cap_net_bind_service=+ep`).
const netBindCap = "\x01\x00\x00\x02" + "\x00\x04\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

func rootfs(extra ...testimage.File) []testimage.File {
	files := append([]testimage.File(nil), testimage.AlpineRoot...)
	files[2] = testimage.File{Name: "etc/passwd", Content: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/sbin/nologin\npostgres:x:70:70::/var/lib/postgresql:/bin/sh\n"}
	files[3] = testimage.File{Name: "etc/group", Content: "root:x:0:\napp:x:1000:\npostgres:x:70:\n"}
	return append(files, extra...)
}

var bin = testimage.File{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755}

// testImages are images built in code, one per kind of image the fix
// must not break, and the real images of ../shared/testdata.
func testImages(t *testing.T) map[string]*rtrule.ImageFacts {
	t.Helper()
	ctx := context.Background()
	built := []struct {
		name  string
		cfg   v1.Config
		files []testimage.File
	}{
		{"root:1", v1.Config{Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, bin}},
		{"stepdown:1", v1.Config{Entrypoint: []string{"/app/server"}, Volumes: map[string]struct{}{"/var/lib/postgresql/data": {}}},
			[]testimage.File{{Name: "app/"}, bin, {Name: "usr/"}, {Name: "usr/local/"}, {Name: "usr/local/bin/"}, {Name: "usr/local/bin/gosu", Content: testimage.StaticELF(), Mode: 0o755},
				{Name: "usr/lib/"}, {Name: "usr/lib/postgresql/"}, {Name: "var/"}, {Name: "var/lib/"}, {Name: "var/lib/postgresql/"}, {Name: "var/lib/postgresql/data/"}}},
		{"numeric:1", v1.Config{User: "10001", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, bin}},
		{"named:1", v1.Config{User: "app", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, bin}},
		{"ghost:1", v1.Config{User: "ghost", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, bin}},
		{"filecaps:1", v1.Config{User: "1000", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"},
			{Name: "app/server", Content: testimage.StaticELF(), Mode: 0o755, PAX: map[string]string{"SCHILY.xattr.security.capability": netBindCap}}}},
		{"setuid:1", v1.Config{User: "1000", Entrypoint: []string{"/app/server"}}, []testimage.File{{Name: "app/"}, {Name: "app/server", Content: testimage.StaticELF(), Mode: 0o4755}}},
		{"populated:1", v1.Config{User: "1000", Entrypoint: []string{"/app/server"}, Volumes: map[string]struct{}{"/etc/app": {}}},
			[]testimage.File{{Name: "app/"}, bin, {Name: "etc/app/"}, {Name: "etc/app/config.toml", Content: "x = 1\n"}}},
		{"nginx:1", v1.Config{User: "101", Entrypoint: []string{"/usr/sbin/nginx"}},
			[]testimage.File{{Name: "usr/"}, {Name: "usr/sbin/"}, {Name: "usr/sbin/nginx", Content: testimage.StaticELF(), Mode: 0o755}}},
	}
	out := map[string]*rtrule.ImageFacts{}
	for _, b := range built {
		img, err := testimage.Build(nil, b.cfg, testimage.Step{CreatedBy: "ADD rootfs /", Files: rootfs(b.files...)})
		if err != nil {
			t.Fatal(err)
		}
		out[b.name] = factsOf(t, ctx, source.FromImage(b.name, img))
	}
	layout := sharedtest.Path(t, "testdata", "images", "alpine-oci")
	for _, target := range []string{
		"docker-archive:" + sharedtest.Path(t, "testdata", "images", "debian-bookworm.docker.tar"),
		"oci-dir:" + layout + ":example.local/alpine:3.18.9",
		"oci-dir:" + layout + ":example.local/vulnapp:alpine3.18-multilayer",
	} {
		tg, err := source.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		out[target] = factsOf(t, ctx, tg)
		tg.Close()
	}
	return out
}

func factsOf(t *testing.T, ctx context.Context, tg *source.Target) *rtrule.ImageFacts {
	t.Helper()
	res, err := harden.Analyze(ctx, tg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return harden.ProfileOf(res).Facts()
}

// manifestShapes are how real manifests set (or do not set) the
// settings the fix adds.
var manifestShapes = map[string]string{
	"bare":                     "",
	"helm empty":               "    securityContext: {}\n",
	"explicit read-write root": "    securityContext:\n      readOnlyRootFilesystem: false\n",
	"runs as 1000":             "    securityContext:\n      runAsUser: 1000\n",
	"adds NET_ADMIN":           "    securityContext:\n      capabilities:\n        add: [NET_ADMIN]\n",
	"mounts /tmp":              "    volumeMounts:\n    - name: t\n      mountPath: /tmp\n  volumes:\n  - name: t\n    emptyDir: {}\n",
}

var composeShapes = map[string]string{
	"bare":       "",
	"as 1000":    "    user: \"1000\"\n",
	"tmpfs /run": "    tmpfs: [/run]\n",
	"explicit":   "    read_only: false\n    cap_add: [NET_ADMIN]\n",
}

// TestFixNeverStopsAWorkload is the proof of --fix: for every test image
// and manifest shape, what the fix writes leaves no image-aware finding
// that says the workload will not start or will fail at run time.
func TestFixNeverStopsAWorkload(t *testing.T) {
	images := testImages(t)
	lookup := WithImages(func(image string) *rtrule.ImageFacts { return images[image] })
	for image, f := range images {
		for shape, extra := range manifestShapes {
			t.Run(fmt.Sprintf("k8s %s %s", image, shape), func(t *testing.T) {
				src := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: \"" + image + "\"\n" + indent(extra, 4)
				res, err := File("d.yaml", []byte(src), lookup)
				if err != nil {
					t.Fatal(err)
				}
				addedOnly(t, src, string(res.Output), "securityContext: {}")
				mf, err := k8s.Parse("d.yaml", res.Output)
				if err != nil {
					t.Fatal(err)
				}
				w := mf.Workloads[0]
				for _, fd := range rtrule.WorkloadImages(w, map[string]*rtrule.ImageFacts{image: f}) {
					if startRules[fd.ID] {
						t.Errorf("%s %s\n%s", fd.ID, fd.Message, res.Output)
					}
				}
				if shape == "bare" && (image == "numeric:1" || image == "named:1" || image == "nginx:1") {
					// And it did its job: restricted, nothing left.
					for _, fd := range rtrule.Workload(w) {
						if fd.ID != "RT031" && fd.ID != "RT032" {
							t.Errorf("left: %s %s\n%s", fd.ID, fd.Message, res.Output)
						}
					}
				}
				for _, keep := range []string{"readOnlyRootFilesystem: false", "add: [NET_ADMIN]", "runAsUser: 1000"} {
					if strings.Contains(src, keep) && !strings.Contains(string(res.Output), keep) {
						t.Errorf("lost %q", keep)
					}
				}
			})
		}
		for shape, extra := range composeShapes {
			t.Run(fmt.Sprintf("compose %s %s", image, shape), func(t *testing.T) {
				src := "services:\n  app:\n    image: \"" + image + "\"\n" + extra
				res, err := File("compose.yaml", []byte(src), lookup)
				if err != nil {
					t.Fatal(err)
				}
				addedOnly(t, src, string(res.Output))
				cf, err := compose.Parse("compose.yaml", res.Output)
				if err != nil {
					t.Fatal(err)
				}
				for _, fd := range rtrule.ServiceImages("compose.yaml", cf.Services[0], map[string]*rtrule.ImageFacts{image: f}) {
					if startRules[fd.ID] {
						t.Errorf("%s %s\n%s", fd.ID, fd.Message, res.Output)
					}
				}
			})
		}
	}
}

func indent(s string, n int) string {
	if s == "" {
		return ""
	}
	pad := strings.Repeat(" ", n)
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "") + "\n"
}
