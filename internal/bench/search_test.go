package bench_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"pingan/internal/bench"
)

// The search benchmark runs end to end on a small database, and every way
// of searching finds the same first page.
func TestSearch(t *testing.T) {
	o := bench.SearchOptions{Cases: 300, Runs: 2, LikeRuns: 1, Words: []string{"区", "噪音", "地震"},
		PostgresURL: os.Getenv("PINGAN_TEST_POSTGRES")}
	r, err := bench.Search(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !r.SameResults {
		t.Errorf("the ways of searching disagree:\n%s", r)
	}
	if len(r.Words) != 3 || r.Words[0].Matches != 300 || r.Words[2].Matches != 0 || r.Words[0].Shown != 300 || r.Words[0].More {
		t.Errorf("words %+v", r.Words)
	}
	if out := r.String(); !strings.Contains(out, "| 噪音 |") || !strings.Contains(out, "LIKE ÷ List") {
		t.Errorf("output:\n%s", out)
	}
}
