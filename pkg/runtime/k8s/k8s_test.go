package k8s

import (
	"errors"
	"fmt"
	"github.com/bulwarksec/bulwark/internal/sharedtest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
)

func TestAllKinds(t *testing.T) {
	src, err := os.ReadFile("testdata/all-kinds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("all-kinds.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Pod/pod": "spec", "Deployment/deploy": "spec.template.spec", "StatefulSet/sts": "spec.template.spec",
		"DaemonSet/ds": "spec.template.spec", "ReplicaSet/rs": "spec.template.spec", "Job/job": "spec.template.spec",
		"CronJob/cron": "spec.jobTemplate.spec.template.spec", "ReplicationController/rc": "spec.template.spec",
		"Pod/listed": "items[0].spec",
	}
	if len(f.Workloads) != len(want) {
		t.Errorf("%d workloads, want %d", len(f.Workloads), len(want))
	}
	for _, w := range f.Workloads {
		key := w.Kind + "/" + w.Name
		if want[key] != w.SpecPath || len(w.Spec.Containers) != 1 || w.Spec.Containers[0].Image != "a:1" {
			t.Errorf("%s: spec path %q, containers %+v", key, w.SpecPath, w.Spec.Containers)
		}
		if l := w.Line("containers[0].image"); l == 0 {
			t.Errorf("%s: no line for the image", key)
		}
	}
	if len(f.Skipped) != 0 || len(f.Others) != 2 || f.Others[0] != (Object{Kind: "ConfigMap", Name: "cm", Line: 81}) || f.Others[1].Kind != "Service" {
		t.Errorf("skipped %q, others %+v", f.Skipped, f.Others)
	}
}

func TestBadInput(t *testing.T) {
	bomb := sharedtest.AliasBomb(11)
	for _, c := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"invalid YAML", "apiVersion: v1\nkind: Pod\nspec: [\n", 3, "did not find expected node content"},
		{"wrong type", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: \"yes\"\n  containers: []\n", 6, "spec.hostNetwork: want bool, got a string"},
		{"unknown API version", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: d\n", 1, "apiVersion extensions/v1beta1 of Deployment is not served by Kubernetes; want apps/v1"},
		{"YAML bomb", bomb, 0, "excessive aliasing"},
		{"huge", strings.Repeat("#", MaxSize+1), 0, "over the"},
	} {
		_, err := Parse("m.yaml", []byte(c.src))
		var ie *inputerr.Error
		if !errors.As(err, &ie) {
			t.Errorf("%s: %v, want an input error", c.name, err)
			continue
		}
		if (c.line > 0 && ie.Line != c.line) || !strings.Contains(ie.Error(), c.msg) || strings.Contains(ie.Error(), "\n") {
			t.Errorf("%s: %q (line %d), want line %d and %q", c.name, ie.Error(), ie.Line, c.line, c.msg)
		}
	}
}

func FuzzParse(f *testing.F) {
	src, _ := os.ReadFile("testdata/all-kinds.yaml")
	f.Add(src)
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, securityContext: {privileged: true}}]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("f.yaml", b)
		if err != nil {
			var ie *inputerr.Error
			if !errors.As(err, &ie) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		for _, w := range file.Workloads {
			_ = w.Line("containers[0].securityContext.privileged")
		}
	})
}

func TestJSON(t *testing.T) {
	src := `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
 "spec": {"containers": [{"name": "a", "image": "a:1",
   "securityContext": {"privileged": true}}]}}`
	f, err := Parse("pod.json", []byte(src))
	if err != nil || len(f.Workloads) != 1 {
		t.Fatalf("%v %+v", err, f)
	}
	if l := f.Workloads[0].Line("containers[0].securityContext.privileged"); l != 3 {
		t.Errorf("line %d, want 3", l)
	}
}

// TestRepeatedKeys: 10,000 repeated keys took the YAML library's own
// duplicate check half a minute; they are refused at once now.
func TestRepeatedKeys(t *testing.T) {
	start := time.Now()
	_, err := Parse("m.yaml", []byte("a: &a [1]\n"+strings.Repeat("b: *a\n", 10000)))
	if err == nil || !strings.Contains(err.Error(), `m.yaml:3: key "b" is already defined at line 2`) || time.Since(start) > 2*time.Second {
		t.Errorf("%v after %s", err, time.Since(start))
	}
}

// BenchmarkManyLabels: a 1.4 MB Pod with 100,000 labels. The YAML
// library's conversion took 80 s on it (quadratic duplicate-key check per
// mapping); yamldoc.Value is linear.
func BenchmarkManyLabels(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n")
	for i := range 100_000 {
		fmt.Fprintf(&sb, "    k%d: v\n", i)
	}
	sb.WriteString("spec:\n  containers: [{name: a, image: a}]\n")
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("pod.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}
