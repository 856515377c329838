package classify

import (
	"math"
	"sync"
	"unicode"
)

// Features says how a message becomes a vector. It is stored in the model
// file, so a model always featurises the way it was trained.
//
// Subject and body are separate namespaces: the same n-gram in the title
// and in the text are different features. Each feature's value is
// (1 + ln tf) · idf, times the weight of its n-gram length and, in the
// subject, SubjectWeight; then the whole vector is L2-normalised.
type Features struct {
	Bits          uint8      // the hashed space has 1<<Bits buckets
	Orders        [4]float32 // weights of character n-grams of length 1–4; 0 leaves a length out
	SubjectWeight float32    // scale of the subject's part of the vector
	Seed          uint64     // hash seed
}

// maxN is the longest n-gram used.
func (f *Features) maxN() int {
	n := 0
	for i, w := range f.Orders {
		if w > 0 {
			n = i + 1
		}
	}
	return n
}

func (f *Features) valid() bool {
	return f.Bits >= 10 && f.Bits <= 24 && f.maxN() > 0 && f.SubjectWeight >= 0
}

// DefaultFeatures are the settings chosen by cross-validation on the shared
// gold messages (see docs/BENCHMARKS.md).
var DefaultFeatures = Features{Bits: 18, Orders: [4]float32{1, 1, 0, 0}, SubjectWeight: 1.5, Seed: 0x5eed_9a17}

// namespaces of the hashed features.
const (
	nsSubject = 1
	nsBody    = 2
)

// normalise maps a rune to the form n-grams are built from: full-width ASCII
// to half-width, letters to lower case, every digit to '0' (numbers, dates
// and phone numbers say little about the category), and all white space to
// one space. It returns -1 for runes to drop.
func normalise(r rune) rune {
	if r >= 0x4E00 && r <= 0x9FFF { // CJK unified ideographs: most of the text
		return r
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	switch {
	case r >= '0' && r <= '9':
		return '0'
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	case r < 0x80:
		if r == '\n' || r == '\t' || r == '\r' || r == ' ' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	case unicode.IsSpace(r):
		return ' '
	case unicode.IsDigit(r):
		return '0'
	}
	return unicode.ToLower(r)
}

// runesOf appends the normalised runes of s to dst, collapsing runs of
// white space and of digits into one.
func runesOf(dst []rune, s string) []rune {
	var prev rune = -2
	for _, r := range s {
		r = normalise(r)
		if r < 0 || (r == prev && (r == ' ' || r == '0')) {
			continue
		}
		dst = append(dst, r)
		prev = r
	}
	return dst
}

const (
	mulA = 0x9E3779B97F4A7C15
	mulB = 0xBF58476D1CE4E5B9
)

// mix folds one rune into a running n-gram hash.
func mix(h uint64, r rune) uint64 {
	h ^= uint64(r)
	h *= mulA
	h ^= h >> 29
	return h
}

// finish turns a running hash into a bucket.
func finish(h uint64, bits uint8) uint32 {
	h ^= h >> 31
	h *= mulB
	h ^= h >> 32
	return uint32(h >> (64 - bits))
}

// feature is one nonzero entry of a sparse vector.
type feature struct {
	idx uint32
	val float32
}

// scratch is per-goroutine working memory for featurising: counts per
// bucket and the list of buckets touched, so resetting costs only what was
// used.
type scratch struct {
	// cell holds per bucket the count (low 13 bits, saturating) and the
	// length of the bucket's first n-gram (high 3 bits): one small memory
	// access for both.
	cell    []uint16
	touched []uint32
	runes   []rune
}

var scratchPool sync.Pool

func getScratch(bits uint8) *scratch {
	if s, ok := scratchPool.Get().(*scratch); ok && len(s.cell) == 1<<bits {
		return s
	}
	return &scratch{cell: make([]uint16, 1<<bits)}
}

// logTF caches 1 + ln tf for small counts.
var logTF = func() [256]float32 {
	var t [256]float32
	for i := 1; i < len(t); i++ {
		t[i] = float32(1 + math.Log(float64(i)))
	}
	return t
}()

func sublinear(c uint32) float32 {
	if int(c) < len(logTF) {
		return logTF[c]
	}
	return float32(1 + math.Log(float64(c)))
}

// hashText counts the hashed n-grams of one namespace of a text into s.
func (f *Features) hashText(s *scratch, text string, ns uint64) {
	s.runes = runesOf(s.runes[:0], text)
	rs := s.runes
	seed := f.Seed*mulB + ns
	maxN := f.maxN()
	for i := range rs {
		h := seed
		for n := 1; n <= maxN && i+n <= len(rs); n++ {
			h = mix(h, rs[i+n-1])
			if f.Orders[n-1] == 0 {
				continue
			}
			b := finish(h+uint64(n), f.Bits)
			switch c := s.cell[b]; {
			case c == 0:
				s.touched = append(s.touched, b)
				s.cell[b] = uint16(n)<<13 | 1
			case c&countMask < countMask:
				s.cell[b]++
			}
		}
	}
}

const countMask = 1<<13 - 1

// take returns the value of a bucket counted in s, before IDF, and clears
// the bucket.
func (f *Features) take(s *scratch, b uint32) float32 {
	c := s.cell[b]
	s.cell[b] = 0
	return sublinear(uint32(c&countMask)) * f.Orders[c>>13-1]
}

// flush turns the counts in s into weighted features (without IDF when idf
// is nil), appends them to dst and resets s.
func (f *Features) flush(dst []feature, s *scratch, idf []float32, scale float32) []feature {
	for _, b := range s.touched {
		v := f.take(s, b) * scale
		if idf != nil {
			v *= idf[b]
		}
		dst = append(dst, feature{b, v})
	}
	s.touched = s.touched[:0]
	return dst
}

// counts returns the raw (1 + ln tf) features of a message, before IDF and
// normalisation; training computes IDF from these.
func (f *Features) counts(subject, body string) []feature {
	s := getScratch(f.Bits)
	defer scratchPool.Put(s)
	var dst []feature
	f.hashText(s, subject, nsSubject)
	dst = f.flush(dst, s, nil, f.SubjectWeight)
	f.hashText(s, body, nsBody)
	return f.flush(dst, s, nil, 1)
}

func normalize(v []feature) {
	var ss float64
	for _, e := range v {
		ss += float64(e.val) * float64(e.val)
	}
	if ss == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(ss))
	for i := range v {
		v[i].val *= inv
	}
}
