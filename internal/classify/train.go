package classify

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Example is one labelled message. Category is a label of the taxonomy as
// deep as it is known ("城乡建设", or a path such as "城乡建设/住房保障");
// Nature, when known, is a nature code ("complaint"). Either may be empty.
type Example struct {
	Subject, Body string
	Category      string
	Nature        string
	// Weak marks a label that is a guess (another model's output) rather
	// than a person's; it weighs TrainOptions.WeakWeight.
	Weak bool
	// Weight overrides the example's weight when positive.
	Weight float64
}

// TrainOptions tune training. The zero value gives the defaults.
type TrainOptions struct {
	Features Features // zero: DefaultFeatures
	// C is the SVM's cost: higher fits the training data more closely.
	C float64
	// WeakWeight is the weight of examples marked Weak (default 0.5).
	WeakWeight float64
	// Extra are further labelled examples — operators' confirmed or
	// corrected labels — trained on with weight ExtraWeight (default 1.5:
	// a person's recent decision on this city's messages counts for more
	// than the reference data).
	Extra       []Example
	ExtraWeight float64
	// CalibrationFolds is the number of folds whose held-out scores set the
	// softmax temperature of the confidences (default 3; negative: skip, the
	// temperature stays 1).
	CalibrationFolds int
	// Seed orders the coordinate descent; training is deterministic for a
	// given seed, data and options.
	Seed uint64
	// Workers bounds the goroutines used (default GOMAXPROCS).
	Workers int
	// Version names the model (default: the time of training).
	Version string
	// Now is the time recorded in the model (default time.Now).
	Now func() time.Time

	// maxEpochs bounds the coordinate descent's passes (default 200); tests
	// lower it where convergence does not matter.
	maxEpochs int
}

// Defaults chosen by cross-validation on the shared gold messages.
const (
	defaultC           = 2
	defaultWeakWeight  = 0.5
	defaultExtraWeight = 1.5
	defaultCalibFolds  = 3
	biasValue          = 1 // the constant feature that carries each class's bias
)

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Features == (Features{}) {
		o.Features = DefaultFeatures
	}
	if o.C <= 0 {
		o.C = defaultC
	}
	if o.WeakWeight <= 0 {
		o.WeakWeight = defaultWeakWeight
	}
	if o.ExtraWeight <= 0 {
		o.ExtraWeight = defaultExtraWeight
	}
	if o.CalibrationFolds == 0 {
		o.CalibrationFolds = defaultCalibFolds
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.maxEpochs <= 0 {
		o.maxEpochs = 200
	}
	return o
}

// ErrNoData is returned when there is nothing to learn from.
var ErrNoData = errors.New("classify: no labelled examples")

// Train learns a model from labelled examples (and opts.Extra): one linear
// one-vs-rest SVM per label of each head — category, and nature when at
// least two natures are labelled — over hashed character n-grams. Category
// labels may be paths into the taxonomy, at any depth: an example labelled
// "A/B" is an example of A too, and tells nothing of A's other children
// when labelled A alone.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	o := opts.withDefaults()
	if !o.Features.valid() {
		return nil, fmt.Errorf("classify: invalid features %+v", o.Features)
	}
	all := make([]Example, 0, len(examples)+len(o.Extra))
	all = append(all, examples...)
	for _, e := range o.Extra {
		if e.Weight <= 0 && !e.Weak {
			e.Weight = o.ExtraWeight
		}
		all = append(all, e)
	}
	start := time.Now()
	ds := prepare(all, o.Features, o.Workers)
	m := &Model{feat: o.Features, docs: uint32(len(all))}
	m.df, m.idf = documentFrequencies(ds.counts, nil, o.Features.Bits)
	vecs := ds.vectors(m.idf, nil, o.Workers)
	for _, h := range []struct {
		name  string
		label func(Example) string
	}{
		{HeadCategory, func(e Example) string { return CleanLabel(e.Category) }},
		{HeadNature, func(e Example) string { return cleanNature(e.Nature) }},
	} {
		labels, y, w := ds.targets(all, h.label, o)
		if len(labels) < 2 {
			continue
		}
		hd := trainHead(vecs, y, w, labels, o)
		hd.name = h.name
		if o.CalibrationFolds > 1 {
			hd.temp = calibrate(vecs, y, w, labels, o)
		}
		m.heads = append(m.heads, hd)
	}
	if len(m.heads) == 0 {
		return nil, ErrNoData
	}
	for i := range m.heads {
		m.heads[i].quantize()
	}
	m.build()
	m.Info = Info{
		Version:  o.Version,
		Created:  o.Now().UTC().Truncate(time.Second),
		Examples: len(all),
		Training: time.Since(start).Round(time.Millisecond).String(),
	}
	if m.Info.Version == "" {
		m.Info.Version = m.Info.Created.Format("20060102T150405Z")
	}
	for _, e := range all {
		if e.Weak {
			m.Info.Weak++
		}
	}
	return m, nil
}

// dataset is the featurised training set: raw (1 + ln tf) features per
// example, before IDF, so folds can each compute their own IDF.
type dataset struct {
	counts [][]feature
}

func prepare(ex []Example, f Features, workers int) dataset {
	ds := dataset{counts: make([][]feature, len(ex))}
	parallel(len(ex), workers, func(i int) {
		ds.counts[i] = f.counts(ex[i].Subject, ex[i].Body)
	})
	return ds
}

// documentFrequencies counts in how many of the examples in rows (all when
// nil) each bucket occurs and returns the counts and the smoothed IDF,
// ln((1+n)/(1+df)) + 1.
func documentFrequencies(counts [][]feature, rows []int, bits uint8) ([]uint32, []float32) {
	df := make([]uint32, 1<<bits)
	n := 0
	each(len(counts), rows, func(i int) {
		n++
		for _, e := range counts[i] {
			df[e.idx]++
		}
	})
	return df, idfOf(df, uint32(n))
}

func idfOf(df []uint32, n uint32) []float32 {
	idf := make([]float32, len(df))
	for b, d := range df {
		idf[b] = float32(math.Log(float64(1+n)/float64(1+d)) + 1)
	}
	return idf
}

// each calls fn for every index in rows, or for 0..n-1 when rows is nil.
func each(n int, rows []int, fn func(int)) {
	if rows == nil {
		for i := range n {
			fn(i)
		}
		return
	}
	for _, i := range rows {
		fn(i)
	}
}

// vectors applies idf to the examples in rows (all when nil) and
// L2-normalises them.
func (ds dataset) vectors(idf []float32, rows []int, workers int) [][]feature {
	if rows == nil {
		rows = make([]int, len(ds.counts))
		for i := range rows {
			rows[i] = i
		}
	}
	out := make([][]feature, len(rows))
	parallel(len(rows), workers, func(k int) {
		src := ds.counts[rows[k]]
		v := make([]feature, len(src))
		for j, e := range src {
			v[j] = feature{e.idx, e.val * idf[e.idx]}
		}
		normalize(v)
		out[k] = v
	})
	return out
}

// targets returns the sorted label set of one head (the ancestors of deep
// labels included), each example's class index (-1: unlabelled for this
// head) and its weight.
func (ds dataset) targets(ex []Example, label func(Example) string, o TrainOptions) ([]string, []int, []float64) {
	var labels []string
	for _, e := range ex {
		if l := label(e); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	labels = withAncestors(labels)
	slices.Sort(labels)
	y := make([]int, len(ex))
	w := make([]float64, len(ex))
	for i, e := range ex {
		y[i] = -1
		if l := label(e); l != "" {
			y[i], _ = slices.BinarySearch(labels, l)
		}
		switch {
		case e.Weight > 0:
			w[i] = e.Weight
		case e.Weak:
			w[i] = o.WeakWeight
		default:
			w[i] = 1
		}
	}
	return labels, y, w
}

// trainHead fits one binary SVM per label, in parallel: label c against
// the rest, where the examples of c's descendants count for c and those of
// its ancestors, which may or may not be c, sit out.
func trainHead(vecs [][]feature, y []int, w []float64, labels []string, o TrainOptions) head {
	nb := 1 << o.Features.Bits
	k := len(labels)
	h := head{labels: labels, w: make([]float32, nb*k), bias: make([]float32, k), temp: 1}
	t := treeOf(labels)
	parallel(k, o.Workers, func(c int) {
		sign := make([]int8, len(y))
		for i, yi := range y {
			switch {
			case yi < 0:
			case t.under(yi, c):
				sign[i] = 1
			case !t.under(c, yi):
				sign[i] = -1
			}
		}
		wc, b := binarySVM(vecs, sign, w, o.C, o.Seed+uint64(c), nb, o.maxEpochs)
		for j, v := range wc {
			h.w[j*k+c] = float32(v)
		}
		h.bias[c] = float32(b)
	})
	return h
}

// binarySVM solves the L2-regularised squared-hinge SVM of the examples
// whose sign is 1 against those whose sign is -1 by dual coordinate descent
// (Hsieh et al. 2008, as in LIBLINEAR), each example's cost being C times
// its weight. Examples of sign 0 are skipped.
func binarySVM(vecs [][]feature, ys []int8, sw []float64, C float64, seed uint64, nb, maxEpochs int) ([]float64, float64) {
	w := make([]float64, nb)
	var bias float64
	idx := make([]int, 0, len(vecs))
	for i := range vecs {
		if ys[i] != 0 && sw[i] > 0 {
			idx = append(idx, i)
		}
	}
	n := len(idx)
	alpha := make([]float64, n)
	qd := make([]float64, n)
	diag := make([]float64, n)
	sign := make([]float64, n)
	for k, i := range idx {
		diag[k] = 0.5 / (C * sw[i])
		qd[k] = diag[k] + biasValue*biasValue
		for _, e := range vecs[i] {
			qd[k] += float64(e.val) * float64(e.val)
		}
		sign[k] = float64(ys[i])
	}
	rng := rand.New(rand.NewPCG(seed, 0x9a17))
	order := make([]int, n)
	for k := range order {
		order[k] = k
	}
	const eps = 0.05 // on the spread of the projected gradient, as LIBLINEAR
	for range maxEpochs {
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		maxPG, minPG := math.Inf(-1), math.Inf(1)
		for _, k := range order {
			x := vecs[idx[k]]
			dot := bias * biasValue
			for _, e := range x {
				dot += w[e.idx] * float64(e.val)
			}
			g := sign[k]*dot - 1 + diag[k]*alpha[k]
			pg := g
			if alpha[k] == 0 && g > 0 {
				pg = 0
			}
			maxPG = max(maxPG, pg)
			minPG = min(minPG, pg)
			if math.Abs(pg) < 1e-12 {
				continue
			}
			old := alpha[k]
			alpha[k] = max(old-g/qd[k], 0)
			d := (alpha[k] - old) * sign[k]
			for _, e := range x {
				w[e.idx] += d * float64(e.val)
			}
			bias += d * biasValue
		}
		if maxPG-minPG < eps {
			break
		}
	}
	return w, bias * biasValue
}

// calibrate fits the softmax temperature on scores of examples held out
// from k-fold models, minimising the weighted negative log-likelihood of
// their root labels (the softmax over the roots; the levels below share
// its temperature).
func calibrate(vecs [][]feature, y []int, w []float64, labels []string, o TrainOptions) float32 {
	k := len(labels)
	tr := treeOf(labels)
	folds := foldsOf(len(vecs), o.CalibrationFolds, o.Seed)
	scores := make([][]float64, len(vecs))
	truth := make([]int, len(vecs)) // the index of the example's root among the roots
	for f := range o.CalibrationFolds {
		yf := slices.Clone(y)
		for i, fi := range folds {
			if fi == f {
				yf[i] = -1
			}
		}
		h := trainHead(vecs, yf, w, labels, o)
		all := make([]float64, k)
		for i, fi := range folds {
			if fi == f && y[i] >= 0 {
				h.scores(vecs[i], all)
				scores[i] = make([]float64, len(tr.roots))
				for j, r := range tr.roots {
					scores[i][j] = all[r]
				}
				truth[i] = slices.Index(tr.roots, tr.root(y[i]))
			}
		}
	}
	nll := func(t float64) float64 {
		var sum float64
		for i, s := range scores {
			if s == nil {
				continue
			}
			m := slices.Max(s)
			var z float64
			for _, v := range s {
				z += math.Exp((v - m) / t)
			}
			sum += w[i] * (math.Log(z) - (s[truth[i]]-m)/t)
		}
		return sum
	}
	// Golden-section search over ln t in [ln 0.02, ln 5].
	lo, hi := math.Log(0.02), math.Log(5)
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(math.Exp(a)), nll(math.Exp(b))
	for range 40 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(math.Exp(b))
		}
	}
	return float32(math.Exp((lo + hi) / 2))
}

// foldsOf assigns n examples to k folds at random (seeded), balanced.
func foldsOf(n, k int, seed uint64) []int {
	perm := rand.New(rand.NewPCG(seed, 0xf01d)).Perm(n)
	f := make([]int, n)
	for j, i := range perm {
		f[i] = j % k
	}
	return f
}

// StratifiedFolds assigns examples to k folds at random (seeded) so that
// each fold holds about the same share of every label.
func StratifiedFolds(labels []string, k int, seed uint64) []int {
	byLabel := map[string][]int{}
	for i, l := range labels {
		byLabel[l] = append(byLabel[l], i)
	}
	keys := make([]string, 0, len(byLabel))
	for l := range byLabel {
		keys = append(keys, l)
	}
	slices.SortFunc(keys, cmp.Compare)
	rng := rand.New(rand.NewPCG(seed, 0x57a7))
	f := make([]int, len(labels))
	next := 0
	for _, l := range keys {
		idx := byLabel[l]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			f[i] = next % k
			next++
		}
	}
	return f
}

// parallel runs fn(0..n-1) on up to workers goroutines. Each index is
// handled by exactly one call, so results written by index are
// deterministic.
func parallel(n, workers int, fn func(int)) {
	if workers <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
