// Package hot finds hot issues (热点问题): messages about the same matter —
// one place or group of people, one topic — grouped together and ranked by
// a heat index of how many people raised it, how often, and how many
// others backed it. It works on any messages with a subject, a body, a
// sender, a time and votes: the city's reports, or the 2020 Teddy Cup's
// hot-issue messages (`pingan hot`).
package hot

import (
	"cmp"
	"math"
	"pingan/internal/division"
	"pingan/internal/i18n"
	"pingan/internal/placename"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one message.
type Message struct {
	ID       string
	User     string
	Subject  string
	Body     string
	Time     time.Time
	Likes    int
	Dislikes int
	// Street is the street, road or estate the message's address names,
	// when it has one (the city's cases; the Teddy Cup messages have no
	// address).
	Street string
}

// Issue is a group of messages about one matter.
type Issue struct {
	Rank        int
	Heat        float64
	From, To    time.Time
	Place       string // the place or group of people it is about; X等 when its messages name several, X the most
	Description string // the subject that best stands for the group
	Messages    []Message
	Users       int
	Likes       int

	core string             // the named place, without its district
	sum  map[string]float64 // the members' vectors summed
	heat heatParts
}

// heatParts are what the heat index adds up, kept to recompute it when
// groups merge: each person's and each message's weight for recency (1
// when recency does not count), and the votes.
type heatParts struct {
	users    map[string]float64 // a person weighs as their latest message
	messages float64
	votes    int
}

func (h heatParts) heat() float64 {
	var users float64
	for _, w := range h.users {
		users += w
	}
	return heatPerUser*users + heatPerMessage*h.messages + heatPerLogVote*math.Log1p(float64(h.votes))
}

func (h *heatParts) add(user string, weight float64) {
	h.users[user] = max(h.users[user], weight)
	h.messages += weight
}

// Options tune the grouping.
type Options struct {
	// Threshold is the cosine similarity a message needs to join a group
	// (0 means 0.3).
	Threshold float64
	// HalfLife, when set, makes recency count: a message (and a person, by
	// their latest message) weighs half as much for every HalfLife it is
	// older than Now. Zero weighs all alike (the Teddy Cup's task).
	HalfLife time.Duration
	Now      time.Time
}

// weight is a message's weight in the heat index.
func (o Options) weight(t time.Time) float64 {
	if o.HalfLife <= 0 || !t.Before(o.Now) {
		return 1
	}
	return math.Exp2(-float64(o.Now.Sub(t)) / float64(o.HalfLife))
}

// The heat index: every distinct person who raised the matter counts 10,
// every message 2, and the votes (for or against: either is attention)
// 5 × ln(1 + votes). People count more than messages, so one person
// writing ten times is not a hot issue; votes count on a log scale, so one
// message with two thousand votes is not a hot issue either, while many
// people each backed by a few are.
const (
	heatPerUser    = 10
	heatPerMessage = 2
	heatPerLogVote = 5
)

// Find groups the messages and returns the issues, hottest first.
func Find(msgs []Message, o Options) []Issue {
	if o.Threshold <= 0 {
		o.Threshold = 0.3
	}
	vecs := vectorize(msgs)
	// Leader clustering, oldest first: a message joins the group whose
	// centroid it is most like, if like enough; else it starts a group.
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return msgs[a].Time.Compare(msgs[b].Time) })
	// A group keeps the sum of its members' vectors: its cosine with a
	// message is the dot product over the sum's length, and the length
	// updates without a pass over every term.
	type group struct {
		members []int
		sum     map[string]float64
		norm2   float64
	}
	var groups []*group
	index := map[string][]int{} // term → groups whose sum has it
	sim := func(v map[string]float64, g *group) (float64, float64) {
		var dot float64
		for t, w := range v {
			dot += w * g.sum[t]
		}
		return dot / math.Sqrt(g.norm2), dot
	}
	for _, i := range order {
		v := vecs[i]
		best, bestSim, bestDot := -1, 0.0, 0.0
		// Groups that share the message's weightiest terms are the
		// candidates (a group sharing only common ones is not like it);
		// those sharing the most weight are compared in full. Each term
		// looks among the groups that took it most lately: a matter being
		// raised now is among them, and a term in thousands of groups
		// (施工, 小区) does not make every message compare with all.
		shared := map[int]float64{}
		for _, t := range topTerms(v, probeTerms) {
			gs := index[t]
			for _, g := range gs[max(0, len(gs)-probeGroups):] {
				shared[g] += v[t]
			}
		}
		for _, g := range heaviest(shared, compareGroups) {
			if s, dot := sim(v, groups[g]); s > bestSim {
				best, bestSim, bestDot = g, s, dot
			}
		}
		if best >= 0 && bestSim >= o.Threshold {
			g := groups[best]
			g.members = append(g.members, i)
			for t, w := range v {
				if _, had := g.sum[t]; !had {
					index[t] = append(index[t], best)
				}
				g.sum[t] += w
			}
			g.norm2 += 2*bestDot + 1 // |s + v|² with |v| = 1
			continue
		}
		g := &group{members: []int{i}, sum: map[string]float64{}, norm2: 1}
		for t, w := range v {
			g.sum[t] = w
			index[t] = append(index[t], len(groups))
		}
		groups = append(groups, g)
	}
	var out []Issue
	for _, g := range groups {
		is := Issue{From: msgs[g.members[0]].Time, To: msgs[g.members[0]].Time}
		is.heat = heatParts{users: map[string]float64{}}
		bestRep, bestSim := -1, -1.0
		for _, i := range g.members {
			m := msgs[i]
			is.Messages = append(is.Messages, m)
			is.heat.add(m.User, o.weight(m.Time))
			is.Likes += m.Likes
			is.heat.votes += m.Likes + m.Dislikes
			if m.Time.Before(is.From) {
				is.From = m.Time
			}
			if m.Time.After(is.To) {
				is.To = m.Time
			}
			// The earliest of members alike to within rounding (the two
			// of a pair are exactly alike to their sum): sim adds in a
			// map's order, and the description, and the place ties go
			// to, should not change from one run to the next.
			if s, _ := sim(vecs[i], g); s > bestSim+1e-9 {
				bestRep, bestSim = i, s
			}
		}
		is.Users, is.Heat = len(is.heat.users), is.heat.heat()
		is.Description = strings.TrimSpace(msgs[bestRep].Subject)
		is.Place, is.core = place(is.Messages, is.Description)
		is.sum = g.sum
		out = append(out, is)
	}
	out = mergeByPlace(out)
	rank(out)
	return out
}

// rank orders issues by heat (then by their number of messages) and
// numbers them.
func rank(out []Issue) {
	slices.SortStableFunc(out, func(a, b Issue) int {
		if a.Heat != b.Heat {
			if a.Heat > b.Heat {
				return -1
			}
			return 1
		}
		return len(b.Messages) - len(a.Messages)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
}

// vectorize turns each message into TF-IDF weights of its character
// bigrams (the subject counted three times: it says what the matter is),
// normalised to unit length. Rare bigrams — names of estates, schools,
// companies — weigh most.
func vectorize(msgs []Message) []map[string]float64 {
	tfs := make([]map[string]float64, len(msgs))
	df := map[string]int{}
	for i, m := range msgs {
		tf := map[string]float64{}
		add := func(s string, w float64) {
			rs := []rune(s)
			for j := 0; j+1 < len(rs); j++ {
				if isWord(rs[j]) && isWord(rs[j+1]) {
					tf[string(rs[j:j+2])] += w
				}
			}
		}
		add(m.Subject, 3)
		body := []rune(m.Body)
		add(string(body[:min(len(body), 300)]), 1)
		for t := range tf {
			df[t]++
		}
		tfs[i] = tf
	}
	n := float64(len(msgs))
	for _, tf := range tfs {
		var norm float64
		for t, c := range tf {
			w := (1 + math.Log(c)) * math.Log(1+n/float64(df[t]))
			tf[t] = w
			norm += w * w
		}
		norm = math.Sqrt(norm)
		for t := range tf {
			tf[t] /= norm
		}
	}
	return tfs
}

// mergeByPlace joins groups about the same named place (丽发新城 written
// with one district or another) when their texts are alike at all: the
// first pass splits a matter that people describe in different words.
func mergeByPlace(issues []Issue) []Issue {
	byCore := map[string]int{}
	var out []Issue
	for _, is := range issues {
		if j, ok := byCore[is.core]; ok && estate.MatchString(is.core) && cosSum(out[j].sum, is.sum, is.core) >= mergeThreshold {
			m := &out[j]
			m.Messages = append(m.Messages, is.Messages...)
			for u, w := range is.heat.users {
				m.heat.users[u] = max(m.heat.users[u], w)
			}
			m.heat.messages += is.heat.messages
			m.heat.votes += is.heat.votes
			m.Likes += is.Likes
			for t, w := range is.sum {
				m.sum[t] += w
			}
			if is.From.Before(m.From) {
				m.From = is.From
			}
			if is.To.After(m.To) {
				m.To = is.To
			}
			if len(is.Messages) > len(m.Messages)-len(is.Messages) {
				m.Description = is.Description
			}
			m.Place, _ = place(m.Messages, m.Description) // of all it holds now
			m.Users, m.Heat = len(m.heat.users), m.heat.heat()
			continue
		}
		if is.core != "" {
			if _, ok := byCore[is.core]; !ok {
				byCore[is.core] = len(out)
			}
		}
		out = append(out, is)
	}
	return out
}

// estate is a named place people live or meet in — not an organisation
// (自来水公司 is in many unrelated complaints).
var estate = regexp.MustCompile(`^\p{Han}{2,}(?:小区|花园|家园|新城|之城|苑|村|社区|大厦|公寓|广场)$`)

// mergeThreshold is the likeness two groups about one place need to merge.
const mergeThreshold = 0.05

// cosSum is the cosine of two groups' summed vectors, leaving out the
// bigrams of place: both name it, and naming one place is not saying one
// thing about it (a quarrel and a water pipe in 东屿社区).
func cosSum(a, b map[string]float64, place string) float64 {
	rs := []rune(place)
	skip := map[string]bool{}
	for i := 0; i+1 < len(rs); i++ {
		skip[string(rs[i:i+2])] = true
	}
	var dot, na, nb float64
	for t, w := range a {
		if !skip[t] {
			dot += w * b[t]
			na += w * w
		}
	}
	for t, w := range b {
		if !skip[t] {
			nb += w * w
		}
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// probeTerms is how many of a message's terms look for its group.
const probeTerms = 12

// probeGroups is how many of the groups that hold a term, the latest to
// take it, a message looks at; compareGroups is how many of those, the
// ones sharing most of its weightiest terms, it compares with in full.
const (
	probeGroups   = 256
	compareGroups = 16
)

// topTerms returns a vector's n weightiest terms.
func topTerms(v map[string]float64, n int) []string { return heaviest(v, n) }

// heaviest returns the n keys of m with the largest values, ties in key
// order.
func heaviest[K cmp.Ordered, V int | float64](m map[K]V, n int) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b K) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	return ks[:min(n, len(ks))]
}

func isWord(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// roadNames are the city's known roads (division.Roads), longest first,
// each once.
var roadNames = sync.OnceValue(func() []string {
	var out []string
	for _, rs := range division.Roads {
		for _, r := range rs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	return out
})

// adminArea is an (anonymised) city, district or county: A市, A3区, K9县.
var adminArea = regexp.MustCompile(`[A-Z]\d{0,2}[市区县]`)

// place names what a group of messages is about: the named place or group
// they mention, with its district when most agree on one; else the road
// their titles name, else the street their addresses share. A name stands
// for the group when at least half of its messages give it and none is
// given by more; ties go to the name the group's description gives (so
// that the two agree), then to the one more titles give. When some
// messages give another name and not it, the label says so (龙山社区等):
// reports grouped for their words may be about several places, and naming
// one of them alone says the others' cases are about it.
func place(msgs []Message, description string) (label, core string) {
	names := make([][]string, len(msgs))
	roads := make([][]string, len(msgs))
	streets := make([][]string, len(msgs))
	titled := map[string]int{}
	areas := map[string]int{}
	for i, m := range msgs {
		for _, w := range placename.Names(m.Subject + "。" + m.Body) {
			if len([]rune(w)) >= 3 && !slices.Contains(names[i], w) {
				names[i] = append(names[i], w)
				if strings.Contains(m.Subject, w) {
					titled[w]++
				}
			}
		}
		for _, a := range adminArea.FindAllString(m.Subject+"。"+m.Body, -1) {
			if a != "A市" {
				areas[a]++
			}
		}
		for _, r := range roadNames() {
			if strings.Contains(m.Subject, r) {
				roads[i] = []string{r} // the longest a title names
				break
			}
		}
		if s := m.Street; s != "" && !township.MatchString(s) {
			streets[i] = []string{s}
		}
	}
	// Ties: the description's, then the name more titles give, then the
	// longer (the more particular), then any, but always the same.
	order := func(a, b string) int {
		return cmp.Or(cmp.Compare(b2i(strings.Contains(description, b)), b2i(strings.Contains(description, a))),
			cmp.Compare(titled[b], titled[a]), cmp.Compare(len(b), len(a)), cmp.Compare(a, b))
	}
	withOthers := func(name string, others bool) string {
		if others {
			return msgSeveral.Format(i18n.ZH, name)
		}
		return name
	}
	// The district the most messages name, none as often as another.
	area, areaN := "", 0
	for a, n := range areas {
		switch {
		case n > areaN:
			area, areaN = a, n
		case n == areaN:
			area = ""
		}
	}
	if best, n, others := consensus(names, order); n*2 >= len(msgs) {
		// A message naming no place may still be about somewhere else:
		// its title names a road (鹭江道邻里纠纷 beside 菽庄花园邻里纠纷),
		// or says what another's says with another name where that one
		// names the place (日光岩征地青苗补偿纠纷 beside
		// 内厝社区征地青苗补偿纠纷: 日光岩 ends in no place word).
		for i, m := range msgs {
			if others || len(names[i]) > 0 || strings.Contains(m.Subject, best) {
				continue
			}
			others = len(roads[i]) > 0 && !strings.Contains(best, roads[i][0]) ||
				slices.ContainsFunc(msgs, func(o Message) bool { return swapped(m.Subject, o.Subject, best) })
		}
		label = withOthers(best, others)
		if area != "" && areaN*2 >= len(msgs) {
			label = "A市" + area + label
		}
		return label, best
	}
	if area != "" {
		return "A市" + area, ""
	}
	// A street is where the matter is, not what it is: groups on one
	// street are not merged for it. A road the titles name comes first
	// (环岛南路一餐厅拖欠工资: where it happened), then the street the
	// addresses share (where the people who wrote are) — unless most
	// messages name places, none of them the group's: then the street of
	// some addresses is not where the matter is, and the caller says the
	// area (City: the township or district).
	if best, n, others := consensus(roads, order); n*2 >= len(msgs) {
		for i := range msgs { // a message naming no road may name another place (新圩社区发生两车追尾事故)
			others = others || len(roads[i]) == 0 && len(names[i]) > 0
		}
		return withOthers(best, others), ""
	}
	placed := 0
	for _, ns := range names {
		placed += b2i(len(ns) > 0)
	}
	if best, n, others := consensus(streets, order); n*2 >= len(msgs) && placed*2 < len(msgs) {
		return withOthers(best, others), ""
	}
	return "", ""
}

var msgSeveral = i18n.M("%s等", "%s and others")

// swapped reports whether subject is other with a name of two characters
// or more where other names place, the words after it being four or more
// (a title of the same matter somewhere else).
func swapped(subject, other, place string) bool {
	i := strings.Index(other, place)
	if i < 0 {
		return false
	}
	before, after := other[:i], other[i+len(place):]
	mid, ok := strings.CutPrefix(subject, before)
	if !ok || utf8.RuneCountInString(after) < 4 {
		return false
	}
	mid, ok = strings.CutSuffix(mid, after)
	return ok && utf8.RuneCountInString(mid) >= 2
}

// township is a street that names a township, not a street (an address
// with no road: 莲前街道): no place of its own.
var township = regexp.MustCompile(`(?:街道|镇|乡)$`)

// consensus returns the name the most messages give (given[i] are message
// i's names), ties going to the least by order; how many messages give
// it; and whether a message gives others and none that is it or part of
// it (金山小区 and 金山小区中心广场 are one place).
func consensus(given [][]string, order func(a, b string) int) (best string, n int, others bool) {
	count := map[string]int{}
	for _, ws := range given {
		for _, w := range ws {
			count[w]++
		}
	}
	for w, c := range count {
		if c > n || c == n && order(w, best) < 0 {
			best, n = w, c
		}
	}
	for _, ws := range given {
		if len(ws) > 0 && !slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, best) || strings.Contains(best, w) }) {
			others = true
		}
	}
	return best, n, others
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
