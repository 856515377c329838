package classify

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLabelPaths(t *testing.T) {
	for _, tc := range []struct {
		in, clean string
		depth     int
		at1, at2  string
	}{
		{"城乡建设", "城乡建设", 1, "城乡建设", "城乡建设"},
		{" 城乡建设 / 城市建设和市政管理/燃气供应/ ", "城乡建设/城市建设和市政管理/燃气供应", 3, "城乡建设", "城乡建设/城市建设和市政管理"},
		{"", "", 0, "", ""},
	} {
		c := CleanLabel(tc.in)
		if c != tc.clean || Depth(c) != tc.depth || AtDepth(c, 1) != tc.at1 || AtDepth(c, 2) != tc.at2 {
			t.Errorf("%q: clean %q depth %d at 1 %q at 2 %q", tc.in, c, Depth(c), AtDepth(c, 1), AtDepth(c, 2))
		}
	}
	for _, tc := range []struct {
		truth, pred string
		want        bool
	}{
		{"A", "A", true},
		{"A", "A/B/C", true}, // deeper, under the truth
		{"A/B", "A", false},  // says less than was known
		{"A/B", "A/C", false},
		{"A/B", "A/B/C", true},
		{"A", "AB", false},
		{"", "A", false},
	} {
		if got := Agrees(tc.truth, tc.pred); got != tc.want {
			t.Errorf("Agrees(%q, %q) = %v", tc.truth, tc.pred, got)
		}
	}
}

// deepExtra labels the shared messages about demolition, gas and property
// management deep in the taxonomy, as operators would, and holds out the
// last two of each group.
func deepExtra(t *testing.T) (train, held []Example) {
	gold, weak := sharedExamples(t)
	groups := []struct{ words, label string }{
		{"拆迁", "城乡建设/集体土地上房屋拆迁与补偿/房屋拆迁"},
		{"燃气|天然气", "城乡建设/城市建设和市政管理/燃气供应"},
		{"物业", "城乡建设/住房保障与房地产/物业服务"},
	}
	for _, g := range groups {
		re := regexp.MustCompile(g.words)
		var ex []Example
		for _, e := range append(slices.Clone(gold), weak...) {
			if e.Category == "城乡建设" && re.MatchString(e.Subject) {
				ex = append(ex, Example{Subject: e.Subject, Body: e.Body, Category: g.label})
			}
		}
		if len(ex) < 10 {
			t.Fatalf("%s: only %d messages", g.words, len(ex))
		}
		train, held = append(train, ex[:len(ex)-2]...), append(held, ex[len(ex)-2:]...)
	}
	return train, held
}

// Labels deep in the taxonomy train their ancestors too, and a model that
// learnt them suggests as deep as it is sure: the held-out messages of each
// deep label get it, messages of other first-level categories stay at the
// first level, and the confidences still add up to 1.
func TestDeepLabels(t *testing.T) {
	gold, _ := sharedExamples(t)
	extra, held := deepExtra(t)
	m, err := Train(gold, quick(TrainOptions{Extra: extra, CalibrationFolds: 2}))
	if err != nil {
		t.Fatal(err)
	}
	labels := m.Labels(HeadCategory)
	for _, want := range []string{"城乡建设", "城乡建设/集体土地上房屋拆迁与补偿", "城乡建设/集体土地上房屋拆迁与补偿/房屋拆迁", "城乡建设/住房保障与房地产/物业服务"} {
		if !slices.Contains(labels, want) {
			t.Errorf("labels %v lack %s", labels, want)
		}
	}
	deep := 0
	for _, e := range append(held, Example{Subject: "村里拆迁补偿款迟迟不到位", Body: "我们村去年开始拆迁，房屋拆迁补偿款至今没有发放，安置房也没有着落，请相关部门解决。",
		Category: "城乡建设/集体土地上房屋拆迁与补偿/房屋拆迁"}) {
		s := m.Predict(e.Subject, e.Body)
		var sum, root float64
		for i, x := range s {
			if AtDepth(x.Label, 1) == "城乡建设" {
				root += x.Confidence
			}
			sum += x.Confidence
			if i > 0 && x.Confidence > s[i-1].Confidence {
				t.Errorf("not sorted: %+v", s)
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("confidences add up to %v: %+v", sum, s)
		}
		// Sure of the first level, the model goes down to the label.
		if root >= DeepConfidence && (s[0].Label != e.Category || s[0].Confidence < DeepConfidence) {
			t.Errorf("%s: suggested %+v, want %s", e.Subject, s[:2], e.Category)
		}
		if s[0].Label == e.Category {
			deep++
		}
	}
	if deep < len(held) {
		t.Errorf("%d of %d messages got their deep label", deep, len(held)+1)
	}
	other := 0
	for _, e := range gold {
		if e.Category != "城乡建设" && Depth(m.Predict(e.Subject, e.Body)[0].Label) > 1 {
			other++
		}
	}
	if other > 0 {
		t.Errorf("%d messages of other categories got a deep suggestion", other)
	}
	// Evaluation compares at the depth of the true label: a deep prediction
	// is right about a first-level label above it, a first-level one is not
	// right about a deep label.
	ev := m.Evaluate(append(slices.Clone(gold), held...))
	if ev.Category.Accuracy < 0.95 {
		t.Errorf("accuracy %.3f", ev.Category.Accuracy)
	}
	shallow := []Example{{Subject: held[0].Subject, Body: held[0].Body, Category: "城乡建设/集体土地上房屋拆迁与补偿/房屋拆迁"}}
	flat, err := Train(gold, quick(TrainOptions{CalibrationFolds: -1}))
	if err != nil {
		t.Fatal(err)
	}
	if r := flat.Evaluate(shallow).Category; r.Accuracy != 0 {
		t.Errorf("a first-level prediction counted right about a deep label: %+v", r)
	}
	if r := m.Evaluate(shallow).Category; r.Accuracy != 1 {
		t.Errorf("the deep prediction not counted right: %+v", r)
	}
	// The model file keeps the labels: a loaded model suggests the same.
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	l, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := m.Predict(held[0].Subject, held[0].Body), l.Predict(held[0].Subject, held[0].Body); !slices.Equal(a, b) {
		t.Errorf("after save and load: %+v vs %+v", a, b)
	}
}

// Evaluate scores the nature head on the messages that carry a nature,
// and Write prints its table and "nature macro-F1" before the last line.
func TestEvaluateNature(t *testing.T) {
	m, gold := testModel(t) // natures complaint, consultation, suggestion
	var ex []Example
	for i, e := range gold[:40] {
		e.Nature = []string{"complaint", "consultation", "suggestion"}[i%3]
		if i%4 == 0 {
			e.Category = "" // a nature alone
		}
		ex = append(ex, e)
	}
	ev := m.Evaluate(ex)
	if ev.Nature == nil || ev.Nature.N != 40 || ev.Category.N != 30 {
		t.Fatalf("evaluation: nature %+v, %d categories", ev.Nature, ev.Category.N)
	}
	var buf bytes.Buffer
	if err := ev.Write(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	n := len(lines)
	if !strings.HasPrefix(lines[n-1], "macro-F1 ") || !strings.HasPrefix(lines[n-2], "nature macro-F1 ") ||
		!strings.HasPrefix(lines[n-3], "nature accuracy ") || !strings.Contains(buf.String(), "\nconsultation ") {
		t.Errorf("output:\n%s", buf.String())
	}
	// Without natures, no nature section.
	if ev := m.Evaluate(gold[:10]); ev.Nature != nil {
		t.Errorf("nature scored without natures: %+v", ev.Nature)
	}
}
