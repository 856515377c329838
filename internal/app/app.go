// Package app assembles pingan from its configuration: the database, the
// keys, the services and the HTTP surfaces. It is the composition root; the
// services themselves do not know about each other's construction.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"pingan/internal/api"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/classify"
	"pingan/internal/config"
	"pingan/internal/dashboard"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/dedup"
	"pingan/internal/directory"
	"pingan/internal/hot"
	"pingan/internal/notify"
	"pingan/internal/org"
	"pingan/internal/route"
	"pingan/internal/score"
	"pingan/internal/search"
	"pingan/internal/secret"
	"pingan/internal/supervision"
	"pingan/internal/timer"
)

// App is a running pingan.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *db.DB
	Keys    *secret.Keyring
	Audit   *audit.Log
	Org     *org.Service
	Catalog *catalog.Service
	Cases   *casework.Service
	API     *api.API
	Now     func() time.Time

	Calendar    *calendar.Service
	Policies    *deadline.Service
	Timers      *timer.Service
	Notify      *notify.Service
	Supervision *supervision.Service
	Auth        *auth.Service
	Score       *score.Service
	Dashboard   *dashboard.Service
	Route       *route.Service
	Repeats     *dedup.Service
	Hot         *hot.Service
	Classifier  *classify.Live // the active model (nil within when none could be loaded)
	Models      *classify.Registry
	// Directory names units, categories and users for lists and pages.
	Directory *directory.Directory

	clock *clock
}

// clock is the App's time: its options' clock, except while HoldClock
// holds it.
type clock struct {
	base func() time.Time
	at   atomic.Int64 // µs; 0 when not replaying
}

// now is to the microsecond, as the databases store times: what a write
// answers is what a read of it gives later.
func (c *clock) now() time.Time {
	if us := c.at.Load(); us != 0 {
		return time.UnixMicro(us)
	}
	return c.base().Truncate(time.Microsecond)
}

// Option adjusts how an App is built.
type Option func(*options)

type options struct {
	now  func() time.Time
	bare bool
}

// WithClock makes the App read time from now (tests move time forward).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithBareIntake builds intake without its smart parts — no classifier
// suggestion, no routing (a new case waits at its intake unit to be
// dispatched by hand) — as the baseline `pingan bench intake --bare`
// measures smart intake against.
func WithBareIntake() Option { return func(o *options) { o.bare = true } }

// Open connects to the database, applies migrations, seeds the reference data
// an empty database needs (Xiamen's organisation, the catalogue) and builds
// the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keys, err := secret.Load(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DB(log))
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, d, keys, o)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, keys *secret.Keyring, o options) (*App, error) {
	clk := &clock{base: o.now}
	now := clk.now
	if n, err := d.Migrate(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("database migrated", "applied", n, "backend", d.Dialect())
	}
	// The full-text index, on SQLite in the side file: made if it is new,
	// and caught up with what its writer missed (a crash after a commit).
	began := time.Now()
	if n, err := search.Prepare(ctx, d); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("search index caught up", "cases", n, "took", time.Since(began).Round(time.Millisecond))
	}
	a := &App{Config: cfg, Log: log, DB: d, Keys: keys, Now: now, clock: clk}
	a.Audit = audit.New(keys, now)
	a.Org = org.NewService(d, a.Audit, now)
	a.Catalog = catalog.NewService(d, a.Audit, now)
	a.Calendar = calendar.NewService(d, a.Audit, cfg.Location(), cfg.Office(), now)
	a.Policies = deadline.NewService(d, a.Audit, now)
	a.Timers = timer.NewService(d, log, now)
	a.Notify = notify.NewService(d, a.Audit, keys, log, cfg.Location(), now)
	// The classifier: the version activated in the database, else the one
	// embedded in the binary; Background follows switches. Without one,
	// intake goes on without suggestions.
	a.Models, a.Classifier = classify.NewRegistry(d, a.Audit, now), &classify.Live{}
	if n, err := a.Models.ImportDir(ctx, cfg.DataDir); err != nil {
		log.Warn("importing the models of the data directory", "err", err)
	} else if n > 0 {
		log.Info("models imported from the data directory into the database", "models", n)
	}
	if _, err := a.Classifier.Follow(ctx, a.Models); err != nil {
		log.Warn("no category classifier", "err", err)
	} else {
		log.Info("category classifier", "version", a.Classifier.Get().Info.Version)
	}
	a.Score = score.NewService(d, a.Audit, cfg.Location(), now)
	a.Dashboard = dashboard.NewService(d, cfg.Location(), now)
	a.Route = route.NewService(d, a.Audit, now)
	a.Repeats = dedup.NewService(d, now)
	routing, classifier := a.Route, a.Classifier
	if o.bare {
		routing, classifier = nil, nil
	}
	a.Cases = casework.NewService(casework.Deps{DB: d, Audit: a.Audit, Keys: keys, Org: a.Org, Catalog: a.Catalog,
		Calendar: a.Calendar, Policies: a.Policies, Timers: a.Timers, Notify: a.Notify, Score: a.Score, Volumes: a.Dashboard, Route: routing, Classifier: classifier,
		Repeats: a.Repeats, Config: casework.Config{NumberPrefix: cfg.CasePrefix, Location: cfg.Location(), AutoMerge: cfg.AutoMerge}, Now: now})
	a.Hot = hot.NewService(a.Cases, now)
	a.Auth = auth.NewService(auth.Deps{DB: d, Audit: a.Audit, Org: a.Org, Keys: keys, Notify: a.Notify, Location: cfg.Location(), Now: now})
	a.Supervision = supervision.NewService(supervision.Deps{DB: d, Audit: a.Audit, Org: a.Org, Cases: a.Cases,
		Notify: a.Notify, Timers: a.Timers, Calendar: a.Calendar, Policies: a.Policies, Location: cfg.Location(), Now: now})
	// Nodes starting at once on an empty database: one seeds, the others
	// find its work.
	if err := d.Serialised(ctx, func() error { return a.seed(ctx) }); err != nil {
		return nil, err
	}
	if err := a.runRequested(ctx); err != nil {
		return nil, err
	}
	a.Directory = directory.New(a.Org, a.Catalog, a.Policies)
	a.API = api.New(api.Deps{DB: d, Org: a.Org, Auth: a.Auth, Catalog: a.Catalog, Cases: a.Cases, Audit: a.Audit, Log: log,
		Calendar: a.Calendar, Policies: a.Policies, Super: a.Supervision, Notify: a.Notify, Repeats: a.Repeats, Hot: a.Hot, Route: a.Route, Directory: a.Directory,
		Location: cfg.Location(), Now: now})
	return a, nil
}

// seed fills what an empty database needs (Xiamen's organisation, the
// catalogue, the holiday notices, the deadline policies, the routing
// rules), brings what an earlier version made up to date, and warns of a
// holiday notice missing.
func (a *App) seed(ctx context.Context) error {
	if n, err := a.Org.SeedXiamen(ctx); err != nil {
		return fmt.Errorf("seed organisation: %w", err)
	} else if n > 0 {
		a.Log.Info("organisation seeded", "units", n)
	}
	if n, err := a.Catalog.Seed(ctx); err != nil {
		return fmt.Errorf("seed catalogue: %w", err)
	} else if n > 0 {
		a.Log.Info("catalogue seeded", "categories", n)
	}
	if n, err := a.Calendar.Seed(ctx); err != nil {
		return fmt.Errorf("seed calendar: %w", err)
	} else if n > 0 {
		a.Log.Info("holiday notices stored", "years", n)
	}
	if cal, err := a.Calendar.Calendar(ctx); err != nil {
		return fmt.Errorf("read calendar: %w", err)
	} else if ys := cal.Unknown(a.Now()); len(ys) > 0 {
		a.Log.Warn("holiday notice not imported: deadlines count its holidays as working days until it is (管理 → 办理期限, Admin → Deadlines)",
			"years", ys)
	}
	if n, err := a.Policies.Seed(ctx); err != nil {
		return fmt.Errorf("seed deadline policies: %w", err)
	} else if n > 0 {
		a.Log.Info("deadline policies seeded", "policies", n)
	}
	if n, err := a.Route.Seed(ctx); err != nil {
		return fmt.Errorf("seed routing rules: %w", err)
	} else if n > 0 {
		a.Log.Info("routing rules seeded", "rules", n)
	}
	return nil
}

// runRequested does the rebuilds migrations asked for (db.ClaimRequest):
// the backlog's overdue marks and counters from the cases (0015), the
// scorecards from the timeline when the scoring rules changed (0019;
// minutes at millions of cases, once). The first node to start claims each
// request and removes it when the work is done; a failed rebuild leaves it
// for the next start, and one cut short by a crash is taken over by the
// next node to start once the dead node's claim lapses.
func (a *App) runRequested(ctx context.Context) error {
	for _, r := range []struct {
		key, done string
		run       func() (int64, error)
	}{
		{"rebuild:backlog", "backlog counters rebuilt", func() (int64, error) { return a.Cases.RebuildBacklog(ctx) }},
		{"rebuild:scores", "scorecards rebuilt", func() (int64, error) { n, err := a.Score.Rebuild(ctx); return int64(n), err }},
		{"rebuild:repeats", "repeat index rebuilt", func() (int64, error) { n, err := dedup.Reindex(ctx, a.DB); return int64(n), err }},
	} {
		claim, err := a.DB.ClaimRequest(ctx, r.key, db.RequestLease)
		if err != nil {
			return err
		}
		if claim == nil {
			continue
		}
		a.Log.Info("doing what an upgrade asked for, once", "request", r.key)
		n, err := r.run()
		if err != nil {
			if rerr := claim.Release(context.WithoutCancel(ctx)); rerr != nil {
				a.Log.Error("could not leave "+r.key+" for the next start", "err", rerr)
			}
			return fmt.Errorf("%s: %w", r.key, err)
		}
		if err := claim.Done(ctx); err != nil {
			return fmt.Errorf("%s done: %w", r.key, err)
		}
		a.Log.Info(r.done, "count", n)
	}
	return nil
}

// HoldClock holds the App's clock at t, the zero time letting it run
// again: the demo replays its history's timers at the times they fell due
// (demo.replay), so that what they make is dated as it would have been had
// pingan been running then. Nothing else may use the App meanwhile.
func (a *App) HoldClock(t time.Time) {
	if t.IsZero() {
		a.clock.at.Store(0)
		return
	}
	a.clock.at.Store(t.UnixMicro())
}

// Background runs what works behind the requests — the durable timers
// (warnings, supervision orders, escalations), webhook deliveries, the
// classifier's model switches, housekeeping, and once at start the city's
// hot issues (seconds of work the first visitor would otherwise wait for)
// and the resident repeat index (dedup.Service.Preload) — until ctx ends,
// then returns.
func (a *App) Background(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { a.Timers.Run(ctx) })
	wg.Go(func() { a.Notify.RunDeliveries(ctx, 2*time.Second) })
	wg.Go(func() { a.Classifier.Watch(ctx, a.Models, 30*time.Second, a.Log) })
	wg.Go(func() {
		if err := a.Hot.Warm(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("computing the hot issues ahead", "err", err)
		}
	})
	wg.Go(func() { a.housekeep(ctx, time.Hour) })
	wg.Go(func() { a.Repeats.Preload() })
	wg.Wait()
}

// housekeep removes what serves only a while (old idempotency keys,
// uploads nobody attached, long-expired sessions) and closes the
// administrator change requests nobody decided in time, at start and every
// period after, until ctx ends. Every node may do it: each sweep deletes
// what is left to delete.
func (a *App) housekeep(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		swept, err := a.Cases.Sweep(ctx)
		if err == nil {
			var sessions int64
			var lapsed int
			sessions, err = a.Auth.SweepSessions(ctx)
			if err == nil {
				lapsed, err = a.Auth.ExpireRequests(ctx)
			}
			if swept.Keys+swept.Blobs+sessions+int64(lapsed) > 0 {
				a.Log.Info("housekeeping", "idempotency_keys", swept.Keys, "unattached_files", swept.Blobs, "sessions", sessions,
					"lapsed_requests", lapsed)
			}
		}
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("housekeeping", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close finishes queued writes and closes the database.
func (a *App) Close() error { return a.DB.Close() }
