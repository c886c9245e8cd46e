package baseadvice

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/inspect/executable"
)

// Needs is what the application needs from its base.
type Needs struct {
	// Libc is "glibc", "musl" or "" (its binaries are static, or it has
	// none); LibcBy names the binaries that decide it.
	Libc   string   `json:"libc,omitempty"`
	LibcBy []string `json:"libcBy,omitempty"`
	// Shell is why the application needs /bin/sh, "" when it does not.
	Shell string `json:"shell,omitempty"`
	// Interpreters are the runtimes it runs: python3, node, java, ruby,
	// php, perl, bash.
	Interpreters []string `json:"interpreters,omitempty"`
	// Libraries are the shared libraries its binaries load, beyond libc.
	Libraries []string `json:"libraries,omitempty"`
	// Static lists static binaries (Go with CGO_ENABLED=0 ...).
	Static []string `json:"static,omitempty"`
	// Entrypoint is the program the container runs.
	Entrypoint string `json:"entrypoint,omitempty"`
}

// libcLibs come with any libc and need no package of their own.
var libcLibs = map[string]bool{
	"libc.so.6": true, "libm.so.6": true, "libpthread.so.0": true, "libdl.so.2": true, "librt.so.1": true,
	"libutil.so.1": true, "libresolv.so.2": true, "ld-linux-x86-64.so.2": true, "ld-linux-aarch64.so.1": true,
}

// interpreterNames map program names to the runtime they are.
var interpreterNames = map[string]string{
	"python": "python3", "python3": "python3", "node": "node", "nodejs": "node", "java": "java",
	"ruby": "ruby", "php": "php", "perl": "perl", "bash": "bash",
}

// ecosystemRuntime is the runtime an application's own packages need.
var ecosystemRuntime = map[string]string{
	"npm": "node", "PyPI": "python3", "Maven": "java", "RubyGems": "ruby", "Packagist": "php",
}

// Need works out what in's application (its layers above the base) needs.
func Need(in *Input, id Identity) Needs {
	var n Needs
	app := func(layer int) bool { return layer >= id.BaseLayers || id.BaseLayers >= len(in.Layers) }
	var cfgEntry entrypoint.Command
	if in.Config != nil {
		cfgEntry = entrypoint.Resolve(in.Config.Config, in.View)
	}
	n.Entrypoint = strings.Join(cfgEntry.Args, " ")
	onlyEntry := id.BaseLayers >= len(in.Layers) // no application layers: judge by what it runs
	libs := map[string]bool{}
	interps := map[string]bool{}
	libc := map[string][]string{}
	for _, f := range in.View.Facts() {
		if onlyEntry && f.Path != cfgEntry.Path {
			continue
		}
		if !onlyEntry && !app(f.Layer) {
			continue
		}
		switch f.Kind {
		case executable.KindELF:
			if c := executable.Libc(f.Fact); c != "" {
				libc[c] = append(libc[c], "/"+f.Path)
			} else if f.Data[executable.KeyInterp] == "" && f.Data[executable.KeyNeeded] == "" && f.Data[executable.KeyType] == "exec" {
				n.Static = append(n.Static, "/"+f.Path)
			}
			for _, l := range strings.Split(f.Data[executable.KeyNeeded], ",") {
				if l != "" && !libcLibs[l] && !strings.HasPrefix(l, "libc.musl-") && !strings.HasPrefix(l, "ld-") {
					libs[l] = true
				}
			}
		case executable.KindScript:
			c := entrypoint.Command{Interpreter: f.Data[executable.KeyInterp]}
			if r := interpreterNames[path.Base(c.InterpreterProgram())]; r != "" {
				interps[r] = true
			}
		}
	}
	// Libraries the application ships itself are not the base's business.
	for _, f := range in.View.Facts() {
		if f.Kind == executable.KindELF && !onlyEntry && app(f.Layer) {
			delete(libs, path.Base(f.Path))
		}
	}
	switch {
	case len(libc["glibc"]) > 0:
		n.Libc, n.LibcBy = "glibc", first(libc["glibc"], 3)
	case len(libc["musl"]) > 0:
		n.Libc, n.LibcBy = "musl", first(libc["musl"], 3)
	}
	switch {
	case cfgEntry.Shell:
		n.Shell = "the command is in shell form (/bin/sh -c ...)"
	case cfgEntry.Interpreter != "":
		prog := path.Base(cfgEntry.InterpreterProgram())
		if prog == "sh" || prog == "bash" || prog == "ash" || prog == "dash" {
			n.Shell = fmt.Sprintf("the entrypoint %s is a shell script (%s)", cfgEntry.Program(), cfgEntry.Interpreter)
		}
	}
	if in.Config != nil && in.Config.Config.Healthcheck != nil && len(in.Config.Config.Healthcheck.Test) > 0 && in.Config.Config.Healthcheck.Test[0] == "CMD-SHELL" && n.Shell == "" {
		n.Shell = "the HEALTHCHECK runs through the shell (CMD-SHELL)"
	}
	if prog := cfgEntry.Program(); prog != "" && !cfgEntry.Shell {
		if r := interpreterNames[path.Base(prog)]; r != "" {
			interps[r] = true
		}
	}
	for _, p := range in.Inventory.Packages {
		r := ecosystemRuntime[string(p.Ecosystem)]
		if r == "" || len(p.Locations) == 0 {
			continue
		}
		for _, loc := range p.Locations {
			if onlyEntry || app(layerIndex(in, loc.Layer)) {
				interps[r] = true
			}
		}
	}
	n.Interpreters = keys(interps)
	n.Libraries = keys(libs)
	sort.Strings(n.Static)
	n.Static = first(n.Static, 5)
	return n
}

func layerIndex(in *Input, diffID string) int {
	for i, l := range in.Layers {
		if l.DiffID == diffID {
			return i
		}
	}
	return -1
}

func first(s []string, n int) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
