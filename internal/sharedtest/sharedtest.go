// Package sharedtest finds the shared reference data (../shared/data beside
// the checkout) for tests. Where it is absent — a user's fresh clone — tests
// that need it skip with a clear message; CI sets PINGAN_REQUIRE_SHARED=1 so
// that its absence fails instead.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared data directory, or skips (or fails, under
// PINGAN_REQUIRE_SHARED) when it cannot be found.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PINGAN_SHARED_DATA"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// Walk up to the module root (the directory with go.mod), then look beside it.
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data")
			if _, err := os.Stat(d); err == nil {
				return d
			}
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("PINGAN_REQUIRE_SHARED") != "" {
		t.Fatalf("shared data not found beside the checkout (../shared/data) and PINGAN_REQUIRE_SHARED is set")
	}
	t.Skip("shared data not found beside the checkout (../shared/data); set PINGAN_SHARED_DATA to run this test")
	return ""
}

// Path returns the path of a file in the shared data directory.
func Path(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Dir(t), name)
}
