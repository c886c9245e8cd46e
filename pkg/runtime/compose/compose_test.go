package compose

import (
	"errors"
	"strings"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
)

const sample = `services:
  web:
    image: nginx:1.27
    user: "101:101"
    read_only: true
    cap_drop: ALL
    cap_add: [NET_BIND_SERVICE]
    security_opt:
      - no-new-privileges:true
  db:
    image: postgres
    network_mode: host
    privileged: true
  worker: ~
`

func TestParse(t *testing.T) {
	f, err := Parse("compose.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Services) != 3 || f.Services[0].Name != "db" || f.Services[1].Name != "web" {
		t.Fatalf("services: %+v", f.Services)
	}
	db, web := f.Services[0], f.Services[1]
	if !db.Privileged || db.NetworkMode != "host" || db.Line("privileged") != 13 {
		t.Errorf("db: %+v line %d", db, db.Line("privileged"))
	}
	if web.User != "101:101" || !web.ReadOnly || strings.Join(web.CapDrop, ",") != "ALL" || len(web.SecurityOpt) != 1 {
		t.Errorf("web: %+v", web)
	}
	// The string form of cap_drop stays a string in the document.
	if n, _ := yamlpath.Find(f.Doc, "services.web.cap_drop"); n.Value != "ALL" {
		t.Errorf("document changed: %+v", n)
	}
}

func TestNames(t *testing.T) {
	for name, want := range map[string]bool{"compose.yaml": true, "docker-compose.yml": true, "compose.prod.yaml": true, "deploy.yaml": false} {
		if IsComposeName(name) != want {
			t.Errorf("%s: %v", name, !want)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct{ src, msg string }{
		{"services:\n  web:\n    privileged: maybe\n", "compose.yaml:3: cannot unmarshal"},
		{"services: [web]\n", "want a mapping of service names"},
		{"services:\n  web: [1]\n", "service web: want a mapping"},
	} {
		_, err := Parse("compose.yaml", []byte(c.src))
		var ie *inputerr.Error
		if !errors.As(err, &ie) || !strings.Contains(ie.Error(), c.msg) {
			t.Errorf("%q: %v, want %q", c.src, err, c.msg)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("services:\n  a:\n    image: a\n    tmpfs: [/tmp]\n    volumes: [\"v:/data:ro\", {type: tmpfs, target: /run}, /anon]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("compose.yaml", b)
		if err != nil {
			var ie *inputerr.Error
			if !errors.As(err, &ie) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		for _, s := range file.Services {
			_ = s.Line("cap_add")
			_ = s.Mounts()
		}
	})
}
