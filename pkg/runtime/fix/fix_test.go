package fix

import (
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/runtime/compose"
	"github.com/bulwarksec/bulwark/pkg/runtime/k8s"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
)

const deployment = `# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
      - name: app
        image: app:1@sha256:0000000000000000000000000000000000000000000000000000000000000000
        securityContext:
          allowPrivilegeEscalation: true # was a mistake
        resources: {limits: {cpu: "1", memory: 1Gi}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: b
`

func TestManifest(t *testing.T) {
	res, err := File("web.yaml", []byte(deployment))
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	for _, keep := range []string{"# The web tier.", "# keep this comment", "# was a mistake", "kind: ConfigMap", "a: b"} {
		if !strings.Contains(out, keep) {
			t.Errorf("lost %q:\n%s", keep, out)
		}
	}
	if strings.Index(out, "apiVersion") > strings.Index(out, "kind:") || strings.Index(out, "metadata") > strings.Index(out, "spec:") {
		t.Errorf("key order changed:\n%s", out)
	}
	// What is left for the restricted level: nothing.
	f, err := k8s.Parse("web.yaml", res.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range rtrule.Workload(f.Workloads[0]) {
		t.Errorf("after the fix: %s %s", fd.ID, fd.Message)
	}
	if len(res.Changes) != 5 { // the service account is its own: the token stays
		t.Errorf("changes: %q", res.Changes)
	}
	// A second run changes nothing.
	again, err := File("web.yaml", res.Output)
	if err != nil || len(again.Changes) != 0 || string(again.Output) != string(res.Output) {
		t.Errorf("not idempotent: %q", again.Changes)
	}
}

func TestCompose(t *testing.T) {
	src := "services:\n  web:\n    image: web:1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    user: \"10001:10001\"\n    cap_drop: NET_RAW # string form\n  worker:\n"
	res, err := File("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f, err := compose.Parse("compose.yaml", res.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range rtrule.Service(f.Name, f.Services[0]) {
		t.Errorf("after the fix: %s %s\n%s", fd.ID, fd.Message, res.Output)
	}
	if !strings.Contains(string(res.Output), "# string form") {
		t.Errorf("comment lost:\n%s", res.Output)
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
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := File("f.yaml", b)
		if err != nil {
			return
		}
		// What the fix writes must parse, and fixing it again changes
		// nothing.
		again, err := File("f.yaml", res.Output)
		if err != nil {
			t.Fatalf("the fixed file does not parse: %v\n%s", err, res.Output)
		}
		if len(again.Changes) != 0 {
			t.Fatalf("second fix changed %q", again.Changes)
		}
	})
}
