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
	Place       string // the place or group of people it is about
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
			if s, _ := sim(vecs[i], g); s > bestSim {
				bestRep, bestSim = i, s
			}
		}
		is.Users, is.Heat = len(is.heat.users), is.heat.heat()
		is.Description = strings.TrimSpace(msgs[bestRep].Subject)
		is.Place, is.core = place(is.Messages)
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
		if j, ok := byCore[is.core]; ok && estate.MatchString(is.core) && cosSum(out[j].sum, is.sum) >= mergeThreshold {
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
				m.Description, m.Place = is.Description, is.Place
			}
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

func cosSum(a, b map[string]float64) float64 {
	var dot, na, nb float64
	for t, w := range a {
		dot += w * b[t]
		na += w * w
	}
	for _, w := range b {
		nb += w * w
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

// placeWords are named places and groups of people: estates, schools,
// companies, villages, markets, and the groups who write.
var placeWords = regexp.MustCompile(`[\p{Han}A-Za-z0-9]{2,6}(?:小区|花园|家园|新城|之城|苑|广场|学院|大学|中学|小学|幼儿园|医院|有限(?:责任)?公司|公司|集团|市场|村|社区|大厦|公寓|搅拌站|车贷|地铁\d+号线|高铁站|工业园)`)

// placeSuffixes are the place words of placeWords, longest first.
// 有限公司 is one word, so that its 有 is not taken for the verb
// (恒通建设有限公司 is not 限公司) nor its 有限 for part of the name.
var placeSuffixes = []string{"有限责任公司", "有限公司", "幼儿园", "搅拌站", "工业园", "高铁站", "小区", "花园", "家园", "新城", "之城", "广场", "学院", "大学",
	"中学", "小学", "医院", "公司", "集团", "市场", "社区", "大厦", "公寓", "车贷", "苑", "村"}

// placeTraps are the words a place word begins rather than ends: 村民 are
// villagers (两户相邻村民 names no village), 大学生 and 小学生 students,
// 广场舞 a dance held anywhere (小区广场舞 is about the estate), 市场监管
// and 市场价 the market in the abstract. A place word followed by one of
// them is no place. 社区居民 and 公司员工 are still about the community
// and the company, and 村委会 about the village, so they are not here.
var placeTraps = map[string][]string{
	"村":  {"民"},
	"大学": {"生"},
	"中学": {"生"},
	"小学": {"生"},
	"广场": {"舞"},
	"市场": {"监管", "监督", "价", "秩序", "经济", "行情", "化", "准入", "主体", "部"},
}

// genericNames are words that say what kind of place, or which one, but
// are no name: 劳务公司, 物业公司 and 配套小学 are a labour-service
// company, the property company and the school promised with an estate,
// and every message about such a matter says them. A name made of these
// alone, or of one character before them (原物业公司, 问该公司), is no
// place; one with a proper name before them (恒通劳务公司) is. Single
// characters are here only when they seldom end a proper name (该, 菜).
var genericNames = []string{
	// trades and services
	"劳务", "物业", "装修", "建筑", "建设", "保洁", "中介", "快递", "外卖", "培训", "家政", "保安", "施工",
	"开发", "房产", "房地产", "地产", "搬家", "运输", "物流", "监理", "自来水", "供水", "燃气", "公交", "股份",
	// kinds of estate, school, hospital and market
	"配套", "安置", "住宅", "老旧", "商品房", "公立", "公办", "私立", "民办", "专科", "综合", "农贸", "菜",
	// where or which
	"附近", "周边", "周围", "旁边", "隔壁", "对面", "相邻", "本", "该", "此", "各", "每", "某", "总", "分", "一家", "两家", "几家", "多家", "整个",
}

// placeVerbs are the requests that come before a place in a sentence
// (建议增开文屏社区…): a place is what follows the last of them.
var placeVerbs = []string{"建议", "增开", "开通", "要求", "举报", "请求", "呼吁"}

// placeSuffix returns the place word w ends with.
func placeSuffix(w string) string {
	for _, x := range placeSuffixes {
		if strings.HasSuffix(w, x) {
			return x
		}
	}
	if i := strings.LastIndex(w, "地铁"); i >= 0 {
		return w[i:] // 地铁3号线
	}
	return ""
}

// placeNames returns the places text names, trimmed (trimPlace). A place
// word caught in a trap (placeTraps) or with no name before it is
// dropped; what comes before it, or what trimPlace cut off, is looked at
// again: 洞井村村民 is 洞井村, 金山小区物业公司 is 金山小区,
// 金山小区恒通有限公司 is both.
func placeNames(text string) []string {
	var names []string
	var scan func(from, to int)
	scan = func(from, to int) {
		for _, loc := range placeWords.FindAllStringIndex(text[from:to], -1) {
			start, end := from+loc[0], from+loc[1]
			suffix := placeSuffix(text[start:end])
			trapped := slices.ContainsFunc(placeTraps[suffix], func(t string) bool { return strings.HasPrefix(text[end:], t) })
			kept := suffix // never empty: placeWords ends in one
			if w := trimPlace(text[start:end]); w != "" && !trapped {
				names = append(names, w)
				kept = w
			}
			scan(start, end-len(kept))
		}
	}
	scan(0, len(text))
	return names
}

// trimPlace keeps the name in front of a place word: what follows the last
// function word, request or administrative area ("反映丽发新城" → 丽发新城,
// "建议增开文屏社区" → 文屏社区), the place word itself left whole (小区 is
// not cut at its 区). It returns "" when no name is left, or only a
// generic one (genericNames).
func trimPlace(w string) string {
	for _, v := range placeVerbs {
		if i := strings.LastIndex(w, v); i >= 0 {
			w = w[i+len(v):]
		}
	}
	suffix := placeSuffix(w)
	rs := []rune(strings.TrimSuffix(w, suffix))
	cut := 0
	for i, r := range rs {
		if strings.ContainsRune("的在了是和与及对向把被为于到从给让请将有无我你他们这那个市区县省镇乡路道街反映投诉关于咨询希望近示称", r) || r < unicode.MaxASCII {
			cut = i + 1
		}
	}
	name := string(rs[cut:])
	proper := withoutGeneric(name)
	switch n := utf8.RuneCountInString(proper); {
	case n == 0:
		return "" // a place word with no name before it, or a generic one
	case n == 1 && (proper != name || strings.HasSuffix(suffix, "公司") || suffix == "集团"):
		// One character before a generic word is no name (原物业公司,
		// 问该公司), nor is one before a company word: a company's name
		// has two at least, so 资有限公司 is 普惠投资有限公司 cut at the
		// 投 of 投诉.
		return ""
	}
	return name + suffix
}

// withoutGeneric returns name without the generic words (genericNames) it
// ends with: 恒通劳务 is 恒通, 一家物业 nothing.
func withoutGeneric(name string) string {
	for {
		i := slices.IndexFunc(genericNames, func(g string) bool { return strings.HasSuffix(name, g) })
		if i < 0 {
			return name
		}
		name = strings.TrimSuffix(name, genericNames[i])
	}
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

// namedRoad returns the known road the most of msgs' titles name, and how
// many name it.
func namedRoad(msgs []Message) (string, int) {
	count := map[string]int{}
	for _, m := range msgs {
		for _, r := range roadNames() {
			if strings.Contains(m.Subject, r) {
				count[r]++
				break // the longest a title names
			}
		}
	}
	if len(count) == 0 {
		return "", 0
	}
	best := heaviest(count, 1)[0]
	return best, count[best]
}

// adminArea is an (anonymised) city, district or county: A市, A3区, K9县.
var adminArea = regexp.MustCompile(`[A-Z]\d{0,2}[市区县]`)

// place names what a group of messages is about: the named place or group
// most of them mention, with its district when they agree on one; else the
// street their addresses share.
func place(msgs []Message) (label, core string) {
	count := map[string]int{}
	areas := map[string]int{}
	streets := map[string]int{}
	for _, m := range msgs {
		text := m.Subject + "。" + m.Body
		seen := map[string]bool{}
		for _, w := range placeNames(text) {
			if !seen[w] && len([]rune(w)) >= 3 {
				count[w]++
				seen[w] = true
			}
		}
		for _, a := range adminArea.FindAllString(m.Subject+"。"+m.Body, -1) {
			if a != "A市" {
				areas[a]++
			}
		}
		if m.Street != "" {
			streets[m.Street]++
		}
	}
	best, bestN := "", 0
	for w, n := range count {
		if n > bestN || n == bestN && len(w) > len(best) {
			best, bestN = w, n
		}
	}
	area, areaN := "", 0
	for a, n := range areas {
		if n > areaN || n == areaN && a < area {
			area, areaN = a, n
		}
	}
	if best == "" || bestN*2 < len(msgs) {
		best = ""
	}
	switch {
	case best != "" && area != "" && areaN*2 >= len(msgs):
		return "A市" + area + best, best
	case best != "":
		return best, best
	case area != "":
		return "A市" + area, ""
	}
	// A street is where the matter is, not what it is: groups on one
	// street are not merged for it. A road the titles name comes first
	// (环岛南路一餐厅拖欠工资: where it happened), then the street the
	// addresses share (where the people who wrote are).
	if r, n := namedRoad(msgs); n*2 >= len(msgs) {
		return r, ""
	}
	if len(streets) > 0 {
		if s := heaviest(streets, 1)[0]; streets[s]*2 >= len(msgs) {
			return s, ""
		}
	}
	return "", ""
}
