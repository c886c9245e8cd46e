package regtransport

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestRedirectLoopStops: a registry redirecting to itself forever is
// left after MaxRedirects, however the client's own redirect check is set.
func TestRedirectLoopStops(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "/v2/loop", http.StatusFound)
	}))
	defer srv.Close()
	// go-containerregistry's client follows redirects without Go's limit.
	c := &http.Client{Transport: New(), CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	_, err := c.Get(srv.URL + "/v2/")
	if !errors.Is(err, ErrTooManyRedirects) || n.Load() > MaxRedirects+1 {
		t.Errorf("err %v after %d requests", err, n.Load())
	}
}

// TestRealmGuard: credentials go to hosts reached as registries and to
// allowed or well-known realms, never elsewhere; anonymous requests pass.
func TestRealmGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := New()
	get := func(url string, auth bool) error {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth {
			req.SetBasicAuth("u", "p")
		}
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	other := "http://localhost" + srv.URL[len("http://127.0.0.1"):]
	var refused *RefusedError
	if err := get(other+"/token", true); !errors.As(err, &refused) {
		t.Errorf("credentials to a host never reached as a registry: %v", err)
	}
	if err := get(other+"/token", false); err != nil {
		t.Errorf("an anonymous token request: %v", err)
	}
	get(srv.URL+"/v2/", false)
	if err := get(srv.URL+"/token", true); err != nil {
		t.Errorf("credentials to the registry's own token service: %v", err)
	}
	tr.Allow = []string{other[len("http://"):]}
	if err := get(other+"/token", true); err != nil {
		t.Errorf("an allowed realm: %v", err)
	}
	tr.registries["index.docker.io"] = true
	if !tr.allowed("auth.docker.io") {
		t.Error("Docker Hub's realm")
	}
}

// TestListingLoopsAndCaps: tags pages whose Link leads back to an earlier
// page stop with a loop error; endless fresh pages stop at MaxPages.
func TestListingLoopsAndCaps(t *testing.T) {
	var n atomic.Int64
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Link", `</v2/app/tags/list?last=a>; rel="next"`)
		w.Write([]byte(`{"tags": ["a"]}`))
	}))
	defer loop.Close()
	c := &http.Client{Transport: New()}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		var resp *http.Response
		if resp, err = c.Get(loop.URL + "/v2/app/tags/list?last=a"); err == nil {
			resp.Body.Close()
		}
	}
	if !errors.Is(err, ErrListing) || n.Load() > 5 {
		t.Errorf("loop: %v after %d requests", err, n.Load())
	}
	tr := New()
	fresh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer fresh.Close()
	c = &http.Client{Transport: tr}
	err = nil
	i := 0
	for ; i <= MaxPages+1 && err == nil; i++ {
		var resp *http.Response
		if resp, err = c.Get(fmt.Sprintf("%s/v2/app/tags/list?last=t%d", fresh.URL, i)); err == nil {
			resp.Body.Close()
		}
	}
	if !errors.Is(err, ErrListing) || i != MaxPages+1 {
		t.Errorf("cap: %v after %d pages", err, i)
	}
}
