package classify

import "strings"

// PathSep separates the levels of a category label: a label names a
// category of the taxonomy with its ancestors, root first
// ("城乡建设/城市建设和市政管理/燃气供应"), as deep as it is known.
const PathSep = "/"

// CleanLabel trims the levels of a label and drops empty ones
// ("城乡建设 / 燃气供应/" → "城乡建设/燃气供应").
func CleanLabel(label string) string {
	if !strings.Contains(label, PathSep) {
		return strings.TrimSpace(label)
	}
	var parts []string
	for _, p := range strings.Split(label, PathSep) {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, PathSep)
}

// cleanNature is a nature as training and evaluation read it.
func cleanNature(nature string) string { return strings.TrimSpace(nature) }

// Depth is the number of levels of a label (0 for "").
func Depth(label string) int {
	if label == "" {
		return 0
	}
	return strings.Count(label, PathSep) + 1
}

// AtDepth cuts a label to its first n levels.
func AtDepth(label string, n int) string {
	i := 0
	for range n {
		j := strings.Index(label[i:], PathSep)
		if j < 0 {
			return label
		}
		i += j + 1
	}
	return label[:max(i-1, 0)]
}

// Agrees reports whether a predicted label is right about a true one at
// the true label's depth: a prediction deeper than the truth is right when
// it lies under it, a shallower one is not (it says less than was known).
// Evaluation and the operators' audit trail both judge by it.
func Agrees(truth, predicted string) bool {
	return truth != "" && AtDepth(predicted, Depth(truth)) == truth
}

// tree is the hierarchy of a head's labels: each label's parent is the
// longest label of the head that is a path prefix of it.
type tree struct {
	parent []int   // per label; -1 for a root
	roots  []int   // in label order
	kids   [][]int // per label, in label order; nil when every label is a root
}

func treeOf(labels []string) tree {
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		idx[l] = i
	}
	t := tree{parent: make([]int, len(labels))}
	for i, l := range labels {
		t.parent[i] = -1
		for j := strings.LastIndex(l, PathSep); j > 0; j = strings.LastIndex(l[:j], PathSep) {
			if p, ok := idx[l[:j]]; ok {
				t.parent[i] = p
				break
			}
		}
		if t.parent[i] < 0 {
			t.roots = append(t.roots, i)
		}
	}
	if len(t.roots) < len(labels) {
		t.kids = make([][]int, len(labels))
		for i, p := range t.parent {
			if p >= 0 {
				t.kids[p] = append(t.kids[p], i)
			}
		}
	}
	return t
}

// root returns the root above label i (i itself for a root).
func (t tree) root(i int) int {
	for t.parent[i] >= 0 {
		i = t.parent[i]
	}
	return i
}

// under reports whether label i is label a or lies below it.
func (t tree) under(i, a int) bool {
	for ; i >= 0; i = t.parent[i] {
		if i == a {
			return true
		}
	}
	return false
}

// withAncestors adds to labels every path prefix of each: a label deep in
// the taxonomy trains its ancestors too.
func withAncestors(labels []string) []string {
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		seen[l] = true
	}
	out := labels
	for _, l := range labels {
		for j := strings.LastIndex(l, PathSep); j > 0; j = strings.LastIndex(l[:j], PathSep) {
			if !seen[l[:j]] {
				seen[l[:j]] = true
				out = append(out, l[:j])
			}
		}
	}
	return out
}
