package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"pingan/internal/app"
	"pingan/internal/casegen"
	"pingan/internal/fault"
)

// answers are what a unit replies to a supervision order in the demo's
// history: what units write when they are chased.
var answers = []string{
	"已安排专人跟进，正在协调处理，预计本周内办结。",
	"已与反映人电话联系说明进展，正在加快办理。",
	"已会同相关部门现场核查，整改方案已确定，正在落实。",
	"该事项涉及多个部门，已提请上级协调，近日答复反映人。",
	"已责成责任人限期整改，办结后及时反馈。",
}

// answered is the share of the demo's supervision orders their unit
// answers in time; the others run out and are escalated.
const answered = 0.75

// answer is a reply the demo's history will make to an order.
type answer struct {
	at     time.Time
	number string
	unit   int64
	text   string
}

// told is how far back the demo's inboxes announce the steps the loader
// wrote (casework.TellPending): a week.
const told = 7 * 24 * time.Hour

// replay fires the timers of the loaded history that fell due before now, in
// the order they fell due, with the App's clock held at each one's time: the
// warnings, automatic supervision orders and escalations read as if pingan
// had been running all along. As units do, most orders are answered — by a
// handler of the unit the order was sent to, at a time within its reply
// window; the others run out and are escalated in turn. The loader told no
// one of the steps it wrote: the inboxes get what the last week's steps
// would have sent, in turn with the rest, so that an inbox, which lists by
// when a notice was added, lists newest first. It returns how many timers
// fired and how many orders were answered.
func replay(ctx context.Context, a *app.App, w casegen.World, seed uint64) (fired, replied int, err error) {
	end := a.Now()
	defer a.HoldClock(time.Time{})
	tellFrom := end.Add(-told)
	tell := func(until time.Time) error {
		if until.After(tellFrom) {
			_, err := a.Cases.TellPending(ctx, tellFrom, until)
			tellFrom = until
			return err
		}
		return nil
	}
	var planned []answer // by time
	var at time.Time
	idle := 0 // steps in a row at which nothing fired
	for {
		next, err := a.Timers.NextFire(ctx)
		if err != nil {
			return fired, replied, err
		}
		if !next.IsZero() && next.Before(at) {
			next = at // set due by what fired at at (the clock does not go back)
		}
		if len(planned) > 0 && (next.IsZero() || planned[0].at.Before(next)) {
			r := planned[0]
			planned = planned[1:]
			at = r.at
			if err := tell(at); err != nil {
				return fired, replied, err
			}
			a.HoldClock(at)
			ok, err := reply(ctx, a, w, r)
			if err != nil {
				return fired, replied, err
			}
			if ok {
				replied++
			}
			continue
		}
		if next.IsZero() || next.After(end) {
			return fired, replied, tell(end)
		}
		at = next
		if err := tell(at); err != nil {
			return fired, replied, err
		}
		a.HoldClock(at)
		n, err := a.Timers.FireDue(ctx)
		if err != nil {
			return fired, replied, err
		}
		fired += n
		idle++
		if n > 0 {
			idle = 0
		}
		if idle > 3 {
			// A timer that can fire did not, again and again (FireDue logs
			// why, and sets the retry NextFire waits for): leave the rest
			// to the runner rather than spin.
			a.Log.Warn("replay stopped: a timer's work keeps failing", "at", at)
			return fired, replied, tell(end)
		}
		// The orders this step issued: most will be answered in time.
		rows, err := a.DB.QueryContext(ctx, `SELECT id, number, to_unit_id, reply_due_at FROM supervision_orders
			WHERE issued_at = $1 AND state = 'open'`, at.UnixMicro())
		if err != nil {
			return fired, replied, fmt.Errorf("replay: orders issued: %w", err)
		}
		for rows.Next() {
			var id, unit, due int64
			var number string
			if err := rows.Scan(&id, &number, &unit, &due); err != nil {
				rows.Close()
				return fired, replied, fmt.Errorf("replay: orders issued: %w", err)
			}
			rng := rand.New(rand.NewPCG(seed, uint64(id)))
			if rng.Float64() >= answered {
				continue
			}
			window := time.UnixMicro(due).Sub(at)
			r := answer{at: at.Add(time.Duration((0.1 + 0.8*rng.Float64()) * float64(window))).Truncate(time.Minute),
				number: number, unit: unit, text: answers[rng.IntN(len(answers))]}
			if !r.at.After(at) || !r.at.Before(end) {
				continue
			}
			i, _ := slices.BinarySearchFunc(planned, r.at, func(x answer, t time.Time) int { return x.at.Compare(t) })
			planned = slices.Insert(planned, i, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fired, replied, fmt.Errorf("replay: orders issued: %w", err)
		}
	}
}

// reply answers an order as a handler of its unit would; false when the
// unit has no handler in the demo, or the order is no longer open (its case
// was closed, or it was escalated meanwhile).
func reply(ctx context.Context, a *app.App, w casegen.World, r answer) (bool, error) {
	user := w.Handlers[r.unit]
	if r.unit == w.Cast.Dispatcher.UnitID {
		user = w.Cast.Dispatcher.UserID // the hotline centre answers for the cases it has not registered
	}
	if user == 0 {
		return false, nil
	}
	actor, err := a.Org.Actor(ctx, user)
	if err != nil {
		return false, fmt.Errorf("replay: answer %s: %w", r.number, err)
	}
	if _, err := a.Supervision.Reply(ctx, actor, r.number, r.text); err != nil {
		if k := fault.KindOf(err); k == fault.Conflict || k == fault.Forbidden || k == fault.NotFound {
			return false, nil
		}
		return false, fmt.Errorf("replay: answer %s: %w", r.number, err)
	}
	return true, nil
}
