package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// logSyncer makes the embedded database's commits durable beside the
// writer. With synchronous=FULL, SQLite's COMMIT writes the batch to the
// write-ahead log and then waits for the log's fsync, and every write queued
// behind the batch waits with it. The writer's connection instead commits
// with synchronous=NORMAL (the log is written, not synced) and hands the
// batch's acknowledgements to the syncer, which fsyncs the log and only then
// tells the batch's writes that they are stored; meanwhile the writer runs
// the next batch. One fsync covers every batch committed before it, so
// batches that commit while a sync is under way share the next.
//
// An acknowledged write is therefore exactly as durable as with FULL: the
// log is appended in commit order and synced before the acknowledgement, so
// whatever survives a power loss is a prefix of the commits, containing every
// acknowledged one. A write that reads an earlier one's result (an
// idempotent retry returning the first attempt's case) is acknowledged after
// its own batch's sync, which covers the earlier batch too. What differs is
// visibility: a batch is readable from its COMMIT, up to one fsync before it
// is acknowledged, as a PostgreSQL commit is visible to other sessions while
// its own caller waits for the answer.
//
// If the disk refuses an fsync, what the log holds since the last good one
// is committed but not known to be on disk: the writes waiting for that sync
// fail, and so does every write after it (ErrLogSync), until pingan restarts
// and SQLite recovers the log from what is really on the disk.
type logSyncer struct {
	path string
	log  *slog.Logger
	in   chan func(error) // committed batches' acknowledgements, in commit order
	done chan struct{}

	gate   sync.RWMutex // held to hand a batch; taken whole by close
	closed bool

	mu     sync.Mutex
	failed error // sticky: a sync failed

	file *os.File // the log, opened at the first sync

	syncs   atomic.Int64 // for metrics
	syncing atomic.Int64 // nanoseconds in fsync, for metrics
}

// ErrLogSync fails writes after the disk refused to sync the embedded
// database's log.
var ErrLogSync = errors.New("the disk refused to sync the database log; restart pingan")

func newLogSyncer(path string, log *slog.Logger) *logSyncer {
	s := &logSyncer{path: path, log: log, in: make(chan func(error), 1024), done: make(chan struct{})}
	go s.run()
	return s
}

// broken returns the sticky sync failure, if any; the writer refuses new
// batches once there is one.
func (s *logSyncer) broken() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// hand passes a committed batch's acknowledgement to the syncer, which
// calls it once the log is synced, or with the failure. The writer calls it
// right after COMMIT, in commit order.
func (s *logSyncer) hand(ack func(error)) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	if s.closed {
		ack(ErrClosed)
		return
	}
	s.in <- ack
}

func (s *logSyncer) run() {
	defer close(s.done)
	var waiting []func(error)
	for ack := range s.in {
		waiting = gather(append(waiting[:0], ack), s.in, math.MaxInt)
		err := s.broken()
		if err == nil {
			began := time.Now()
			err = s.sync()
			s.syncing.Add(int64(time.Since(began)))
			s.syncs.Add(1)
			if err != nil {
				s.log.Error("syncing the database log failed; no more writes are accepted", "err", err)
				err = fmt.Errorf("%w: %v", ErrLogSync, err)
				s.mu.Lock()
				s.failed = err
				s.mu.Unlock()
			}
		}
		for _, ack := range waiting {
			ack(err)
		}
	}
}

// sync fsyncs the log. The file is opened once and kept: Linux reports a
// write-back error to every descriptor open when it happens, so a kept
// descriptor cannot miss one that SQLite's own syncs consumed. SQLite keeps
// the log's file (it truncates or rewinds it, never replaces it) while any
// connection is open; should it have been replaced anyway, the new one is
// opened.
func (s *logSyncer) sync() error {
	if s.file != nil {
		held, err1 := s.file.Stat()
		now, err2 := os.Stat(s.path)
		if err1 != nil || err2 != nil || !os.SameFile(held, now) {
			s.file.Close()
			s.file = nil
		}
	}
	if s.file == nil {
		f, err := os.OpenFile(s.path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("open the log: %w", err)
		}
		s.file = f
	}
	return s.file.Sync()
}

// close acknowledges the batches handed so far, once they are synced, and
// stops the syncer. The writer has stopped handing batches when it is called.
func (s *logSyncer) close() error {
	s.gate.Lock()
	if s.closed {
		s.gate.Unlock()
		return nil
	}
	s.closed = true
	close(s.in)
	s.gate.Unlock()
	<-s.done
	if s.file != nil {
		return s.file.Close()
	}
	return nil
}

// Durable returns once every commit made before it is on disk. Writes are
// acknowledged only then anyway; Durable is for commits made outside the
// writer (migrations). On PostgreSQL, and for SQLite's side file, a commit
// is durable when it returns, and Durable returns at once.
func (d *DB) Durable(ctx context.Context) error {
	if d.sync == nil {
		return nil
	}
	done := make(chan error, 1)
	d.sync.hand(func(err error) { done <- err })
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
