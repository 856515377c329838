package score

import (
	"fmt"
	"time"

	"pingan/internal/db"
)

// Step is one timeline entry as the replay reads it: when, the action,
// and the entry's changes as stored (JSON, "field": [before, after]).
type Step struct {
	At      int64 // microseconds since the epoch, as stored
	Action  string
	Changes string
}

// CaseEvents returns the scoring events one case's history implies, its
// timeline entries given in order: exactly what Rebuild's replay finds for
// that case. A loader that writes cases with their histories directly
// records them as it writes them (EventRow, Count, AddCounts) instead of
// leaving them to a Rebuild.
func CaseEvents(caseID int64, steps []Step) ([]Event, error) {
	var out []Event
	err := replayCase(caseID, steps, func(e Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// replayCase replays one case's timeline from an empty snapshot,
// classifying each action as it happened.
func replayCase(caseID int64, steps []Step, emit func(Event) error) error {
	var snap Snapshot
	for _, st := range steps {
		before := snap
		if err := applyChanges(&snap, st.Changes); err != nil {
			return fmt.Errorf("case %d: %w", caseID, err)
		}
		at := time.UnixMicro(st.At)
		if assigns(st.Action, before, snap) {
			snap.AssignedAt = at
		}
		for _, ev := range Classify(st.Action, caseID, before, snap, at) {
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// EventColumns are score_events' columns, in the order of EventRow.
var EventColumns = []string{"unit_id", "day", "metric", "case_id", "at"}

// EventRow appends e's row of score_events (EventColumns) to args: for a
// loader that writes the rows itself.
func (s *Service) EventRow(args []any, e Event) []any {
	return append(args, e.UnitID, int(DayOf(e.At, s.loc)), string(e.Metric), e.CaseID, e.At.UnixMicro())
}

// Count adds e to counts: its day's and its month's counters.
func (s *Service) Count(counts map[Key]int64, e Event) { count(counts, e, s.loc) }

// AddCounts adds counts (Count) to the stored counters with tx, once per
// counter: how a loader that writes the event rows itself records their
// counters.
func (s *Service) AddCounts(tx *db.Tx, counts map[Key]int64) {
	for k, n := range counts {
		tx.Add(scoreCounter, n, int(k.Day), k.UnitID, string(k.Metric))
	}
}
