package classify_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pingan/internal/cli"
	"pingan/internal/sharedtest"
)

// TestModelCommand drives `pingan model`: train into a registry, list,
// eval (whose last line is "macro-F1 0.xxx"), roll back to the built-in
// model, suggest.
func TestModelCommand(t *testing.T) {
	// A few of the gold messages as operators' labels (no corpus), to keep
	// training quick.
	raw, err := os.ReadFile(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gold := filepath.Join(dir, "labels.jsonl")
	if err := os.WriteFile(gold, bytes.Join(bytes.SplitAfter(raw, []byte("\n"))[:80], nil), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := cli.Main(append([]string{"model"}, args...), strings.NewReader(""), &out, &errOut); code != 0 {
			t.Fatalf("pingan model %v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	if out := run("train", "--data-dir", dir, "--corpus", "", "--extra", gold); !strings.Contains(out, "stored as v1 (active") {
		t.Fatalf("train: %q", out)
	}
	if out := run("list", "--data-dir", dir); !strings.Contains(out, "* v1") || !strings.Contains(out, "  default") {
		t.Errorf("list:\n%s", out)
	}
	out := run("eval", "--data-dir", dir, "--data", gold)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !regexp.MustCompile(`^macro-F1 [01]\.\d{3}$`).MatchString(lines[len(lines)-1]) || !strings.Contains(out, "劳动和社会保障") {
		t.Errorf("eval output:\n%s", out)
	}
	run("activate", "--data-dir", dir, "default") // roll back to the built-in model
	if out := run("list", "--data-dir", dir); !strings.Contains(out, "* default") || !strings.Contains(out, "  v1") {
		t.Errorf("after rollback:\n%s", out)
	}
	if out := run("suggest", "--data-dir", dir, "--model", "default", "--subject", "工资拖欠", "--body", "公司三个月没发工资"); !strings.HasPrefix(out, "category") {
		t.Errorf("suggest: %q", out)
	}
	var errOut bytes.Buffer
	if code := cli.Main([]string{"model", "activate", "--data-dir", dir, "v7"}, strings.NewReader(""), &bytes.Buffer{}, &errOut); code != 1 || !strings.Contains(errOut.String(), "no such model version") {
		t.Errorf("activate v7: exit %d, %s", code, errOut.String())
	}
}
