package classify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/classify"
	"pingan/internal/cli"
	"pingan/internal/sharedtest"
)

// labelledFile writes the first n gold messages, each with a nature, as
// operators' labels (subject, body, label, nature).
func labelledFile(t *testing.T, dir string, n int) string {
	t.Helper()
	raw, err := os.ReadFile(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for i, line := range bytes.SplitAfter(raw, []byte("\n"))[:n] {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		rec["nature"] = []string{"complaint", "consult", "suggestion"}[i%3]
		b, _ := json.Marshal(rec)
		buf.Write(append(b, '\n'))
	}
	path := filepath.Join(dir, "labels.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runModel runs pingan model and returns its output, failing the test
// unless it exits 0.
func runModel(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := cli.Main(append([]string{"model"}, args...), strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("pingan model %v: exit %d: %s", args, code, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestModelCommand drives `pingan model`: train into a registry, list,
// eval (natures scored, the last line "macro-F1 0.xxx"), roll back to the
// built-in model, suggest.
func TestModelCommand(t *testing.T) {
	// A few of the gold messages as operators' labels (no corpus), to keep
	// training quick.
	dir := t.TempDir()
	gold := labelledFile(t, dir, 80)
	run := func(args ...string) string {
		t.Helper()
		out, _ := runModel(t, args...)
		return out
	}
	if out := run("train", "--data-dir", dir, "--corpus", "", "--extra", gold); !strings.Contains(out, "stored as v1 (active") {
		t.Fatalf("train: %q", out)
	}
	if out := run("list", "--data-dir", dir); !strings.Contains(out, "* v1") || !strings.Contains(out, "  default") {
		t.Errorf("list:\n%s", out)
	}
	out := run("eval", "--data-dir", dir, "--data", gold)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	n := len(lines)
	if !regexp.MustCompile(`^macro-F1 [01]\.\d{3}$`).MatchString(lines[n-1]) || !strings.Contains(out, "劳动和社会保障") ||
		!regexp.MustCompile(`^nature macro-F1 [01]\.\d{3}$`).MatchString(lines[n-2]) || !strings.Contains(out, "\nconsult ") {
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

// Without a database named, eval and suggest read the built-in model (or
// --model FILE) and create nothing; a version needs a database.
func TestModelEvalWithoutDatabase(t *testing.T) {
	dir := t.TempDir()
	gold := labelledFile(t, dir, 40)
	t.Chdir(dir)
	t.Setenv("PINGAN_DATA_DIR", "")
	t.Setenv("PINGAN_DATABASE_URL", "")
	out, errOut := runModel(t, "eval", "--data", gold)
	if !strings.HasPrefix(errOut, "model default,") || !strings.Contains(out, "\nmacro-F1 ") {
		t.Errorf("eval: %s\n%s", errOut, out)
	}
	runModel(t, "suggest", "--subject", "工资拖欠", "--body", "公司三个月没发工资")
	// A model file, trained here.
	file := filepath.Join(dir, "m.model")
	runModel(t, "train", "--corpus", "", "--extra", gold, "--out", file)
	if _, errOut := runModel(t, "eval", "--model", file, "--data", gold); strings.HasPrefix(errOut, "model default,") {
		t.Errorf("eval --model %s: %s", file, errOut)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if de.Name() != "labels.jsonl" && de.Name() != "m.model" {
			t.Errorf("eval created %s", de.Name())
		}
	}
	var errBuf bytes.Buffer
	if code := cli.Main([]string{"model", "eval", "--model", "v1", "--data", gold}, strings.NewReader(""), &bytes.Buffer{}, &errBuf); code == 0 ||
		!strings.Contains(errBuf.String(), "--data-dir") {
		t.Errorf("a version without a database: exit %d: %s", code, errBuf.String())
	}
}

// Once pingan model train has written the default data directory's
// database, eval and suggest read its active model without naming it.
func TestModelEvalFindsDefaultDataDir(t *testing.T) {
	dir := t.TempDir()
	gold := labelledFile(t, dir, 40)
	t.Chdir(dir)
	t.Setenv("PINGAN_DATA_DIR", "")
	t.Setenv("PINGAN_DATABASE_URL", "")
	os.Unsetenv("PINGAN_DATA_DIR") // the default data directory, restored after the test
	if out, _ := runModel(t, "train", "--corpus", "", "--extra", gold); !strings.Contains(out, "stored as v1 (active") {
		t.Fatalf("train: %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "pingan-data")); err != nil {
		t.Fatalf("train wrote no default data directory: %v", err)
	}
	if _, errOut := runModel(t, "eval", "--data", gold); !regexp.MustCompile(`(?m)^model v1,`).MatchString(errOut) {
		t.Errorf("eval after train: %s", errOut)
	}
	if _, errOut := runModel(t, "eval", "--model", "default", "--data", gold); !regexp.MustCompile(`(?m)^model default,`).MatchString(errOut) {
		t.Errorf("eval --model default: %s", errOut)
	}
}

// Operators' corrections reach the next model with no file in between:
// cases registered under a category the model does not know, `pingan
// model train` on the database, and the suggestion for a similar report
// goes to that category (unless trained with --no-feedback). `pingan model
// feedback` writes the same labels.
func TestModelTrainLearnsFromOperators(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	label := "城乡建设/集体土地上房屋拆迁与补偿/房屋拆迁"
	deep, ok, err := env.App.Catalog.ByLabel(ctx, label)
	if err != nil || !ok {
		t.Fatalf("category %s: %v", label, err)
	}
	probe := casework.ReportInput{Channel: "hotline", Title: "村里拆迁补偿款迟迟不到位",
		Body: "我们村去年开始拆迁，房屋拆迁补偿款至今没有发放，安置房也没有着落，请相关部门解决。"}
	before, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), probe)
	if err != nil {
		t.Fatal(err)
	}
	if sg := before.Case.Suggestion; sg == nil || sg.Label == label || sg.CategoryID == deep.ID {
		t.Fatalf("before training: %+v", sg)
	}
	// The operators register the demolition complaints of the shared data
	// under the deep category.
	weak, err := classify.ReadExamplesFile(sharedtest.Path(t, "teddy_messages_weak.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range weak {
		if e.Category != "城乡建设" || !strings.Contains(e.Subject, "拆迁") {
			continue
		}
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Title: e.Subject, Body: e.Body})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), res.Case.Number, casework.Register,
			casework.ActionInput{CategoryID: deep.ID, Nature: "complaint"}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 15 {
		t.Fatalf("only %d messages", n)
	}
	// A small corpus (the gold messages) keeps training quick.
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "teddy_messages_weak.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "teddy_messages_train.jsonl"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	db := []string{"--data-dir", env.App.Config.DataDir, "--database-url", env.App.Config.DatabaseURL, "--corpus", corpus}
	suggestion := func() *casework.Suggestion {
		t.Helper()
		if _, err := env.App.Classifier.Follow(ctx, env.App.Models); err != nil {
			t.Fatal(err)
		}
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), probe)
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Suggestion
	}

	out, _ := runModel(t, append([]string{"train", "--no-feedback"}, db...)...)
	if !strings.Contains(out, "0 operator labels from the database") {
		t.Errorf("train --no-feedback: %s", out)
	}
	if sg := suggestion(); sg.Label == label || sg.Model != "v1" {
		t.Errorf("trained without the operators' labels: %+v", sg)
	}
	out, _ = runModel(t, append([]string{"train"}, db...)...)
	if !strings.Contains(out, fmt.Sprintf("%d operator labels from the database", n)) || !strings.Contains(out, "stored as v2") {
		t.Errorf("train: %s", out)
	}
	if sg := suggestion(); sg.Label != label || sg.CategoryID != deep.ID || sg.Model != "v2" {
		t.Errorf("after training on the operators' labels: %+v", sg)
	}

	file := filepath.Join(t.TempDir(), "labels.jsonl")
	out, _ = runModel(t, "feedback", "--data-dir", env.App.Config.DataDir, "--database-url", env.App.Config.DatabaseURL, "--out", file)
	if !strings.HasPrefix(out, fmt.Sprintf("%d labelled cases written", n)) {
		t.Errorf("feedback: %s", out)
	}
	ex, err := classify.ReadExamplesFile(file)
	if err != nil || len(ex) != n || ex[0].Category != label || ex[0].Nature != "complaint" || ex[0].Subject == "" || ex[0].Body == "" {
		t.Fatalf("feedback file: %d %+v %v", len(ex), ex[0], err)
	}
}
