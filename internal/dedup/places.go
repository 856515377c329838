package dedup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Two reports naming different communities, estates or villages are about
// different matters, however alike their other words: 吕厝社区残疾人家庭
// 生活困难 and 蔡塘社区残疾人家庭生活困难 are two families in two
// neighbouring communities, often well within the radius of each other and
// in the same township and category. The finder and the demo's merges
// refuse such a pair (PlacesDiffer).

// placeKinds are the endings of the names of places smaller than a street
// that reports name: communities, estates, villages, buildings, schools,
// hospitals, markets and parks. Longer endings first: 新村 before 村.
var placeKinds = []string{"社区", "小区", "新村", "花园", "公寓", "大厦", "小学", "中学", "幼儿园", "医院", "市场", "公园", "村"}

// placeStem is how many characters before its ending name a place: enough
// to tell 吕厝社区 from 蔡塘社区, and found alike in both texts (金鸡亭社区
// is 鸡亭 in each).
const placeStem = 2

// notAName are characters that do not occur in the two characters before
// 小区 or 社区 when those name a place but do when the text speaks of one
// without naming it (我们小区, 旁边小区, 材料交到社区, 问社区).
const notAName = "我你他她它们这那哪个边近周的了在和与到里楼该本此各每些问说找去向给被把对从隔壁附整全两几多同其"

// place is a named place: its stem and its kind (an index into placeKinds).
type place struct {
	stem string
	kind int
}

// namedPlaces returns the places text names.
func namedPlaces(text string) []place {
	var out []place
	for i := 0; i < len(text); {
		kind := -1
		for k, suffix := range placeKinds {
			if strings.HasPrefix(text[i:], suffix) {
				kind = k
				break
			}
		}
		if kind < 0 {
			_, n := utf8.DecodeRuneInString(text[i:])
			i += n
			continue
		}
		if stem, ok := stemBefore(text[:i]); ok {
			out = append(out, place{stem, kind})
		}
		i += len(placeKinds[kind])
	}
	return out
}

// stemBefore returns the placeStem characters that end before, when they
// can be a name.
func stemBefore(before string) (string, bool) {
	end := len(before)
	start := end
	for range placeStem {
		r, n := utf8.DecodeLastRuneInString(before[:start])
		if n == 0 || !unicode.Is(unicode.Han, r) || strings.ContainsRune(notAName, r) {
			return "", false
		}
		start -= n
	}
	return before[start:end], true
}

// PlacesDiffer reports whether text names another place of a kind that a
// case's title names, and none of the places of that kind the title names:
// then it tells of a different matter. A text naming no such place (我们
// 小区的电梯) or the title's own (among others) does not differ.
func PlacesDiffer(title, text string) bool {
	return placesDiffer(namedPlaces(title), text, namedPlaces(text))
}

// placesDiffer is PlacesDiffer with the places of the title and of the
// text already found.
func placesDiffer(titled []place, text string, named []place) bool {
	for _, t := range titled {
		if strings.Contains(text, t.stem) {
			return false
		}
	}
	for _, t := range titled {
		for _, n := range named {
			if n.kind == t.kind && n.stem != t.stem {
				return true
			}
		}
	}
	return false
}
