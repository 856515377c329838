package cli_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pingan/internal/app"
	"pingan/internal/audit"
	"pingan/internal/cli"
	"pingan/internal/config"
	"pingan/internal/db"
)

// An installation whose administrators are locked out is recovered from the
// command line: it acts as the system, so an administrator's password and
// second factor are reset at once (no second administrator needed), and
// each reset is audited under the command's name.
func TestUserRecoversAnAdministrator(t *testing.T) {
	t.Setenv("PINGAN_DATABASE_URL", "")
	os.Unsetenv("PINGAN_DATABASE_URL")
	ctx := context.Background()
	dir := t.TempDir()
	run := func(wantCode int, stdin string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append(args, "--data-dir", dir)
		if code := cli.Main(args, strings.NewReader(stdin), &out, &errOut); code != wantCode {
			t.Fatalf("pingan %v: exit %d, want %d: %s %s", args, code, wantCode, out.String(), errOut.String())
		}
		return out.String() + errOut.String()
	}
	// Where there is no database yet (a mistyped or forgotten --data-dir),
	// a user command says so rather than making an empty one.
	if out := run(1, "", "user", "token", "--username", "intake"); !strings.Contains(out, "no pingan database in "+dir) ||
		!strings.Contains(out, "--data-dir") {
		t.Errorf("a user command without a database: %s", out)
	}
	if _, err := os.Stat(dir + "/" + db.SQLiteFile); !os.IsNotExist(err) {
		t.Errorf("the user command made a database: %v", err)
	}
	// user create begins one: a new installation's first accounts.
	run(0, "Cli-Old-Pass-2026\n", "user", "create", "--username", "auditor", "--name", "审计员", "--unit", "350200",
		"--roles", "auditadmin", "--password-stdin")
	open := func() *app.App {
		t.Helper()
		cfg := config.Default()
		cfg.DataDir = dir
		a, err := app.Open(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	u, err := a.Org.UserByName(ctx, a.DB, "auditor")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = 'sealed', totp_enabled_at = 1, failed_logins = 0, locked_until = $1 WHERE id = $2",
			int64(1)<<60, u.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	// The password never comes from the command line.
	if out := run(2, "", "user", "reset-password", "--username", "auditor"); !strings.Contains(out, "--password-stdin") {
		t.Fatalf("reset-password without stdin: %s", out)
	}
	run(1, "short\n", "user", "reset-password", "--username", "auditor", "--password-stdin")
	if out := run(0, "Cli-New-Pass-2026\n", "user", "reset-password", "--username", "auditor", "--password-stdin"); !strings.Contains(out, "password reset") {
		t.Fatalf("reset-password: %s", out)
	}
	run(0, "", "user", "reset-totp", "--username", "auditor")
	run(1, "", "user", "reset-totp", "--username", "auditor") // nothing left to remove
	run(0, "", "user", "unlock", "--username", "auditor")
	run(1, "", "user", "unlock", "--username", "nobody")

	// user list names each account with its unit and roles.
	run(0, "", "user", "create", "--username", "clerk", "--name", "文员", "--unit", "350200", "--roles", "intake")
	list := run(0, "", "user", "list")
	for _, want := range []string{"USERNAME", "auditor", "审计员", "clerk", "文员", "厦门市", "[intake]", "active"} {
		if !strings.Contains(list, want) {
			t.Errorf("user list lacks %q:\n%s", want, list)
		}
	}
	// Its columns line up on a terminal, where a Chinese character takes
	// two columns: ROLES starts at the same place on every line.
	var at []int
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		if strings.HasPrefix(line, "time=") {
			continue // the log, on stderr beside the list
		}
		i := strings.Index(line, "[")
		if strings.HasPrefix(line, "USERNAME") {
			i = strings.Index(line, "ROLES")
		}
		if i < 0 {
			continue
		}
		cols := 0
		for _, r := range line[:i] {
			cols++
			if r >= 0x2e80 {
				cols++
			}
		}
		at = append(at, cols)
	}
	if len(at) < 3 || slices.Min(at) != slices.Max(at) {
		t.Errorf("user list's ROLES column starts at columns %v:\n%s", at, list)
	}

	a = open()
	defer a.Close()
	if on, err := a.Auth.TOTPEnabled(ctx, u.ID); err != nil || on {
		t.Fatalf("second factor after reset-totp: %v %v", on, err)
	}
	if _, err := a.Auth.Login(ctx, "auditor", "Cli-New-Pass-2026", "", ""); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	for action, actor := range map[string]string{"password.reset": "cli:user reset-password", "totp.disable": "cli:user reset-totp",
		"user.unlock": "cli:user unlock"} {
		recs, err := a.Audit.List(ctx, a.DB, audit.Filter{Action: action, ObjectID: strconv.FormatInt(u.ID, 10), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range recs {
			found = found || r.ActorName == actor && r.Outcome == audit.OK
		}
		if !found {
			t.Errorf("no %s record by %s: %+v", action, actor, recs)
		}
	}
}

// pingan serve on a database nobody can sign in to says how to create the
// first administrators; once there is an account it says nothing.
func TestServeSaysHowToBegin(t *testing.T) {
	t.Setenv("PINGAN_DATABASE_URL", "")
	os.Unsetenv("PINGAN_DATABASE_URL")
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	hint, err := cli.FirstRunHint(ctx, a)
	if err != nil || !strings.Contains(hint, "pingan user create") {
		t.Errorf("hint on a new database: %q (%v)", hint, err)
	}
	a.Close()
	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"user", "create", "--username", "sysadmin", "--name", "系统管理员", "--unit", "350200",
		"--roles", "sysadmin", "--password-stdin", "--data-dir", cfg.DataDir}, strings.NewReader("Cli-First-Pass-2026\n"), &out, &errOut); code != 0 {
		t.Fatalf("user create: %d %s", code, errOut.String())
	}
	if a, err = app.Open(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if hint, err := cli.FirstRunHint(ctx, a); err != nil || hint != "" {
		t.Errorf("hint once an account exists: %q (%v)", hint, err)
	}
}
