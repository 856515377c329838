package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pingan/internal/cli"
	"pingan/internal/db"
)

// TestWorkdayAddUsesStoredCalendar: after `workday import`, `workday add`
// answers from the imported year wherever the server would — a data
// directory given by flag, by PINGAN_DATA_DIR, or the default one in the
// working directory — and from the built-in notices only where there is no
// database.
func TestWorkdayAddUsesStoredCalendar(t *testing.T) {
	t.Setenv("PINGAN_DATA_DIR", "")
	os.Unsetenv("PINGAN_DATA_DIR")
	t.Setenv("PINGAN_DATABASE_URL", "")
	os.Unsetenv("PINGAN_DATABASE_URL")
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := cli.Main(args, strings.NewReader(""), &out, &errOut); code != wantCode {
			t.Fatalf("pingan %v: exit %d, want %d: %s", args, code, wantCode, errOut.String())
		}
		return out.String(), errOut.String()
	}
	// A 2028 arrangement (no notice for 2028 is built in) with Monday 5
	// June off.
	root := t.TempDir()
	dir := filepath.Join(root, "pingan-data")
	notice := filepath.Join(root, "2028.json")
	if err := os.WriteFile(notice, []byte(`{"year": 2028, "papers": [], "days": [
		{"name": "测试假日", "date": "2028-06-05", "isOffDay": true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := run(0, "workday", "import", "--data-dir", dir, notice); !strings.Contains(out, "imported 2028: 1 holidays") {
		t.Fatalf("import: %q", out)
	}
	const stored, builtIn = "2028-06-06\n", "2028-06-05\n" // one working day after Friday 2 June
	if out, errOut := run(0, "workday", "add", "--data-dir", dir, "2028-06-02", "1"); out != stored || strings.Contains(errOut, "no holiday notice") {
		t.Errorf("--data-dir: %q (%s), want %q", out, errOut, stored)
	}
	t.Setenv("PINGAN_DATA_DIR", dir)
	if out, _ := run(0, "workday", "add", "2028-06-02", "1"); out != stored {
		t.Errorf("PINGAN_DATA_DIR: %q, want %q", out, stored)
	}
	os.Unsetenv("PINGAN_DATA_DIR")
	t.Chdir(root) // the default data directory, pingan-data, is here
	if out, _ := run(0, "workday", "add", "2028-06-02", "1"); out != stored {
		t.Errorf("default data directory: %q, want %q", out, stored)
	}
	// No database: the built-in notices, which say nothing of 2028.
	t.Chdir(t.TempDir())
	out, errOut := run(0, "workday", "add", "2028-06-02", "1")
	if out != builtIn || !strings.Contains(errOut, "no holiday notice for 2028") {
		t.Errorf("no database: %q (%s), want %q and a note", out, errOut, builtIn)
	}
	if out, _ := run(0, "workday", "add", "2024-09-27", "3"); out != "2024-10-08\n" {
		t.Errorf("built-in 2024: %q", out)
	}
	if _, err := os.Stat("pingan-data"); !os.IsNotExist(err) {
		t.Errorf("workday add created a data directory: %v", err)
	}
	// A data directory asked for by name must hold a database.
	empty := t.TempDir()
	if _, errOut := run(1, "workday", "add", "--data-dir", empty, "2028-06-02", "1"); !strings.Contains(errOut, "no pingan database in "+empty) {
		t.Errorf("empty --data-dir: %s", errOut)
	}
}

// TestWorkdayAddOnlyReads: a date calculation never changes the database it
// reads the calendar from: an unmigrated one is refused, not migrated, and
// nothing (no secret key) is written beside it.
func TestWorkdayAddOnlyReads(t *testing.T) {
	t.Setenv("PINGAN_DATABASE_URL", "")
	os.Unsetenv("PINGAN_DATABASE_URL")
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, db.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	files := func() []string {
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	before := files()
	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"workday", "add", "--data-dir", dir, "2028-06-02", "1"}, strings.NewReader(""), &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "not migrated") {
		t.Errorf("unmigrated database: exit %d: %q %s", code, out.String(), errOut.String())
	}
	if after := files(); !slices.Equal(before, after) {
		t.Errorf("files in the data directory: %v, were %v", after, before)
	}
	d, err = db.Open(ctx, db.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.SchemaVersion(ctx); err != nil || v != 0 {
		t.Errorf("schema version %d (%v), want 0: migrated", v, err)
	}
}
