package db_test

import (
	"errors"
	"testing"
	"time"

	"pingan/internal/db"
)

// A cached value serves until its TTL passes or it is flushed; a failed
// load is not kept.
func TestCache(t *testing.T) {
	c := db.Cache[int]{TTL: time.Minute}
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	get := func(at time.Time, want int) {
		t.Helper()
		if v, err := c.Get(at, load); err != nil || v != want {
			t.Fatalf("at %v: %d %v, want %d", at, v, err, want)
		}
	}
	get(now, 1)
	get(now.Add(59*time.Second), 1)
	get(now.Add(time.Minute), 2) // expired
	c.Flush()
	get(now.Add(time.Minute), 3)
	get(now.Add(-time.Second), 4) // a clock that went back reloads
	if _, err := c.Get(now.Add(time.Hour), func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("a failed load was not reported")
	}
	get(now.Add(time.Hour), 5) // and was not kept
}
