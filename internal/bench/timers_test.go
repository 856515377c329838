package bench_test

import (
	"context"
	"testing"
	"time"

	"pingan/internal/bench"
)

// The timer benchmark runs end to end: the open cases' timers are pending,
// the runner's lookups are measured, and every lag timer fires once while
// intake runs, its lag taken when its firing committed.
func TestTimers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pingan over HTTP for seconds")
	}
	r, err := bench.Timers(context.Background(), bench.TimerOptions{OpenCases: 300, Lookups: 3, LagTimers: 40, LoadClients: 4, LoadFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.OpenCases != 300 || r.PendingTimers != 600 {
		t.Errorf("%d open cases, %d pending timers; want 300 and 600", r.OpenCases, r.PendingTimers)
	}
	if r.Fired != 40 {
		t.Errorf("%d lag timers fired, want 40", r.Fired)
	}
	if r.Lag.P50 <= 0 || r.Lag.P99 < r.Lag.P50 || r.Lag.Max < r.Lag.P99 || r.DueQuery.P50 <= 0 || r.Scan.P50 <= 0 || r.IntakeRate <= 0 {
		t.Errorf("result %+v", r)
	}
}
