package classify

import (
	"testing"

	"pingan/internal/sharedtest"
)

// sharedExamples reads the gold and the weakly labelled shared messages.
func sharedExamples(t testing.TB) (gold, weak []Example) {
	t.Helper()
	gold, err := ReadExamplesFile(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	weak, err = ReadExamplesFile(sharedtest.Path(t, "teddy_messages_weak.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return gold, weak
}

// crossValidate trains k models, each on the gold messages outside one
// stratified fold plus all the weak ones, and scores the predictions on the
// held-out gold messages: ours (opts) and, when withBaseline, the baseline.
func crossValidate(gold, weak []Example, k int, seed uint64, opts TrainOptions, withBaseline bool) (ours, base Report) {
	labels := make([]string, len(gold))
	for i, e := range gold {
		labels[i] = e.Category
	}
	folds := StratifiedFolds(labels, k, seed)
	predOurs := make([]string, len(gold))
	predBase := make([]string, len(gold))
	opts.CalibrationFolds = -1
	for f := range k {
		var train []Example
		for i, e := range gold {
			if folds[i] != f {
				train = append(train, e)
			}
		}
		train = append(train, weak...)
		m, err := Train(train, opts)
		if err != nil {
			panic(err)
		}
		var b *baseline
		if withBaseline {
			b = trainBaseline(train)
		}
		for i, e := range gold {
			if folds[i] != f {
				continue
			}
			predOurs[i] = m.Predict(e.Subject, e.Body)[0].Label
			if b != nil {
				predBase[i] = b.predict(e.Subject, e.Body)
			}
		}
	}
	ours = Score(labels, predOurs)
	if withBaseline {
		base = Score(labels, predBase)
	}
	return ours, base
}
