package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"pingan/internal/config"
	"pingan/internal/i18n"
	"pingan/internal/importer"
)

// cmdImport takes in reports from another system's CSV or XLSX export.
func cmdImport(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("import", "--file FILE --as USER --source SYSTEM [--mode dry-run|all-or-nothing|valid-rows] [--crs wgs84|gcj02]")
	file := fs.String("file", "", "the CSV (UTF-8) or XLSX file: a header row, then one report per row")
	cfg.RegisterStorage(fs)
	as := fs.String("as", "", "the account the reports are taken in as (it needs an intake role); audited under its name")
	mode := fs.String("mode", string(importer.DryRun), "dry-run (check only), all-or-nothing, or valid-rows")
	source := fs.String("source", "", "the system the file comes from (e.g. 数字城管): its ids are unique only within it; required unless the file has a 来源系统 column")
	crs := fs.String("crs", "wgs84", "the datum of the file's coordinates: wgs84, or gcj02 for 高德 and 腾讯 exports (a 坐标系 column overrides it per row)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m := importer.Mode(*mode)
	if *file == "" || *as == "" || (m != importer.DryRun && m != importer.AllOrNothing && m != importer.ValidRows) {
		return fmt.Errorf("%w: pingan import --file FILE --as USER --source SYSTEM [--mode dry-run|all-or-nothing|valid-rows] [--crs wgs84|gcj02]", errUsage)
	}
	raw, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	a, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Org.UserByName(ctx, a.DB, *as)
	if err != nil {
		return fmt.Errorf("--as %s: %w", *as, err)
	}
	actor, err := a.Org.Actor(ctx, u.ID)
	if err != nil {
		return err
	}
	actor.RemoteAddr = "cli"
	rows, err := importer.Parse(raw)
	if err != nil {
		return err
	}
	im := &importer.Importer{Cases: a.Cases, Catalog: a.Catalog, DB: a.DB, Loc: cfg.Location(), Lang: i18n.ZH, Source: *source, CRS: *crs}
	res, err := im.Run(ctx, actor, rows, m)
	if err != nil {
		return err
	}
	for _, r := range res.Rows {
		if r.Status == "invalid" {
			fmt.Fprintf(e.stdout, "row %d (%s): %s\n", r.Line, r.SourceID, strings.Join(r.Problems, "; "))
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(e.stdout, "ignored columns: %s\n", strings.Join(res.Ignored, ", "))
	}
	fmt.Fprintf(e.stdout, "%s: %d valid, %d invalid, %d imported before, %d imported now\n",
		m, res.Valid, res.Invalid, res.Duplicates, res.Imported)
	if m == importer.AllOrNothing && res.Invalid > 0 {
		return fmt.Errorf("nothing was imported: fix the %d invalid rows, or use --mode valid-rows", res.Invalid)
	}
	return nil
}
