package dedup

import (
	"slices"
	"unicode"
)

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

// NumbersDiffer reports whether two titles each give numbers and not the
// same ones: 3号楼 and 5号楼, 被骗23800元 and 被骗12300元, 12月3日 and
// 12月5日 are two buildings, two losses, two days, however alike the
// rest of their words. A title giving none says nothing against the other.
func NumbersDiffer(a, b string) bool {
	x, y := numbers(a), numbers(b)
	return len(x) > 0 && len(y) > 0 && !slices.Equal(x, y)
}

// numbers are the runs of digits of s (full-width ones read as ASCII),
// sorted and without repeats.
func numbers(s string) []string {
	var out []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out, run = append(out, string(run)), run[:0]
		}
	}
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			run = append(run, r)
		case '０' <= r && r <= '９':
			run = append(run, r-'０'+'0')
		case unicode.IsDigit(r):
			run = append(run, r)
		default:
			flush()
		}
	}
	flush()
	slices.Sort(out)
	return slices.Compact(out)
}
