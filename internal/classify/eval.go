package classify

import (
	"fmt"
	"io"
	"slices"
)

// ClassScore is one label's precision, recall and F1.
type ClassScore struct {
	Label                 string
	Precision, Recall, F1 float64
	Support               int // examples whose true label it is
	Predicted             int // examples predicted as it
}

// Report is an evaluation: per-label scores, accuracy and macro-F1 (the
// unweighted mean of the labels' F1, over every label that is either true
// or predicted for some example, as scikit-learn computes it).
type Report struct {
	Classes  []ClassScore
	Accuracy float64
	MacroF1  float64
	N        int
}

// Score compares true and predicted labels.
func Score(truth, predicted []string) Report {
	var labels []string
	for _, s := range [][]string{truth, predicted} {
		for _, l := range s {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
	}
	slices.Sort(labels)
	r := Report{N: len(truth)}
	correct := 0
	for _, l := range labels {
		cs := ClassScore{Label: l}
		tp := 0
		for i := range truth {
			if truth[i] == l {
				cs.Support++
			}
			if predicted[i] == l {
				cs.Predicted++
				if truth[i] == l {
					tp++
				}
			}
		}
		correct += tp
		if cs.Predicted > 0 {
			cs.Precision = float64(tp) / float64(cs.Predicted)
		}
		if cs.Support > 0 {
			cs.Recall = float64(tp) / float64(cs.Support)
		}
		if cs.Precision+cs.Recall > 0 {
			cs.F1 = 2 * cs.Precision * cs.Recall / (cs.Precision + cs.Recall)
		}
		r.MacroF1 += cs.F1
		r.Classes = append(r.Classes, cs)
	}
	if len(labels) > 0 {
		r.MacroF1 /= float64(len(labels))
	}
	if r.N > 0 {
		r.Accuracy = float64(correct) / float64(r.N)
	}
	return r
}

// Evaluate predicts the category of every example that has one and scores
// the predictions.
func (m *Model) Evaluate(examples []Example) Report {
	var truth, pred []string
	for _, e := range examples {
		if e.Category == "" {
			continue
		}
		truth = append(truth, e.Category)
		s := m.Predict(e.Subject, e.Body)
		pred = append(pred, s[0].Label)
	}
	return Score(truth, pred)
}

// Write prints the report as a table, its last line "macro-F1 0.xxx".
func (r Report) Write(w io.Writer) error {
	width := len("label")
	for _, c := range r.Classes {
		width = max(width, displayWidth(c.Label))
	}
	pad := func(s string) string {
		for n := displayWidth(s); n < width; n++ {
			s += " "
		}
		return s
	}
	if _, err := fmt.Fprintf(w, "%s  precision  recall     f1  support\n", pad("label")); err != nil {
		return err
	}
	for _, c := range r.Classes {
		fmt.Fprintf(w, "%s  %9.3f  %6.3f  %5.3f  %7d\n", pad(c.Label), c.Precision, c.Recall, c.F1, c.Support)
	}
	fmt.Fprintf(w, "accuracy %.3f (%d messages)\n", r.Accuracy, r.N)
	_, err := fmt.Fprintf(w, "macro-F1 %.3f\n", r.MacroF1)
	return err
}

// displayWidth counts CJK characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
