package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/dbtest"
)

// Three nodes starting at once on one empty PostgreSQL database: none
// fails, and the reference data is seeded once (the organisation, the
// catalogue, the policies and the rules, each with unique keys a second
// seeding would trip on).
func TestNodesStartTogether(t *testing.T) {
	dc := dbtest.Config(t)
	if dc.URL == "" {
		t.Skip("several nodes share a PostgreSQL database; SQLite has one process")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey = dc.DataDir, dc.URL, base64.StdEncoding.EncodeToString(key)
	apps := make([]*app.App, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range apps {
		wg.Go(func() { apps[i], errs[i] = app.Open(context.Background(), cfg, nil) })
	}
	wg.Wait()
	for i, a := range apps {
		if errs[i] != nil {
			t.Errorf("node %d: %v", i, errs[i])
			continue
		}
		defer a.Close()
	}
	if t.Failed() {
		return
	}
	var units, categories, policies, rules, seeds int
	if err := apps[0].DB.QueryRowContext(context.Background(), `SELECT (SELECT COUNT(*) FROM units),
		(SELECT COUNT(*) FROM categories), (SELECT COUNT(*) FROM deadline_policies), (SELECT COUNT(*) FROM routing_rules),
		(SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.seed')`).Scan(&units, &categories, &policies, &rules, &seeds); err != nil {
		t.Fatal(err)
	}
	if categories != 700 || seeds != 1 || units == 0 || policies == 0 || rules != 4 {
		t.Errorf("after three starts: %d units, %d categories, %d policies, %d rules, %d catalogue seeds", units, categories, policies, rules, seeds)
	}
}

// The App's time is to the microsecond, as the databases store it: what a
// write answers (a supervision order's issue time) is what a read gives.
func TestNowIsToTheMicrosecond(t *testing.T) {
	dc := dbtest.Config(t)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey = dc.DataDir, dc.URL, base64.StdEncoding.EncodeToString(key)
	a, err := app.Open(context.Background(), cfg, nil, app.WithClock(func() time.Time {
		return time.Date(2026, 11, 29, 8, 0, 0, 123456789, time.UTC)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := a.Now(); got.Nanosecond() != 123456000 {
		t.Errorf("now %s, want it to the microsecond", got.Format(time.RFC3339Nano))
	}
}
