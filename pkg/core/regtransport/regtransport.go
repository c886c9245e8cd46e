// Package regtransport is the HTTP transport every registry request goes
// through: time limits for each phase of a request, a cap on redirects,
// and a guard that keeps credentials from hosts that are not registries
// the command talked to.
//
// The guard is for the token handshake (distribution's token auth): a
// registry answers 401 with a realm, and the client sends the registry's
// credentials to that realm. A registry that names a realm on another host
// would receive them there. Credentials are sent only to a host the
// command reached as a registry (a /v2/ request), to the realms the big
// registries use (Docker Hub's auth.docker.io, GitLab's gitlab.com), or to
// a realm the user allowed.
package regtransport

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxRedirects caps the redirects one request may follow, as Go's own
// client does (go-containerregistry replaces that check with its own).
const MaxRedirects = 10

// knownRealms are token services on another host than their registry.
var knownRealms = map[string][]string{
	"index.docker.io":      {"auth.docker.io"},
	"registry-1.docker.io": {"auth.docker.io"},
	"registry.gitlab.com":  {"gitlab.com"},
}

// Transport guards and bounds registry requests.
type Transport struct {
	// Base makes the requests; nil means a transport with the time limits
	// below.
	Base http.RoundTripper
	// Allow are token realm hosts (host or host:port) the user allows to
	// receive credentials of any registry.
	Allow []string

	mu         sync.Mutex
	registries map[string]bool
	pages      map[string]int // listing endpoint -> pages requested
	seen       map[string]int // listing page URL -> times requested
}

// MaxPages caps the pages of one listing (tags of a repository, a
// registry's catalog): at the usual 1,000 entries a page, a million.
const MaxPages = 1000

// ErrListing is returned when a listing loops or runs past MaxPages.
var ErrListing = errors.New("listing stopped")

// New returns a transport with connect, TLS, response-header and idle
// time limits, so a server that never answers cannot hold a command.
func New(allow ...string) *Transport {
	return &Transport{Allow: allow, Base: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   50,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}

// RefusedError says credentials were kept from a token realm.
type RefusedError struct{ Realm string }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to send registry credentials to the token service at %s: it is not a registry this command reached, and not an allowed token realm (allow it with --allow-token-realm %s or BULWARK_ALLOW_TOKEN_REALM if it is the registry's own)", e.Realm, e.Realm)
}

// ErrTooManyRedirects is returned past MaxRedirects.
var ErrTooManyRedirects = errors.New("stopped after 10 redirects")

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	depth := 0
	for r := req.Response; r != nil && r.Request != nil; r = r.Request.Response {
		depth++
	}
	if depth > MaxRedirects {
		return nil, fmt.Errorf("%s: %w", req.URL.Redacted(), ErrTooManyRedirects)
	}
	host := strings.ToLower(req.URL.Host)
	if err := t.countPage(host, req); err != nil {
		return nil, err
	}
	if strings.HasPrefix(req.URL.Path, "/v2/") || req.URL.Path == "/v2" {
		t.mu.Lock()
		if t.registries == nil {
			t.registries = map[string]bool{}
		}
		t.registries[host] = true
		t.mu.Unlock()
	} else if carriesCredentials(req) && !t.allowed(host) {
		return nil, &RefusedError{Realm: req.URL.Host}
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// carriesCredentials: an Authorization header (basic credentials for the
// token), or a form post (OAuth2 password and refresh-token grants).
func carriesCredentials(req *http.Request) bool {
	return req.Header.Get("Authorization") != "" || req.Method == http.MethodPost && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func (t *Transport) allowed(host string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.registries[host] {
		return true
	}
	for _, a := range t.Allow {
		if strings.EqualFold(a, host) {
			return true
		}
	}
	for reg := range t.registries {
		for _, realm := range knownRealms[reg] {
			if realm == host {
				return true
			}
		}
	}
	return false
}

// countPage bounds paginated listings: a page URL asked for again and
// again is a loop the registry's Link headers made (retries repeat a URL
// a few times, no more), and a listing of more than MaxPages pages is
// past what any command needs.
func (t *Transport) countPage(host string, req *http.Request) error {
	p := req.URL.Path
	if !strings.HasSuffix(p, "/tags/list") && p != "/v2/_catalog" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pages == nil {
		t.pages, t.seen = map[string]int{}, map[string]int{}
	}
	u := host + req.URL.RequestURI()
	t.seen[u]++
	if t.seen[u] > 5 {
		return fmt.Errorf("%s: %w: the registry's pages lead back to %s (a pagination loop)", host+p, ErrListing, req.URL.RequestURI())
	}
	t.pages[host+p]++
	if t.pages[host+p] > MaxPages {
		return fmt.Errorf("%s: %w after %d pages: more entries than Bulwark lists in one command", host+p, ErrListing, MaxPages)
	}
	return nil
}
