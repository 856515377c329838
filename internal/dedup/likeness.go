package dedup

// Likeness is how alike two texts' words are, 0–1: the share of the
// shorter text's character pairs found in the longer, the measure Find
// scores candidates with. Other packages use it to tell whether two
// reports are about the same matter (repeat petitions).
func Likeness(a, b string) float64 { return overlap(bigrams(a), bigrams(b)) }
