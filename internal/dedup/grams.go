package dedup

import (
	"hash/fnv"
	"slices"
	"unicode"
	"unicode/utf8"
)

// gram is a pair of adjacent letters (Chinese characters, letters,
// digits), the unit of comparison that survives rewording: 噪音扰民 and
// 噪声扰民 share 扰民. The two runes sit in one integer, so that a set of
// them is a sorted slice, compared by walking two slices side by side,
// with no string or map made per pair.
type gram uint64

// grams is a set of grams: sorted, each once.
type grams []gram

// bigrams are the distinct grams of a text.
func bigrams(s string) grams {
	out := make(grams, 0, len(s)/3+1)
	var prev rune
	for _, r := range s {
		if !letter(r) {
			prev = 0
			continue
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		if prev != 0 {
			out = append(out, gram(prev)<<32|gram(r))
		}
		prev = r
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// letter reports whether r is part of a word: a Chinese character, a
// letter or a digit. The common cases are decided without the tables.
func letter(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case 0x4E00 <= r && r <= 0x9FFF: // CJK Unified Ideographs
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// common counts the grams of a that b has too.
func (a grams) common(b grams) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// minus returns the grams of a that b has not.
func (a grams) minus(b grams) grams {
	out := make(grams, 0, len(a))
	j := 0
	for _, g := range a {
		for j < len(b) && b[j] < g {
			j++
		}
		if j == len(b) || b[j] != g {
			out = append(out, g)
		}
	}
	return out
}

// key is the repeat index's key of the gram in a district: a 63-bit FNV-1a
// hash of the district, a zero byte and the gram in UTF-8, so that the key
// is one integer. Two keys that collide only bring a case more to score.
func (g gram) key(area string) int64 {
	var buf [2 * utf8.UTFMax]byte
	b := utf8.AppendRune(buf[:0], rune(g>>32))
	b = utf8.AppendRune(b, rune(g&0xFFFFFFFF))
	h := fnv.New64a()
	h.Write([]byte(area))
	h.Write([]byte{0})
	h.Write(b)
	return int64(h.Sum64() &^ (1 << 63))
}
