package casegen

import "strings"

// Repeat composes another report of the matter of a stored case, as a
// neighbour or the same citizen calling again would tell it: a title and a
// body from the templates of a topic with the case's category, drawn
// afresh (so in other words), naming the places the case names where the
// templates ask for a place. ok is false when no topic has the category or
// the division is not a township the generator knows.
func (g *Generator) Repeat(title, address, divisionCode string, categoryID int64) (newTitle, body string, ok bool) {
	var topics []Topic
	for _, t := range Topics {
		if g.w.Categories[strings.Join(t.Category, "/")] == categoryID {
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
	tp := topics[g.rng.IntN(len(topics))]
	said := title + " " + address
	word := func(key string) string { return g.named(key, s, said) }
	newTitle = fill(g.pick(tp.Titles), word)
	for range 3 { // other words than the case's, where the topic has them
		if newTitle != title {
			break
		}
		newTitle = fill(g.pick(tp.Titles), word)
	}
	return newTitle, fill(g.pick(tp.Bodies), word), true
}

// named is the word for placeholder key that text already names (a road,
// estate, landmark or community of street s), or a word drawn afresh.
func (g *Generator) named(key string, s street, text string) string {
	var words []string
	switch key {
	case "road":
		words = Roads[s.district.Code]
	case "estate":
		words = Estates[s.district.Code]
	case "landmark":
		words = Landmarks[s.district.Code]
	case "street":
		words = Streets[s.div.Code]
	}
	for _, w := range words {
		if strings.Contains(text, w) {
			return w
		}
	}
	return g.word(key, s)
}
