package cli

import (
	"context"
	"fmt"

	"pingan/internal/app"
)

// cmdScores rebuilds the scorecards (scoring events and their counters,
// replayed from the timeline) and the backlog (overdue marks and counters,
// from the cases): after a bulk load by other means, a change of the
// scoring rules, or a start-up rebuild that a crash cut short.
func cmdScores(ctx context.Context, e *env, args []string) error {
	return rebuild(ctx, e, args, "scores", "scores.rebuild", "scorecard", func(a *app.App) (string, map[string]any, error) {
		events, err := a.Score.Rebuild(ctx)
		if err != nil {
			return "", nil, err
		}
		marked, err := a.Cases.RebuildBacklog(ctx)
		return fmt.Sprintf("scorecards rebuilt: %d scoring events; backlog: %d cases newly marked overdue", events, marked),
			map[string]any{"events": events, "marked_overdue": marked}, err
	})
}
