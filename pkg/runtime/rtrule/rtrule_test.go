package rtrule

import (
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

var update = flag.Bool("update", false, "rewrite docs/rules pages")

func pod(t *testing.T, spec string) *k8s.Workload {
	t.Helper()
	f, err := k8s.Parse("pod.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"+spec))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Workloads) != 1 {
		t.Fatalf("%d workloads", len(f.Workloads))
	}
	return f.Workloads[0]
}

func check(t *testing.T, r *Rule, example string) []finding.Finding {
	t.Helper()
	if strings.HasPrefix(example, "services:") {
		f, err := compose.Parse("compose.yaml", []byte(example))
		if err != nil {
			t.Fatal(err)
		}
		var out []finding.Finding
		for _, s := range f.Services {
			all := Service(f.Name, s)
			if r.serviceImage != nil {
				all = ServiceImages(f.Name, s, exampleImages)
			}
			for _, x := range all {
				if x.ID == r.ID {
					out = append(out, x)
				}
			}
		}
		return out
	}
	var out []finding.Finding
	all := Workload(pod(t, example))
	if r.image != nil {
		all = WorkloadImages(pod(t, example), exampleImages)
	}
	for _, x := range all {
		if x.ID == r.ID {
			out = append(out, x)
		}
	}
	return out
}

// exampleImages are the images the image-aware rules' examples name.
var exampleImages = map[string]*ImageFacts{
	"root-image:1": {Root: true},
	"postgres:17":  {Root: true, StepDown: true, Writes: []ImageWrite{{Path: "/tmp", Reason: "temporary files"}}},
	"nginx:1.27":   {User: "101", UID: 101, Numeric: true, Writes: []ImageWrite{{Path: "/tmp", Reason: "temporary files"}, {Path: "/var/cache/nginx", Reason: "nginx writes here"}}},
}

func TestRulesFireOnBadAndNotOnGood(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if r.Title == "" || r.Why == "" || r.Fix == "" || r.Bad == "" || r.Good == "" {
				t.Fatal("title, why, fix and both examples are required")
			}
			if got := check(t, r, r.Bad); len(got) == 0 {
				t.Errorf("bad example does not fire:\n%s", r.Bad)
			} else if got[0].Location.Line == 0 || got[0].Location.Field == "" {
				t.Errorf("finding without line or field: %+v", got[0].Location)
			}
			if got := check(t, r, r.Good); len(got) > 0 {
				t.Errorf("good example fires: %v", got[0].Message)
			}
		})
	}
}

// pssCases are one failing pod per control of the Pod Security Standards
// documentation (kubernetes.io/docs/concepts/security/pod-security-standards),
// plus one that passes each level. For each, the level verdict of the RT
// rules must equal the admission controller's (policy.EvaluatePod).
var pssCases = map[string]string{
	"host namespaces":                "spec:\n  hostPID: true\n  containers:\n  - name: a\n    image: a:1",
	"privileged":                     "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      privileged: true",
	"capabilities":                   "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      capabilities:\n        add: [NET_ADMIN]",
	"hostPath":                       "spec:\n  volumes:\n  - name: v\n    hostPath:\n      path: /etc\n  containers:\n  - name: a\n    image: a:1",
	"host ports":                     "spec:\n  containers:\n  - name: a\n    image: a:1\n    ports:\n    - containerPort: 80\n      hostPort: 8080",
	"apparmor":                       "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      appArmorProfile:\n        type: Unconfined",
	"apparmor annotation":            "spec:\n  containers:\n  - name: a\n    image: a:1",
	"selinux":                        "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      seLinuxOptions:\n        user: system_u",
	"proc mount":                     "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      procMount: Unmasked",
	"seccomp":                        "spec:\n  securityContext:\n    seccompProfile:\n      type: Unconfined\n  containers:\n  - name: a\n    image: a:1",
	"sysctls":                        "spec:\n  securityContext:\n    sysctls:\n    - name: kernel.shm_rmid_forced\n      value: \"1\"\n  containers:\n  - name: a\n    image: a:1",
	"host process":                   "spec:\n  hostNetwork: true\n  securityContext:\n    windowsOptions:\n      hostProcess: true\n  containers:\n  - name: a\n    image: a:1",
	"probe host":                     "spec:\n  containers:\n  - name: a\n    image: a:1\n    readinessProbe:\n      tcpSocket:\n        host: example.com\n        port: 80",
	"volume types":                   "spec:\n  volumes:\n  - name: v\n    gitRepo:\n      repository: https://example.com/r.git\n  containers:\n  - name: a\n    image: a:1",
	"privilege escalation":           "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      allowPrivilegeEscalation: true",
	"non-root":                       "spec:\n  securityContext:\n    runAsNonRoot: false\n  containers:\n  - name: a\n    image: a:1",
	"non-root user":                  "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      runAsUser: 0",
	"seccomp restricted":             "spec:\n  containers:\n  - name: a\n    image: a:1",
	"capabilities restricted":        "spec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]",
	"ephemeral container privileged": "spec:\n  ephemeralContainers:\n  - name: e\n    image: e:1\n    securityContext:\n      privileged: true\n  containers:\n  - name: a\n    image: a:1",
	"init container privileged":      "spec:\n  initContainers:\n  - name: i\n    image: i:1\n    securityContext:\n      privileged: true\n  containers:\n  - name: a\n    image: a:1",
	"baseline only":                  "spec:\n  containers:\n  - name: a\n    image: a:1",
	"restricted":                     "spec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n        add: [NET_BIND_SERVICE]",
}

func TestSameDecisionsAsAdmission(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, spec := range pssCases {
		w := pod(t, spec)
		if name == "apparmor annotation" {
			w.Meta.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}
		}
		fs := Workload(w)
		for _, l := range []Level{Baseline, Restricted} {
			ids := IDsAt(l)
			ours := slices.ContainsFunc(fs, func(f finding.Finding) bool { return slices.Contains(ids, f.ID) })
			lv := api.LevelVersion{Level: api.Level(l), Version: api.LatestVersion()}
			theirs := !policy.AggregateCheckResults(eval.EvaluatePod(lv, w.Meta, w.Spec)).Allowed
			if ours != theirs {
				t.Errorf("%s at %s: bulwark rejects=%v, admission rejects=%v (%v)", name, l, ours, theirs, fs)
			}
		}
		// Init and ephemeral containers are pointed at like containers.
		for prefix, list := range map[string]string{"init": "initContainers[0]", "ephemeral": "ephemeralContainers[0]"} {
			if strings.HasPrefix(name, prefix+" ") && !slices.ContainsFunc(fs, func(f finding.Finding) bool {
				return f.ID == "RT002" && strings.Contains(f.Location.Field, list+".securityContext.privileged")
			}) {
				t.Errorf("%s: no RT002 at %s: %v", name, list, messages(fs))
			}
		}
	}
}

func TestLinesAndPaths(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        securityContext:
          privileged: true
`
	f, err := k8s.Parse("deploy.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got *finding.Finding
	for _, x := range Workload(f.Workloads[0]) {
		if x.ID == "RT002" {
			got = &x
		}
	}
	if got == nil || got.Location.Line != 12 || got.Location.Field != "spec.template.spec.containers[0].securityContext.privileged" {
		t.Errorf("RT002 at %+v", got)
	}
}

func TestImageAware(t *testing.T) {
	named := map[string]*ImageFacts{"app:1": {User: "app", UID: 1000}}
	w := pod(t, "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: a\n    image: app:1\n")
	fs := WorkloadImages(w, named)
	if len(fs) != 1 || fs[0].ID != "RT051" || !strings.Contains(fs[0].Message, `user "app" is a name the kubelet cannot verify; set runAsUser: 1000`) {
		t.Errorf("%v", messages(fs))
	}
	// A path the image writes that the good example does not mount.
	w = pod(t, rt052.Good)
	fs = WorkloadImages(w, exampleImages)
	if len(fs) != 0 {
		t.Errorf("good example: %v", messages(fs))
	}
	exampleImages["nginx:1.27"].Writes = append(exampleImages["nginx:1.27"].Writes, ImageWrite{Path: "/var/run", Reason: "nginx writes here"})
	defer func() { exampleImages["nginx:1.27"].Writes = exampleImages["nginx:1.27"].Writes[:2] }()
	if fs := WorkloadImages(pod(t, rt052.Good), exampleImages); len(fs) != 1 || !strings.Contains(fs[0].Message, "/var/run (nginx writes here)") {
		t.Errorf("%v", messages(fs))
	}
}

// TestComposeImageAware: image VOLUMEs need no tmpfs (Docker mounts
// them); named, bind and long-syntax volumes count as mounts.
func TestComposeImageAware(t *testing.T) {
	facts := map[string]*ImageFacts{"app:1": {User: "app", UID: 1000, Writes: []ImageWrite{
		{Path: "/data", Reason: "VOLUME in the image", Volume: true}, {Path: "/tmp", Reason: "temporary files"},
		{Path: "/var/cache/app", Reason: "app writes here"}, {Path: "/run/app", Reason: "app writes here"}}}}
	for _, c := range []struct{ src, want string }{
		{"services:\n  a:\n    image: app:1\n    read_only: true\n    tmpfs: /tmp\n    volumes: [\"cache:/var/cache/app\", {type: tmpfs, target: /run}]\n", ""},
		{"services:\n  a:\n    image: app:1\n    read_only: true\n    tmpfs: [\"/tmp:size=64m\"]\n", "/var/cache/app (app writes here), /run/app (app writes here)"},
		{"services:\n  a:\n    image: app:1\n", ""},
	} {
		f, err := compose.Parse("compose.yaml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		fs := ServiceImages(f.Name, f.Services[0], facts)
		switch {
		case c.want == "" && len(fs) > 0:
			t.Errorf("%q: %v", c.src, messages(fs))
		case c.want != "" && (len(fs) != 1 || fs[0].ID != "RT054" || !strings.Contains(fs[0].Message, c.want)):
			t.Errorf("%q: %v, want %q", c.src, messages(fs), c.want)
		}
	}
}

func messages(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID+": "+f.Message)
	}
	return out
}

func TestDocs(t *testing.T) {
	rules := Rules()
	stale, err := rule.SyncPages(filepath.Join("..", "..", "..", "docs", "rules"), rule.Pages("runtime.md", "Runtime rules (bulwark audit)", rules, ""), *update)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		t.Errorf("%s is missing or stale; run go test ./pkg/runtime/rtrule -run TestDocs -update", f)
	}
}

// TestLocationsAndOneCause: findings point at the entry that caused them,
// and one cause gives one finding.
func TestLocationsAndOneCause(t *testing.T) {
	src := "spec:\n  hostNetwork: false\n  hostPID: true\n  volumes:\n  - name: ok\n    emptyDir: {}\n  - name: host\n    hostPath:\n      path: /etc\n  containers:\n  - name: a\n    image: a:1\n    ports:\n    - containerPort: 80\n    - containerPort: 81\n      hostPort: 8081\n    livenessProbe:\n      httpGet:\n        host: 10.0.0.1\n        port: 80\n    securityContext:\n      capabilities:\n        drop: [all]\n        add: [NET_ADMIN]\n"
	got := map[string]finding.Finding{}
	for _, f := range Workload(pod(t, src)) {
		if _, dup := got[f.ID]; dup {
			t.Errorf("%s twice", f.ID)
		}
		got[f.ID] = f
	}
	for id, field := range map[string]string{
		"RT001": "spec.hostPID", "RT004": "spec.volumes[1].hostPath", "RT005": "spec.containers[0].ports[1].hostPort",
		"RT012": "spec.containers[0].livenessProbe.httpGet.host", "RT003": "spec.containers[0].securityContext.capabilities.add",
	} {
		if got[id].Location.Field != field {
			t.Errorf("%s at %q, want %q", id, got[id].Location.Field, field)
		}
	}
	if _, ok := got["RT020"]; ok {
		t.Error("RT020 repeats RT004")
	}
	if m := got["RT025"].Message; strings.Contains(m, "NET_ADMIN") || !strings.Contains(m, `"all" drops nothing`) {
		t.Errorf("RT025: %s", m)
	}
}
