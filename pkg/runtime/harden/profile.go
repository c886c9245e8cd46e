// Package harden derives, from an image itself, the settings that run it
// hardened (non-root user as numeric IDs, capabilities dropped and only
// those it needs added back, read-only root filesystem with writable
// mounts where it writes, no privilege escalation, seccomp), and writes
// them as a Kubernetes Pod or Deployment, a Compose service, or docker and
// podman run flags. `bulwark audit --image-aware` reads the same Profile.
package harden

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/analyzer"
	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
	"github.com/bulwarksec/bulwark/pkg/runtime/rtrule"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Profile is what an image says about how it runs.
type Profile struct {
	// User is the configured USER as written; Root is true when that is
	// root (empty, root, 0).
	User string `json:"user,omitempty"`
	Root bool   `json:"root"`
	// UID and GID are the numeric IDs User resolves to through the
	// image's /etc/passwd and /etc/group; Resolved is false when a name
	// could not be resolved.
	UID      int64  `json:"uid"`
	GID      int64  `json:"gid"`
	Resolved bool   `json:"resolved"`
	Home     string `json:"home,omitempty"`
	// Ports are the EXPOSEd TCP/UDP ports.
	Ports []int `json:"ports,omitempty"`
	// Binds are the ports the command line, its environment or the web
	// server configuration present bind, EXPOSEd or not.
	Binds []Bind `json:"binds,omitempty"`
	// Volumes are the declared VOLUMEs.
	Volumes []string `json:"volumes,omitempty"`
	// Command is what the container runs.
	Command entrypoint.Command `json:"-"`
	// FileCaps are files with file capabilities, by path.
	FileCaps map[string][]string `json:"fileCaps,omitempty"`
	// Setuid lists setuid and setgid executables.
	Setuid []string `json:"setuid,omitempty"`
	// Writes are paths the image's software is known to write, with why.
	Writes []Mount `json:"writes,omitempty"`
	// Distro is the image's os-release ID ("alpine", "debian", "" for
	// none), for the Dockerfile lines that add a user.
	Distro string `json:"distro,omitempty"`
	// HasShell says whether /bin/sh exists (RUN lines need it).
	HasShell bool `json:"hasShell"`
	// StepDown names the step-down tool the image carries (gosu,
	// su-exec), "" for none.
	StepDown string `json:"stepDown,omitempty"`
	// populated are the volume and write paths with files below them.
	populated map[string]bool
}

// Mount is a path the container must be able to write, and why.
type Mount struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ProfileOf reads a Profile from an analysed image.
func ProfileOf(res *analyzer.Result) Profile {
	var cfg v1.Config
	if res.Config != nil {
		cfg = res.Config.Config
	}
	p := Profile{User: strings.TrimSpace(cfg.User), FileCaps: map[string][]string{}}
	if res.Inventory != nil && res.Inventory.OS != nil {
		p.Distro = res.Inventory.OS.ID
	}
	_, p.HasShell = res.View.Resolve("bin/sh")
	p.resolveUser(res.View)
	for port := range cfg.ExposedPorts {
		num, _, _ := strings.Cut(port, "/")
		if n, err := strconv.Atoi(num); err == nil {
			p.Ports = append(p.Ports, n)
		}
	}
	sort.Ints(p.Ports)
	for v := range cfg.Volumes {
		p.Volumes = append(p.Volumes, path.Clean("/"+v))
	}
	sort.Strings(p.Volumes)
	p.Command = entrypoint.Resolve(cfg, res.View)
	var configs []string // web server configurations, for their listen lines
	// Paths that may get an empty mount: are there files below them?
	watch := append([]string{"/tmp"}, p.Volumes...)
	for _, w := range writers {
		for _, wp := range w.paths {
			watch = append(watch, strings.Replace(wp, "HOME", strings.TrimSuffix(p.Home, "/"), 1))
		}
	}
	p.populated = map[string]bool{}
	res.View.Walk(func(f imagefs.File) {
		if !f.Mode.IsDir() {
			for _, w := range watch {
				if strings.HasPrefix("/"+f.Path, strings.TrimSuffix(w, "/")+"/") {
					p.populated[w] = true
				}
			}
		}
		if f.Mode.IsRegular() && analyzer.IsServerConfig(f.Path) {
			configs = append(configs, f.Path)
		}
		if len(f.Caps) > 0 {
			p.FileCaps["/"+f.Path] = f.Caps
		}
		if f.Mode.IsRegular() && f.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			p.Setuid = append(p.Setuid, "/"+f.Path)
		}
	})
	p.Binds = append(commandBinds(p.Command, cfg.Env), configBinds(res.View, configs)...)
	p.Writes = knownWrites(res.View, p.Home)
	for _, tool := range stepDownTools {
		if _, ok := res.View.Resolve(tool); ok {
			p.StepDown = path.Base(tool)
			break
		}
	}
	return p
}

// stepDownTools are the programs official images' entrypoints use to
// drop from root to the service's user. setpriv and runuser are not among
// them: util-linux puts them in every Debian image, used or not.
var stepDownTools = []string{
	"usr/local/bin/gosu", "usr/bin/gosu", "usr/sbin/gosu",
	"sbin/su-exec", "usr/sbin/su-exec", "usr/bin/su-exec", "usr/local/bin/su-exec",
}

// resolveUser turns USER into numeric IDs with the image's account files.
func (p *Profile) resolveUser(v *imagefs.View) {
	name, group, hasGroup := strings.Cut(p.User, ":")
	p.Root = name == "" || name == "root" || name == "0"
	passwd := accounts(v, "etc/passwd")
	groups := accounts(v, "etc/group")
	p.Resolved = true
	if n, err := strconv.ParseInt(name, 10, 64); err == nil {
		p.UID, p.GID = n, n
		for _, e := range passwd {
			if len(e) > 3 && e[2] == name {
				p.GID, _ = strconv.ParseInt(e[3], 10, 64)
				if len(e) > 5 {
					p.Home = e[5]
				}
			}
		}
	} else {
		if name == "" {
			name = "root"
		}
		p.Resolved = false
		for _, e := range passwd {
			if len(e) > 3 && e[0] == name {
				p.UID, _ = strconv.ParseInt(e[2], 10, 64)
				p.GID, _ = strconv.ParseInt(e[3], 10, 64)
				if len(e) > 5 {
					p.Home = e[5]
				}
				p.Resolved = true
			}
		}
		if name == "root" && !p.Resolved {
			p.UID, p.GID, p.Resolved = 0, 0, true
		}
	}
	if hasGroup {
		if n, err := strconv.ParseInt(group, 10, 64); err == nil {
			p.GID = n
		} else {
			found := false
			for _, e := range groups {
				if len(e) > 2 && e[0] == group {
					p.GID, _ = strconv.ParseInt(e[2], 10, 64)
					found = true
				}
			}
			p.Resolved = p.Resolved && found
		}
	}
	if p.Home == "" {
		p.Home = "/"
		if p.Root {
			p.Home = "/root"
		}
	}
}

// accounts splits an account file (passwd, group) into its fields.
func accounts(v *imagefs.View, file string) [][]string {
	b, ok := v.Raw(file)
	if !ok {
		return nil
	}
	var out [][]string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.Split(l, ":"))
		}
	}
	return out
}

// writers are programs whose presence means known writable paths; HOME in
// a path is the user's home directory.
var writers = []struct {
	program string
	paths   []string
}{
	{"usr/sbin/nginx", []string{"/var/cache/nginx", "/var/run", "/run"}},
	{"usr/sbin/apache2", []string{"/var/run/apache2", "/var/lock/apache2", "/var/log/apache2"}},
	{"usr/sbin/httpd", []string{"/run/httpd", "/var/log/httpd"}},
	{"usr/lib/postgresql", []string{"/var/run/postgresql"}},
	{"usr/local/bin/node", []string{"HOME/.npm"}},
	{"usr/bin/node", []string{"HOME/.npm"}},
	{"usr/local/bin/python3", []string{"HOME/.cache"}},
	{"usr/bin/python3", []string{"HOME/.cache"}},
	{"usr/local/sbin/php-fpm", []string{"/var/run"}},
	{"usr/sbin/php-fpm", []string{"/var/run"}},
	{"usr/local/tomcat/bin/catalina.sh", []string{"/usr/local/tomcat/temp", "/usr/local/tomcat/work", "/usr/local/tomcat/logs"}},
	{"usr/sbin/mysqld", []string{"/var/run/mysqld"}},
	{"usr/sbin/mariadbd", []string{"/run/mysqld"}},
	{"usr/local/bin/redis-server", []string{"/data"}},
	{"usr/bin/dotnet", []string{"HOME/.dotnet"}},
	{"usr/share/dotnet/dotnet", []string{"HOME/.dotnet"}},
}

func knownWrites(v *imagefs.View, home string) []Mount {
	out := []Mount{{Path: "/tmp", Reason: "temporary files: most programs write /tmp"}}
	for _, w := range writers {
		if _, ok := v.Resolve(w.program); !ok {
			continue
		}
		for _, p := range w.paths {
			p = strings.Replace(p, "HOME", strings.TrimSuffix(home, "/"), 1)
			if p == "" || p == "/" {
				continue
			}
			out = append(out, Mount{Path: p, Reason: "/" + w.program + " writes here"})
		}
	}
	return out
}

// Facts are what the image-aware audit rules need of the profile.
func (p Profile) Facts() *rtrule.ImageFacts {
	name, _, _ := strings.Cut(p.User, ":")
	_, err := strconv.ParseInt(name, 10, 64)
	f := &rtrule.ImageFacts{User: p.User, UID: p.UID, Numeric: err == nil, Root: p.Root, Resolved: p.Resolved, StepDown: p.StepDown != ""}
	for _, v := range p.Volumes {
		f.Writes = append(f.Writes, rtrule.ImageWrite{Path: v, Reason: "VOLUME in the image", Volume: true, Populated: p.populated[v]})
	}
	for _, w := range p.Writes {
		f.Writes = append(f.Writes, rtrule.ImageWrite{Path: w.Path, Reason: w.Reason, Populated: p.populated[w.Path]})
	}
	if prog := p.Command.Path; prog != "" {
		f.EntrypointCaps = p.FileCaps["/"+prog]
		f.EntrypointSetuid = slices.Contains(p.Setuid, "/"+prog)
	}
	return f
}
