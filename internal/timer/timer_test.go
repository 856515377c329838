package timer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/db"
	"pingan/internal/timer"
)

var ctx = context.Background()

func set(t *testing.T, env *apptest.Env, kind timer.Kind, subject int64, at time.Time) {
	t.Helper()
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error { return env.App.Timers.Set(ctx, tx, kind, subject, at) }); err != nil {
		t.Fatal(err)
	}
}

func TestSetReplacesAndCancels(t *testing.T) {
	env := apptest.New(t)
	var seen []int64
	env.App.Timers.Handle("t", func(_ context.Context, _ *db.Tx, tm timer.Timer, _ time.Time) error {
		seen = append(seen, tm.Subject)
		return nil
	})
	now := env.Clock.Now()
	set(t, env, "t", 1, now.Add(time.Hour))
	set(t, env, "t", 1, now.Add(2*time.Hour)) // replaces
	set(t, env, "t", 1, now.Add(2*time.Hour)) // unchanged: kept, not duplicated
	set(t, env, "t", 2, now.Add(time.Hour))
	set(t, env, "t", 2, time.Time{}) // cancelled
	if next, err := env.App.Timers.Next(ctx); err != nil || !next.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("next %v %v", next, err)
	}
	env.Clock.Advance(3 * time.Hour)
	if n := env.Fire(t); n != 1 || len(seen) != 1 || seen[0] != 1 {
		t.Fatalf("fired %d: %v", n, seen)
	}
	if n := env.Fire(t); n != 0 {
		t.Fatalf("fired again: %d", n)
	}
}

// A failing timer is retried later, with growing waits, and does not hold up
// the timers due after it.
func TestFailuresBackOffWithoutBlocking(t *testing.T) {
	env := apptest.New(t)
	var ok atomic.Int32
	failing := true
	env.App.Timers.Handle("bad", func(context.Context, *db.Tx, timer.Timer, time.Time) error {
		if failing {
			return errors.New("downstream unavailable")
		}
		return nil
	})
	env.App.Timers.Handle("good", func(context.Context, *db.Tx, timer.Timer, time.Time) error { ok.Add(1); return nil })
	now := env.Clock.Now()
	for i := range 250 { // more than one page of failing timers ahead of the good one
		set(t, env, "bad", int64(i+1), now.Add(-time.Hour))
	}
	set(t, env, "good", 1, now.Add(-time.Minute))
	if n := env.Fire(t); n != 1 || ok.Load() != 1 {
		t.Fatalf("fired %d, good %d: failing timers blocked the good one", n, ok.Load())
	}
	var attempts int
	var lastErr string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT attempts, last_error FROM timers WHERE kind = 'bad' AND subject_id = 1").Scan(&attempts, &lastErr); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 || lastErr != "downstream unavailable" {
		t.Errorf("after one failure: %d %q", attempts, lastErr)
	}
	if n := env.Fire(t); n != 0 {
		t.Errorf("retried before its wait: %d", n)
	}
	failing = false
	env.Clock.Advance(timer.Retry(1))
	if n := env.Fire(t); n != 250 {
		t.Errorf("after the wait %d fired, want 250", n)
	}
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 8: 10 * time.Minute} {
		if got := timer.Retry(n); got != want {
			t.Errorf("retry %d: %v, want %v", n, got, want)
		}
	}
}

// Run fires a timer soon after it falls due, woken by Set.
func TestRunWakesForNewTimers(t *testing.T) {
	env := apptest.New(t)
	done := make(chan time.Time, 1)
	env.App.Timers.Handle("t", func(context.Context, *db.Tx, timer.Timer, time.Time) error {
		done <- time.Now()
		return nil
	})
	env.App.Timers.Poll = time.Hour // only the wake-up can make it look
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go env.App.Timers.Run(runCtx)
	time.Sleep(50 * time.Millisecond)
	set(t, env, "t", 1, env.Clock.Now()) // due at once
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a due timer set on this node did not fire")
	}
}

// The timers of one subject fire one after another, never at once (on
// PostgreSQL the writer runs transactions concurrently: two timers of one
// case would contend for its row); those of different subjects still fire
// together.
func TestOneSubjectsTimersFireInTurn(t *testing.T) {
	env := apptest.New(t)
	var inflight [3]atomic.Int32
	var most [3]atomic.Int32
	handler := func(_ context.Context, _ *db.Tx, tm timer.Timer, _ time.Time) error {
		n := inflight[tm.Subject].Add(1)
		defer inflight[tm.Subject].Add(-1)
		for m := most[tm.Subject].Load(); n > m && !most[tm.Subject].CompareAndSwap(m, n); m = most[tm.Subject].Load() {
		}
		time.Sleep(30 * time.Millisecond)
		return nil
	}
	now := env.Clock.Now()
	for _, kind := range []timer.Kind{"warn", "overdue", "repeat", "order"} {
		env.App.Timers.Handle(kind, handler)
		for subject := int64(1); subject <= 2; subject++ {
			set(t, env, kind, subject, now.Add(time.Minute))
		}
	}
	env.Clock.Advance(time.Hour)
	if n := env.Fire(t); n != 8 {
		t.Fatalf("fired %d, want 8", n)
	}
	for s := 1; s <= 2; s++ {
		if m := most[s].Load(); m != 1 {
			t.Errorf("subject %d: %d of its timers ran at once", s, m)
		}
	}
}

// A handler may set the next timer of its own kind and subject (which
// cancels the pending one, itself): it still fires once, and the next one
// waits for its time.
func TestHandlerSetsItsSuccessor(t *testing.T) {
	env := apptest.New(t)
	var runs atomic.Int32
	env.App.Timers.Handle("tick", func(ctx context.Context, tx *db.Tx, tm timer.Timer, now time.Time) error {
		runs.Add(1)
		return env.App.Timers.Set(ctx, tx, "tick", tm.Subject, now.Add(time.Hour))
	})
	set(t, env, "tick", 7, env.Clock.Now().Add(time.Minute))
	env.Clock.Advance(2 * time.Minute)
	if n := env.Fire(t); n != 1 || runs.Load() != 1 {
		t.Fatalf("fired %d, ran %d; want 1 and 1", n, runs.Load())
	}
	if n := env.Fire(t); n != 0 {
		t.Fatalf("the successor fired early: %d", n)
	}
	env.Clock.Advance(time.Hour)
	if n := env.Fire(t); n != 1 || runs.Load() != 2 {
		t.Fatalf("the successor: fired %d, ran %d", n, runs.Load())
	}
}
