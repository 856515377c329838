package db

import (
	"sync"
	"time"
)

// Cache keeps what a read of rarely changing data returned (deadline
// policies, routing rules, webhooks) for TTL, so that hot paths such as
// intake do not read it again for every request. The service that changes
// the data drops the cache once the change has committed (Flush, in
// AfterCommit or after Write returns); another node's change shows within
// TTL.
type Cache[T any] struct {
	TTL time.Duration

	mu sync.Mutex
	v  T
	at time.Time
	ok bool
}

// Get returns the cached value when it was loaded less than TTL before now,
// else what load returns (kept unless it is an error).
func (c *Cache[T]) Get(now time.Time, load func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if age := now.Sub(c.at); c.ok && age >= 0 && age < c.TTL {
		return c.v, nil
	}
	v, err := load()
	if err != nil {
		var zero T
		return zero, err
	}
	c.v, c.at, c.ok = v, now, true
	return v, nil
}

// Flush drops the cached value: the next Get loads.
func (c *Cache[T]) Flush() {
	c.mu.Lock()
	var zero T
	c.v, c.ok = zero, false
	c.mu.Unlock()
}
