package classify

import (
	"bytes"
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

// Evaluation scores both heads of a model on labelled messages.
type Evaluation struct {
	// Category scores the category of the messages that have one, each
	// prediction cut to the depth of the true label (see Agrees).
	Category Report
	// Nature scores the nature of the messages that have one; nil when
	// none has or the model has no nature head.
	Nature *Report
	// NatureUnscored counts the messages with a nature that could not be
	// scored: the model has no nature head.
	NatureUnscored int
}

// Evaluate predicts the category and nature of every example that has
// them and scores the predictions.
func (m *Model) Evaluate(examples []Example) Evaluation {
	var ev Evaluation
	var truth, pred, ntruth, npred []string
	for _, e := range examples {
		cat, nat := CleanLabel(e.Category), cleanNature(e.Nature)
		if cat == "" && nat == "" {
			continue
		}
		s := m.Suggest(e.Subject, e.Body)
		if cat != "" {
			truth = append(truth, cat)
			pred = append(pred, AtDepth(s.Category[0].Label, Depth(cat)))
		}
		switch {
		case nat == "":
		case len(s.Nature) == 0:
			ev.NatureUnscored++
		default:
			ntruth = append(ntruth, nat)
			npred = append(npred, s.Nature[0].Label)
		}
	}
	ev.Category = Score(truth, pred)
	if len(ntruth) > 0 {
		r := Score(ntruth, npred)
		ev.Nature = &r
	}
	return ev
}

// Write prints the evaluation: the category's table and accuracy, the
// nature's (when scored) ending "nature macro-F1 0.xxx", and last the line
// "macro-F1 0.xxx", the category's.
func (ev Evaluation) Write(w io.Writer) error {
	var b bytes.Buffer
	ev.Category.table(&b, "label", "")
	switch {
	case ev.Nature != nil:
		ev.Nature.table(&b, "nature", "nature ")
		fmt.Fprintf(&b, "nature macro-F1 %.3f\n", ev.Nature.MacroF1)
	case ev.NatureUnscored > 0:
		fmt.Fprintf(&b, "nature not scored: the model has no nature head (%d messages with a nature)\n", ev.NatureUnscored)
	}
	fmt.Fprintf(&b, "macro-F1 %.3f\n", ev.Category.MacroF1)
	_, err := w.Write(b.Bytes())
	return err
}

// table prints the per-label scores under a header naming the label
// column, then the accuracy (its line starting with prefix).
func (r Report) table(b *bytes.Buffer, column, prefix string) {
	width := len(column)
	for _, c := range r.Classes {
		width = max(width, displayWidth(c.Label))
	}
	pad := func(s string) string {
		for n := displayWidth(s); n < width; n++ {
			s += " "
		}
		return s
	}
	fmt.Fprintf(b, "%s  precision  recall     f1  support\n", pad(column))
	for _, c := range r.Classes {
		fmt.Fprintf(b, "%s  %9.3f  %6.3f  %5.3f  %7d\n", pad(c.Label), c.Precision, c.Recall, c.F1, c.Support)
	}
	fmt.Fprintf(b, "%saccuracy %.3f (%d messages)\n", prefix, r.Accuracy, r.N)
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
