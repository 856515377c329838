package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/config"
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

// workdayAdd prints the date N working days after DATE. Without a database
// it uses the holiday notices built into pingan; with --data-dir or
// --database-url pointing at an existing pingan, the ones stored there
// (including imported years).
func workdayAdd(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("workday add", "DATE N   (for example: pingan workday add 2024-09-27 3)")
	useDB := fs.Bool("stored", false, "use the holiday notices stored in the database (imports included) instead of the built-in ones")
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
	var cal *calendar.Calendar
	if *useDB {
		a, err := openApp(ctx, e, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		if cal, err = a.Calendar.Calendar(ctx); err != nil {
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
