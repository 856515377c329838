package casework_test

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
)

func detailOf(t *testing.T, env *apptest.Env, number string) casework.Detail {
	t.Helper()
	d, err := env.App.Cases.Get(ctx, access.System("t"), number)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func reportsOf(t *testing.T, env *apptest.Env, number string) []casework.Report {
	t.Helper()
	return detailOf(t, env, number).Reports
}

func caseNow(t *testing.T, env *apptest.Env, number string) casework.Case {
	t.Helper()
	return detailOf(t, env, number).Case
}

// attachmentsOf names the attachments a case's page shows.
func attachmentsOf(t *testing.T, env *apptest.Env, number string) []string {
	t.Helper()
	var names []string
	for _, a := range detailOf(t, env, number).Attachments {
		names = append(names, a.Name)
	}
	return names
}

func hits(t *testing.T, env *apptest.Env, text string) []string {
	t.Helper()
	page, err := env.App.Cases.List(ctx, env.Actor(t, "supervisor"), casework.Filter{Text: text, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range page.Cases {
		out = append(out, c.Number)
	}
	return out
}

// A repeat merged into the case it repeats gives it its reports; undoing
// the merge gives them back and the repeat resumes where it was. Both
// timelines and the audit log record each step.
func TestMergeAndUnmerge(t *testing.T) {
	env := apptest.New(t)
	a := newCase(t, env)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "web",
		Title: "江头北路工地夜间打桩", Body: "江头北路工地凌晨还在打桩，吵得睡不着", ReporterName: "王女士", ReporterPhone: "13906012345",
		Attachments: []casework.AttachmentInput{{Name: "现场.jpg", ContentType: "image/jpeg", Size: 2048}}})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Case
	d := env.Actor(t, "dispatcher")
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Register,
		casework.ActionInput{Nature: "complaint", CategoryID: civicCategory(t, env)}); err != nil {
		t.Fatal(err)
	}
	// Refusals: no target, itself, a closed case.
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Merge, casework.ActionInput{}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("merge without a target: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Merge, casework.ActionInput{Into: b.Number}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("merge into itself: %v", err)
	}
	closed := driveTo(t, env, pathsFromTable(), casework.Closed, false)
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Merge, casework.ActionInput{Into: closed.Number}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("merge into a closed case: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Merge, casework.ActionInput{Into: "XM-2026-999999"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("merge into no case: %v", err)
	}

	got, err := env.App.Cases.Do(ctx, d, b.Number, casework.Merge, casework.ActionInput{Into: a.Number, Reason: "同一工地"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != casework.Merged || got.MergedInto != a.ID || got.State.Open() {
		t.Fatalf("merged case: state %s into %d", got.State, got.MergedInto)
	}
	if n := len(reportsOf(t, env, b.Number)); n != 0 {
		t.Errorf("the merged case still holds %d reports", n)
	}
	// The report's photo went with it.
	if got := attachmentsOf(t, env, a.Number); !slices.Equal(got, []string{"现场.jpg"}) {
		t.Errorf("the target's attachments after the merge: %v", got)
	}
	if got := attachmentsOf(t, env, b.Number); len(got) != 0 {
		t.Errorf("the merged case kept attachments: %v", got)
	}
	ra := reportsOf(t, env, a.Number)
	if len(ra) != 2 || caseNow(t, env, a.Number).ReportCount != 2 {
		t.Fatalf("target holds %d reports, count %d", len(ra), caseNow(t, env, a.Number).ReportCount)
	}
	// The target is found by the repeat's words (and the merged case, by
	// its own title, still is; by the words of its report, which went to
	// the target, no more), as an index made again from the cases has it.
	if h := hits(t, env, "打桩"); !slices.Contains(h, a.Number) || !slices.Contains(h, b.Number) {
		t.Errorf("search 打桩 after merge: %v, want %s and %s among them", h, a.Number, b.Number)
	}
	if h := hits(t, env, "睡不着"); !slices.Equal(h, []string{a.Number}) {
		t.Errorf("search 睡不着 after merge: %v, want only %s", h, a.Number)
	}
	live := [][]string{hits(t, env, "打桩"), hits(t, env, "睡不着"), hits(t, env, "江头")}
	if _, err := search.Rebuild(ctx, env.App.DB); err != nil {
		t.Fatal(err)
	}
	if rebuilt := [][]string{hits(t, env, "打桩"), hits(t, env, "睡不着"), hits(t, env, "江头")}; !reflect.DeepEqual(live, rebuilt) {
		t.Errorf("the index as merging left it finds %v; made again from the cases, %v", live, rebuilt)
	}
	// A merged case takes no action but undoing it.
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Reclassify, casework.ActionInput{Priority: casework.Urgent}); fault.KindOf(err) != fault.Conflict {
		t.Errorf("reclassify a merged case: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), b.Number, casework.Unmerge, casework.ActionInput{Reason: "x"}); err == nil {
		t.Error("a handler of another unit undid the merge")
	}
	if _, err := env.App.Cases.Do(ctx, d, b.Number, casework.Unmerge, casework.ActionInput{}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("unmerge without a reason: %v", err)
	}
	back, err := env.App.Cases.Do(ctx, d, b.Number, casework.Unmerge, casework.ActionInput{Reason: "不是同一工地"})
	if err != nil {
		t.Fatal(err)
	}
	if back.State != casework.Registered || back.MergedInto != 0 || back.ReportCount != 1 {
		t.Fatalf("after unmerge: %s into %d count %d", back.State, back.MergedInto, back.ReportCount)
	}
	if rb := reportsOf(t, env, b.Number); len(rb) != 1 || rb[0].ReporterName != "王女士" {
		t.Fatalf("reports back: %+v", rb)
	}
	if len(reportsOf(t, env, a.Number)) != 1 || caseNow(t, env, a.Number).ReportCount != 1 {
		t.Error("the target kept the reports")
	}
	if got, kept := attachmentsOf(t, env, b.Number), attachmentsOf(t, env, a.Number); !slices.Equal(got, []string{"现场.jpg"}) || len(kept) != 0 {
		t.Errorf("after unmerge the photo is with %v, the target keeps %v", got, kept)
	}
	if h := hits(t, env, "打桩"); len(h) != 1 || h[0] != b.Number {
		t.Errorf("search 打桩 after unmerge: %v, want %s", h, b.Number)
	}
	tl := func(number string) string {
		entries, err := env.App.Cases.Timeline(ctx, access.System("t"), number)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, e := range entries {
			s = append(s, string(e.Action)+":"+e.Note.ZH)
		}
		return strings.Join(s, "|")
	}
	if s := tl(b.Number); !strings.Contains(s, "merge:并入 "+a.Number) || !strings.Contains(s, "unmerge:不是同一工地") {
		t.Errorf("the repeat's timeline: %s", s)
	}
	if s := tl(a.Number); !strings.Contains(s, "merged_in:"+b.Number+" 并入本案") || !strings.Contains(s, "merged_out:"+b.Number+" 取消并案") {
		t.Errorf("the target's timeline: %s", s)
	}
	var audited int
	if err := env.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = $1 AND action IN ('case.merge', 'case.unmerge') AND outcome = 'ok'`,
		b.Number).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("audit records of merge and unmerge: %d (%v)", audited, err)
	}
}

// A merge stays once the case it joined is no longer open: a closed (or
// rejected) case's record is final, so undoing the merge, which would take
// reports out of it and write on its timeline, is refused with a 409 that
// names that case's state, and not offered. Reopened, the case is open
// again and the merge can be undone.
func TestNoUnmergeFromAFinalCase(t *testing.T) {
	env := apptest.New(t)
	paths := pathsFromTable()
	d := env.Actor(t, "dispatcher")
	for _, tc := range []struct {
		final casework.State
		from  casework.State // where the target is when the repeat joins it
		end   step           // what makes it final
		name  string         // the final state's name in refusals
	}{
		{casework.Closed, casework.PendingClose, step{casework.CloseCase, access.Dispatcher}, "已办结"},
		{casework.Rejected, casework.Received, step{casework.Reject, access.Intake}, "不予受理"},
	} {
		t.Run(string(tc.final), func(t *testing.T) {
			target := driveTo(t, env, paths, tc.from, false)
			repeat := newCase(t, env)
			if _, err := env.App.Cases.Do(ctx, d, repeat.Number, casework.Merge, casework.ActionInput{Into: target.Number}); err != nil {
				t.Fatal(err)
			}
			if c := do(t, env, target.Number, tc.end); c.State != tc.final {
				t.Fatalf("target: %s, want %s", c.State, tc.final)
			}
			timeline := func() int {
				entries, err := env.App.Cases.Timeline(ctx, access.System("t"), target.Number)
				if err != nil {
					t.Fatal(err)
				}
				return len(entries)
			}
			before := timeline()
			if got, err := env.App.Cases.Get(ctx, d, repeat.Number); err != nil || slices.Contains(got.Allowed, casework.Unmerge) {
				t.Errorf("allowed on a case merged into a %s one: %v (%v)", tc.final, got.Allowed, err)
			}
			_, err := env.App.Cases.Do(ctx, d, repeat.Number, casework.Unmerge, casework.ActionInput{Reason: "不是同一工地"})
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.Conflict || fe.Code != "guard-failed" {
				t.Fatalf("unmerge from a %s case: %v, want a 409 guard-failed", tc.final, err)
			}
			if zh := fe.Msg.Format(i18n.ZH, fe.Args...); !strings.Contains(zh, target.Number) || !strings.Contains(zh, tc.name) {
				t.Errorf("the refusal %q names neither %s nor %s", zh, target.Number, tc.name)
			}
			if fe.Extra["state"] != casework.Merged || slices.Contains(fe.Extra["allowed_actions"].([]casework.Action), casework.Unmerge) {
				t.Errorf("the refusal's state %v, allowed %v", fe.Extra["state"], fe.Extra["allowed_actions"])
			}
			if n := timeline(); n != before {
				t.Errorf("the %s case's timeline grew from %d to %d entries", tc.final, before, n)
			}
			if c := caseNow(t, env, repeat.Number); c.State != casework.Merged {
				t.Errorf("the repeat is %s", c.State)
			}
			if c := caseNow(t, env, target.Number); c.ReportCount != 2 || len(reportsOf(t, env, target.Number)) != 2 {
				t.Errorf("the %s case holds %d reports (count %d)", tc.final, len(reportsOf(t, env, target.Number)), c.ReportCount)
			}
			// Reopened, it is open again.
			do(t, env, target.Number, step{casework.Reopen, access.Supervisor})
			back, err := env.App.Cases.Do(ctx, d, repeat.Number, casework.Unmerge, casework.ActionInput{Reason: "不是同一工地"})
			if err != nil || back.State != casework.Received {
				t.Fatalf("unmerge after the target reopened: %s (%v)", back.State, err)
			}
		})
	}
}

// A report the operator adds to an open case is a case merged at once, so
// the operator can undo it like any merge.
func TestReportForACaseIsAReversibleMerge(t *testing.T) {
	env := apptest.New(t)
	a := newCase(t, env)
	in := casework.ReportInput{Channel: "web", Body: "同一工地又在夜间施工", CaseNumber: a.Number, IdempotencyKey: "k1", RequestHash: "h1"}
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.Number != a.Number || res.Case.ReportCount != 2 || res.MergedFrom == "" || res.AutoMerged {
		t.Fatalf("added: case %s count %d from %q auto %v", res.Case.Number, res.Case.ReportCount, res.MergedFrom, res.AutoMerged)
	}
	// The request again: the same result, with the case the report opened.
	again, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil || !again.Replayed || again.Case.Number != a.Number || again.MergedFrom != res.MergedFrom || again.Report.ID != res.Report.ID {
		t.Fatalf("replayed: case %s from %q report %d (%v), want %s from %q report %d", again.Case.Number, again.MergedFrom,
			again.Report.ID, err, a.Number, res.MergedFrom, res.Report.ID)
	}
	if c := caseNow(t, env, res.MergedFrom); c.State != casework.Merged || c.ResumeState != casework.Received {
		t.Fatalf("the report's own case: %s (resumes %s)", c.State, c.ResumeState)
	}
	back, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), res.MergedFrom, casework.Unmerge, casework.ActionInput{Reason: "是另一处工地"})
	if err != nil {
		t.Fatal(err)
	}
	if back.State != casework.Received || back.ReportCount != 1 || caseNow(t, env, a.Number).ReportCount != 1 {
		t.Errorf("after undoing: %s, count %d; target count %d", back.State, back.ReportCount, caseNow(t, env, a.Number).ReportCount)
	}
}

// Near-exact repeats at the same place merge on their own above the
// threshold; a different complaint on the same street, a reworded one
// below it, or a report the operator keeps apart do not.
func TestAutoMerge(t *testing.T) {
	env := apptest.New(t, apptest.AutoMerge(0.9))
	in := func(title, body string, keep bool) casework.IntakeResult {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: title, Body: body, Address: "湖里区江头北路128号", DivisionCode: "350206004", KeepSeparate: keep})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := in("江头北路128号工地夜间施工噪音扰民", "江头北路128号工地每晚十一点后还在施工，噪音很大。", false)
	if first.MergedFrom != "" {
		t.Fatal("the first report was merged")
	}
	same := in("江头北路128号工地夜间施工噪音扰民", "还是那个工地，今晚又在施工。", false)
	if !same.AutoMerged || same.Case.Number != first.Case.Number || same.Case.ReportCount != 2 {
		t.Fatalf("near-exact repeat: auto %v into %s count %d", same.AutoMerged, same.Case.Number, same.Case.ReportCount)
	}
	entries, err := env.App.Cases.Timeline(ctx, access.System("t"), same.MergedFrom)
	if err != nil {
		t.Fatal(err)
	}
	// The note pingan wrote reads in each reader's language, the reasons
	// too; read back as stored.
	last := entries[len(entries)-1]
	if zh := "并入 " + first.Case.Number + "\n自动并案：标题相似度 100%（"; last.Action != casework.Merge || !strings.HasPrefix(last.Note.ZH, zh) ||
		!strings.Contains(last.Note.ZH, "内容相似度") {
		t.Errorf("the merged case's last entry: %s %q, want it to start %q", last.Action, last.Note.ZH, zh)
	}
	if en := "merged into " + first.Case.Number + "\nmerged automatically: titles 100% alike (words "; !strings.HasPrefix(last.Note.EN, en) ||
		strings.ContainsFunc(last.Note.EN, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff && !strings.ContainsRune("江头北路", r) }) {
		t.Errorf("the merged case's last entry in English: %q, want it to start %q", last.Note.EN, en)
	}
	target, err := env.App.Cases.Timeline(ctx, access.System("t"), first.Case.Number)
	if err != nil {
		t.Fatal(err)
	}
	if last := target[len(target)-1]; last.Action != casework.MergedIn || !strings.HasPrefix(last.Note.EN, same.MergedFrom+" merged into this case\nmerged automatically") {
		t.Errorf("the target's last entry: %s %q", last.Action, last.Note.EN)
	}
	other := in("江头北路128号门口井盖缺失", "井盖丢了，晚上很危险。", false)
	if other.MergedFrom != "" {
		t.Errorf("a different matter on the same street merged into %s", other.Case.Number)
	}
	reworded := in("江头北路工地晚上施工太吵", "工地晚上施工太吵了。", false)
	if reworded.MergedFrom != "" {
		t.Errorf("a reworded repeat (below the threshold) merged on its own")
	}
	// Another building's, or another victim's loss, is another matter
	// however alike the rest of the title: for a person to judge.
	long := in("江头北路128号工地每晚十一点后还在夜间施工噪音扰民严重", "工地每晚施工。", false)
	if b := in("江头北路126号工地每晚十一点后还在夜间施工噪音扰民严重", "隔壁那个工地也在施工。", false); b.MergedFrom != "" ||
		dedup.Dice(long.Case.Title, b.Case.Title) < 0.9 {
		t.Errorf("a report about 126号 merged into %s (128号), titles %.2f alike", b.Case.Number, dedup.Dice(long.Case.Title, b.Case.Title))
	}
	kept := in("江头北路128号工地夜间施工噪音扰民", "又在施工。", true)
	if kept.MergedFrom != "" {
		t.Errorf("a report kept apart was merged")
	}
	if n := caseNow(t, env, first.Case.Number).ReportCount; n != 2 {
		t.Errorf("the first case holds %d reports, want 2", n)
	}
}

// A case's possible repeats leave the case itself out, and are for the
// people who may merge it while it can still be merged.
func TestRepeatsOfACase(t *testing.T) {
	env := apptest.New(t)
	in := func(body string) casework.Case {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: "莲前西路88号井盖缺失", Body: body, DivisionCode: "350203008", KeepSeparate: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	first := in("莲前西路88号人行道井盖缺失。")
	second := in("莲前西路88号井盖缺失，很危险。")
	of := func(actor access.Actor, number string) []string {
		t.Helper()
		d, err := env.App.Cases.Get(ctx, actor, number)
		if err != nil {
			t.Fatal(err)
		}
		cands, err := env.App.Cases.RepeatsOf(ctx, actor, d, "zh")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cands {
			out = append(out, c.Number)
		}
		return out
	}
	if got := of(env.Actor(t, "intake"), second.Number); !slices.Equal(got, []string{first.Number}) {
		t.Errorf("repeats of the second: %v, want [%s]", got, first.Number)
	}
	if got := of(env.Actor(t, "leader"), second.Number); got != nil {
		t.Errorf("a leader, who may not merge, was shown %v", got)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), second.Number, casework.Merge,
		casework.ActionInput{Into: first.Number, Reason: "同一井盖"}); err != nil {
		t.Fatal(err)
	}
	if got := of(env.Actor(t, "intake"), second.Number); got != nil {
		t.Errorf("a merged case was shown repeats: %v", got)
	}
}

// Many people reporting one case at once (a burst main): every report is
// taken in — on PostgreSQL in concurrent transactions — the case counts
// them all, and its handling unit has one notice that counts them, not one
// per report or two that each count some.
func TestConcurrentRepeatsOnOneCase(t *testing.T) {
	env := apptest.New(t)
	c := driveTo(t, env, pathsFromTable(), casework.Handling, false)
	const n = 30
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
				Channel: "web", Body: "同一工地又在夜间施工", CaseNumber: c.Number})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a repeat was refused: %v", err)
		}
	}
	got, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.ReportCount != n+1 {
		t.Errorf("report count %d, want %d", got.Case.ReportCount, n+1)
	}
	var visible, times int
	if err := env.App.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(times), 0) FROM notifications
		WHERE case_id = $1 AND kind = 'case.report' AND superseded_by IS NULL`, c.ID).Scan(&visible, &times); err != nil {
		t.Fatal(err)
	}
	if visible != 1 || times != n {
		t.Errorf("%d notices listed, the newest counting %d; want one counting %d", visible, times, n)
	}
}
