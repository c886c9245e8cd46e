package prune

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Counter counts the HTTP requests a run makes, by method.
type Counter struct {
	Base  http.RoundTripper
	n     sync.Map // method -> *int64
	total atomic.Int64
}

// RoundTrip counts and forwards a request.
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	v, _ := c.n.LoadOrStore(r.Method, new(int64))
	atomic.AddInt64(v.(*int64), 1)
	c.total.Add(1)
	base := c.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// Counts returns the requests made so far, by method.
func (c *Counter) Counts() map[string]int64 {
	out := map[string]int64{}
	c.n.Range(func(k, v any) bool { out[k.(string)] = atomic.LoadInt64(v.(*int64)); return true })
	return out
}

// Total is the number of requests made.
func (c *Counter) Total() int64 { return c.total.Load() }

// Load lists a repository's tags and reads what the plan needs: one HEAD
// per tag for its digest, then each distinct manifest and config once.
func Load(ctx context.Context, repo name.Repository, workers int, opts ...remote.Option) ([]Tag, map[string]*Manifest, error) {
	opts = append(opts, remote.WithContext(ctx))
	// One puller for the run: its transport (and auth token) is set up once,
	// not once per request.
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, remote.Reuse(puller))
	names, err := puller.List(ctx, repo)
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s: %w", repo, err)
	}
	tags := make([]Tag, len(names))
	if err := parallel(ctx, workers, len(names), func(i int) error {
		tags[i] = Tag{Name: names[i], Order: i}
		desc, err := remote.Head(repo.Tag(names[i]), opts...)
		if isNotFound(err) {
			// Dangling, or deleted since the listing: either way there is
			// no manifest, and deleting the tag by name settles both. A
			// tag deleted by name must really have none: a GET confirms
			// what HEAD said (rare, so the extra request costs nothing).
			got, gerr := remote.Get(repo.Tag(names[i]), opts...)
			if isNotFound(gerr) {
				return nil
			}
			if gerr != nil {
				return fmt.Errorf("%s:%s: %w", repo, names[i], gerr)
			}
			desc, err = &got.Descriptor, nil
		}
		if err != nil {
			return fmt.Errorf("%s:%s: %w", repo, names[i], err)
		}
		tags[i] = Tag{Name: names[i], Digest: desc.Digest.String(), Order: i}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	digests := map[string]bool{}
	for _, t := range tags {
		if t.Digest == "" {
			continue
		}
		// Signature tags need no config; the bare fallback tag of Sigstore
		// bundles is an index, whose referrers go with it.
		if _, attached := attachedTag(t.Name); !attached || !strings.Contains(t.Name, ".") {
			digests[t.Digest] = true
		}
	}
	list := make([]string, 0, len(digests))
	for d := range digests {
		list = append(list, d)
	}
	sort.Strings(list)
	ms := make([]*Manifest, len(list))
	if err := parallel(ctx, workers, len(list), func(i int) error {
		m, err := readManifest(repo, list[i], opts)
		ms[i] = m
		return err
	}); err != nil {
		return nil, nil, err
	}
	out := map[string]*Manifest{}
	for _, m := range ms {
		if m != nil {
			out[m.Digest] = m
		}
	}
	return tags, out, nil
}

// readManifest reads one manifest and, for an image, its config's
// creation time; for an index, its children and the first child's time.
func readManifest(repo name.Repository, digest string, opts []remote.Option) (*Manifest, error) {
	desc, err := remote.Get(repo.Digest(digest), opts...)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", repo, digest, err)
	}
	m := &Manifest{Digest: digest}
	if desc.MediaType.IsIndex() {
		var idx v1.IndexManifest
		if err := json.Unmarshal(desc.Manifest, &idx); err != nil {
			return nil, fmt.Errorf("%s@%s: %w", repo, digest, err)
		}
		m.Index = true
		for _, c := range idx.Manifests {
			m.Children = append(m.Children, c.Digest.String())
			m.Size += c.Size
		}
		if t, err := time.Parse(time.RFC3339, idx.Annotations["org.opencontainers.image.created"]); err == nil {
			m.Created = t
		} else if len(idx.Manifests) > 0 {
			if child, err := readManifest(repo, idx.Manifests[0].Digest.String(), opts); err == nil && child != nil {
				m.Created = child.Created
			}
		}
		return m, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", repo, digest, err)
	}
	mf, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	for _, l := range mf.Layers {
		m.Size += l.Size
	}
	if mf.Subject != nil {
		m.Subject = mf.Subject.Digest.String()
	}
	if cfg, err := img.ConfigFile(); err == nil && !cfg.Created.IsZero() && cfg.Created.Year() > 1 {
		m.Created = cfg.Created.Time
	}
	return m, nil
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Deleter deletes manifests by digest, and dangling tags by name; one
// already gone counts as deleted, so a second run after a failure goes
// through.
func Deleter(repo name.Repository, opts ...remote.Option) func(context.Context, Deletion) error {
	pusher, perr := remote.NewPusher(opts...)
	return func(ctx context.Context, d Deletion) error {
		if perr != nil {
			return perr
		}
		var ref name.Reference = repo.Digest(d.Digest)
		if d.Digest == "" {
			if len(d.Tags) != 1 {
				return fmt.Errorf("a deletion without a digest names %d tags, not one", len(d.Tags))
			}
			ref = repo.Tag(d.Tags[0])
		}
		err := pusher.Delete(ctx, ref)
		if isNotFound(err) {
			return nil
		}
		if d.Digest == "" && refused(err) {
			return fmt.Errorf("tag %s: %w", d.Tags[0], ErrUnsupported)
		}
		return err
	}
}

// refused reports the answers of a registry that does not delete tags by
// name: 405, or an UNSUPPORTED error code.
func refused(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	if te.StatusCode == http.StatusMethodNotAllowed {
		return true
	}
	for _, d := range te.Errors {
		if d.Code == transport.UnsupportedErrorCode {
			return true
		}
	}
	return false
}

// parallel runs fn for 0..n-1 with at most workers at once; the first
// error stops the rest.
func parallel(ctx context.Context, workers, n int, fn func(int) error) error {
	if workers < 1 {
		workers = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
loop:
	for i := range n {
		select {
		case <-ctx.Done():
			break loop
		case next <- i:
		}
	}
	close(next)
	wg.Wait()
	return first
}

// statusRecorder notes whether the registry answered a Referrers API
// request with 200.
type statusRecorder struct {
	base http.RoundTripper
	ok   atomic.Bool
}

func (s *statusRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK && strings.Contains(r.URL.Path, "/referrers/") {
		s.ok.Store(true)
	}
	return resp, err
}

// maxReferrerDepth bounds how far referrers of referrers are followed (a
// signature on an attestation on an image is two).
const maxReferrerDepth = 3

// ReferrersOf lists, through the OCI 1.1 Referrers API, the manifests that
// refer to each of digests, and to those in turn: subject digest ->
// referrer digests. Where the registry has no Referrers API it returns
// nothing after one probe: there referrers live under the fallback tags,
// which Load and Decide already handle. base is the transport the caller
// gave in opts (a Counter), nil for the default: the probe wraps it to see
// the answer.
func ReferrersOf(ctx context.Context, repo name.Repository, digests []string, workers int, base http.RoundTripper, opts ...remote.Option) (map[string][]string, error) {
	if len(digests) == 0 {
		return nil, nil
	}
	if base == nil {
		base = remote.DefaultTransport
	}
	rec := &statusRecorder{base: base}
	probe := append(append([]remote.Option(nil), opts...), remote.WithTransport(rec), remote.WithContext(ctx))
	first, err := remote.Referrers(repo.Digest(digests[0]), probe...)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s@%s: %w", repo, digests[0], err)
	}
	if !rec.ok.Load() {
		return nil, nil
	}
	opts = append(opts, remote.WithContext(ctx))
	out := map[string][]string{}
	seen := map[string]bool{}
	level := digests
	for depth := 0; depth < maxReferrerDepth && len(level) > 0; depth++ {
		found := make([][]string, len(level))
		if err := parallel(ctx, workers, len(level), func(i int) error {
			idx := first
			if depth > 0 || i > 0 {
				var err error
				if idx, err = remote.Referrers(repo.Digest(level[i]), opts...); err != nil {
					return fmt.Errorf("listing the referrers of %s@%s: %w", repo, level[i], err)
				}
			}
			im, err := idx.IndexManifest()
			if err != nil {
				return err
			}
			for _, m := range im.Manifests {
				found[i] = append(found[i], m.Digest.String())
			}
			return nil
		}); err != nil {
			return nil, err
		}
		var next []string
		for i, subj := range level {
			for _, r := range found[i] {
				if !seen[r] {
					seen[r] = true
					out[subj] = append(out[subj], r)
					next = append(next, r)
				}
			}
		}
		level = next
	}
	return out, nil
}
