package db

// Crash stops renewing the claim without ending it, as a node that died.
func (c *Claim) Crash() {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}

// BreakLogSync makes the next fsync of the embedded database's log fail, as
// a disk that refuses it. Call it between writes: the syncer is idle then.
func BreakLogSync(d *DB) {
	if d.sync.file != nil {
		d.sync.file.Close()
		d.sync.file = nil
	}
	d.sync.path += ".gone"
}

// MaxTries is how often at most one write runs when it keeps losing deadlocks.
const MaxTries = maxTries
