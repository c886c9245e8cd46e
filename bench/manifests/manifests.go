// Package manifests generates a varied, deterministic corpus of Kubernetes
// manifests for the audit benchmark: Deployments, StatefulSets,
// DaemonSets, Jobs, CronJobs and Pods, with init containers, several
// containers, and security settings anywhere between none and the
// restricted level, some files holding several documents and a Service or
// ConfigMap beside the workload.
package manifests

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Generate returns n manifest files made from seed; the same seed gives
// the same corpus.
func Generate(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([][]byte, n)
	for i := range out {
		g := &gen{r: r, name: fmt.Sprintf("app-%04d", i)}
		g.file(i)
		out[i] = []byte(g.b.String())
	}
	return out
}

// Write writes the corpus to dir as dir/NNNN.yaml.
func Write(dir string, n int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, f := range Generate(n, seed) {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.yaml", i)), f, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type gen struct {
	r    *rand.Rand
	b    strings.Builder
	name string
}

func (g *gen) p(pct int) bool { return g.r.IntN(100) < pct }

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) line(indent int, format string, args ...any) {
	g.b.WriteString(strings.Repeat(" ", indent))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

var kinds = []struct{ kind, api string }{
	{"Deployment", "apps/v1"}, {"StatefulSet", "apps/v1"}, {"DaemonSet", "apps/v1"},
	{"Job", "batch/v1"}, {"CronJob", "batch/v1"}, {"Pod", "v1"},
}

func (g *gen) file(i int) {
	if g.p(30) {
		g.line(0, "apiVersion: v1")
		g.line(0, "kind: ConfigMap")
		g.line(0, "metadata: {name: %s-config}", g.name)
		g.line(0, "data:")
		for j := range 1 + g.r.IntN(6) {
			g.line(2, "KEY_%d: %q", j, g.pick("info", "debug", "8080", "true"))
		}
		g.line(0, "---")
	}
	k := kinds[i%len(kinds)]
	g.line(0, "# %s for %s", k.kind, g.name)
	g.line(0, "apiVersion: %s", k.api)
	g.line(0, "kind: %s", k.kind)
	g.line(0, "metadata:")
	g.line(2, "name: %s", g.name)
	g.line(2, "labels: {app.kubernetes.io/name: %s, tier: %s}", g.name, g.pick("web", "api", "worker"))
	switch k.kind {
	case "Pod":
		g.line(0, "spec:")
		g.podSpec(2)
	case "CronJob":
		g.line(0, "spec:")
		g.line(2, "schedule: \"%d * * * *\"", g.r.IntN(60))
		g.line(2, "jobTemplate:")
		g.line(4, "spec:")
		g.line(6, "template:")
		g.line(8, "spec:")
		g.podSpec(10)
	default:
		g.line(0, "spec:")
		if k.kind != "Job" && k.kind != "DaemonSet" {
			g.line(2, "replicas: %d", 1+g.r.IntN(5))
		}
		if k.kind != "Job" {
			g.line(2, "selector: {matchLabels: {app.kubernetes.io/name: %s}}", g.name)
		}
		g.line(2, "template:")
		g.line(4, "metadata: {labels: {app.kubernetes.io/name: %s}}", g.name)
		g.line(4, "spec:")
		g.podSpec(6)
	}
	if g.p(40) {
		g.line(0, "---")
		g.line(0, "apiVersion: v1")
		g.line(0, "kind: Service")
		g.line(0, "metadata: {name: %s}", g.name)
		g.line(0, "spec: {selector: {app.kubernetes.io/name: %s}, ports: [{port: 80, targetPort: 8080}]}", g.name)
	}
}

func (g *gen) podSpec(in int) {
	if g.p(20) {
		g.line(in, "hostNetwork: true")
	}
	if g.p(10) {
		g.line(in, "hostPID: true")
	}
	if g.p(50) {
		g.line(in, "automountServiceAccountToken: false")
	}
	if g.p(60) {
		g.line(in, "securityContext:")
		if g.p(70) {
			g.line(in+2, "runAsNonRoot: true")
		}
		if g.p(50) {
			g.line(in+2, "runAsUser: %d", g.pick2(0, 1000, 10001))
		}
		if g.p(60) {
			g.line(in+2, "seccompProfile: {type: %s}", g.pick("RuntimeDefault", "RuntimeDefault", "Unconfined", "Localhost"))
		}
		if g.p(10) {
			g.line(in+2, "sysctls: [{name: %s, value: \"1\"}]", g.pick("net.ipv4.ip_unprivileged_port_start", "kernel.shm_rmid_forced", "net.core.somaxconn"))
		}
	}
	if g.p(30) {
		g.line(in, "initContainers:")
		g.container(in, "init")
	}
	g.line(in, "containers:")
	for c := range 1 + g.r.IntN(3) {
		g.container(in, fmt.Sprintf("c%d", c))
	}
	g.line(in, "volumes:")
	g.line(in, "- name: tmp")
	g.line(in+2, "emptyDir: {}")
	if g.p(15) {
		g.line(in, "- name: host")
		g.line(in+2, "hostPath: {path: %s}", g.pick("/var/run/docker.sock", "/var/log", "/etc"))
	}
}

func (g *gen) pick2(xs ...int) int { return xs[g.r.IntN(len(xs))] }

func (g *gen) container(in int, name string) {
	g.line(in, "- name: %s", name)
	img := g.pick("nginx", "registry.example.com/team/api", "python", "redis", "ghcr.io/acme/worker")
	switch g.r.IntN(4) {
	case 0:
		g.line(in+2, "image: %s", img)
	case 1:
		g.line(in+2, "image: %s:latest", img)
	case 2:
		g.line(in+2, "image: %s:1.%d", img, g.r.IntN(30))
	default:
		g.line(in+2, "image: %s:1.%d@sha256:%064x", img, g.r.IntN(30), g.r.Uint64())
	}
	if g.p(50) {
		g.line(in+2, "ports: [{containerPort: %d}]", g.pick2(80, 443, 8080, 9090))
	}
	if g.p(60) {
		g.line(in+2, "resources:")
		g.line(in+4, "limits: {cpu: 500m, memory: 256Mi}")
	}
	if g.p(70) {
		g.line(in+2, "securityContext:")
		if g.p(15) {
			g.line(in+4, "privileged: true")
		}
		if g.p(60) {
			g.line(in+4, "allowPrivilegeEscalation: %v", !g.p(80))
		}
		if g.p(60) {
			g.line(in+4, "readOnlyRootFilesystem: true")
		}
		if g.p(60) {
			add := ""
			if g.p(30) {
				add = ", add: [" + g.pick("NET_BIND_SERVICE", "NET_ADMIN", "SYS_ADMIN", "NET_RAW") + "]"
			}
			g.line(in+4, "capabilities: {drop: [%s]%s}", g.pick("ALL", "ALL", "NET_RAW"), add)
		}
		if g.p(20) {
			g.line(in+4, "procMount: %s", g.pick("Default", "Unmasked"))
		}
	}
	g.line(in+2, "volumeMounts: [{name: tmp, mountPath: /tmp}]")
}
