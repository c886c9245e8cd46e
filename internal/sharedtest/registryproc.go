package sharedtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// RegistryProcess is a private instance of the reference registry
// (distribution v3) that a test may stop and start again, for the faults a
// shared instance cannot have: a registry that dies mid-run and comes back
// with the same storage.
type RegistryProcess struct {
	// Addr is host:port, the same across restarts.
	Addr string
	// Root is the storage directory, for tests that damage it the way a
	// crash would.
	Root string

	t   testing.TB
	bin string
	cfg string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// StartRegistry starts a private reference registry with deletes enabled
// and its storage in a temporary directory. The binary comes from
// BULWARK_REGISTRY_BIN (which .ci/registry.sh exports) or PATH; the test
// skips when neither has it. The process is killed when the test ends.
func StartRegistry(t testing.TB) *RegistryProcess {
	t.Helper()
	bin := os.Getenv("BULWARK_REGISTRY_BIN")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("registry"); err != nil {
			t.Skip("skipping: no reference registry binary (BULWARK_REGISTRY_BIN or registry on PATH); .ci/registry.sh installs it")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	conf := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &RegistryProcess{Addr: addr, Root: filepath.Join(dir, "data"), t: t, bin: bin, cfg: cfg}
	t.Cleanup(r.Kill)
	r.Start()
	return r
}

// Start starts the process (again) and waits until it answers /v2/.
func (r *RegistryProcess) Start() {
	r.t.Helper()
	cmd := exec.Command(r.bin, "serve", r.cfg)
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("starting the registry: %v", err)
	}
	r.mu.Lock()
	r.cmd = cmd
	r.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("the registry at %s did not answer within 10 s", r.Addr)
}

// Kill stops the process at once (SIGKILL), the way a crash or a lost
// machine would, and waits for it to exit.
func (r *RegistryProcess) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}
