package classify

import (
	"testing"
	"time"
)

// skipSlow skips the tests that train on all the shared data with -short
// and under the race detector, which slows the numeric loops some 15–50×
// (the same code runs under it, on less data, in the other tests).
func skipSlow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains on all the shared data: skipped with -short")
	}
	if raceEnabled {
		t.Skip("trains on all the shared data: skipped under -race (too slow there); run go test ./internal/classify")
	}
}

// TestCrossValidated holds the classifier to its target: on gold messages
// it has not seen, a macro-F1 at least as high as that of the TF-IDF
// character n-gram + linear SVM baseline trained on the same data, and at
// least 0.80. Five stratified folds of the gold file; each fold's models
// train on the other gold messages and all the weakly labelled ones.
func TestCrossValidated(t *testing.T) {
	skipSlow(t)
	gold, weak := sharedExamples(t)
	start := time.Now()
	ours, base := crossValidate(gold, weak, 5, 1, TrainOptions{}, true)
	t.Logf("5-fold macro-F1 on %d gold messages: ours %.4f, baseline %.4f (%v)", len(gold), ours.MacroF1, base.MacroF1, time.Since(start).Round(time.Millisecond))
	if ours.MacroF1 < base.MacroF1 {
		t.Errorf("macro-F1 %.4f is below the baseline's %.4f", ours.MacroF1, base.MacroF1)
	}
	if ours.MacroF1 < 0.80 {
		t.Errorf("macro-F1 %.4f is below 0.80", ours.MacroF1)
	}
}

// TestTrainShared trains on all the shared data, as `pingan model train`
// does, within the 30 s target.
func TestTrainShared(t *testing.T) {
	skipSlow(t)
	gold, weak := sharedExamples(t)
	start := time.Now()
	m, err := Train(append(gold, weak...), TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("trained on %d messages in %v; temperature %.3f", m.Info.Examples, took, m.heads[0].temp)
	if took > 30*time.Second {
		t.Errorf("training took %v, over 30 s", took)
	}
	if m.Info.Examples != len(gold)+len(weak) || m.Info.Weak != len(weak) {
		t.Errorf("info %+v", m.Info)
	}
}

// BenchmarkPredict measures classification on one goroutine with the
// embedded model: go test -bench Predict -cpu 1 ./internal/classify
func BenchmarkPredict(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	gold, _ := sharedExamples(b)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		e := gold[i%len(gold)]
		m.Predict(e.Subject, e.Body)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkTrain measures training on the shared data (gold and weak), the
// softmax calibration included.
func BenchmarkTrain(b *testing.B) {
	gold, weak := sharedExamples(b)
	all := append(gold, weak...)
	for b.Loop() {
		if _, err := Train(all, TrainOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/train")
}
