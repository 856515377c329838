package cli

import (
	"context"
	"fmt"

	"pingan/internal/app"
	"pingan/internal/search"
)

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
