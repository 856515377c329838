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

	"pingan/internal/app"
	"pingan/internal/classify"
	"pingan/internal/config"
	"pingan/internal/db"
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
	fs := e.flags("model train", "[--corpus DIR] [--extra FILE.jsonl] [--out FILE | [storage flags] [--no-activate] [--no-feedback]]")
	cfg := modelStorage(fs)
	corpus := fs.String("corpus", envOr("PINGAN_SHARED_DATA", filepath.Join("..", "shared", "data")),
		"folder with teddy_messages_train.jsonl (gold labels) and teddy_messages_weak.jsonl (weak labels); empty: none")
	extra := fs.String("extra", "", "JSONL file of operators' labels (subject, body, label and/or nature), weighed above the corpus")
	weakWeight := fs.Float64("weak-weight", 0, "weight of weakly labelled messages (0: the default)")
	out := fs.String("out", "", "write the model to this file instead of adding it to the registry (how default.model is built)")
	noActivate := fs.Bool("no-activate", false, "add the new version without making it active")
	noFeedback := fs.Bool("no-feedback", false, "leave out the operators' labels kept in the database (what pingan model feedback writes)")
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
	// Registry mode: the new version goes into the database, and learns
	// from the labels operators left there unless told not to.
	var a *app.App
	fromDB := 0
	if *out == "" {
		var err error
		if a, err = openApp(ctx, e, *cfg); err != nil {
			return err
		}
		defer a.Close()
		if !*noFeedback {
			ex, err := a.Cases.Labels(ctx, cliActor("model train"))
			if err != nil {
				return err
			}
			opts.Extra, fromDB = append(opts.Extra, ex...), len(ex)
		}
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
	if n := len(opts.Extra) - fromDB; n > 0 {
		note = append(note, fmt.Sprintf("%d labels from %s", n, filepath.Base(*extra)))
	}
	if fromDB > 0 {
		note = append(note, fmt.Sprintf("%d operator labels from the database", fromDB))
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
	v, err := a.Models.Add(ctx, cliActor("model train"), m, !*noActivate)
	if err != nil {
		return err
	}
	state := "active: running pingan nodes switch to it within a minute"
	if *noActivate {
		state = "not activated"
	}
	fmt.Fprintf(e.stdout, "trained on %d messages (%d weak, %d operator labels from the database) in %v; stored as %s (%s)\n",
		m.Info.Examples, m.Info.Weak, fromDB, took, v, state)
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

// modelLoad loads the model to evaluate or ask: a model file (a path
// ending in .model or with a folder in it), the embedded one (default, or
// any when no database is named and the default data directory holds none:
// nothing is created just to read a model), or a version kept in the
// database (its active one when version is empty).
func modelLoad(ctx context.Context, e *env, fs *flag.FlagSet, cfg config.Config, version string) (*classify.Model, error) {
	if strings.HasSuffix(version, ".model") || strings.ContainsRune(version, os.PathSeparator) {
		f, err := os.Open(version)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		m, err := classify.Load(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", version, err)
		}
		m.Info.Source = version
		return m, nil
	}
	named := os.Getenv("PINGAN_DATA_DIR") != "" || os.Getenv("PINGAN_DATABASE_URL") != ""
	fs.Visit(func(f *flag.Flag) { named = named || f.Name == "data-dir" || f.Name == "database-url" })
	if !named && cfg.DataDir != "" {
		// The default data directory, once it holds a database (pingan
		// model train wrote there), is the one meant.
		_, err := os.Stat(filepath.Join(cfg.DataDir, db.SQLiteFile))
		named = err == nil
	}
	switch {
	case version == classify.DefaultVersion || version == "" && !named:
		return classify.Default()
	case !named:
		return nil, fmt.Errorf("%w: model version %s is kept in a database: name it with --data-dir or --database-url (or give --model FILE.model)", errUsage, version)
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
	fs := e.flags("model eval", "--data FILE.jsonl [--model VERSION | FILE.model] [storage flags]")
	cfg := modelStorage(fs)
	data := fs.String("data", "", "JSONL file of labelled messages (subject, body, label and/or nature)")
	version := fs.String("model", "", "a model file, or a version of the database named by --data-dir or --database-url or found in the default data directory (default: its active one; default: the built-in one, also used when there is no database)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("%w: --data FILE.jsonl is required", errUsage)
	}
	m, err := modelLoad(ctx, e, fs, *cfg, *version)
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
	fs := e.flags("model suggest", "--subject S --body B [--model VERSION | FILE.model] [storage flags]")
	cfg := modelStorage(fs)
	subject := fs.String("subject", "", "message title")
	body := fs.String("body", "", "message text")
	version := fs.String("model", "", "a model file, or a version of the named database or the one in the default data directory (default: its active one; the built-in one when there is no database)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := modelLoad(ctx, e, fs, *cfg, *version)
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

// modelFeedback writes the labels operators gave cases — confirmed or
// corrected, category as a path and nature — as training data (subject,
// body, label, nature). pingan model train reads them from the database
// itself; the file is for looking at them, or for training elsewhere
// (--extra FILE).
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
	labels, err := a.Cases.Labels(ctx, cliActor("model feedback"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, l := range labels {
		rec := map[string]string{"subject": l.Subject, "body": l.Body}
		if l.Category != "" {
			rec["label"] = l.Category
		}
		if l.Nature != "" {
			rec["nature"] = l.Nature
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d labelled cases written to %s (pingan model train learns from them in the database; --extra %s elsewhere)\n",
		len(labels), *out, *out)
	return nil
}
