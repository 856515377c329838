package web

import (
	"io/fs"
	"sort"
)

// MissingMessages lists the message keys pages asked for that do not exist.
func MissingMessages() []string {
	var out []string
	missing.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	sort.Strings(out)
	return out
}

// StaticFile is an embedded static file as it is stored.
func StaticFile(name string) ([]byte, error) { return fs.ReadFile(staticFiles, "static/"+name) }
