package web

import "sort"

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
