package harden

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/image/entrypoint"
	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
)

// Bind is a port the image's software binds, and how we know.
type Bind struct {
	Port   int    `json:"port"`
	Reason string `json:"reason"`
}

// portFlags take a port, or an address with one, as their value: the
// spellings of common servers and frameworks (uvicorn, gunicorn, flask,
// http-server, Go's flag package, Prometheus exporters, Spring).
var portFlags = map[string]bool{
	"--port": true, "-p": true, "-port": true, "--http-port": true, "--https-port": true,
	"--listen": true, "-listen": true, "--listen-address": true, "--bind": true, "-b": true,
	"--addr": true, "-addr": true, "--address": true, "-http": true, "--http": true,
	"--web.listen-address": true, "--http.addr": true, "--server.port": true,
}

// portEnv are environment variables programs read their port from.
var portEnv = []string{"PORT", "HTTP_PORT", "SERVER_PORT", "LISTEN_PORT", "APP_PORT"}

// hostPort matches "80", ":80", "0.0.0.0:80", "[::]:80", "localhost:80",
// "http://0.0.0.0:80"; group 1 is the host, group 2 the port.
var hostPort = regexp.MustCompile(`^(?:[a-z]+://)?(?:(\[[0-9a-fA-F:.]*\]|[A-Za-z0-9.*-]*):)?([0-9]{1,5})/?$`)

// listenHost matches the hosts a positional argument may name for us to
// read it as an address: none, "*", an IPv4 address, [IPv6], localhost.
// "10:30" (a time) and "app:80" (a name and a tag) are not addresses.
var listenHost = regexp.MustCompile(`^(|\*|localhost|[0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9a-fA-F:.]*\])$`)

// portOf reads a port from a value: with bare, "80" alone counts (a flag's
// value); without it, only an address with a colon does.
func portOf(s string, bare bool) (int, bool) {
	s = strings.Trim(s, `"'`)
	m := hostPort.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	hasColon := strings.Contains(strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://"), ":")
	if !bare && (!hasColon || !listenHost.MatchString(m[1])) {
		return 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return n, true
}

// commandBinds finds ports in the command line: flag values, host:port
// arguments, and `python -m http.server PORT`.
func commandBinds(c entrypoint.Command, env []string) []Bind {
	args := c.Args
	if c.Shell && len(args) > 2 {
		args = strings.Fields(strings.Join(args[2:], " "))
	}
	var out []Bind
	for i := 0; i < len(args); i++ {
		a := args[i]
		flag, val, hasVal := strings.Cut(a, "=")
		if portFlags[flag] {
			if !hasVal && i+1 < len(args) {
				val, hasVal = args[i+1], true
				i++
			}
			if n, ok := portOf(val, true); hasVal && ok {
				out = append(out, Bind{n, fmt.Sprintf("the command's %s %s", flag, val)})
			}
			continue
		}
		if a == "http.server" && i+1 < len(args) {
			if n, ok := portOf(args[i+1], true); ok {
				out = append(out, Bind{n, "the command's http.server " + args[i+1]})
			}
			continue
		}
		if !strings.HasPrefix(a, "-") {
			if n, ok := portOf(a, false); ok {
				out = append(out, Bind{n, "the command's argument " + a})
			}
		}
	}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		for _, name := range portEnv {
			if k == name {
				if n, ok := portOf(v, true); ok {
					out = append(out, Bind{n, "ENV " + e})
				}
			}
		}
	}
	return out
}

var (
	nginxListen  = regexp.MustCompile(`^\s*listen\s+([^;\s]+)`)
	apacheListen = regexp.MustCompile(`^\s*Listen\s+(\S+)`)
)

// configBinds reads the listen directives in files (the web server
// configurations of the image) of the web servers present.
func configBinds(v *imagefs.View, files []string) []Bind {
	var out []Bind
	_, nginx := v.Resolve("usr/sbin/nginx")
	apache := false
	for _, p := range []string{"usr/sbin/apache2", "usr/sbin/httpd", "usr/local/apache2/bin/httpd"} {
		if _, ok := v.Resolve(p); ok {
			apache = true
		}
	}
	if !nginx && !apache {
		return nil
	}
	sort.Strings(files)
	for _, file := range files {
		isNginx := strings.HasPrefix(file, "etc/nginx/")
		if (isNginx && !nginx) || (!isNginx && !apache) {
			continue
		}
		b, ok := v.Raw(file)
		if !ok {
			continue
		}
		re := apacheListen
		if isNginx {
			re = nginxListen
		}
		for i, line := range strings.Split(string(b), "\n") {
			line, _, _ = strings.Cut(line, "#")
			m := re.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "unix:") {
				continue
			}
			n, ok := portOf(m[1], true)
			if !ok && isNginx {
				n, ok = 80, true // an address alone: nginx's default port
			}
			if ok {
				out = append(out, Bind{n, fmt.Sprintf("/%s:%d: %s", file, i+1, strings.TrimSpace(line))})
			}
		}
	}
	return out
}
