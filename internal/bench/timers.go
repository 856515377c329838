package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/org"
	"pingan/internal/timer"
)

// TimerOptions configure the timer benchmark.
type TimerOptions struct {
	OpenCases   int           // open cases, each with a warning and a deadline timer
	Lookups     int           // how many times each lookup is measured
	LagTimers   int           // timers falling due during the intake load
	LoadClients int           // intake clients during the lag measurement
	LoadFor     time.Duration // how long the lag measurement runs
}

// TimerResult reports the lookups and the lag.
type TimerResult struct {
	OpenCases, PendingTimers int
	DueQuery, NextQuery      Percentiles // what the runner does
	Scan                     Percentiles // polling the open cases instead
	Lag                      Percentiles // due time to the firing committed, under load
	Fired                    int
	IntakeRate               float64
}

// Percentiles of a measured duration.
type Percentiles struct{ P50, P99, Max time.Duration }

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	return Percentiles{P50: ds[len(ds)/2], P99: ds[len(ds)*99/100], Max: ds[len(ds)-1]}
}

func (p Percentiles) String() string {
	return fmt.Sprintf("p50 %s, p99 %s, max %s", ms(p.P50), ms(p.P99), ms(p.Max))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// Timers measures, on a fresh SQLite database: finding due timers among
// those of OpenCases open cases, next to scanning the open cases for due
// deadlines (what a polling loop without timers does); then the lag between
// a timer's due time and its firing while intake runs over HTTP.
func Timers(ctx context.Context, o TimerOptions) (TimerResult, error) {
	res := TimerResult{OpenCases: o.OpenCases}
	dir, err := os.MkdirTemp("", "pingan-bench-timers-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir, cfg.SecretKey, cfg.LogLevel = dir, "", "warn"
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		return res, err
	}
	defer a.Close()
	if err := fillOpenCases(ctx, a, o.OpenCases); err != nil {
		return res, err
	}
	if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL").Scan(&res.PendingTimers); err != nil {
		return res, err
	}
	now := time.Now().UnixMicro()
	measure := func(times int, q string, args ...any) (Percentiles, error) {
		var ds []time.Duration
		for range times {
			t0 := time.Now()
			rows, err := a.DB.QueryContext(ctx, q, args...)
			if err != nil {
				return Percentiles{}, err
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return Percentiles{}, err
			}
			ds = append(ds, time.Since(t0))
		}
		return percentiles(ds), nil
	}
	if res.DueQuery, err = measure(o.Lookups, timer.DueQuery, now); err != nil {
		return res, err
	}
	if res.NextQuery, err = measure(o.Lookups, "SELECT MIN(due_at) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL"); err != nil {
		return res, err
	}
	// The scan takes seconds at a million cases: a few runs tell enough.
	if res.Scan, err = measure(min(o.Lookups, 10), `SELECT id, warn_at, deadline_at FROM cases WHERE state IN ('received', 'dispatched', 'handling')`); err != nil {
		return res, err
	}
	return res, measureLag(ctx, a, o, &res)
}

// fillOpenCases writes n cases in hand with deadlines over the next 60 days,
// and their timers, in bulk.
func fillOpenCases(ctx context.Context, a *app.App, n int) error {
	unit, err := a.Org.UnitByCode(ctx, a.DB, "350206004")
	if err != nil {
		return err
	}
	hotline, err := a.Org.UnitByCode(ctx, a.DB, org.CodeHotline)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	const batch = 2000
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		// Each batch draws its deadlines from its own generator, so that a
		// write run again (after a deadlock) draws the same ones.
		seed := rng.Uint64()
		err := a.DB.Write(ctx, func(tx *db.Tx) error {
			rng := rand.New(rand.NewPCG(seed, uint64(done)))
			var cases, timers strings.Builder
			var cargs, targs []any
			cases.WriteString(`INSERT INTO cases (id, number, title, priority, state, channel, intake_unit_id, handling_unit_id,
				received_at, due_at, deadline_at, warn_at, updated_at, version) VALUES `)
			timers.WriteString("INSERT INTO timers (kind, subject_id, due_at, created_at) VALUES ")
			for i := range k {
				id := int64(done + i + 1)
				// Deadlines over the next 60 days, warnings a third of the
				// way before them: nothing is due when the measuring starts.
				deadline := now.Add(time.Hour + time.Duration(rng.Int64N(int64(60*24*time.Hour))))
				warn := deadline.Add(-deadline.Sub(now) / 3)
				if i > 0 {
					cases.WriteString(", ")
					timers.WriteString(", ")
				}
				cases.WriteString("(?, ?, '基准', 'normal', 'handling', 'hotline', ?, ?, ?, ?, ?, ?, ?, 1)")
				cargs = append(cargs, id, fmt.Sprintf("BM-%09d", id), hotline.ID, unit.ID, now.UnixMicro(), deadline.UnixMicro(),
					deadline.UnixMicro(), warn.UnixMicro(), now.UnixMicro())
				timers.WriteString("('case.warn', ?, ?, ?), ('case.overdue', ?, ?, ?)")
				targs = append(targs, id, warn.UnixMicro(), now.UnixMicro(), id, deadline.UnixMicro(), now.UnixMicro())
			}
			if _, err := tx.ExecContext(ctx, cases.String(), cargs...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, timers.String(), targs...)
			return err
		})
		if err != nil {
			return fmt.Errorf("fill open cases: %w", err)
		}
	}
	return nil
}

// measureLag sets LagTimers timers falling due over the load window, runs
// the timer runner and HTTP intake together, and takes each timer's lag when
// its transaction has committed: finding it, claiming it, its (empty) work
// and the commit, against its due time.
func measureLag(ctx context.Context, a *app.App, o TimerOptions, res *TimerResult) error {
	const kind timer.Kind = "bench.noop"
	var mu sync.Mutex
	var lags []time.Duration
	a.Timers.Handle(kind, func(_ context.Context, tx *db.Tx, t timer.Timer, _ time.Time) error {
		tx.AfterCommit(func() {
			mu.Lock()
			lags = append(lags, time.Since(t.DueAt))
			mu.Unlock()
		})
		return nil
	})
	// The timers are set in one transaction, the first due a second from
	// now; none may be due before the runner starts, or its lag would count
	// the setting of the others.
	start := time.Now().Add(time.Second)
	err := a.DB.Write(ctx, func(tx *db.Tx) error {
		for i := range o.LagTimers {
			at := start.Add(time.Duration(i) * o.LoadFor / time.Duration(o.LagTimers))
			if err := a.Timers.Set(ctx, tx, kind, int64(i+1), at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if late := time.Since(start); late >= 0 {
		return fmt.Errorf("setting %d timers took until %v after the first was due: the machine is too busy to measure their lag", o.LagTimers, late)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { a.Timers.Run(runCtx) })
	load, err := Intake(ctx, Options{Clients: o.LoadClients, Duration: o.LoadFor + 2*time.Second, attach: a})
	stop()
	wg.Wait()
	if err != nil {
		return err
	}
	res.IntakeRate = load.Rate
	var stored int
	if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM timers WHERE kind = $1 AND fired_at IS NOT NULL", kind).Scan(&stored); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	// Each timer fired once: as many committed firings as timers marked fired.
	if stored != len(lags) {
		return fmt.Errorf("%d timers marked fired, %d firings committed", stored, len(lags))
	}
	res.Fired, res.Lag = len(lags), percentiles(lags)
	return nil
}
