package bench_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pingan/internal/bench"
)

// The intake benchmark runs end to end, smart and bare: every acknowledged
// report is stored (Intake checks), smart intake routes and classifies, and
// bare intake does neither — so the two rates compare what they claim to.
func TestIntakeSmartAndBare(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pingan over HTTP for seconds")
	}
	for _, bare := range []bool{true, false} {
		o := bench.Options{Clients: 4, Duration: time.Second, Bare: bare, PostgresURL: os.Getenv("PINGAN_TEST_POSTGRES")}
		if !bare {
			o.Trace = filepath.Join(t.TempDir(), "intake.trace")
		}
		r, err := bench.Intake(context.Background(), o)
		if err != nil {
			t.Fatalf("bare=%t: %v", bare, err)
		}
		if r.Acknowledged == 0 || r.Errors != 0 || r.ReportCount != r.Acknowledged || r.RawRate <= 0 {
			t.Fatalf("bare=%t: %+v", bare, r)
		}
		t.Logf("bare=%t: %d reports, %d cases, %d routed, %d classified, elapsed %s", bare, r.Acknowledged, r.CaseCount, r.Routed, r.Suggested, r.Elapsed)
		if o.Trace != "" {
			// --trace: an execution trace of the middle of the run.
			b, err := os.ReadFile(o.Trace)
			if err != nil || len(b) < 1000 || !bytes.HasPrefix(b, []byte("go 1.")) {
				t.Errorf("trace file: %d bytes, %v", len(b), err)
			}
		}
		if bare && (r.Routed != 0 || r.Suggested != 0) {
			t.Errorf("bare intake routed %d and classified %d of %d cases", r.Routed, r.Suggested, r.CaseCount)
		}
		if !bare && (r.Routed*2 < r.CaseCount || r.Suggested*2 < r.CaseCount) {
			t.Errorf("smart intake routed %d and classified %d of %d cases", r.Routed, r.Suggested, r.CaseCount)
		}
	}
}
