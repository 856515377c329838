package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/config"
	"pingan/internal/db"
)

func cmdWorkday(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: pingan workday add DATE N | pingan workday import FILE", errUsage)
	}
	switch args[0] {
	case "add":
		return workdayAdd(ctx, e, args[1:])
	case "import":
		return workdayImport(ctx, e, args[1:])
	}
	return fmt.Errorf("%w: unknown subcommand %q (add, import)", errUsage, args[0])
}

// workdayAdd prints the date N working days after DATE, on the calendar
// the server uses: the holiday notices stored in the database (imported
// years included) when there is one — --database-url or PINGAN_DATABASE_URL,
// or a data directory holding pingan's database — and the notices built
// into pingan only when there is none. A data directory named by
// --data-dir or PINGAN_DATA_DIR must hold a database. It only reads: it
// opens the database alone (no secret key, no migration, no seeding) and
// refuses one this pingan has not migrated.
func workdayAdd(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("workday add", "DATE N   (for example: pingan workday add 2024-09-27 3)")
	cfg.RegisterStorage(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: pingan workday add DATE N", errUsage)
	}
	loc := cfg.Location()
	from, err := time.ParseInLocation("2006-01-02", fs.Arg(0), loc)
	if err != nil {
		return fmt.Errorf("%w: DATE must be YYYY-MM-DD, not %q", errUsage, fs.Arg(0))
	}
	n, err := strconv.Atoi(fs.Arg(1))
	if err != nil || n < 0 || n > 1000 {
		return fmt.Errorf("%w: N must be a whole number from 0 to 1000, not %q", errUsage, fs.Arg(1))
	}
	stored, err := storedCalendar(cfg)
	if err != nil {
		return err
	}
	var cal *calendar.Calendar
	if stored {
		if cal, err = readCalendar(ctx, e, cfg); err != nil {
			return err
		}
	} else {
		notices, err := calendar.Embedded()
		if err != nil {
			return err
		}
		cal = calendar.New(loc, notices, cfg.Office())
	}
	day := cal.WorkdayAfter(from, n)
	fmt.Fprintln(e.stdout, day.Format("2006-01-02"))
	for y := from.Year(); y <= day.Year(); y++ {
		if !cal.Known(y) {
			fmt.Fprintf(e.stderr, "note: no holiday notice for %d is loaded; only weekends count as days off that year\n", y)
		}
	}
	return nil
}

// storedCalendar reports whether workday add reads the calendar from a
// database: one at a PostgreSQL URL, or the embedded one in the data
// directory. The default data directory without a database means none; a
// directory asked for by name must hold one.
func storedCalendar(cfg config.Config) (bool, error) {
	if cfg.DatabaseURL != "" {
		return true, nil
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, db.SQLiteFile)); err == nil {
		return true, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	if cfg.DataDir != config.DefaultDataDir {
		return false, fmt.Errorf("no pingan database in %s (leave out --data-dir and PINGAN_DATA_DIR for the built-in holiday notices)", cfg.DataDir)
	}
	return false, nil
}

// readCalendar reads the calendar stored in the database, as the server
// does, having opened the database alone. A database behind this pingan's
// schema is refused, not migrated: a date calculation never changes it.
func readCalendar(ctx context.Context, e *env, cfg config.Config) (cal *calendar.Calendar, err error) {
	d, err := db.Open(ctx, cfg.DB(cfg.Logger(e.stderr)))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, d.Close()) }()
	n, err := d.Pending(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the database is not migrated for this pingan (%d migrations pending): run pingan migrate first", n)
	}
	return calendar.NewService(d, nil, cfg.Location(), cfg.Office(), time.Now).Calendar(ctx)
}

func workdayImport(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("workday import", "FILE   (a year's arrangement in holiday-cn JSON format)")
	cfg.RegisterStorage(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: pingan workday import FILE", errUsage)
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Calendar.Import(ctx, cliActor("workday import"), raw)
	if err != nil {
		return err
	}
	off, work := 0, 0
	for _, d := range n.Days {
		if d.Off {
			off++
		} else {
			work++
		}
	}
	fmt.Fprintf(e.stdout, "imported %d: %d holidays, %d make-up working days\n", n.Year, off, work)
	return nil
}
