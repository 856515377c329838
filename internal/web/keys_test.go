package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every text key written literally in a template or a handler exists, in
// both languages; pages that are not visited by a test are covered too.
func TestMessageKeysExist(t *testing.T) {
	literal := regexp.MustCompile(`\bT[ (]"([a-z_]+\.[a-z0-9_]+)"`)
	check := func(name string, src []byte) int {
		n := 0
		for _, m := range literal.FindAllSubmatch(src, -1) {
			n++
			key := string(m[1])
			msg, ok := messages[key]
			switch {
			case !ok:
				t.Errorf("%s: no message %q", name, key)
			case msg.ZH == "" || msg.EN == "":
				t.Errorf("%s: message %q lacks a language", name, key)
			}
		}
		return n
	}
	total := 0
	err := fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFiles, path)
		total += check(path, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total += check(f, src)
	}
	if total < 300 {
		t.Fatalf("only %d keys found: is the pattern still right?", total)
	}
	for key, msg := range messages {
		if strings.Count(msg.ZH, "%") != strings.Count(msg.EN, "%") {
			t.Errorf("%s: the languages take different arguments: %q / %q", key, msg.ZH, msg.EN)
		}
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1073315: "1,073,315", -45000: "-45,000",
		100000: "100,000"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
