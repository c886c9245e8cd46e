package imgrule

import (
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/build/dfrule"
	"github.com/bulwarksec/bulwark/pkg/build/dockerfile"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

// historyRules are the Dockerfile rules that judge RUN and ADD lines on
// their own, so they judge an image's build history as well as its
// Dockerfile: what Dockle's history checks (CIS-DI-0007, CIS-DI-0009,
// DKL-DI-0001, DKL-DI-0003, DKL-DI-0004) do. Rules that need the whole
// Dockerfile (stages, the base, .dockerignore) cannot, and the cache rule
// DF012 is left to IMG020, which looks at the files themselves.
var historyRules = []string{"DF011", "DF013", "DF014", "DF015", "DF016", "DF018", "DF019", "DF031", "DF033", "DF034"}

// History runs the Dockerfile rules that apply to single instructions on
// the image's build history (the Dockerfile lines that `docker history`
// shows). Findings keep the Dockerfile rule's ID and point to the history
// entry (history[N]) and the layer it made.
func History(in *Input, opts Options) []finding.Finding {
	if in.Config == nil || len(in.Config.History) == 0 {
		return nil
	}
	var src strings.Builder
	src.WriteString("FROM scratch\n")
	line := 2
	var entryAt []int // first line of each entry written, and its history index
	var indexOf []int
	for i, h := range in.Config.History {
		ins := layerview.Instruction(h.CreatedBy)
		if !historyInstruction(ins) {
			continue
		}
		lines := strings.Split(ins, "\n")
		entryAt = append(entryAt, line)
		indexOf = append(indexOf, i)
		src.WriteString(strings.Join(lines, "\\\n"))
		src.WriteString("\n")
		line += len(lines)
	}
	if len(entryAt) == 0 {
		return nil
	}
	f, err := dockerfile.ParseBytes("history", []byte(src.String()))
	if err != nil {
		return nil // history is not a Dockerfile we can read: nothing to judge
	}
	layerOf := historyLayers(in)
	var out []finding.Finding
	for _, id := range historyRules {
		r := dfrule.ByID(id)
		if r == nil {
			continue
		}
		for _, fd := range r.Check(f, dfrule.Options{Now: opts.Now}) {
			k := 0
			for k+1 < len(entryAt) && entryAt[k+1] <= fd.Location.Line {
				k++
			}
			idx := indexOf[k]
			fd.Location = finding.Location{Field: fmt.Sprintf("history[%d].created_by", idx), Layer: layerOf[idx]}
			fd.Layer = layerOf[idx]
			fd.Message = "build history: " + fd.Message
			out = append(out, fd)
		}
	}
	return out
}

// historyInstruction reports whether a history entry is one the rules can
// judge: RUN lines, and ADD or COPY of named sources (the classic builder's
// "ADD file:<hash> in /" names only a content hash).
func historyInstruction(ins string) bool {
	word, rest, _ := strings.Cut(ins, " ")
	switch strings.ToUpper(word) {
	case "RUN":
		return true
	case "ADD", "COPY":
		rest = strings.TrimSpace(rest)
		return !strings.HasPrefix(rest, "file:") && !strings.HasPrefix(rest, "dir:") && !strings.HasPrefix(rest, "multi:")
	}
	return false
}

// historyLayers maps history indexes to the diff ID of the layer each
// made ("" for metadata-only entries, or when history and layers differ).
func historyLayers(in *Input) map[int]string {
	out := map[int]string{}
	var made []int
	for i, h := range in.Config.History {
		if !h.EmptyLayer {
			made = append(made, i)
		}
	}
	if len(made) != len(in.View.Layers) {
		return out
	}
	for k, i := range made {
		out[i] = in.View.Layers[k].DiffID
	}
	return out
}
