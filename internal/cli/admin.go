package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/org"
	"pingan/internal/secret"
)

// openApp opens the app for a one-shot command, with storage flags parsed.
func openApp(ctx context.Context, e *env, cfg config.Config) (*app.App, error) {
	return app.Open(ctx, cfg, cfg.Logger(e.stderr))
}

// demoDataDir is where pingan demo keeps its data, unless PINGAN_DATA_DIR
// says otherwise.
const demoDataDir = "pingan-demo-data"

// openExisting opens the installation a command works on, which must be
// there already: a command that reads or changes accounts or data in a
// directory without a database would make a new, empty one, and its work
// would be lost to the server running elsewhere. (user create begins one.)
func openExisting(ctx context.Context, e *env, cfg config.Config) (*app.App, error) {
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, db.SQLiteFile)); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no pingan database in %s: name the data directory in use with --data-dir "+
				"(pingan demo's is %s), or start pingan there first", cfg.DataDir, demoDataDir)
		}
	}
	return openApp(ctx, e, cfg)
}

// cliActor is the audit identity of an operator at the command line.
func cliActor(what string) access.Actor { return access.System("cli:" + what) }

func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: pingan user create | token | list | reset-password | reset-totp | unlock", errUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, e, args[1:])
	case "token":
		return userToken(ctx, e, args[1:])
	case "list":
		return userList(ctx, e, args[1:])
	case "reset-password", "reset-totp", "unlock":
		return userRecover(ctx, e, args[0], args[1:])
	}
	return fmt.Errorf("%w: unknown subcommand %q (create, token, list, reset-password, reset-totp, unlock)", errUsage, args[0])
}

// userRecover resets a password or second factor, or lifts a lockout, at
// once — an administrator's too. In the workbench and the API a reset of an
// administrator's credentials waits for a second administrator's approval;
// whoever runs pingan on the server already holds the database and its key,
// so the command line acts as the system: it is how an installation whose
// administrators are locked out (or that has no second security or system
// administrator to approve) is recovered. Each is audited as "cli:user …".
func userRecover(ctx context.Context, e *env, what string, args []string) error {
	cfg := config.Default()
	usage := "--username NAME"
	if what == "reset-password" {
		usage += " --password-stdin"
	}
	fs := e.flags("user "+what, usage)
	cfg.RegisterStorage(fs)
	username := fs.String("username", "", "whose account")
	pwStdin := false
	if what == "reset-password" {
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the new password from the first line of standard input (required)")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return fmt.Errorf("%w: --username is required", errUsage)
	}
	var password string
	if what == "reset-password" {
		if !pwStdin {
			return fmt.Errorf("%w: the new password is read from standard input (--password-stdin), never from the command line", errUsage)
		}
		var err error
		if password, err = readPassword(e); err != nil {
			return err
		}
	}
	a, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Org.UserByName(ctx, a.DB, *username)
	if err != nil {
		return fmt.Errorf("user %s: %w", *username, err)
	}
	actor := cliActor("user " + what)
	switch what {
	case "reset-password":
		err = a.Auth.ResetPassword(ctx, actor, u.ID, password)
	case "reset-totp":
		err = a.Auth.DisableTOTP(ctx, actor, u.ID, "")
	case "unlock":
		err = a.Auth.Unlock(ctx, actor, u.ID)
	}
	if err != nil {
		return err
	}
	done := map[string]string{"reset-password": "password reset; their sessions ended",
		"reset-totp": "second factor removed (they enrol again at the next sign-in); their sessions ended", "unlock": "lockout lifted"}
	fmt.Fprintf(e.stdout, "%s: %s (audited as %s)\n", u.Username, done[what], actor.Username)
	return nil
}

func userCreate(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("user create", "--username NAME --name 姓名 --unit CODE --roles ROLE[,ROLE] [--password-stdin] [--token NAME]")
	cfg.RegisterStorage(fs)
	username := fs.String("username", "", "login name: lower-case letters, digits, . _ -")
	name := fs.String("name", "", "person's name")
	unit := fs.String("unit", "", "unit code, e.g. HOTLINE-350200 or 350206004 (see GET /api/v1/units)")
	roles := fs.String("roles", "", "roles, comma-separated: "+roleList())
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	token := fs.String("token", "", "also issue an API token with this name and print it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *name == "" || *unit == "" {
		return fmt.Errorf("%w: --username, --name and --unit are required", errUsage)
	}
	rs, err := access.ParseRoles(*roles)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var password string
	if *pwStdin {
		if password, err = readPassword(e); err != nil {
			return err
		}
	}
	// The first accounts of a new installation are made here: the one user
	// command that may begin a database.
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Org.UnitByCode(ctx, a.DB, *unit)
	if err != nil {
		return err
	}
	actor := cliActor("user create")
	user, err := a.Org.CreateUser(ctx, actor, org.UserInput{Username: *username, Name: *name, UnitID: u.ID,
		Roles: rs, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created user %s (%s) in %s with roles %v\n", user.Username, user.Name, u.Name, user.Roles)
	if *token != "" {
		tok, _, err := a.Org.IssueToken(ctx, actor, user.ID, *token, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "API token (shown once): %s\n", tok)
	}
	return nil
}

// readPassword reads a password from the first line of standard input.
func readPassword(e *env) (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func roleList() string {
	var s []string
	for _, r := range access.Roles {
		s = append(s, string(r.Role))
	}
	return strings.Join(s, ", ")
}

func userToken(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("user token", "--username NAME [--name TOKEN-NAME] [--ttl DURATION]")
	cfg.RegisterStorage(fs)
	username := fs.String("username", "", "whose token")
	name := fs.String("name", "cli", "what the token is for")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h; 0 for no expiry")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return fmt.Errorf("%w: --username is required", errUsage)
	}
	a, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Org.UserByName(ctx, a.DB, *username)
	if err != nil {
		return err
	}
	tok, _, err := a.Org.IssueToken(ctx, cliActor("user token"), u.ID, *name, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("user list", "[flags]")
	cfg.RegisterStorage(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.Org.Users(ctx, 0)
	if err != nil {
		return err
	}
	rows := [][]string{{"USERNAME", "NAME", "UNIT", "ROLES", "STATUS"}}
	units := map[int64]org.Unit{}
	for _, u := range users {
		unit, ok := units[u.UnitID]
		if !ok {
			if unit, err = a.Org.Unit(ctx, a.DB, u.UnitID); err != nil {
				return err
			}
			units[u.UnitID] = unit
		}
		status := "active"
		if !u.DisabledAt.IsZero() {
			status = "disabled"
		}
		rows = append(rows, []string{u.Username, u.Name, unit.Name, fmt.Sprint(u.Roles), status})
	}
	table(e.stdout, rows)
	return nil
}

// errAuditBroken is returned (exit status 1) when verification finds a break.
var errAuditBroken = errors.New("audit log is not intact")

func cmdAudit(ctx context.Context, e *env, args []string) error {
	a, err := openFor(ctx, e, args, "audit", "verify")
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	// The check itself is an audited action.
	res, err := a.Audit.VerifyAs(ctx, a.DB, cliActor("audit verify"))
	if err != nil {
		return err
	}
	if res.Problem != nil {
		fmt.Fprintf(e.stdout, "BROKEN: %s\n", res.Problem)
		if res.Problems > 1 {
			fmt.Fprintf(e.stdout, "(%d chains are broken; this is the first break)\n", res.Problems)
		}
		return fmt.Errorf("%w: %s", errAuditBroken, res.Problem)
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d records in %d chains, checked in %s\n", res.Records, len(res.Chains),
		time.Since(start).Round(time.Millisecond))
	for _, h := range res.Chains {
		fmt.Fprintf(e.stdout, "  chain %s: %d records, head %s\n", h.Chain, h.Seq, h.Hash)
	}
	fmt.Fprintln(e.stdout, "(keep the heads somewhere else: they prove later that nothing before them was rewritten)")
	return nil
}

func cmdKeygen(ctx context.Context, e *env, args []string) error {
	fs := e.flags("keygen", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	k, err := secret.Generate()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, k)
	return nil
}
