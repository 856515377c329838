package casework

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
)

// RouteWaiting routes the cases waiting to be registered or dispatched
// that routing never saw — written by a bulk load (the demo's generated
// cases) or by other means than intake — as intake and registration
// would have: each keeps routing's answer (the suggested unit, the area,
// triage and the explanation, which the dispatch form starts from), the
// deadline policy a routing rule names and the classifier's suggestion
// (whatever the case's category, as at intake); each is audited. It
// returns how many cases it routed.
func (s *Service) RouteWaiting(ctx context.Context, actor access.Actor) (int, error) {
	total := 0
	var after int64
	for {
		ids, err := db.IDs(ctx, s.db, "SELECT id FROM cases WHERE state IN ($1, $2) AND route_note IS NULL AND id > $3 ORDER BY id LIMIT 200",
			Received, Registered, after)
		if err != nil {
			return total, fmt.Errorf("route waiting cases: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		var routed int
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			routed = 0
			for _, id := range ids {
				ok, err := s.routeWaiting(ctx, tx, actor, id)
				if err != nil {
					return err
				}
				if ok {
					routed++
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("route waiting cases: %w", err)
		}
		total += routed
		after = ids[len(ids)-1]
	}
}

// routeWaiting routes one waiting case; false when it was not waiting
// for routing any more, or routing had nothing to say.
func (s *Service) routeWaiting(ctx context.Context, tx *db.Tx, actor access.Actor, id int64) (bool, error) {
	c, err := caseByID(ctx, tx, id)
	if err != nil {
		return false, err
	}
	if c.State != Received && c.State != Registered || routeNote(c.Route) != nil {
		return false, nil
	}
	body, err := firstBody(ctx, tx, c)
	if err != nil {
		return false, err
	}
	next := c
	if err := s.routeCase(ctx, tx, &next, next.Address+"\n"+next.Title+"\n"+body); err != nil {
		return false, err
	}
	if err := s.suggest(ctx, &next, body); err != nil {
		return false, err
	}
	suggested := !sameSuggestion(next.Suggestion, c.Suggestion)
	if routeNote(next.Route) == nil && !suggested {
		return false, nil
	}
	// The deadlines follow, as at intake: a routing rule may name the
	// policy (a petition's time to accept counts from its receipt).
	policy, err := s.policyFor(ctx, tx, next)
	if err != nil {
		return false, err
	}
	if policy.ID != c.PolicyID {
		cal, err := s.calendar.Calendar(ctx)
		if err != nil {
			return false, err
		}
		next.PolicyID = policy.ID
		// As a reclassification: a received case's time to accept, a
		// registered one's time to handle when counted from acceptance.
		accepted, err := acceptedAt(ctx, tx, next, policy)
		if err != nil {
			return false, err
		}
		SetDeadlines(&next, Reclassify, policy, cal, s.now(), accepted, time.Time{})
		reclock(&next, c, policy.WarnRatio, s.now())
	}
	ok, err := updateCase(ctx, tx, next, s.now())
	if err != nil || !ok {
		return false, err
	}
	if suggested {
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET suggestion = $1 WHERE id = $2", suggestionJSON(next.Suggestion), id); err != nil {
			return false, fmt.Errorf("case %s: suggestion: %w", c.Number, err)
		}
	}
	if err := s.audit.Append(ctx, tx, entry(actor, "case.route", "case", c.Number, audit.OK, map[string]any{
		"unit_id": next.RouteUnitID, "triage": next.Triage, "area": next.Route.AreaCode})); err != nil {
		return false, err
	}
	return true, s.afterChange(ctx, tx, c, next, "case.routed", nil)
}

func sameSuggestion(a, b *Suggestion) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
