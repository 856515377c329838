package dedup

import (
	"hash/fnv"
	"slices"
	"strings"
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

// bigrams are the distinct grams of a text, less the words reports of
// every kind use (stopWords) and the pairs that straddle one of them: what
// is left says what the matter is, the words Find looks up and compares.
// 补偿纠纷 and 赔偿纠纷 would otherwise share 偿纠 and 纠纷, which say nothing
// of either.
func bigrams(s string) grams { return pairs(s, true) }

// allPairs are every distinct gram of a text: what Likeness and Dice
// compare, where two texts saying the same thing must share their small
// words too (没有亮 is not 一直亮).
func allPairs(s string) grams { return pairs(s, false) }

func pairs(s string, stops bool) grams {
	out := make(grams, 0, len(s)/3+1)
	var buf [64]rune
	run := buf[:0] // the letters of the current run, lowered
	for _, r := range s {
		if !letter(r) {
			out = appendRun(out, run, stops)
			run = run[:0]
			continue
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		run = append(run, r)
	}
	out = appendRun(out, run, stops)
	slices.Sort(out)
	return slices.Compact(out)
}

// appendRun appends the pairs of a run of letters; with stops, only those
// that touch no stop word.
func appendRun(out grams, run []rune, stops bool) grams {
	skip := 0     // pairs still to leave out after a stop word
	kept := false // whether the pair before this one was appended
	for i := 0; i+1 < len(run); i++ {
		g := gram(run[i])<<32 | gram(run[i+1])
		if stops && stopWords[g] {
			if kept { // it straddles the stop word's first letter
				out = out[:len(out)-1]
			}
			skip = 2 // the stop word and the pair straddling its last letter
		}
		if kept = skip == 0; kept {
			out = append(out, g)
		} else {
			skip--
		}
	}
	return out
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

// stopWords are the words reports of every kind use, whatever the matter:
// how citizens ask (反映, 请求, 希望尽快), what they call a matter (问题,
// 纠纷, 事项), where (社区, 小区, 附近), and who (居民, 业主). Two
// reports sharing only these are not about the same thing. Words that turn
// a matter round (没有, 不能, 无人, 一直) are not among them.
var stopWords = func() map[gram]bool {
	m := map[gram]bool{}
	for _, w := range strings.Fields(`
		反映 投诉 举报 咨询 建议 请求 要求 希望 尽快 解决 处理 关于 查处 落实
		问题 纠纷 争议 事项 事宜 情况 现象 隐患 信访
		社区 小区 村委 附近 周边 一带 门口 楼下 路段
		居民 村民 业主 市民 群众 本人 我们 家里 一家 有人
		长期 经常 每天 多次 至今 存在 严重 影响 导致 造成 引发 产生 相关 部门`) {
		r := []rune(w)
		m[gram(r[0])<<32|gram(r[1])] = true
	}
	return m
}()
