package db

import (
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies an SQLite file's write-ahead log back into the file
// on a connection of its own, beside the writer. Left to SQLite, the
// writer's connection does it inside a COMMIT whenever the log passes 1,000
// pages, and every write queued behind that batch waits for the copy and
// for the file's fsync. A passive checkpoint takes no lock the writer or
// the readers need, so it runs on the other core while the writer goes on.
// The writer's own automatic checkpoint stays, at a far larger log
// (autoCheckpoint), as the bound should this one fall behind or fail.
type checkpointer struct {
	conn *sql.DB
	log  *slog.Logger
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// autoCheckpoint is the writer connection's own checkpoint threshold, in
// pages (4 KiB each: ~100 MB of log).
const autoCheckpoint = 25_000

// checkpointEvery spaces the checkpoints: a page that consecutive commits
// write again and again is copied once an interval, not once a commit.
const checkpointEvery = 200 * time.Millisecond

func newCheckpointer(conn *sql.DB, log *slog.Logger) *checkpointer {
	c := &checkpointer{conn: conn, log: log, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// kick asks for a checkpoint after a commit; it never waits.
func (c *checkpointer) kick() {
	if c == nil {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		// Let the commits of the next moments join this one's.
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
		// The result (busy, log frames, frames copied) says nothing the
		// next round does not redo: a busy or partial checkpoint is
		// carried on by the next.
		var busy, logged, copied int
		if err := c.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied); err != nil {
			c.log.Warn("checkpoint failed; the writer's own checkpoint bounds the log", "err", err)
		}
	}
}

// close stops the checkpointer; SQLite checkpoints what is left when the
// file's last connection closes.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
