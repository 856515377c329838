package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pingan/internal/cli"
)

// TestImportCommand drives `pingan import` on a fresh data directory: a
// dry run names the bad row and stores nothing, all or nothing refuses
// the file, valid rows stores the good one, the same file again adds
// nothing, another source system's same ids are new, and a file with no
// source system named is refused.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := cli.Main(args, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, stderr := run("", "migrate", "--data-dir", dir); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	if code, _, stderr := run("Bulk-Load-Pass-2026\n", "user", "create", "--data-dir", dir, "--username", "wgsys", "--name", "导入员",
		"--unit", "HOTLINE-350200", "--roles", "intake", "--password-stdin"); code != 0 {
		t.Fatalf("user create: %d %s", code, stderr)
	}
	file := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(file, []byte("编号,内容,地址,时间\nWG-1,莲前西路路灯不亮,思明区莲前西路,2026-01-05 08:30\nWG-2,湖滨南路井盖缺失,思明区,昨天\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp := func(args ...string) (int, string, string) {
		t.Helper()
		return run("", append([]string{"import", "--data-dir", dir, "--file", file, "--as", "wgsys"}, args...)...)
	}
	code, out, stderr := imp("--source", "数字城管")
	if code != 0 || !strings.Contains(out, "row 3 (WG-2): 时间：") || !strings.Contains(out, "dry-run: 1 valid, 1 invalid, 0 imported before, 0 imported now") {
		t.Fatalf("dry run: %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = imp("--source", "数字城管", "--mode", "all-or-nothing")
	if code != 1 || !strings.Contains(stderr, "nothing was imported") || !strings.Contains(out, "0 imported now") {
		t.Fatalf("all or nothing with a bad row: %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = imp("--source", "数字城管", "--mode", "valid-rows")
	if code != 0 || !strings.Contains(out, "valid-rows: 1 valid, 1 invalid, 0 imported before, 1 imported now") {
		t.Fatalf("valid rows: %d\n%s%s", code, out, stderr)
	}
	code, out, _ = imp("--source", "数字城管", "--mode", "valid-rows")
	if code != 0 || !strings.Contains(out, "1 imported before, 0 imported now") {
		t.Fatalf("the same file again: %d\n%s", code, out)
	}
	code, out, _ = imp("--source", "网格化系统", "--mode", "valid-rows")
	if code != 0 || !strings.Contains(out, "0 imported before, 1 imported now") {
		t.Fatalf("another system's WG-1: %d\n%s", code, out)
	}
	if code, _, stderr = imp("--mode", "valid-rows"); code == 0 || !strings.Contains(stderr, "name the source system (--source") {
		t.Fatalf("no source system: %d %s", code, stderr)
	}
	if code, _, stderr = imp("--source", "数字城管", "--crs", "bd09"); code == 0 || !strings.Contains(stderr, "bd09") {
		t.Fatalf("an unknown datum: %d %s", code, stderr)
	}
	if code, _, _ = run("", "import", "--data-dir", dir, "--file", file); code == 0 {
		t.Fatal("an import without --as")
	}
}
