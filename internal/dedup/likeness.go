package dedup

// Likeness is the symmetric share of adjacent-letter pairs two texts have
// in common (the Dice coefficient), 0–1. Unlike the candidates' text score,
// which a short title found inside a long report fills, it is near 1 only
// when the two say nearly the same thing: what merging on its own needs.
func Likeness(a, b string) float64 {
	x, y := bigrams(a), bigrams(b)
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	n := 0
	for w := range x {
		if y[w] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(x)+len(y))
}
