package cli

// The rebuild commands: each makes derived data again from the cases, the
// same way (rebuild), audited.

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/app"
	"pingan/internal/audit"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/search"
)

// cmdPetitions maintains the petition registry: "petitions rebuild"
// recomputes its rows (limits, resolutions, repeat counts) from the cases,
// after a bulk load that wrote cases directly or to fill in the repeat
// counts of petitions taken in before the registry existed.
func cmdPetitions(ctx context.Context, e *env, args []string) error {
	return rebuild(ctx, e, args, "petitions", "petition.rebuild", "petition", func(a *app.App) (string, map[string]any, error) {
		n, err := a.Cases.RebuildPetitions(ctx)
		return fmt.Sprintf("petition registry rebuilt: %d petitions", n), map[string]any{"petitions": n}, err
	})
}

// cmdScores rebuilds the scorecards (scoring events and their counters,
// replayed from the timeline) and the backlog (overdue marks and counters,
// from the cases): after a bulk load by other means, a change of the
// scoring rules by hand, or counters found wrong.
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

// cmdSearch rebuilds the full-text index from the cases: after cases were
// written by other means, or to repair an index that missed changes (on
// SQLite the index is the side file, caught up at every start; a new one
// here also sheds the tombstones of cases indexed over and over).
func cmdSearch(ctx context.Context, e *env, args []string) error {
	return rebuild(ctx, e, args, "search", "search.rebuild", "search", func(a *app.App) (string, map[string]any, error) {
		n, err := search.Rebuild(ctx, a.DB)
		return fmt.Sprintf("search index rebuilt: %d cases", n), map[string]any{"cases": n}, err
	})
}

// rebuild runs "pingan <name> rebuild": it opens the storage the flags
// name, runs fn, audits it as action on objectType with fn's detail, and
// prints fn's summary with the time it took.
func rebuild(ctx context.Context, e *env, args []string, name, action, objectType string,
	fn func(a *app.App) (summary string, detail map[string]any, err error)) error {
	a, err := openFor(ctx, e, args, name, "rebuild")
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	summary, detail, err := fn(a)
	if err != nil {
		return err
	}
	if err := a.DB.Write(ctx, func(tx *db.Tx) error {
		return a.Audit.Append(ctx, tx, audit.Entry{ActorName: cliActor(name + " rebuild").Username, Action: action,
			ObjectType: objectType, ObjectID: "*", Detail: detail})
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s; in %s\n", summary, time.Since(start).Round(time.Millisecond))
	return nil
}

// openFor opens the storage the flags of "pingan <name> <sub> [flags]"
// name, for a maintenance subcommand that takes no other flags.
func openFor(ctx context.Context, e *env, args []string, name, sub string) (*app.App, error) {
	if len(args) == 0 || args[0] != sub {
		return nil, fmt.Errorf("%w: pingan %s %s", errUsage, name, sub)
	}
	cfg := config.Default()
	fs := e.flags(name+" "+sub, "[flags]")
	cfg.RegisterStorage(fs)
	if err := parse(fs, args[1:]); err != nil {
		return nil, err
	}
	return openApp(ctx, e, cfg)
}
