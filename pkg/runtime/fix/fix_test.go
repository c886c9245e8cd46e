package fix

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	"github.com/pmezard/go-difflib/difflib"
)

const deployment = `# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        securityContext:
          allowPrivilegeEscalation: true # was a mistake
          readOnlyRootFilesystem: false
        resources: {limits: {cpu: "1", memory: 1Gi}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: b
`

// facts are image facts by image name, for WithImages.
func facts(m map[string]*rtrule.ImageFacts) Option {
	return WithImages(func(image string) *rtrule.ImageFacts { return m[image] })
}

var (
	nonRoot  = &rtrule.ImageFacts{User: "10001", UID: 10001, Numeric: true, Resolved: true, Writes: []rtrule.ImageWrite{{Path: "/tmp", Reason: "temporary files"}}}
	named    = &rtrule.ImageFacts{User: "app", UID: 1000, Resolved: true, Writes: []rtrule.ImageWrite{{Path: "/tmp", Reason: "temporary files"}}}
	rootOnly = &rtrule.ImageFacts{User: "", Root: true, Resolved: true, Writes: []rtrule.ImageWrite{{Path: "/tmp", Reason: "temporary files"}}}
	postgres = &rtrule.ImageFacts{User: "", Root: true, Resolved: true, StepDown: true, Writes: []rtrule.ImageWrite{
		{Path: "/var/lib/postgresql/data", Reason: "VOLUME", Volume: true}, {Path: "/tmp", Reason: "temporary files"}, {Path: "/var/run/postgresql", Reason: "postgres"}}}
	populated = &rtrule.ImageFacts{User: "10001", UID: 10001, Numeric: true, Resolved: true, Writes: []rtrule.ImageWrite{
		{Path: "/etc/app", Reason: "VOLUME", Volume: true, Populated: true}, {Path: "/tmp", Reason: "temporary files"}}}
	fileCaps = &rtrule.ImageFacts{User: "101", UID: 101, Numeric: true, Resolved: true, EntrypointCaps: []string{"NET_BIND_SERVICE"}, Writes: []rtrule.ImageWrite{{Path: "/tmp", Reason: "temporary files"}}}
)

// addedOnly fails unless out is src with lines added (and, where a key's
// value was "{}" or null, that one line emptied).
func addedOnly(t *testing.T, src, out string, changed ...string) {
	t.Helper()
	m := difflib.NewMatcher(difflib.SplitLines(src), difflib.SplitLines(out))
	for _, op := range m.GetOpCodes() {
		switch op.Tag {
		case 'e', 'i':
		case 'r':
			for _, l := range difflib.SplitLines(src)[op.I1:op.I2] {
				ok := false
				for _, c := range changed {
					ok = ok || strings.Contains(l, c)
				}
				if !ok {
					t.Errorf("line changed: %q\n%s", l, out)
				}
			}
		default:
			t.Errorf("lines removed: %q\n%s", difflib.SplitLines(src)[op.I1:op.I2], out)
		}
	}
}

func TestNeverOverwrites(t *testing.T) {
	res, err := File("web.yaml", []byte(deployment), facts(map[string]*rtrule.ImageFacts{"app:1": nonRoot}))
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	for _, keep := range []string{"allowPrivilegeEscalation: true # was a mistake", "readOnlyRootFilesystem: false", "# keep this comment", "kind: ConfigMap"} {
		if !strings.Contains(out, keep) {
			t.Errorf("lost %q:\n%s", keep, out)
		}
	}
	addedOnly(t, deployment, out)
	want := []string{
		"spec.template.spec.automountServiceAccountToken: false",
		"spec.template.spec.securityContext.seccompProfile.type: RuntimeDefault",
		"spec.template.spec.containers[0].securityContext.runAsNonRoot: true",
		"spec.template.spec.containers[0].securityContext.capabilities.drop: [ALL]",
	}
	if !slices.Equal(res.Changes, want) {
		t.Errorf("changes:\n%s\nwant\n%s", strings.Join(res.Changes, "\n"), strings.Join(want, "\n"))
	}
	again, err := File("web.yaml", res.Output, facts(map[string]*rtrule.ImageFacts{"app:1": nonRoot}))
	if err != nil || len(again.Changes) != 0 || string(again.Output) != out {
		t.Errorf("not idempotent: %q %v", again.Changes, err)
	}
}

func pod(container string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: img:1\n" + container
}

func TestSettings(t *testing.T) {
	for _, c := range []struct {
		name      string
		src       string
		img       *rtrule.ImageFacts
		want, not []string
		note      string
	}{
		{"no image: only what cannot break", pod(""), nil,
			[]string{"automountServiceAccountToken: false", "type: RuntimeDefault", "allowPrivilegeEscalation: false"},
			[]string{"runAsNonRoot", "readOnlyRootFilesystem", "drop"}, "--image-aware"},
		{"non-root image: everything, /tmp mounted", pod(""), nonRoot,
			[]string{"runAsNonRoot: true", "readOnlyRootFilesystem: true", "drop: [ALL]", "- name: tmp\n    emptyDir: {}", "volumeMounts:\n    - name: tmp\n      mountPath: /tmp"},
			[]string{"runAsUser"}, ""},
		{"named user: the same user by number", pod(""), named,
			[]string{"runAsUser: 1000", "runAsNonRoot: true"}, nil, ""},
		{"root image: no runAsNonRoot, no drop", pod(""), rootOnly,
			[]string{"readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false"},
			[]string{"runAsNonRoot", "drop"}, "runs as root"},
		{"root with a step-down entrypoint: what gosu needs added back", pod(""), postgres,
			[]string{"drop: [ALL]", "add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]", "mountPath: /var/lib/postgresql/data", "mountPath: /var/run/postgresql"},
			[]string{"runAsNonRoot"}, "runs as root"},
		{"populated volume: no read-only root", pod(""), populated,
			[]string{"runAsNonRoot: true"}, []string{"readOnlyRootFilesystem"}, "holds files"},
		{"entrypoint with file capabilities keeps them", pod(""), fileCaps,
			[]string{"drop: [ALL]", "add: [NET_BIND_SERVICE]"}, []string{"allowPrivilegeEscalation"}, "file capabilities"},
		{"explicit runAsUser 0 is root", pod("    securityContext:\n      runAsUser: 0\n"), nonRoot,
			nil, []string{"runAsNonRoot", "drop"}, "runs as root"},
		{"explicit runAsNonRoot false stays", pod("    securityContext:\n      runAsNonRoot: false\n"), nonRoot,
			[]string{"runAsNonRoot: false"}, []string{"runAsNonRoot: true"}, ""},
		{"privileged: no allowPrivilegeEscalation false (the API server rejects it)", pod("    securityContext:\n      privileged: true\n"), nil,
			nil, []string{"allowPrivilegeEscalation"}, ""},
		{"SYS_ADMIN added: no allowPrivilegeEscalation false", pod("    securityContext:\n      capabilities:\n        add: [SYS_ADMIN]\n"), nil,
			nil, []string{"allowPrivilegeEscalation"}, ""},
		{"an author's drop list stays as written", pod("    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n"), nonRoot,
			[]string{"drop: [NET_RAW]"}, []string{"ALL"}, ""},
		{"own service account keeps its token", strings.Replace(pod(""), "spec:\n", "spec:\n  serviceAccountName: api\n", 1), nil,
			nil, []string{"automountServiceAccountToken"}, ""},
		{"deprecated serviceAccount keeps its token", strings.Replace(pod(""), "spec:\n", "spec:\n  serviceAccount: api\n", 1), nil,
			nil, []string{"automountServiceAccountToken"}, ""},
		{"default account that turns the token off itself", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\nautomountServiceAccountToken: false\n---\n" + pod(""), nil,
			nil, []string{"automountServiceAccountToken: false\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automount"}, ""},
		{"Windows pod: no Linux settings", strings.Replace(pod(""), "spec:\n", "spec:\n  os:\n    name: windows\n", 1), nonRoot,
			[]string{"automountServiceAccountToken: false"}, []string{"seccomp", "allowPrivilegeEscalation", "drop", "readOnlyRootFilesystem"}, "Windows"},
		{"existing volumes and mounts are extended", pod("    volumeMounts:\n    - name: data\n      mountPath: /data\n  volumes:\n  - name: data\n    emptyDir: {}\n  - name: tmp\n    emptyDir: {}\n"), nonRoot,
			[]string{"  - name: tmp\n    emptyDir: {}\n  - name: tmp-2\n    emptyDir: {}", "    - name: tmp-2\n      mountPath: /tmp"}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var opts []Option
			if c.img != nil {
				opts = append(opts, facts(map[string]*rtrule.ImageFacts{"img:1": c.img}))
			}
			res, err := File("p.yaml", []byte(c.src), opts...)
			if err != nil {
				t.Fatal(err)
			}
			out := string(res.Output)
			addedOnly(t, c.src, out)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("should not have %q:\n%s", n, out)
				}
			}
			if notes := strings.Join(res.Notes, "\n"); c.note != "" && !strings.Contains(notes, c.note) {
				t.Errorf("notes %q, want %q", notes, c.note)
			}
		})
	}
}

func TestCompose(t *testing.T) {
	src := "services:\n  web:\n    image: web:1\n    user: \"10001:10001\"\n    cap_drop: NET_RAW # string form\n  db:\n    image: postgres:17\n    read_only: false\n  worker:\n  built:\n    build: .\n"
	res, err := File("compose.yaml", []byte(src), facts(map[string]*rtrule.ImageFacts{"web:1": nonRoot, "postgres:17": postgres}))
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	addedOnly(t, src, out, "worker:")
	for _, w := range []string{
		"cap_drop: NET_RAW # string form\n    security_opt: [\"no-new-privileges:true\"]\n    read_only: true\n    tmpfs: [/tmp]\n",
		"read_only: false\n    security_opt: [\"no-new-privileges:true\"]\n    cap_drop: [ALL]\n    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]\n",
		"worker:\n    security_opt: [\"no-new-privileges:true\"]\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q:\n%s", w, out)
		}
	}
	f, err := compose.Parse("compose.yaml", res.Output)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Services) != 4 {
		t.Errorf("services: %d", len(f.Services))
	}
}

// TestTextEdits: on files shaped like real ones, the fix adds lines and
// changes nothing else.
func TestTextEdits(t *testing.T) {
	img := facts(map[string]*rtrule.ImageFacts{"img:1": nonRoot})
	for _, c := range []struct {
		name    string
		src     string
		changed []string // lines that may change: an empty value given children
		want    []string
	}{
		{"kubectl style, compact sequences", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: img:1\n        ports:\n        - containerPort: 80\n      # trailing comment\n\n      dnsPolicy: ClusterFirst\n", nil,
			[]string{"        - containerPort: 80\n        securityContext:\n          allowPrivilegeEscalation: false\n"}},
		{"indented sequences, 4 spaces", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: d\nspec:\n    template:\n        spec:\n            containers:\n                - name: c\n                  image: img:1\n", nil,
			[]string{"                  securityContext:\n                      allowPrivilegeEscalation: false\n", "            volumes:\n                - name: tmp\n"}},
		{"CRLF line endings", strings.ReplaceAll(pod(""), "\n", "\r\n"), nil, []string{"    securityContext:\r\n      allowPrivilegeEscalation: false\r\n"}},
		{"BOM and several documents", "\ufeff# head\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: |\n    a\n\n    b\n---\n" + pod("    args:\n    - |\n      line one\n\n      line two\n") + "...\n", nil,
			[]string{"\ufeff# head\n", "      line two\n    securityContext:\n"}},
		{"helm-rendered empty values", pod("    securityContext: {}\n    resources: {}\n"), []string{"securityContext: {}"}, []string{"    securityContext:\n      allowPrivilegeEscalation: false\n"}},
		{"null value with a comment", pod("    securityContext: # none yet\n"), nil, []string{"    securityContext: # none yet\n      allowPrivilegeEscalation: false\n"}},
		{"no final newline", strings.TrimSuffix(pod(""), "\n"), []string{"image: img:1"}, []string{"    image: img:1\n    securityContext:\n"}},
		{"JSON, one entry a line", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"c\",\n        \"image\": \"img:1\"\n      }\n    ]\n  }\n}\n", nil,
			[]string{"  \"spec\": {\n    \"automountServiceAccountToken\": false,\n", "      {\n        \"securityContext\": {\"allowPrivilegeEscalation\": false"}},
		{"JSON with an empty object", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"securityContext\": {},\n    \"containers\": [\n      {\n        \"name\": \"c\",\n        \"image\": \"img:1\"\n      }\n    ]\n  }\n}\n", []string{"\"securityContext\": {}"},
			[]string{"\"securityContext\": {\"seccompProfile\": {\"type\": \"RuntimeDefault\"}},\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := File("p.yaml", []byte(c.src), img)
			if err != nil {
				t.Fatal(err)
			}
			out := string(res.Output)
			if len(res.Changes) == 0 {
				t.Fatalf("nothing fixed: %q", res.Notes)
			}
			addedOnly(t, c.src, out, c.changed...)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q:\n%s", w, out)
				}
			}
			f, err := k8s.Parse("p.yaml", res.Output)
			if err != nil {
				t.Fatal(err)
			}
			// Everything the fix may add without the image is there.
			for _, fd := range rtrule.Workload(f.Workloads[len(f.Workloads)-1]) {
				if fd.ID == "RT021" || fd.ID == "RT024" || fd.ID == "RT033" {
					t.Errorf("after the fix: %s %s\n%s", fd.ID, fd.Message, out)
				}
			}
			again, err := File("p.yaml", res.Output, img)
			if err != nil || len(again.Changes) != 0 {
				t.Errorf("second fix: %q %v", again.Changes, err)
			}
		})
	}
}

func TestFlowOnOneLineIsLeft(t *testing.T) {
	src := pod("    securityContext: {runAsUser: 1000}\n")
	res, err := File("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	addedOnly(t, src, string(res.Output))
	if !strings.Contains(strings.Join(res.Notes, "\n"), "flow style") {
		t.Errorf("notes: %q", res.Notes)
	}
}

func TestSource(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "chart", "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "chart", "Chart.yaml"), []byte("name: c\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "overlay", "patches"), 0o755)
	os.WriteFile(filepath.Join(dir, "overlay", "kustomization.yaml"), []byte("resources: [../base]\npatches:\n- path: patches/sc.yaml\npatchesStrategicMerge:\n- old.yaml\n"), 0o644)
	for _, c := range []struct {
		path, src, want string
	}{
		{"chart/templates/deploy.yaml", pod(""), "Helm chart"},
		{"x.yaml", "metadata:\n  name: {{ .Release.Name }}\n", "template"},
		{"overlay/patches/sc.yaml", pod(""), "patch"},
		{"overlay/old.yaml", pod(""), "patch"},
		{"overlay/deploy.yaml", pod(""), ""},
	} {
		if got := Source(filepath.Join(dir, c.path), []byte(c.src)); (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	for _, src := range []string{deployment + "---\nkind: [\n", "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: maybe\n", "just: data\n"} {
		if res, err := File("x.yaml", []byte(src)); err == nil {
			t.Errorf("fixed a file that does not parse: %q", res.Changes)
		}
	}
}

func FuzzFile(f *testing.F) {
	f.Add([]byte(deployment))
	f.Add([]byte("services:\n  a:\n    cap_drop: ALL\n"))
	f.Add([]byte(pod("    securityContext: {}\n")))
	img := facts(map[string]*rtrule.ImageFacts{"img:1": postgres, "app:1": nonRoot})
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := File("f.yaml", b, img)
		if err != nil {
			return
		}
		// Only lines are added (or one empty value given children), the
		// result parses, and fixing it again changes nothing.
		if len(res.Changes) > 0 && len(difflib.SplitLines(string(res.Output))) <= len(difflib.SplitLines(string(b))) {
			if !strings.Contains(string(b), "{}") && !strings.Contains(string(b), "null") && !strings.Contains(string(b), "~") && !strings.Contains(string(b), "[]") {
				t.Fatalf("changes without added lines: %q\n%s", res.Changes, res.Output)
			}
		}
		again, err := File("f.yaml", res.Output, img)
		if err != nil {
			t.Fatalf("the fixed file does not parse: %v\n%s", err, res.Output)
		}
		if len(again.Changes) != 0 {
			t.Fatalf("second fix changed %q\n%s", again.Changes, res.Output)
		}
	})
}
