package dedup_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/dedup"
	"pingan/internal/i18n"
)

var ctx = context.Background()

func take(t *testing.T, env *apptest.Env, body, address string, lat, lon float64) string {
	t.Helper()
	in := casework.ReportInput{Channel: "hotline", Body: body, Address: address}
	if lat != 0 {
		in.Location = &casework.Point{Lat: lat, Lon: lon}
	}
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatal(err)
	}
	return res.Case.Number
}

func pt(v float64) *float64 { return &v }

func TestFindRepeats(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	noise := take(t, env, "江头北路某工地夜间施工噪音扰民，凌晨一点还在打桩", "湖里区江头北路", 24.5120, 118.1460)
	light := take(t, env, "江头北路路灯不亮，晚上很黑", "湖里区江头北路", 24.5121, 118.1461)
	far := take(t, env, "莲前西路工地夜间施工噪音扰民", "思明区莲前西路", 24.4792, 118.0894)
	env.Clock.Advance(2 * time.Hour)
	actor := env.Actor(t, "intake")

	// The same complaint in other words, 200 m away: the noise case first.
	q := dedup.Query{Text: "投诉：江头北路那个工地晚上打桩噪声太大，扰民", Lat: pt(24.5138), Lon: pt(118.1460)}
	got, err := s.Find(ctx, actor, q, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Number != noise || got[0].Meters == nil || *got[0].Meters > 300 || len(got[0].Reasons) < 2 {
		t.Fatalf("candidates: %+v", got)
	}
	for _, c := range got {
		if c.Number == far {
			t.Errorf("a case in another district: %+v", c)
		}
		if c.Number == light && c.Score >= got[0].Score {
			t.Errorf("the street-light case scores as high as the noise case: %+v", got)
		}
	}
	// Outside the window: nothing.
	q.At = env.Clock.Now().Add(40 * 24 * time.Hour)
	if got, _ := s.Find(ctx, actor, q, i18n.ZH); len(got) != 0 {
		t.Errorf("after the window: %+v", got)
	}
	q.At = time.Time{}
	// A closed case is not a candidate.
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), noise, casework.Reject, casework.ActionInput{Reason: "重复"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Find(ctx, actor, q, i18n.ZH); len(got) > 0 && got[0].Number == noise {
		t.Errorf("a rejected case is a candidate: %+v", got)
	}
	// Without a place there is nowhere to look.
	if got, _ := s.Find(ctx, actor, dedup.Query{Text: "工地夜间施工噪音扰民"}, i18n.ZH); len(got) != 0 {
		t.Errorf("without a place: %+v", got)
	}
	// A user who cannot see the cases finds none of them.
	if got, _ := s.Find(ctx, env.Actor(t, "gulangyu"), dedup.Query{Text: "江头北路路灯不亮", DivisionCode: "350206004"}, i18n.ZH); len(got) != 0 {
		t.Errorf("out of scope: %+v", got)
	}
	if got, _ := s.Find(ctx, access.System("t"), dedup.Query{Text: "江头北路路灯不亮了", DivisionCode: "350206004"}, i18n.ZH); len(got) == 0 || got[0].Number != light {
		t.Errorf("by area: %+v", got)
	}
}

// A lookup by the title alone (Probe, as intake's near-exact check makes)
// finds the case a near-exact repeat repeats, and not a case whose title
// shares only the place.
func TestProbeFindsNearExact(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	in := func(title, body string) string {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: title, Body: body, Address: "思明区莲前西路88号", DivisionCode: "350203008", KeepSeparate: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Number
	}
	cover := in("莲前西路88号井盖缺失", "莲前西路88号人行道井盖缺失，晚上很危险。")
	tree := in("莲前西路88号行道树倒伏", "莲前西路88号的行道树被风吹倒，挡住了路。")
	q := dedup.Query{Text: "莲前西路88号井盖缺失\n思明区莲前西路88号\n井盖还是没有，请尽快处理。", DivisionCode: "350203008",
		Probe: "莲前西路88号井盖缺失", ProbePlace: "思明区莲前西路88号"}
	got, err := s.Find(ctx, env.Actor(t, "intake"), q, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Number != cover {
		t.Fatalf("by the title: %+v, want %s first", got, cover)
	}
	for _, c := range got {
		if c.Number == tree {
			t.Errorf("a case sharing only the place: %+v", c)
		}
	}
}

// A case at the report's place is a candidate when it shares the matter's
// words; one that shares only the words every report uses (纠纷, 社区, 反映),
// or the matter but only the district (the same kind of thing at another
// place), is not.
func TestCandidatesShareTheMatterAtThePlace(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	open := func(title, address, division string) string {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: title, Body: title + "，请尽快处理。", Address: address, DivisionCode: division, KeepSeparate: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Number
	}
	// 江头街道 (350206004) and 湖里街道 (350206001), both in 湖里区.
	compensation := open("社区征地青苗补偿纠纷", "湖里区创新路108号", "350206004")
	crash := open("外卖骑手撞伤老人赔偿纠纷", "湖里区创新路110号", "350206004")
	theft := open("车棚电动车被盗", "湖里区华泰路8号", "350206001")
	parking := open("小区停车问题", "湖里区华泰路10号", "350206001")
	env.Clock.Advance(time.Hour)
	actor := access.System("t")
	for _, tc := range []struct {
		name, text, division string
		want, not            string
	}{
		{"the same matter reworded, same street", "创新路社区征地后青苗补偿款一直没给\n湖里区创新路108号", "350206004", compensation, crash},
		{"another matter, same street, generic words alike", "创新路小区两户老人因楼道堆放杂物吵架，反映邻里纠纷问题严重，希望社区调解\n湖里区创新路", "350206004", "", crash},
		{"the same kind of matter in another township", "江头一电动车被盗\n湖里区江头北路5号", "350206004", "", theft},
		// A title of common words but one pair: its repeat shares that one.
		{"the same short title again", "小区停车问题\n湖里区华泰路10号\n小区停车问题", "350206001", parking, theft},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Find(ctx, actor, dedup.Query{Text: tc.text, DivisionCode: tc.division}, i18n.ZH)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && (len(got) == 0 || got[0].Number != tc.want) {
				t.Errorf("want %s first: %+v", tc.want, got)
			}
			for _, c := range got {
				if c.Number == tc.not || tc.want == "" {
					t.Errorf("%s is a candidate: %+v", c.Number, c)
				}
			}
		})
	}
}

// TestAnotherCommunityIsAnotherMatter: a report naming another community
// than an open case's title is not its repeat, however alike the rest of
// their words, however near; the same community's is.
func TestAnotherCommunityIsAnotherMatter(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	lat, lon := 24.5045, 118.1278 // 江头街道
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Title: "吕厝社区残疾人家庭生活困难请求救助", Body: "吕厝社区一户残疾人家庭生活困难，老人卧床，请求救助。",
		Address: "湖里区江头街道园山南路47号", DivisionCode: "350206004", Location: &casework.Point{Lat: lat, Lon: lon}, KeepSeparate: true})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	near := lat + 0.001 // about 110 m north
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"蔡塘社区残疾人家庭生活困难请求救助\n湖里区江头街道仙岳路115号\n蔡塘社区一户残疾人家庭生活困难，老人卧床，请求救助。", false},
		{"吕厝社区残疾人家庭生活困难\n湖里区江头街道园山南路\n吕厝社区那户残疾人家庭还是很困难，请求救助。", true},
	} {
		got, err := s.Find(ctx, access.System("t"), dedup.Query{Text: tc.text, DivisionCode: "350206004", Lat: &near, Lon: &lon}, i18n.ZH)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(got, func(c dedup.Candidate) bool { return c.Number == res.Case.Number })
		if found != tc.want {
			t.Errorf("%.30s…: %s found %v, want %v: %+v", tc.text, res.Case.Number, found, tc.want, got)
		}
	}
}

// apart takes in a report as a case of its own (never merged) and moves
// the clock on an hour, for the reports a test then compares with it.
func apart(t *testing.T, env *apptest.Env, in casework.ReportInput) string {
	t.Helper()
	in.Channel, in.KeepSeparate = "hotline", true
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	return res.Case.Number
}

// finds reports whether Find, as the system, lists case number for q.
func finds(t *testing.T, s *dedup.Service, q dedup.Query, number string) (bool, []dedup.Candidate) {
	t.Helper()
	got, err := s.Find(ctx, access.System("t"), q, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(got, func(c dedup.Candidate) bool { return c.Number == number }), got
}

// TestAnotherRoadIsAnotherPlace: without points to measure, a report on
// another road of the township than an open case's is not its repeat,
// however alike the words; one on its road, or naming it, is.
func TestAnotherRoadIsAnotherPlace(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	n := apart(t, env, casework.ReportInput{Title: "同济路信号灯故障导致拥堵", Body: "同济路口信号灯故障，车辆拥堵严重。",
		Address: "同安区五显镇同济路12号", DivisionCode: "350212110"})
	for _, tc := range []struct {
		text, address string
		want          bool
	}{
		{"西福路信号灯故障导致拥堵", "同安区五显镇西福路70号", false},
		{"同济路信号灯又坏了，车堵成一片", "同安区五显镇同济路30号", true},
		{"西福路与同济路交叉口信号灯故障导致拥堵", "同安区五显镇西福路1号", true},
		{"西福路信号灯故障导致拥堵", "", true}, // no address apart: the township's evidence as before
	} {
		q := dedup.Query{Text: tc.text + "\n" + tc.address + "\n" + tc.text + "，请尽快修复。", Address: tc.address, DivisionCode: "350212110"}
		if found, got := finds(t, s, q, n); found != tc.want {
			t.Errorf("%s (%s): %s found %v, want %v: %+v", tc.text, tc.address, n, found, tc.want, got)
		}
	}
}

// TestALongRoadIsNotOnePlace: a report naming the road an open case is on
// is at the same place, unless the two are in different townships the
// road runs through; there it must say nearly the same to be a candidate.
func TestALongRoadIsNotOnePlace(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	n := apart(t, env, casework.ReportInput{Title: "仙岳路人行道砖块松动绊倒行人", Body: "仙岳路人行道砖块松动，有老人被绊倒。",
		Address: "湖里区仙岳路100号", DivisionCode: "350206004"})
	for _, tc := range []struct {
		division string
		want     bool
	}{
		{"350206004", true},  // 江头街道, the case's township
		{"350206003", false}, // 禾山街道: the same road, elsewhere
		{"350206", true},     // the district only: the road is the evidence
	} {
		q := dedup.Query{Text: "仙岳路人行道地砖松动，路人容易绊倒，请修复", DivisionCode: tc.division}
		if found, got := finds(t, s, q, n); found != tc.want {
			t.Errorf("in %s: %s found %v, want %v: %+v", tc.division, n, found, tc.want, got)
		}
	}
}

// TestOneCommunityTwoMatters: the place a title names is compared as a
// place, not counted among its words again: two matters in one community
// (or estate) share its name, and that alone makes no repeat; the same
// matter there is one.
func TestOneCommunityTwoMatters(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	rubbish := apart(t, env, casework.ReportInput{Title: "龙山社区金龙花园垃圾清运不及时", Body: "龙山社区金龙花园垃圾清运不及时，臭味很大。",
		Address: "湖里区江头街道吕岭路", DivisionCode: "350206004"})
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"龙山社区金龙花园路灯坏了\n湖里区江头街道吕岭路\n龙山社区金龙花园的路灯坏了，晚上出行不便。", false},
		{"龙山社区金龙花园门口共享单车乱停\n湖里区江头街道吕岭路\n龙山社区金龙花园门口共享单车乱停乱放。", false},
		{"龙山社区金龙花园垃圾没人清运\n湖里区江头街道吕岭路\n龙山社区金龙花园的垃圾几天没人清运了。", true},
	} {
		found, got := finds(t, s, dedup.Query{Text: tc.text, DivisionCode: "350206004"}, rubbish)
		if found != tc.want {
			t.Errorf("%.20s…: %s found %v, want %v: %+v", tc.text, rubbish, found, tc.want, got)
		}
	}
}
