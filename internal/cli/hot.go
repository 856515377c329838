package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"pingan/internal/hot"
)

// cmdHot ranks the hot issues of a file of messages (the Teddy Cup's
// JSON-lines format) and prints the top ones.
func cmdHot(ctx context.Context, e *env, args []string) error {
	fs := e.flags("hot", "--data FILE.jsonl [--top 5]")
	data := fs.String("data", "", "messages, one JSON object per line: id, user, subject, time, body, likes, dislikes")
	top := fs.Int("top", 5, "how many issues to print")
	threshold := fs.Float64("threshold", 0, "likeness (cosine, 0–1) a message needs to join an issue; 0 for the default 0.3")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || *top < 1 || *threshold < 0 || *threshold >= 1 {
		return fmt.Errorf("%w: pingan hot --data FILE.jsonl [--top 5]", errUsage)
	}
	f, err := os.Open(*data)
	if err != nil {
		return err
	}
	defer f.Close()
	msgs, err := hot.ReadJSONL(f, time.Local)
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	issues := hot.Find(msgs, hot.Options{Threshold: *threshold})
	fmt.Fprintf(e.stdout, "%d 条留言，归为 %d 个问题\n\n", len(msgs), len(issues))
	hot.Table(e.stdout, issues, *top)
	return nil
}
