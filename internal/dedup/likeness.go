package dedup

// Likeness is how alike two texts' words are, 0–1: the share of the
// shorter text's character pairs found in the longer, the measure Find
// scores candidates with (Find on the pairs the common words leave, this
// on every pair). Other packages use it to tell whether two reports are
// about the same matter (repeat petitions).
func Likeness(a, b string) float64 { return overlap(allPairs(a), allPairs(b)) }

// Dice is the symmetric share of character pairs two texts have in common
// (the Dice coefficient), 0–1. Unlike Likeness, which a short title found
// inside a long report fills, it is near 1 only when the two say nearly
// the same thing: what merging on its own needs.
func Dice(a, b string) float64 {
	x, y := allPairs(a), allPairs(b)
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	return 2 * float64(x.common(y)) / float64(len(x)+len(y))
}
