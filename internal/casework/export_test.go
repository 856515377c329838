package casework

// SetCountWalk bounds CountUpTo's walk of the index in a scope to n entries
// (tests use a few cases); it returns what restores the bound.
func SetCountWalk(n int) (restore func()) {
	was := countWalk
	countWalk = n
	return func() { countWalk = was }
}
