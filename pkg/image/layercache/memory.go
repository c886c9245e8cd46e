package layercache

import (
	"sync"
	"sync/atomic"

	"github.com/bulwarksec/bulwark/pkg/image/imagefs"
)

// Memory keeps layer results for the length of a run, in front of an
// optional disk cache, so that scanning many images of one base reads the
// base's layers once even with --no-cache. Reads counts the layers that
// had to be read (neither cache had them).
type Memory struct {
	mu    sync.Mutex
	m     map[string]*imagefs.LayerResult
	next  imagefs.Cache
	reads atomic.Int64
	hits  atomic.Int64
}

// NewMemory returns a memory cache in front of next (nil for none).
func NewMemory(next imagefs.Cache) *Memory {
	return &Memory{m: map[string]*imagefs.LayerResult{}, next: next}
}

// Get returns a result from memory, then from the next cache.
func (c *Memory) Get(key string) (*imagefs.LayerResult, bool) {
	c.mu.Lock()
	r, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
		return r, true
	}
	if c.next != nil {
		if r, ok := c.next.Get(key); ok {
			c.mu.Lock()
			c.m[key] = r
			c.mu.Unlock()
			c.hits.Add(1)
			return r, true
		}
	}
	c.reads.Add(1)
	return nil, false
}

// Put keeps a result in memory and in the next cache.
func (c *Memory) Put(key string, r *imagefs.LayerResult) error {
	c.mu.Lock()
	c.m[key] = r
	c.mu.Unlock()
	if c.next != nil {
		return c.next.Put(key, r)
	}
	return nil
}

// Reads is how many layers had to be read; Hits how many came from a cache.
func (c *Memory) Reads() int64 { return c.reads.Load() }

// Hits is how many layer results came from a cache.
func (c *Memory) Hits() int64 { return c.hits.Load() }
