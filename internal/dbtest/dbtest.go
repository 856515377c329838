// Package dbtest gives tests a real, empty, migrated database: SQLite in a
// temporary directory, or — when PINGAN_TEST_POSTGRES holds a postgres:// URL —
// a fresh schema on that PostgreSQL server, dropped when the test ends. The
// whole suite runs once per backend (see .ci/run).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"pingan/internal/db"
)

// PostgresURL returns the PostgreSQL server tests should use, or "".
func PostgresURL() string { return os.Getenv("PINGAN_TEST_POSTGRES") }

// Backend names the backend this test run uses.
func Backend() string {
	if PostgresURL() != "" {
		return "postgres"
	}
	return "sqlite"
}

// Config returns a db.Config for a fresh, empty database that is removed when
// t ends, without opening it.
func Config(t testing.TB) db.Config {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		return db.Config{DataDir: t.TempDir()}
	}
	return db.Config{URL: FreshSchema(t, base), DataDir: t.TempDir()}
}

// FreshSchema creates a schema with a random name on the server at base and
// returns a URL whose connections use it; the schema is dropped at cleanup.
func FreshSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", base, err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on %s: %v (is PostgreSQL running?)", base, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh migrated database, closed when t ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	return OpenConfig(t, Config(t))
}

// OpenConfig opens and migrates the database cfg describes, closed when t ends.
func OpenConfig(t testing.TB, cfg db.Config) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s database: %v", Backend(), err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
