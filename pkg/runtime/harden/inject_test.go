package harden

import (
	"slices"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	yaml3 "go.yaml.in/yaml/v3"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// FuzzNoInjection: any string in any image field (USER, VOLUME, file
// names, the program, what the software writes) stays data in every
// format: the docker and podman scripts are one command with exactly the
// plan's arguments, the Compose file has only the keys Bulwark writes and
// the plan's tmpfs paths, the Kubernetes manifests only theirs.
func FuzzNoInjection(f *testing.F) {
	for _, s := range []string{
		"/data\ntouch /tmp/x", "/x\n    privileged: true\n    pid: host", "a'; rm -rf / #", "$(id)", "`id`",
		"\r\n# x\u2028y", "/v\n    volumes: [\"/:/host\"]", "\x1b[2J", "--privileged", "}", "&& true",
		"/data:exec,suid,mode=4777",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Profile{User: s, Root: true, Volumes: []string{s, "/data/" + s}, Setuid: []string{s},
			FileCaps: map[string][]string{s: {"cap_net_bind_service"}}, Writes: []Mount{{Path: s, Reason: s}, {Path: "/w/" + s, Reason: s}},
			Binds: []Bind{{Port: 80, Reason: s}}, Command: entrypoint.Command{Args: []string{s}, Path: s}, Distro: s, HasShell: true}
		pl := NewPlan("registry.example/app:1", p, Options{})
		for _, m := range pl.Mounts {
			// --tmpfs and Compose's tmpfs read options after a colon.
			if strings.ContainsAny(m.Path, ":,") {
				t.Fatalf("mount %q carries mount options", m.Path)
			}
		}

		for _, tool := range []string{"docker", "podman"} {
			script := string(pl.Command(tool))
			file, err := syntax.NewParser().Parse(strings.NewReader(script), "")
			if err != nil {
				t.Fatalf("%s script does not parse: %v\n%s", tool, err, script)
			}
			if len(file.Stmts) != 1 {
				t.Fatalf("%s script has %d commands, want 1:\n%s", tool, len(file.Stmts), script)
			}
			call, ok := file.Stmts[0].Cmd.(*syntax.CallExpr)
			if !ok || file.Stmts[0].Redirs != nil || file.Stmts[0].Background {
				t.Fatalf("%s script is not one plain command:\n%s", tool, script)
			}
			var args []string
			for _, w := range call.Args {
				// One word each, after quote removal.
				a, err := expand.Fields(nil, w)
				if err != nil || len(a) != 1 {
					t.Fatalf("%s: word %v: %q %v", tool, w, a, err)
				}
				args = append(args, a[0])
			}
			if want := append([]string{tool}, pl.RunArgs()...); !slices.Equal(args, want) {
				t.Fatalf("%s script runs %q, want %q", tool, args, want)
			}
		}

		var doc map[string]map[string]map[string]any
		if err := yaml3.Unmarshal(pl.Compose(), &doc); err != nil || len(doc) != 1 || len(doc["services"]) != 1 {
			t.Fatalf("compose: %v\n%s", err, pl.Compose())
		}
		allowed := []string{"image", "user", "read_only", "cap_drop", "cap_add", "security_opt", "tmpfs", "sysctls"}
		for _, svc := range doc["services"] {
			for k := range svc {
				if !slices.Contains(allowed, k) {
					t.Fatalf("compose has the key %q:\n%s", k, pl.Compose())
				}
			}
			var tmpfs []string
			if l, ok := svc["tmpfs"].([]any); ok {
				for _, x := range l {
					tmpfs = append(tmpfs, x.(string))
				}
			}
			var want []string
			for _, m := range pl.Mounts {
				want = append(want, m.Path)
			}
			if !slices.Equal(tmpfs, want) {
				t.Fatalf("compose tmpfs %q, want %q", tmpfs, want)
			}
		}

		for _, kind := range []string{"Pod", "Deployment"} {
			out, err := pl.Kubernetes(kind)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := yaml3.Unmarshal(out, &m); err != nil {
				t.Fatalf("%s: %v\n%s", kind, err, out)
			}
			for k := range m {
				if !slices.Contains([]string{"apiVersion", "kind", "metadata", "spec"}, k) {
					t.Fatalf("%s has the key %q:\n%s", kind, k, out)
				}
			}
			if k := grantKey(m); k != "" {
				t.Fatalf("%s has the key %q, which Bulwark never writes:\n%s", kind, k, out)
			}
		}
	})
}

// grantKey returns the first key anywhere in v that grants the container
// more than a hardened workload has, or "".
func grantKey(v any) string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if slices.Contains([]string{"privileged", "hostPID", "hostNetwork", "hostIPC", "hostPath"}, k) {
				return k
			}
			if g := grantKey(e); g != "" {
				return g
			}
		}
	case []any:
		for _, e := range x {
			if g := grantKey(e); g != "" {
				return g
			}
		}
	}
	return ""
}
