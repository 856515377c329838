package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pingan/internal/classify"
	"pingan/internal/config"
)

const modelUsage = "pingan model train | list | activate VERSION | eval --data FILE | suggest --subject S --body B | feedback --out FILE"

func cmdModel(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, modelUsage)
	}
	switch args[0] {
	case "train":
		return modelTrain(ctx, e, args[1:])
	case "list":
		return modelList(ctx, e, args[1:])
	case "activate":
		return modelActivate(ctx, e, args[1:])
	case "eval":
		return modelEval(ctx, e, args[1:])
	case "suggest":
		return modelSuggest(ctx, e, args[1:])
	case "feedback":
		return modelFeedback(ctx, e, args[1:])
	}
	return fmt.Errorf("%w: unknown subcommand %q (train, list, activate, eval, suggest, feedback)", errUsage, args[0])
}

// modelStorage registers the storage flags: the models are kept in the
// database (the one pingan serves from).
func modelStorage(fs *flag.FlagSet) *config.Config {
	cfg := config.Default()
	cfg.RegisterStorage(fs)
	return &cfg
}

func modelTrain(ctx context.Context, e *env, args []string) error {
	fs := e.flags("model train", "[--corpus DIR] [--extra FILE.jsonl] [--out FILE | [storage flags] [--no-activate]]")
	cfg := modelStorage(fs)
	corpus := fs.String("corpus", envOr("PINGAN_SHARED_DATA", filepath.Join("..", "shared", "data")),
		"folder with teddy_messages_train.jsonl (gold labels) and teddy_messages_weak.jsonl (weak labels); empty: none")
	extra := fs.String("extra", "", "JSONL file of operators' labels (subject, body, label and/or nature), weighed above the corpus")
	weakWeight := fs.Float64("weak-weight", 0, "weight of weakly labelled messages (0: the default)")
	out := fs.String("out", "", "write the model to this file instead of adding it to the registry (how default.model is built)")
	noActivate := fs.Bool("no-activate", false, "add the new version without making it active")
	if err := parse(fs, args); err != nil {
		return err
	}
	var examples []classify.Example
	if *corpus != "" {
		for _, name := range []string{"teddy_messages_train.jsonl", "teddy_messages_weak.jsonl"} {
			ex, err := classify.ReadExamplesFile(filepath.Join(*corpus, name))
			if err != nil {
				return err
			}
			examples = append(examples, ex...)
		}
		// The corpus labels no natures: the cue words of each message
		// stand in for them.
		for i := range examples {
			if examples[i].Nature == "" {
				examples[i].Nature = classify.CueNature(examples[i].Subject, examples[i].Body)
			}
		}
	}
	opts := classify.TrainOptions{WeakWeight: *weakWeight}
	if *extra != "" {
		ex, err := classify.ReadExamplesFile(*extra)
		if err != nil {
			return err
		}
		opts.Extra = ex
	}
	start := time.Now()
	m, err := classify.Train(examples, opts)
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	var note []string
	if *corpus != "" {
		note = append(note, "shared corpus (teddy_messages_train, teddy_messages_weak; natures from cue words)")
	}
	if len(opts.Extra) > 0 {
		note = append(note, fmt.Sprintf("%d operator labels", len(opts.Extra)))
	}
	m.Info.Note = strings.Join(note, " + ")
	if *out != "" {
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "trained on %d messages (%d weak) in %v; wrote %s (%d bytes)\n",
			m.Info.Examples, m.Info.Weak, took, *out, buf.Len())
		return nil
	}
	a, err := openApp(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.Models.Add(ctx, cliActor("model train"), m, !*noActivate)
	if err != nil {
		return err
	}
	state := "active: running pingan nodes switch to it within a minute"
	if *noActivate {
		state = "not activated"
	}
	fmt.Fprintf(e.stdout, "trained on %d messages (%d weak) in %v; stored as %s (%s)\n",
		m.Info.Examples, m.Info.Weak, took, v, state)
	return nil
}

func modelList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("model list", "[storage flags]")
	cfg := modelStorage(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	entries, err := a.Models.List(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "  %-9s %-20s %9s %9s %6s  %s\n", "version", "created", "examples", "bytes", "labels", "categories")
	for _, en := range entries {
		mark := " "
		if en.Active {
			mark = "*"
		}
		fmt.Fprintf(e.stdout, "%s %-9s %-20s %9d %9d %6d  %s\n", mark, en.Version, en.Created.Format(time.DateTime),
			en.Examples, en.Size, len(en.Categories), strings.Join(en.Categories, " "))
	}
	return nil
}

func modelActivate(ctx context.Context, e *env, args []string) error {
	fs := e.flags("model activate", "VERSION   (a version from pingan model list, or default for the built-in model)")
	cfg := modelStorage(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: pingan model activate VERSION", errUsage)
	}
	a, err := openApp(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Models.Activate(ctx, cliActor("model activate"), fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "model %s is active: running pingan nodes switch to it within a minute\n", fs.Arg(0))
	return nil
}

// modelLoad loads a version, or the active model when version is empty.
func modelLoad(ctx context.Context, e *env, cfg config.Config, version string) (*classify.Model, error) {
	if version == classify.DefaultVersion {
		return classify.Default() // no database needed
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if version == "" {
		return a.Models.Active(ctx)
	}
	return a.Models.Load(ctx, version)
}

func modelEval(ctx context.Context, e *env, args []string) error {
	fs := e.flags("model eval", "--data FILE.jsonl [--model VERSION]")
	cfg := modelStorage(fs)
	data := fs.String("data", "", "JSONL file of labelled messages (subject, body, label)")
	version := fs.String("model", "", "model version (default: the active one; default: the built-in one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("%w: --data FILE.jsonl is required", errUsage)
	}
	m, err := modelLoad(ctx, e, *cfg, *version)
	if err != nil {
		return err
	}
	ex, err := classify.ReadExamplesFile(*data)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "model %s, %d labelled messages\n", m.Info.Version, len(ex))
	return m.Evaluate(ex).Write(e.stdout)
}

func modelSuggest(ctx context.Context, e *env, args []string) error {
	fs := e.flags("model suggest", "--subject S --body B [--model VERSION]")
	cfg := modelStorage(fs)
	subject := fs.String("subject", "", "message title")
	body := fs.String("body", "", "message text")
	version := fs.String("model", "", "model version (default: the active one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := modelLoad(ctx, e, *cfg, *version)
	if err != nil {
		return err
	}
	s := m.Suggest(*subject, *body)
	for _, h := range []struct {
		name string
		s    []classify.Suggestion
	}{{"category", s.Category}, {"nature", s.Nature}} {
		for i, x := range h.s {
			if i == 3 {
				break
			}
			fmt.Fprintf(e.stdout, "%-8s %.3f  %s\n", h.name, x.Confidence, x.Label)
		}
	}
	return nil
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// modelFeedback writes the categories operators chose for cases the
// classifier had suggested one for, as training data (subject, body,
// label): pingan model train --extra FILE learns from them.
func modelFeedback(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("model feedback", "--out FILE.jsonl")
	cfg.RegisterStorage(fs)
	out := fs.String("out", "", "the JSONL file to write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: pingan model feedback --out FILE.jsonl", errUsage)
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The latest choice for each case, with the case's title and first report.
	rows, err := a.DB.QueryContext(ctx, `SELECT c.title, (SELECT r.body FROM reports r WHERE r.case_id = c.id ORDER BY r.id LIMIT 1),
		f.chosen, COALESCE(f.chosen_nature, '') FROM classify_feedback f JOIN cases c ON c.id = f.case_id
		WHERE f.id = (SELECT MAX(g.id) FROM classify_feedback g WHERE g.case_id = f.case_id) ORDER BY f.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	n := 0
	for rows.Next() {
		var subject, body, label, nature string
		if err := rows.Scan(&subject, &body, &label, &nature); err != nil {
			return err
		}
		rec := map[string]string{"subject": subject, "body": body, "label": label}
		if nature != "" {
			rec["nature"] = nature
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d labelled cases written to %s (train on them: pingan model train --extra %s)\n", n, *out, *out)
	return nil
}
