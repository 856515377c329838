package division

import (
	"slices"
	"strings"
	"sync"
)

// Mention is a division named in a text.
type Mention struct {
	Division Division
	Word     string // the words as written: 湖里区, 江头
	At       int    // byte offset in the text
}

// name is one way of writing a division.
type name struct {
	word string
	div  Division
	full bool
}

// names lists every district and township of the city by full name and by
// short form (江头街道, 江头), longest first. Statistical-only areas are
// named in full only.
var names = sync.OnceValue(func() []name {
	var out []name
	for _, d := range All() {
		if d.Level != District && d.Level != Street {
			continue
		}
		out = append(out, name{word: d.Name, div: d, full: true})
		if short := d.ShortName(); short != d.Name && !d.Statistical() {
			out = append(out, name{word: short, div: d})
		}
	}
	slices.SortStableFunc(out, func(a, b name) int { return len(b.word) - len(a.word) })
	return out
})

// lookalikes are place names that contain a division's short form but
// name another place: 鼓浪屿's 内厝澳 (内厝澳路, 内厝澳社区) is not
// 翔安's 内厝镇, 思明's 莲花五村 not 同安's 莲花镇, the coast roads 滨海西大道
// (同安) and 滨海东大道 (翔安) not 思明's 滨海街道, 祥和's 西洪塘 and 美林's
// 洪塘头 not 洪塘镇.
var lookalikes = []string{"内厝澳", "莲花五村", "滨海西大道", "滨海东大道", "西洪塘", "洪塘头"}

// Mentions finds the districts and townships a text names, in order,
// longest words first where two overlap ("湖里区" rather than "湖里").
// A short form that names both a district and a township of it (湖里,
// 集美, 海沧) is taken for the district: 集美大道 is a road, not 集美街道.
func Mentions(text string) []Mention {
	taken := make([]bool, len(text))
	for _, w := range lookalikes {
		for from := 0; ; {
			i := strings.Index(text[from:], w)
			if i < 0 {
				break
			}
			for k := from + i; k < from+i+len(w); k++ {
				taken[k] = true
			}
			from += i + len(w)
		}
	}
	var out []Mention
	for _, n := range names() {
		for from := 0; ; {
			i := strings.Index(text[from:], n.word)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(n.word)
			if slices.Contains(taken[at:at+len(n.word)], true) {
				continue
			}
			d := n.div
			if !n.full && d.Level == Street {
				if p, ok := ByCode(d.ParentCode); ok && p.ShortName() == n.word {
					continue // the district's short form; it is matched as the district
				}
			}
			for k := at; k < at+len(n.word); k++ {
				taken[k] = true
			}
			out = append(out, Mention{Division: d, Word: n.word, At: at})
		}
	}
	slices.SortFunc(out, func(a, b Mention) int { return a.At - b.At })
	return out
}

// Place is where a text says a matter is.
type Place struct {
	Division  Division // the most specific division the text settles on
	Words     []string // the words that said so
	Ambiguous bool     // it names places that do not agree (two districts, two townships)
}

// FromText settles the place a text names: a township (and its district,
// if named, must agree), or a district; Ambiguous when the mentions point
// to different places. ok is false when it names none.
func FromText(text string) (Place, bool) {
	ms := Mentions(text)
	if len(ms) == 0 {
		return Place{}, false
	}
	var p Place
	var street, district Division
	for _, m := range ms {
		if !slices.Contains(p.Words, m.Word) {
			p.Words = append(p.Words, m.Word)
		}
		d := m.Division
		switch d.Level {
		case Street:
			if street.Code != "" && street.Code != d.Code {
				p.Ambiguous = true
			}
			street = d
		case District:
			if district.Code != "" && district.Code != d.Code {
				p.Ambiguous = true
			}
			district = d
		}
	}
	switch {
	case street.Code != "":
		if district.Code != "" && street.ParentCode != district.Code {
			p.Ambiguous = true
		}
		p.Division = street
	default:
		p.Division = district
	}
	return p, true
}
