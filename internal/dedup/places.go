package dedup

import (
	"strings"

	"pingan/internal/placename"
)

// Two reports naming different communities, estates, villages or companies
// are about different matters, however alike their other words: 吕厝社区
// 残疾人家庭生活困难 and 蔡塘社区残疾人家庭生活困难 are two families in
// two neighbouring communities, often well within the radius of each other
// and in the same township and category. The finder drops such a candidate
// (placesDiffer); the places are found as the hot-issue finder finds them
// (placename).

// placesDiffer reports whether text, which names the places named
// (placename.Names), names another place of a kind a case's title names
// (another 社区, another 小区…) and none of the title's places of any kind:
// then it tells of a different matter. A text naming no such place (我们
// 小区的电梯), or the title's own among others, does not differ.
func placesDiffer(title, text string, named []string) bool {
	// Most titles name no place of the kinds the text names: those are
	// told apart without looking for the title's places.
	if !anyKindIn(title, named) {
		return false
	}
	titled := placename.Names(title)
	for _, t := range titled {
		if strings.Contains(text, core(t)) {
			return false
		}
	}
	for _, t := range titled {
		kind := placename.Suffix(t)
		for _, n := range named {
			if placename.Suffix(n) == kind && core(n) != core(t) {
				return true
			}
		}
	}
	return false
}

// anyKindIn reports whether title has the place word of any of names.
func anyKindIn(title string, names []string) bool {
	for _, n := range names {
		if strings.Contains(title, placename.Suffix(n)) {
			return true
		}
	}
	return false
}

// core is a place's name without its place word: 吕厝 of 吕厝社区.
func core(name string) string { return strings.TrimSuffix(name, placename.Suffix(name)) }
