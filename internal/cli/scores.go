package cli

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/audit"
	"pingan/internal/config"
	"pingan/internal/db"
)

// cmdScores rebuilds the scorecards (scoring events and their counters,
// replayed from the timeline) and the backlog (overdue marks and counters,
// from the cases): after a bulk load by other means, a change of the
// scoring rules, or a start-up rebuild that a crash cut short.
func cmdScores(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("%w: pingan scores rebuild", errUsage)
	}
	cfg := config.Default()
	fs := e.flags("scores rebuild", "[flags]")
	cfg.RegisterStorage(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	events, err := a.Score.Rebuild(ctx)
	if err != nil {
		return err
	}
	marked, err := a.Cases.RebuildBacklog(ctx)
	if err != nil {
		return err
	}
	if err := a.DB.Write(ctx, func(tx *db.Tx) error {
		return a.Audit.Append(ctx, tx, audit.Entry{ActorName: cliActor("scores rebuild").Username, Action: "scores.rebuild",
			ObjectType: "scorecard", ObjectID: "*", Detail: map[string]any{"events": events, "marked_overdue": marked}})
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "scorecards rebuilt: %d scoring events; backlog: %d cases newly marked overdue; in %s\n",
		events, marked, time.Since(start).Round(time.Millisecond))
	return nil
}
