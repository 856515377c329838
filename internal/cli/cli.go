// Package cli is pingan's command line: serve, demo, migrate, user, audit,
// gen, bench and version. Each command parses its own flags into the one
// configuration struct and runs.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/server"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is the process's standard streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the server", cmdServe},
		{"demo", "run the server with the demo organisation, users and cases", cmdDemo},
		{"migrate", "apply database migrations and seed reference data, then exit", cmdMigrate},
		{"user", "manage accounts: user create | token | list | reset-password | reset-totp | unlock", cmdUser},
		{"audit", "audit log: audit verify", cmdAudit},
		{"workday", "working days: workday add DATE N | workday import FILE", cmdWorkday},
		{"petitions", "petition registry (信访积案): petitions rebuild", cmdPetitions},
		{"scores", "scorecards (考评) and backlog counters: scores rebuild", cmdScores},
		{"search", "full-text search index: search rebuild", cmdSearch},
		{"import", "take in reports from a CSV or XLSX file: import --file FILE --as USER [--mode …]", cmdImport},
		{"hot", "hot issues of a message file: hot --data FILE.jsonl [--top 5]", cmdHot},
		{"gen", "bulk-load realistic generated cases (for benchmarks)", cmdGen},
		{"bench", "measure pingan: bench intake | bench timers | bench search | bench scores | bench dedup", cmdBench},
		{"model", "category classifier: model train | list | activate VERSION | eval --data FILE", cmdModel},
		{"keygen", "print a new secret key for PINGAN_SECRET_KEY", cmdKeygen},
		{"version", "print the version", cmdVersion},
	}
}

// errUsage marks a usage error (exit status 2).
var errUsage = errors.New("usage")

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "pingan %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "pingan %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "pingan: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "pingan — the city's political-legal case platform (平安)")
	fmt.Fprintln(w, "\nUsage: pingan <command> [flags]   (pingan <command> -h for the flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// flags returns a flag set that prints its usage to e.stderr.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("pingan "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: pingan %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and refuses stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, strings.Join(fs.Args(), " "))
	}
	return nil
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("serve", "[flags]")
	cfg.RegisterServer(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := cfg.Logger(e.stderr)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	hint, err := firstRunHint(ctx, a)
	if err != nil {
		a.Close()
		return err
	}
	if hint != "" {
		log.Warn(hint)
	}
	return serve(ctx, a, e, nil)
}

// firstRunHint says how to create the first accounts when the database has
// no enabled account: nobody could sign in to a new installation, and
// nothing on its pages can say why.
func firstRunHint(ctx context.Context, a *app.App) (string, error) {
	var some bool
	if err := a.DB.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE disabled_at IS NULL)").Scan(&some); err != nil {
		return "", fmt.Errorf("count accounts: %w", err)
	}
	if some {
		return "", nil
	}
	return "no account can sign in yet: create the first administrators, one for each role (三员分立), with " +
		"`pingan user create --username sysadmin --name 系统管理员 --unit 350200 --roles sysadmin --password-stdin` " +
		"(and likewise secadmin and auditadmin), then the other accounts on the 用户与权限 page; " +
		"`pingan demo` shows a populated installation", nil
}

// serve listens, announces the address, serves until ctx ends and closes
// the app; banner, if any, is printed once the server listens.
func serve(ctx context.Context, a *app.App, e *env, banner func(addr string)) (err error) {
	defer func() { err = errors.Join(err, a.Close()) }()
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Listen, err)
	}
	addr := ln.Addr().String()
	a.Log.Info("pingan serving", "addr", "http://"+addr, "backend", a.DB.Dialect(), "version", server.Version())
	if banner != nil {
		banner(addr)
	}
	bg, stopBackground := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Background(bg); close(done) }()
	// In-flight requests finish first (they may set timers), then the
	// background work stops, then Close flushes the queued writes.
	err = server.New(a).Run(ctx, ln)
	stopBackground()
	<-done
	return err
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("migrate", "[flags]")
	cfg.RegisterStorage(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	v, verr := a.DB.SchemaVersion(ctx)
	if verr == nil {
		fmt.Fprintf(e.stdout, "database (%s) is at schema version %d\n", a.DB.Dialect(), v)
	}
	return errors.Join(verr, a.Close())
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "pingan", server.Version())
	return nil
}
