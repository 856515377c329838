// Package apptest builds a complete pingan for tests: a real database (SQLite
// in a temporary directory, or a fresh PostgreSQL schema when
// PINGAN_TEST_POSTGRES is set), the seeded Xiamen organisation and catalogue,
// the demo users with API tokens, a controllable clock, and the HTTP server.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/demo"
	"pingan/internal/org"
	"pingan/internal/server"
)

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is one test's pingan.
type Env struct {
	App    *app.App
	cfg    config.Config
	Clock  *Clock
	Server *httptest.Server
	users  map[string]Fixture
}

// Fixture is a demo user ready to act.
type Fixture struct {
	User  org.User
	Token string
	Actor access.Actor
}

// Start is the clock's initial time: a Thursday morning in Xiamen.
var Start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Option changes the configuration of a test's pingan.
type Option func(*config.Config)

// AutoMerge turns on merging near-exact repeats at intake, above likeness
// x. Tests leave it off unless they ask: their fixtures take in the same
// report many times over, as separate cases.
func AutoMerge(x float64) Option { return func(c *config.Config) { c.AutoMerge = x } }

// New returns a fresh environment, torn down when t ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	dc := dbtest.Config(t)
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey, cfg.AutoMerge = dc.DataDir, dc.URL, "", 0
	for _, o := range opts {
		o(&cfg)
	}
	clock := &Clock{t: Start}
	// Errors the app logs (a page or a request that failed inside) go to
	// the test's output.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Open(context.Background(), cfg, log, app.WithClock(clock.Now))
	if err != nil {
		t.Fatalf("open app (%s): %v", dbtest.Backend(), err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	e := &Env{App: a, Clock: clock, users: map[string]Fixture{}, cfg: cfg}
	// Demo users without passwords (hashing is slow under -race; the API
	// uses tokens).
	sys := access.System("test")
	for _, du := range demo.Users {
		unit, err := a.Org.UnitByCode(context.Background(), a.DB, du.UnitCode)
		if err != nil {
			t.Fatalf("unit %s: %v", du.UnitCode, err)
		}
		u, err := a.Org.CreateUser(context.Background(), sys, org.UserInput{Username: du.Username, Name: du.Name,
			UnitID: unit.ID, Roles: du.Roles})
		if err != nil {
			t.Fatalf("user %s: %v", du.Username, err)
		}
		tok, _, err := a.Org.IssueToken(context.Background(), sys, u.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := a.Org.Actor(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.users[du.Username] = Fixture{User: u, Token: tok, Actor: actor}
	}
	e.Server = httptest.NewServer(server.New(a).Handler())
	t.Cleanup(e.Server.Close)
	return e
}

// Node opens a second pingan on the same database with the same clock and
// key: another node of a cluster.
func (e *Env) Node(t testing.TB) *app.App {
	t.Helper()
	cfg := e.cfg
	k := e.App.Config.SecretKey
	if k == "" {
		// The first node made its key file in the data directory: share it.
		cfg.DataDir = e.App.Config.DataDir
	}
	a, err := app.Open(context.Background(), cfg, nil, app.WithClock(e.Clock.Now))
	if err != nil {
		t.Fatalf("open second node: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close second node: %v", err)
		}
	})
	return a
}

// Exec runs statements directly, in one write: a database as an older
// version left it, or changed behind pingan's back.
func (e *Env) Exec(t testing.TB, queries ...string) {
	t.Helper()
	ctx := context.Background()
	if err := e.App.DB.Write(ctx, func(tx *db.Tx) error {
		for _, q := range queries {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Fire fires the timers due at the clock's time and returns how many fired.
func (e *Env) Fire(t testing.TB) int {
	t.Helper()
	n, err := e.App.Timers.FireDue(context.Background())
	if err != nil {
		t.Fatalf("fire timers: %v", err)
	}
	return n
}

// User returns a demo user by name.
func (e *Env) User(t testing.TB, username string) Fixture {
	t.Helper()
	f, ok := e.users[username]
	if !ok {
		t.Fatalf("no demo user %q", username)
	}
	return f
}

// Actor returns a demo user's actor.
func (e *Env) Actor(t testing.TB, username string) access.Actor { return e.User(t, username).Actor }

// Unit returns the id of the unit with code.
func (e *Env) Unit(t testing.TB, code string) int64 {
	t.Helper()
	u, err := e.App.Org.UnitByCode(context.Background(), e.App.DB, code)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u.ID
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request as username ("" for none) with an optional JSON body
// (a []byte is sent as is) and extra headers.
func (e *Env) Do(t testing.TB, method, path, username string, body any, headers ...string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if username != "" {
		req.Header.Set("Authorization", "Bearer "+e.User(t, username).Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
