package cli

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/audit"
	"pingan/internal/config"
	"pingan/internal/db"
)

// cmdPetitions maintains the petition registry: "petitions rebuild"
// recomputes its rows (limits, resolutions, repeat counts) from the cases,
// after a bulk load that wrote cases directly or to fill in the repeat
// counts of petitions taken in before the registry existed.
func cmdPetitions(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("%w: pingan petitions rebuild", errUsage)
	}
	cfg := config.Default()
	fs := e.flags("petitions rebuild", "[flags]")
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
	n, err := a.Cases.RebuildPetitions(ctx)
	if err != nil {
		return err
	}
	if err := a.DB.Write(ctx, func(tx *db.Tx) error {
		return a.Audit.Append(ctx, tx, audit.Entry{ActorName: cliActor("petitions rebuild").Username, Action: "petition.rebuild",
			ObjectType: "petition", ObjectID: "*", Detail: map[string]any{"petitions": n}})
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "petition registry rebuilt: %d petitions in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
