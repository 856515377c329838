package casegen_test

import (
	"context"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/demo"
)

// BenchmarkLoad measures bulk loading of generated cases (with their reports,
// histories and involved units) into the test backend.
// go test ./internal/casegen -run '^$' -bench Load -benchtime 20000x
func BenchmarkLoad(b *testing.B) {
	env := apptest.New(b)
	ctx := context.Background()
	// Accounts and handlers exist before the clock starts.
	if err := demo.LoadCases(ctx, env.App, 1, 1, 1, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := demo.LoadCases(ctx, env.App, b.N, 90, 2, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
}

// BenchmarkGenerate measures composing cases alone, without the database.
func BenchmarkGenerate(b *testing.B) {
	env := apptest.New(b)
	g := generator(b, env, 1)
	now := env.App.Now()
	entries := 0
	b.ResetTimer()
	for i := range b.N {
		c := g.Generate(now.Add(-time.Duration(i)*time.Minute), now)
		entries += len(c.Timeline)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
	b.ReportMetric(float64(entries)/float64(b.N), "entries/case")
}
