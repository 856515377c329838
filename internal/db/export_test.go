package db

// Crash stops renewing the claim without ending it, as a node that died.
func (c *Claim) Crash() {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}
