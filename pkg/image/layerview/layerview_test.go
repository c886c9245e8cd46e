package layerview

import (
	"io/fs"
	"testing"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func file(p string, size int64) imagefs.Entry { return imagefs.Entry{Path: p, Size: size, Mode: 0o644} }
func dir(p string) imagefs.Entry              { return imagefs.Entry{Path: p, Mode: fs.ModeDir | 0o755} }

func TestBuild(t *testing.T) {
	layers := []*imagefs.LayerResult{
		{DiffID: "sha256:a", Entries: []imagefs.Entry{dir("etc"), file("etc/a", 10), file("etc/b", 20), dir("tmp"), file("tmp/x/1", 5), file("tmp/x/2", 5)}},
		{DiffID: "sha256:b", Entries: []imagefs.Entry{file("etc/a", 11), file("etc/c", 1)}, Whiteouts: []string{"tmp/x", "etc/b"}},
		{DiffID: "sha256:c", Entries: []imagefs.Entry{file("etc/a", 12)}, Opaque: []string{"etc"}},
	}
	cfg := &v1.ConfigFile{History: []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "},
		{CreatedBy: "/bin/sh -c #(nop)  CMD [\"sh\"]", EmptyLayer: true},
		{CreatedBy: "RUN /bin/sh -c rm -rf /tmp/x /etc/b # buildkit"},
		{CreatedBy: "|1 V=2 /bin/sh -c echo $V > /etc/a"},
	}}
	got := Build(layers, nil, cfg)
	want := []Layer{
		{Index: 0, DiffID: "sha256:a", Size: 40, Instruction: "ADD file:abc in /", Added: 4},
		{Index: 1, DiffID: "sha256:b", Size: 12, Instruction: "RUN rm -rf /tmp/x /etc/b", Added: 1, Changed: 1, Removed: 3},
		// The opaque /etc hides etc/a and etc/c below; etc/a comes back.
		{Index: 2, DiffID: "sha256:c", Size: 12, Instruction: "RUN echo $V > /etc/a", Added: 1, Removed: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d layers", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("layer %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestInstructionsMismatch(t *testing.T) {
	cfg := &v1.ConfigFile{History: []v1.History{{CreatedBy: "a"}, {CreatedBy: "b"}}}
	if got := Instructions(cfg, 3); got[0] != "" || got[2] != "" {
		t.Errorf("history of another build must not be used: %q", got)
	}
	if got := Instructions(nil, 1); len(got) != 1 || got[0] != "" {
		t.Errorf("no config: %q", got)
	}
}

func TestEfficiency(t *testing.T) {
	layers := []*imagefs.LayerResult{
		{Entries: []imagefs.Entry{file("big", 100), file("keep", 100)}},
		{Entries: []imagefs.Entry{file("big", 50)}},
		{Whiteouts: []string{"big"}},
	}
	e := ComputeEfficiency(layers)
	// Dive: big has copies 100, 50 and a deletion (0): min 0 of 150;
	// keep 100 of 100. Score 100/250.
	if e.Score != 0.4 || e.WastedBytes != 150 || len(e.Worst) != 1 || e.Worst[0].Copies != 3 {
		t.Errorf("%+v", e)
	}
}
