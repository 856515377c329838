package auth_test

import (
	"context"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/auth"
)

// Sessions are deleted once they expired more than SessionRetention ago;
// newer ones, expired or not, stay.
func TestSweepSessionsDeletesOnlyLongExpired(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	const password = "Sweep-Test-Password-2026"
	u := env.User(t, "dispatcher").User
	if err := env.App.Auth.ResetPassword(ctx, access.System("test"), u.ID, password); err != nil {
		t.Fatal(err)
	}
	login := func() {
		t.Helper()
		if _, err := env.App.Auth.Login(ctx, "dispatcher", password, "127.0.0.1", "test"); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		t.Helper()
		var n int
		if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", u.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	login() // expires 12 hours later
	env.Clock.Advance(auth.SessionRetention)
	login() // the first expired 30 days less 12 hours ago: kept
	if n, err := env.App.Auth.SweepSessions(ctx); err != nil || n != 0 || count() != 2 {
		t.Fatalf("swept %d (%v), %d left; want 0 swept, 2 left", n, err, count())
	}
	env.Clock.Advance(13 * time.Hour)
	if n, err := env.App.Auth.SweepSessions(ctx); err != nil || n != 1 || count() != 1 {
		t.Fatalf("swept %d (%v), %d left; want 1 swept, 1 left", n, err, count())
	}
}
