package classify

import (
	"math"
	"slices"
	"strings"
)

// baseline is the reference the classifier must match: scikit-learn's
// TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
// with an exact (unhashed) vocabulary fitted on the training set, and
// LinearSVC(C=1) one-vs-rest (squared hinge, L2, intercept as a regularised
// constant feature), every training row weighing the same.
type baseline struct {
	vocab  map[uint64]uint32
	idf    []float32
	w      [][]float64
	bias   []float64
	labels []string
}

// baselineGrams calls fn with every character 1-, 2- and 3-gram of the
// lower-cased text, each packed exactly into a uint64 (21 bits a rune).
func baselineGrams(subject, body string, fn func(uint64)) {
	rs := []rune(strings.ToLower(subject + "\n" + body))
	for i := range rs {
		var g uint64
		for n := 0; n < 3 && i+n < len(rs); n++ {
			g = g<<21 | uint64(rs[i+n])
			fn(g) // lengths cannot collide: a rune other than NUL is ≥ 1
		}
	}
}

func trainBaseline(ex []Example) *baseline {
	b := &baseline{vocab: map[uint64]uint32{}}
	var df []uint32
	for _, e := range ex {
		seen := map[uint32]bool{}
		baselineGrams(e.Subject, e.Body, func(g uint64) {
			id, ok := b.vocab[g]
			if !ok {
				id = uint32(len(b.vocab))
				b.vocab[g] = id
				df = append(df, 0)
			}
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
		})
	}
	b.idf = idfOf(df, uint32(len(ex)))
	vecs := make([][]feature, len(ex))
	for i, e := range ex {
		vecs[i] = b.vector(e.Subject, e.Body)
	}
	for _, e := range ex {
		if !slices.Contains(b.labels, e.Category) {
			b.labels = append(b.labels, e.Category)
		}
	}
	slices.Sort(b.labels)
	y := make([]int, len(ex))
	sw := make([]float64, len(ex))
	for i, e := range ex {
		y[i], _ = slices.BinarySearch(b.labels, e.Category)
		sw[i] = 1
	}
	b.w = make([][]float64, len(b.labels))
	b.bias = make([]float64, len(b.labels))
	parallel(len(b.labels), 2, func(c int) {
		sign := make([]int8, len(y))
		for i, yi := range y {
			sign[i] = -1
			if yi == c {
				sign[i] = 1
			}
		}
		b.w[c], b.bias[c] = binarySVM(vecs, sign, sw, 1, uint64(c), len(b.vocab), 200)
	})
	return b
}

func (b *baseline) vector(subject, body string) []feature {
	tf := map[uint32]float32{}
	baselineGrams(subject, body, func(g uint64) {
		if id, ok := b.vocab[g]; ok {
			tf[id]++
		}
	})
	v := make([]feature, 0, len(tf))
	for id, c := range tf {
		v = append(v, feature{id, float32(1+math.Log(float64(c))) * b.idf[id]})
	}
	slices.SortFunc(v, func(a, b feature) int { return int(a.idx) - int(b.idx) })
	normalize(v)
	return v
}

func (b *baseline) predict(subject, body string) string {
	v := b.vector(subject, body)
	best, bestScore := 0, math.Inf(-1)
	for c := range b.labels {
		s := b.bias[c]
		for _, e := range v {
			s += b.w[c][e.idx] * float64(e.val)
		}
		if s > bestScore {
			best, bestScore = c, s
		}
	}
	return b.labels[best]
}
