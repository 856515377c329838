package casegen

// NotesOf returns the notes a handler of a unit of this kind (org.Kind)
// writes as it signs for, handles and reports back: the kinds with notes of
// their own are named as the topics' handlers are.
func NotesOf(kind string) (sign, handle, report []string) {
	n := handlerNotes[noteKind[kind]]
	return n.sign, n.handle, n.report
}
