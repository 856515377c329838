// Package casegen composes realistic cases — citizen reports, police
// incidents, petitions and disputes across Xiamen's districts — with
// complete histories that follow the lifecycle table, and bulk-loads them.
// The texts come from templates and vocabularies written for pingan (see
// topics.go and vocab.go); no third-party text is copied. The demo loads a
// few thousand; `pingan gen` loads millions for benchmarks.
package casegen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/division"
	"pingan/internal/i18n"
	"pingan/internal/secret"
)

// Cast names who plays the central roles in generated histories: the 12345
// centre's intake operator, dispatcher and callback operator, the city
// committee's verifier and supervisor.
type Cast struct {
	Intake, Dispatcher, Callback, Verifier, Supervisor Member
}

// Member is a user in a unit.
type Member struct {
	UserID, UnitID int64
}

// World is what the generator draws on: the organisation, its handlers and
// the catalogue, resolved to ids.
type World struct {
	Cast Cast
	// Units maps unit codes to ids.
	Units map[string]int64
	// Ancestors maps a unit id to its ancestors' (org.Unit.Ancestors):
	// the search index's scope of a case is its units and theirs.
	Ancestors map[int64][]int64
	// Handlers maps a unit id to a handler's user id there.
	Handlers map[int64]int64
	// Categories maps a category path "a/b/c" to its id.
	Categories map[string]int64
	// Families maps nature codes to their family.
	Families map[string]string
	Keys     *secret.Keyring
	Location *time.Location
	Prefix   string
	// Deadlines: the policies, the calendar and each category's code, so
	// that generated cases get the deadlines the service would give them.
	Policies      []deadline.Policy
	Calendar      *calendar.Calendar
	CategoryCodes map[int64]string
	// Focus are townships (division codes) one case in four is drawn in,
	// the others across the city: the demo's handlers work there, and
	// should find work waiting when they log in — half the cases drawn
	// there are matters the street office handles itself, which few
	// topics are. None: all across the city.
	Focus []string
}

// street is a township with its district, its villages (Villages) and
// the settings it offers the reports drawn there.
type street struct {
	div      division.Division
	district division.Division
	villages []string
	offers   setting
}

// setting is what a report needs of its township, or what a township
// offers: vehicles, villages, a town government.
type setting uint8

const (
	vehicles setting = 1 << iota // not CarFree
	village                      // it has Villages
	town                         // a 镇, not a 街道
)

func newStreet(div, district division.Division) street {
	s := street{div: div, district: district, villages: Villages(div.Code)}
	if !CarFree[div.Code] {
		s.offers |= vehicles
	}
	if len(s.villages) > 0 {
		s.offers |= village
	}
	if strings.HasSuffix(div.Name, "镇") {
		s.offers |= town
	}
	return s
}

// Generator produces cases.
type Generator struct {
	w       World
	rng     *rand.Rand
	streets []street
	focus   []street    // of World.Focus
	own     []int       // the topics a street office handles itself
	needs   [][]setting // of each topic's reports
	weights []int       // cumulative topic weights
	total   int
}

// New returns a generator seeded with seed.
func New(w World, seed uint64) (*Generator, error) {
	g := &Generator{w: w, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, d := range division.Children(division.XiamenCode) {
		for _, s := range division.Children(d.Code) {
			if !s.Statistical() {
				g.streets = append(g.streets, newStreet(s, d))
				if slices.Contains(w.Focus, s.Code) {
					g.focus = append(g.focus, newStreet(s, d))
				}
			}
		}
	}
	if len(g.focus) != len(w.Focus) {
		return nil, fmt.Errorf("focus %v: not all are townships of Xiamen", w.Focus)
	}
	for i, t := range Topics {
		if _, ok := w.Categories[strings.Join(t.Category, "/")]; !ok {
			return nil, fmt.Errorf("topic %d: category %v is not in the catalogue", i, t.Category)
		}
		g.total += t.Weight
		g.weights = append(g.weights, g.total)
		if t.Handler == "street" {
			g.own = append(g.own, i)
		}
		needs := make([]setting, len(t.Titles))
		for j := range t.Titles {
			if t.NeedsVehicles(j) {
				needs[j] |= vehicles
			}
			if t.NeedsVillage(j) {
				needs[j] |= village
			}
			if t.NeedsTown(j) {
				needs[j] |= town
			}
		}
		g.needs = append(g.needs, needs)
	}
	return g, nil
}

// Case is one generated case with its report, history and involved units.
type Case struct {
	Case     casework.Case
	Report   casework.Report
	Personal struct{ PhoneSealed, PhoneHash, IDSealed, IDHash string }
	Timeline []casework.Entry
	Units    []int64
	// Prepared before the write (prepare): the timeline's changes as
	// stored, and the rows of the scoring events (score.EventColumns).
	changes   []string
	eventRows []any
}

func (g *Generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// topic draws a topic (an index of Topics) by weight.
func (g *Generator) topic() int {
	n := g.rng.IntN(g.total)
	for i, w := range g.weights {
		if n < w {
			return i
		}
	}
	return len(Topics) - 1
}

// fill replaces a template's placeholders with words for street s.
// fill replaces each {key} of tmpl by word(key).
func fill(tmpl string, word func(key string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(word(tmpl[i+1 : i+j]))
		tmpl = tmpl[i+j+1:]
	}
}

// places draws the words of street s for one case: each place a
// template names (a road, an estate, a landmark, a community, a shop, a
// company) and each fact (a number, an amount, a date, a time, a count of
// days) is drawn
// once, so that the title, the body and the address speak of the same
// road and the same 23,800 yuan; names of people are drawn each time (a
// template's two names are two people).
//
// In a report set in a village (rural), {street} is one of the township's
// villages: the villagers of a report are a village's, not a 社区's.
func (g *Generator) places(s street, rural bool) func(key string) string {
	drawn := map[string]string{}
	return func(key string) string {
		switch key {
		case "road", "estate", "landmark", "street", "shop", "company", "n", "amount", "date", "time", "days":
			if w, ok := drawn[key]; ok {
				return w
			}
			var w string
			if key == "street" && rural {
				w = g.pick(s.villages)
			} else {
				w = g.word(key, s)
			}
			drawn[key] = w
			if _, ok := drawn["road"]; !ok && key == "street" && slices.Contains(Words("road", s.div.Code), w) {
				drawn["road"] = w // a community's road is the road of the address
			}
			return w
		}
		return g.word(key, s)
	}
}

var timesOfDay = []string{"凌晨一点", "凌晨两点多", "早上六点", "早上七点半", "上午九点", "中午十二点", "下午两点", "下午四点多",
	"傍晚六点", "晚上八点", "晚上九点半", "晚上十点", "晚上十一点", "半夜十二点"}

// Words are the words a place placeholder ({road}, {estate}, {landmark},
// {street}) of a township is filled with: its own roads, estates,
// landmarks or places (Streets) — where the vocabulary lists none of the
// kind, its places, so that a rural town's address names one of its
// villages rather than a road of another town. Nil for other keys.
func Words(key, township string) []string {
	var m map[string][]string
	switch key {
	case "road":
		m = Roads
	case "estate":
		m = Estates
	case "landmark":
		m = Landmarks
	case "street":
		m = Streets
	default:
		return nil
	}
	if xs := m[township]; len(xs) > 0 {
		return xs
	}
	return Streets[township]
}

// Villages are the villages (行政村) among a township's places (Streets):
// those named …村, but for a school quarter (集美学村) or a housing estate
// (…新村). A report set in a village (Topic.NeedsVillage) happens only in a
// township with some — the towns and the outer districts' 街道 that still
// have villages — and names one of them.
func Villages(township string) []string {
	var vs []string
	for _, p := range Streets[township] {
		if strings.HasSuffix(p, "村") && !strings.HasSuffix(p, "学村") && !strings.HasSuffix(p, "新村") {
			vs = append(vs, p)
		}
	}
	return vs
}

func (g *Generator) word(key string, s street) string {
	switch key {
	case "road", "estate", "landmark", "street":
		return g.pick(Words(key, s.div.Code))
	case "shop":
		return g.pick(Shops)
	case "company":
		return g.pick(Companies)
	case "name":
		return g.name()
	case "surname":
		return g.pick(Surnames)
	case "time":
		return g.pick(timesOfDay)
	case "days":
		return strconv.Itoa(2 + g.rng.IntN(40))
	case "n":
		return strconv.Itoa(2 + g.rng.IntN(8))
	case "amount":
		return strconv.Itoa((5 + g.rng.IntN(400)) * 100)
	case "date":
		return fmt.Sprintf("%d月%d日", 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	}
	return key
}

func (g *Generator) name() string { return g.pick(Surnames) + g.pick(GivenNames) }

var mobilePrefixes = []string{"133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180", "186", "187", "188", "189", "199"}

func (g *Generator) phone() string {
	return g.pick(mobilePrefixes) + fmt.Sprintf("%08d", g.rng.IntN(100000000))
}

// idNumber returns a valid resident ID number registered in district.
func (g *Generator) idNumber(district string) string {
	birth := time.Date(1945+g.rng.IntN(60), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	s := district + birth.Format("20060102") + fmt.Sprintf("%03d", g.rng.IntN(1000))
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(s[i]-'0') * weights[i]
	}
	return s + string("10X98765432"[sum%11])
}

// channel picks how a matter of this topic and nature reaches pingan.
func (g *Generator) channel(t Topic, nature string) casework.Channel {
	r := g.rng.IntN(100)
	family := g.w.Families[nature]
	switch {
	case family == "petition":
		return []casework.Channel{"letter", "visit", "web"}[r%3]
	case t.Domain == "police":
		if r < 88 {
			return "police_110"
		}
		return "hotline"
	case t.Domain == "dispute":
		switch {
		case r < 35:
			return "visit"
		case r < 65:
			return "hotline"
		case r < 85:
			return "grid"
		}
		return "letter"
	}
	switch {
	case r < 55:
		return "hotline"
	case r < 68:
		return "web"
	case r < 78:
		return "app"
	case r < 90:
		return "wechat"
	case r < 96:
		return "grid"
	}
	return "email"
}

// handlerUnit resolves a topic's handler to a unit for street s, and says
// which notes its handlers write (handlerNotes).
func (g *Generator) handlerUnit(t Topic, s street) (unit int64, notes string) {
	code := ""
	sc, dc := s.div.Code, s.district.Code
	switch h := t.Handler; {
	case h == "street":
		code = sc
	case h == "police":
		code = "PSB-" + sc
	case h == "justice":
		code = "JUS-" + sc
	case h == "mediation":
		code = "MED-" + sc
	case h == "court":
		code = "COURT-" + sc
		if _, ok := g.w.Units[code]; !ok {
			code = "COURT-" + dc
		}
	case h == "petition":
		code = "PETITION-" + dc
	case strings.HasPrefix(h, "dept:"):
		code = "DEPT-" + strings.TrimPrefix(h, "dept:") + "-" + dc
	case strings.HasPrefix(h, "city:"):
		code = "DEPT-" + strings.TrimPrefix(h, "city:") + "-" + division.XiamenCode
	}
	if id, ok := g.w.Units[code]; ok {
		return id, noteKind[t.Handler]
	}
	return g.w.Units[sc], "" // the street office takes what has no better home
}

// notes used in histories
var (
	dispatchNotes = []string{"请依职责核查处理，并按时反馈办理结果。", "请尽快联系来电人核实情况并处理。", "属贵单位辖区，请签收办理。", "群众反映强烈，请优先处置。"}
	// noteKind is the kind of notes (handlerNotes) a Topic.Handler writes;
	// others write the street offices' and departments'.
	noteKind = map[string]string{"police": "police", "mediation": "mediation", "justice": "mediation", "petition": "petition", "court": "court"}
	// What the handling unit writes as it signs for, works on and reports
	// back, by the kind of unit (Topic.Handler): a police station does
	// not "rectify", a mediation committee does not "collect evidence".
	handlerNotes = map[string]struct{ sign, handle, report []string }{
		"": { // street offices and line departments
			sign: []string{"已签收，安排专人办理。", "已签收，正在联系来电人。", "收到，已转交网格员核实。"},
			handle: []string{"已电话联系来电人，了解具体情况。", "工作人员已到现场核实，情况基本属实。", "已约谈相关责任方，要求限期整改。",
				"已协调物业及社区共同处理。", "已向相关部门发函协查。"},
			report: []string{"经现场核查，已责令责任方整改，现已处理完毕，并向来电人反馈。", "已督促相关单位落实整改措施，问题已解决。",
				"已依法作出处理，并将处理结果告知当事人。", "经核实，反映问题已整改到位，后续将加强巡查。", "已向来电人解释相关政策，来电人表示理解。"},
		},
		"police": {
			sign:   []string{"已签收，民警正赶赴现场。", "已签收，已指派社区民警跟进。", "收到，值班民警处置中。"},
			handle: []string{"民警已到场处置，正在了解情况。", "正在调取周边监控并走访群众。", "已对相关人员进行询问并制作笔录。", "已通知当事人到派出所说明情况。"},
			report: []string{"民警到场后已妥善处置，并向报警人反馈。", "经调查，已依法作出处理，并告知报警人处理结果。", "经民警现场调解，双方达成和解。",
				"已协助找到当事人，报警人表示感谢。"},
		},
		"mediation": {
			sign:   []string{"已签收，安排调解员跟进。", "已签收，已联系当事人约定调解时间。"},
			handle: []string{"调解员已分别联系双方当事人了解情况。", "已通知双方到调解室进行调解。", "已组织第一次调解，双方尚未达成一致。"},
			report: []string{"经调解，双方达成一致意见，已签订调解协议。", "经多次调解，双方就赔偿数额达成一致，已履行完毕。",
				"调解不成，已告知当事人可通过诉讼途径解决，并提供法律援助指引。"},
		},
		"petition": {
			sign:   []string{"已签收，安排专人接待信访人。", "已签收，正在调阅原办理材料。"},
			handle: []string{"已约见信访人，听取诉求并做好记录。", "已向相关职能部门调取材料、核实情况。", "已召开协调会研究化解方案。"},
			report: []string{"已依法依规作出书面答复意见，并送达信访人。", "经协调，信访人合理诉求已解决，信访人表示息诉。",
				"已向信访人释法明理，告知复查途径。"},
		},
		"court": {
			sign:   []string{"已签收，转执行局办理。"},
			handle: []string{"已查询被执行人名下财产。", "已约谈被执行人，责令申报财产。", "已向申请人说明执行进展。"},
			report: []string{"已对被执行人采取强制执行措施，执行款已发放申请人。", "被执行人暂无可供执行财产，已告知申请人并将持续关注。"},
		},
	}
	returnReasons = []string{"该事项不属于本单位职责范围，请重新派遣。", "地址不在本辖区，请核实后改派。", "诉求涉及多部门，建议由区级统筹。"}
	rejectReasons = []string{"反映事项属于民事纠纷，已告知来电人通过诉讼途径解决。", "诉求信息不全，多次联系来电人未果，无法核实。",
		"该事项已通过法定途径处理完毕，不再重复受理。", "反映内容不属于本平台受理范围，已告知相应渠道。"}
	reworkReasons   = []string{"核查发现问题未整改到位，请重新处理。", "反馈内容与现场情况不符，请返工。", "反馈缺少现场照片等佐证材料。"}
	extendReasons   = []string{"涉及多个部门协调，需延期办理。", "需等待鉴定结果，申请延期。", "当事人外出，暂无法调解，申请延期。"}
	suspendReasons  = []string{"案件已进入诉讼程序，等待法院判决。", "当事人住院治疗，暂停办理。", "需等待上级部门答复。"}
	rehandleReasons = []string{"来电人表示问题仍未解决，要求重新办理。", "回访不满意：整改后问题反复出现。"}
)

// can reports whether topic t's report i can happen in township s: one
// that needs vehicles not in a car-free township, one set in a village not
// in a township without villages, one the town government acts in only in
// a town.
func (g *Generator) can(t, i int, s street) bool { return g.needs[t][i]&^s.offers == 0 }

// fits reports whether a matter of topic t can happen in township s: it
// has a report that can (see can).
func (g *Generator) fits(t int, s street) bool {
	return slices.ContainsFunc(g.needs[t], func(n setting) bool { return n&^s.offers == 0 })
}

// report draws which of topic t's reports a case in township s is (one
// that can happen there: see can).
func (g *Generator) report(t int, s street) int {
	n := 0
	for i := range g.needs[t] {
		if g.can(t, i, s) {
			n++
		}
	}
	k := g.rng.IntN(n)
	for i := range g.needs[t] {
		if g.can(t, i, s) {
			if k == 0 {
				return i
			}
			k--
		}
	}
	panic("unreachable")
}

// Generate composes one case received at t (histories stop at now).
func (g *Generator) Generate(t, now time.Time) Case {
	ti := g.topic()
	s := g.streets[g.rng.IntN(len(g.streets))]
	if len(g.focus) > 0 && g.rng.IntN(4) == 0 {
		s = g.focus[g.rng.IntN(len(g.focus))]
		if len(g.own) > 0 && g.rng.IntN(2) == 0 {
			ti = g.own[g.rng.IntN(len(g.own))]
		}
	}
	for !g.fits(ti, s) {
		ti = g.topic()
	}
	tp := Topics[ti]
	nature := tp.Natures[0]
	if len(tp.Natures) > 1 && g.rng.IntN(3) == 0 {
		nature = tp.Natures[1+g.rng.IntN(len(tp.Natures)-1)]
	}
	family := g.w.Families[nature]
	ch := g.channel(tp, nature)
	prio := casework.Normal
	switch r := g.rng.IntN(100); {
	case r < 3:
		prio = casework.Emergency
	case r < 12:
		prio = casework.Urgent
	}
	i := g.report(ti, s)
	word := g.places(s, g.needs[ti][i]&village != 0)
	title, body := tp.Report(i)
	c := casework.Case{
		Title: fill(title, word), Nature: nature, CategoryID: g.w.Categories[strings.Join(tp.Category, "/")],
		Priority: prio, State: casework.Received, Channel: ch, IntakeUnitID: g.w.Cast.Intake.UnitID,
		DivisionCode: s.div.Code, ReceivedAt: t, ReportCount: 1, Version: 1,
	}
	c.Address = s.district.Name + s.div.Name + word("road") + strconv.Itoa(1+g.rng.IntN(300)) + "号"
	out := Case{Units: []int64{c.IntakeUnitID}}
	rep := casework.Report{Channel: ch, Title: c.Title, Body: fill(body, word), ReceivedAt: t,
		OccurredAt: t.Add(-time.Duration(g.rng.IntN(72*60)) * time.Minute), Address: c.Address,
		DivisionCode: s.div.Code, IntakeUnitID: c.IntakeUnitID, CreatedBy: g.w.Cast.Intake.UserID}
	if ch == "police_110" {
		rep.SourceRef = "110-" + t.In(g.w.Location).Format("20060102") + "-" // the loader appends the case id
	}
	if g.rng.IntN(100) >= 12 { // about one in eight reports is anonymous
		rep.ReporterName = g.name()
		ph := g.phone()
		rep.PhoneMasked, rep.HasPhone = casework.MaskPhone(ph), true
		out.Personal.PhoneSealed, _ = g.w.Keys.Seal(ph, "report.phone")
		out.Personal.PhoneHash = g.w.Keys.LookupHash("phone", ph)
		if family == "petition" || ch == "visit" {
			id := g.idNumber(s.district.Code)
			rep.IDMasked, rep.HasIDNumber = casework.MaskIDNumber(id), true
			out.Personal.IDSealed, _ = g.w.Keys.Seal(id, "report.id_number")
			out.Personal.IDHash = g.w.Keys.LookupHash("id_number", id)
		}
	}
	out.Report = rep
	h := &history{g: g, c: &c, out: &out, now: now, at: t}
	h.policy, _ = deadline.Choose(g.w.Policies, c.Nature, g.w.CategoryCodes[c.CategoryID], string(c.Priority))
	if !h.policy.Accept.Zero() {
		c.AcceptDueAt = h.policy.Accept.After(g.w.Calendar, t)
	}
	c.PolicyID = h.policy.ID
	casework.Clock(&c, h.policy.WarnRatio)
	out.Timeline = append(out.Timeline, casework.Entry{At: t, ActorID: g.w.Cast.Intake.UserID, UnitID: c.IntakeUnitID,
		Action: casework.Receive, ToState: casework.Received, Note: i18n.Plain(c.Title)})
	h.run(tp, s, family)
	c.UpdatedAt = h.at
	if len(out.Timeline) > 0 {
		c.UpdatedAt = out.Timeline[len(out.Timeline)-1].At
	}
	out.Case = c
	return out
}

// history walks a case through the lifecycle table, step by step, until the
// next step would happen after now.
type history struct {
	g      *Generator
	policy deadline.Policy
	c      *casework.Case
	out    *Case
	now    time.Time
	at     time.Time
}

// after advances the clock by a random duration in [lo, hi); false when
// that passes now (the case stays where it is).
func (h *history) after(lo, hi time.Duration) bool {
	d := lo + time.Duration(h.g.rng.Int64N(int64(hi-lo)+1))
	if h.at.Add(d).After(h.now) {
		return false
	}
	h.at = h.at.Add(d)
	return true
}

func (h *history) chance(pct int) bool { return h.g.rng.IntN(100) < pct }

// step records action a by m after mutate changes the case, moving the
// state as the table says and noting what changed, as the service would.
func (h *history) step(a casework.Action, m Member, note string, mutate func(c *casework.Case)) {
	before := *h.c
	if mutate != nil {
		mutate(h.c)
	}
	rows := casework.Rows(before.State, a)
	if len(rows) == 0 {
		panic(fmt.Sprintf("casegen: %s is not allowed in %s", a, before.State))
	}
	h.c.State = rows[0].Next(before.State, before.ResumeState)
	h.c.Version++
	casework.Clock(h.c, h.policy.WarnRatio)
	h.out.Timeline = append(h.out.Timeline, casework.Entry{At: h.at, ActorID: m.UserID, UnitID: m.UnitID, Action: a,
		FromState: before.State, ToState: h.c.State, Note: i18n.Plain(note), Changes: casework.Diff(before, *h.c, h.g.w.Location)})
}

func (h *history) involve(unit int64) {
	for _, u := range h.out.Units {
		if u == unit {
			return
		}
	}
	h.out.Units = append(h.out.Units, unit)
}

func (h *history) handler(unit int64) Member {
	return Member{UserID: h.g.w.Handlers[unit], UnitID: unit}
}

func (h *history) dispatch(unit int64, family string, cast Cast) {
	h.involve(unit)
	h.step(casework.Dispatch, cast.Dispatcher, h.g.pick(dispatchNotes), func(c *casework.Case) {
		c.HandlingUnitID, c.HandlerID, c.JurisdictionUnitID = unit, 0, unit
		h.deadlines(c, casework.Dispatch)
	})
}

// deadlines moves the case's deadlines for action now, as the service does.
func (h *history) deadlines(c *casework.Case, action casework.Action) {
	casework.SetDeadlines(c, action, h.policy, h.g.w.Calendar, h.at, time.Time{}, time.Time{})
}

func (h *history) run(tp Topic, s street, family string) {
	g, c, cast := h.g, h.c, h.g.w.Cast
	// Most reports are registered within the hour; some wait for details.
	wait := [2]time.Duration{3 * time.Minute, 90 * time.Minute}
	if h.chance(20) {
		wait = [2]time.Duration{2 * time.Hour, 36 * time.Hour}
	}
	if !h.after(wait[0], wait[1]) {
		return
	}
	if h.chance(5) {
		h.step(casework.Reject, cast.Intake, g.pick(rejectReasons), nil)
		return
	}
	h.step(casework.Register, cast.Intake, "", func(c *casework.Case) { h.deadlines(c, casework.Register) })
	unit, kind := g.handlerUnit(tp, s)
	// Some cases first go to a neighbouring street office, which returns them.
	if h.chance(7) {
		if !h.after(5*time.Minute, 3*time.Hour) {
			return
		}
		wrong := g.neighbour(s)
		h.dispatch(wrong, family, cast)
		if !h.after(30*time.Minute, 20*time.Hour) {
			return
		}
		h.step(casework.Return, h.handler(wrong), g.pick(returnReasons), func(c *casework.Case) {
			c.HandlingUnitID, c.HandlerID = 0, 0
			h.deadlines(c, casework.Return)
		})
	}
	if !h.after(5*time.Minute, 4*time.Hour) {
		return
	}
	h.dispatch(unit, family, cast)
	hm := h.handler(unit)
	// Signing: usually within the limit, sometimes late; a few never.
	if h.chance(2) || !h.after(10*time.Minute, c.SignDueAt.Sub(h.at)*5/4+time.Minute) {
		return
	}
	notes := handlerNotes[kind]
	h.step(casework.Sign, hm, g.pick(notes.sign), func(c *casework.Case) { c.HandlerID = hm.UserID })
	for round := 0; ; round++ {
		limit := max(c.DueAt.Sub(h.at), time.Hour)
		for range g.rng.IntN(3) {
			if !h.after(limit/20, limit/4) {
				return
			}
			h.step(casework.Handle, hm, g.pick(notes.handle), nil)
		}
		if round == 0 && h.chance(6) {
			if !h.after(time.Hour, limit/3+time.Hour) {
				return
			}
			h.step(casework.RequestExtension, hm, g.pick(extendReasons), func(c *casework.Case) {
				c.RequestedDueAt = c.DueAt.Add(time.Duration(5+g.rng.IntN(25)) * 24 * time.Hour)
			})
			if !h.after(time.Hour, 48*time.Hour) {
				return
			}
			if h.chance(75) {
				h.step(casework.ApproveExtension, cast.Supervisor, "同意延期。", func(c *casework.Case) {
					c.DueAt, c.RequestedDueAt, c.ExtensionCount = c.RequestedDueAt, time.Time{}, c.ExtensionCount+1
				})
			} else {
				h.step(casework.DenyExtension, cast.Supervisor, "理由不充分，请按期办结。", func(c *casework.Case) {
					c.RequestedDueAt = time.Time{}
				})
			}
		}
		if round == 0 && h.chance(2) {
			if !h.after(time.Hour, limit/2+time.Hour) {
				return
			}
			h.step(casework.Suspend, cast.Supervisor, g.pick(suspendReasons), func(c *casework.Case) {
				c.ResumeState, c.SuspendedAt = c.State, h.at
			})
			if !h.after(24*time.Hour, 20*24*time.Hour) {
				return
			}
			h.step(casework.Resume, cast.Supervisor, "", func(c *casework.Case) { h.deadlines(c, casework.Resume) })
		}
		// Report back: most on time, some late, a few left open (overdue).
		limit = max(c.DueAt.Sub(h.at), time.Hour)
		hi := limit * 9 / 10
		if h.chance(12) {
			hi = limit * 3 / 2
		}
		if h.chance(3) || !h.after(limit/10, hi) {
			return
		}
		h.step(casework.ReportBack, hm, g.pick(notes.report), nil)
		if !h.after(2*time.Hour, 48*time.Hour) {
			return
		}
		if round < 2 && h.chance(8) {
			h.step(casework.Rework, cast.Verifier, g.pick(reworkReasons), nil)
			continue
		}
		h.step(casework.Verify, cast.Verifier, "经核查，办理情况属实。", nil)
		if !h.after(4*time.Hour, 72*time.Hour) {
			return
		}
		if round < 2 && h.chance(6) {
			no := false
			h.step(casework.Rehandle, cast.Callback, g.pick(rehandleReasons), func(c *casework.Case) {
				c.Satisfaction, c.Resolved = "unsatisfied", &no
			})
			continue
		}
		yes := h.chance(85)
		resolved := &yes
		satisfaction := casework.Unreachable
		switch r := g.rng.IntN(100); {
		case r < 72:
			satisfaction = "satisfied"
		case r < 88:
			satisfaction = "basically_satisfied"
		case r < 95:
			satisfaction = "unsatisfied"
		}
		if satisfaction == casework.Unreachable {
			resolved = nil // nobody said
		}
		h.step(casework.CallBack, cast.Callback, "", func(c *casework.Case) { c.Satisfaction, c.Resolved = satisfaction, resolved })
		if !h.after(30*time.Minute, 24*time.Hour) {
			return
		}
		h.step(casework.CloseCase, cast.Dispatcher, "", func(c *casework.Case) { c.ClosedAt = h.at })
		return
	}
}

// neighbour returns the street office of another township in s's district.
func (g *Generator) neighbour(s street) int64 {
	for range 10 {
		o := g.streets[g.rng.IntN(len(g.streets))]
		if o.district.Code == s.district.Code && o.div.Code != s.div.Code {
			return g.w.Units[o.div.Code]
		}
	}
	return g.w.Units[s.district.Code]
}
