package casegen

import (
	"slices"
	"strings"
)

// Repeat composes another report of the matter of a stored case, as a
// neighbour or the same citizen calling again would tell it: the topic's
// report the case's title was made from (any of its topic's, if the title
// is no template's), told afresh — its figures and dates drawn again — and
// naming the places the case names. ok is false when no topic has the
// category (none that can happen there, in a car-free township) or the
// division is not a township the generator knows.
func (g *Generator) Repeat(title, address, divisionCode string, categoryID int64) (newTitle, body string, ok bool) {
	var topics []int // indexes of Topics
	for t, tp := range Topics {
		if g.w.Categories[strings.Join(tp.Category, "/")] == categoryID {
			topics = append(topics, t)
		}
	}
	var s street
	for _, st := range g.streets {
		if st.div.Code == divisionCode {
			s, ok = st, true
		}
	}
	if len(topics) == 0 || !ok {
		return "", "", false
	}
	ti, i := topics[g.rng.IntN(len(topics))], -1
	for _, t := range topics {
		if j := slices.IndexFunc(Topics[t].Titles, func(x string) bool { return filled(x, title) }); j >= 0 {
			ti, i = t, j
			break
		}
	}
	if i < 0 {
		topics = slices.DeleteFunc(topics, func(t int) bool { return !g.fits(t, s) })
		if len(topics) == 0 {
			return "", "", false
		}
		if !g.fits(ti, s) {
			ti = topics[g.rng.IntN(len(topics))]
		}
		i = g.report(ti, s)
	}
	said := title + " " + address
	rural := g.needs[ti][i]&village != 0 && len(s.villages) > 0
	word := func(key string) string { return g.named(key, s, rural, said) }
	t, b := Topics[ti].Report(i)
	return fill(t, word), fill(b, word), true
}

// filled reports whether text may be tmpl with its placeholders filled
// in: it has the template's literal parts, in order, from end to end.
func filled(tmpl, text string) bool {
	var parts []string
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			parts = append(parts, tmpl)
			break
		}
		parts = append(parts, tmpl[:i])
		tmpl = tmpl[j+1:]
	}
	if len(parts) == 1 {
		return text == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(text, first) || !strings.HasSuffix(text[len(first):], last) {
		return false
	}
	text = text[len(first) : len(text)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		k := strings.Index(text, p)
		if k < 0 {
			return false
		}
		text = text[k+len(p):]
	}
	return true
}

// named is the word for placeholder key that text already names (a road,
// estate, landmark or community of street s), or a word drawn afresh — in
// a report set in a village (rural), {street} one of its villages.
func (g *Generator) named(key string, s street, rural bool, text string) string {
	for _, w := range Words(key, s.div.Code) {
		if strings.Contains(text, w) {
			return w
		}
	}
	if key == "street" && rural {
		return g.pick(s.villages)
	}
	return g.word(key, s)
}
