package casework_test

import (
	"maps"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/score"
)

// A review case (复查) opens in the hands of the reviewing unit: the
// scorecards count it as an assignment, so the unit's signing for it is a
// response to an assignment of the period; the rebuild from the timeline
// agrees.
func TestReviewCaseIsAnAssignment(t *testing.T) {
	env := apptest.New(t)
	p := petition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为，要求彻底解决排水问题。",
		petitioner{"陈某某", "13906012345", petitionerID})
	answer(t, env, p.Number)
	review, err := env.App.Cases.RequestReview(ctx, env.Actor(t, "intake"), p.Number, casework.ReviewInput{Reason: "不服处理意见，申请复查"})
	if err != nil {
		t.Fatal(err)
	}
	district := userAt(t, env, "huli.gov", "350206", access.Handler)
	if _, err := env.App.Cases.Do(ctx, district, review.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	unit := env.Unit(t, "350206")
	loc := env.App.Score.Location()
	period := score.Period{From: score.DayOf(apptest.Start, loc), To: score.DayOf(env.Clock.Now(), loc)}
	want := score.Counts{score.Assigned: 1, score.Signed: 1, score.SignedOnTime: 1, score.RespondedOnTime: 1}
	check := func(when string) {
		t.Helper()
		counts, err := env.App.Score.Counts(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		if got := counts[unit]; !maps.Equal(got, want) {
			t.Errorf("%s: 湖里区 %v, want %v", when, got, want)
		}
	}
	check("live")
	if _, err := env.App.Score.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}
