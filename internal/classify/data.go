package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// record is one line of the shared data's JSONL files (teddy_messages_*):
// gold rows carry label, weakly labelled rows label_weak. Nature is
// pingan's own addition for operators' labels.
type record struct {
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Label     string `json:"label"`
	LabelWeak string `json:"label_weak"`
	Nature    string `json:"nature"`
	Weak      bool   `json:"weak"`
}

// ReadExamples reads labelled messages, one JSON object a line, with the
// fields subject, body and label (the category), or label_weak for a weak
// label; optionally nature, and weak: true to mark a label as weak. Lines
// without any label are skipped.
func ReadExamples(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	var out []Example
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		e := Example{Subject: rec.Subject, Body: rec.Body, Category: rec.Label, Nature: rec.Nature, Weak: rec.Weak}
		if e.Category == "" && rec.LabelWeak != "" {
			e.Category, e.Weak = rec.LabelWeak, true
		}
		if e.Category == "" && e.Nature == "" {
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadExamplesFile reads labelled messages from a JSONL file.
func ReadExamplesFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := ReadExamples(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return ex, nil
}
