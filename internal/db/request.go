package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Work asked for at the next start — a rebuild from the cases after an
// upgrade changed how something is counted — is a meta row under its key
// (Request; migrations insert it with SQL). The node that does the work
// claims it first: a second meta row, "claim:"+key, holding when the
// claim lapses and whose it is. The holder renews the claim while it works
// and removes request and claim together when done (Claim.Done), so a
// request is never lost: a holder that dies stops renewing, its claim
// lapses, and the next node to start takes the work over. Of several nodes
// starting at once, one does the work and the others go on.

// RequestLease is how long a claim lasts unless renewed: a node that died
// while doing the work holds it this long at most. The holder renews it
// every third of it, so clocks a few seconds apart do no harm.
const RequestLease = 30 * time.Second

// Request asks for work at the next start, under key, saying why.
func (d *DB) Request(ctx context.Context, key, why string) error {
	return d.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING", key, why)
		return err
	})
}

// Requested reports whether work is asked for under key.
func (d *DB) Requested(ctx context.Context, key string) (bool, error) {
	var n int
	if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = $1", key).Scan(&n); err != nil {
		return false, fmt.Errorf("request %s: %w", key, err)
	}
	return n > 0, nil
}

// Claim is this process's hold on a request while it does the work.
type Claim struct {
	d          *DB
	key, token string
	lease      time.Duration
	stop       chan struct{}
	wg         sync.WaitGroup
	once       sync.Once
}

// ClaimRequest claims the request under key for this process, renewing
// the claim every lease/3 until Done or Release. It returns nil when there
// is no work for it: no request, or another node holds a live claim. A
// claim found held is watched for up to a lease: renewed, its holder lives
// and does the work (nil); lapsed, its holder died and the work is taken
// over.
func (d *DB) ClaimRequest(ctx context.Context, key string, lease time.Duration) (*Claim, error) {
	// Most starts find nothing asked for: a read says so, without a write.
	if asked, err := d.Requested(ctx, key); err != nil || !asked {
		return nil, err
	}
	var tok [8]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, err
	}
	c := &Claim{d: d, key: key, token: hex.EncodeToString(tok[:]), lease: lease, stop: make(chan struct{})}
	seen := ""
	for {
		held, claimed, err := c.try(ctx)
		switch {
		case err != nil:
			return nil, fmt.Errorf("claim request %s: %w", key, err)
		case claimed:
			c.wg.Go(c.renew)
			return c, nil
		case held == "":
			return nil, nil // no request
		case seen != "" && held != seen:
			return nil, nil // renewed: its holder is at work
		}
		seen = held
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lease/3 + lease/10):
		}
	}
}

// claimValue is the claim's meta value: when it lapses, in zero-padded
// Unix milliseconds (so that comparing strings compares times), and whose
// it is.
func claimValue(until time.Time, token string) string {
	return fmt.Sprintf("%020d %s", until.UnixMilli(), token)
}

// try claims the request if it is there and unclaimed, or its claim has
// lapsed. Otherwise it returns the claim that holds it ("" for no request).
func (c *Claim) try(ctx context.Context) (held string, claimed bool, err error) {
	err = c.d.Write(ctx, func(tx *Tx) error {
		held, claimed = "", false
		var why string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", c.key).Scan(&why)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		now := time.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < $3`,
			"claim:"+c.key, claimValue(now.Add(c.lease), c.token), fmt.Sprintf("%020d", now.UnixMilli()))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			claimed = n == 1
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", "claim:"+c.key).Scan(&held)
	})
	return held, claimed, err
}

// renew extends the claim every third of the lease until stopped.
func (c *Claim) renew() {
	t := time.NewTicker(c.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		err := c.d.Write(context.Background(), func(tx *Tx) error {
			_, err := tx.ExecContext(context.Background(), "UPDATE meta SET value = $1 WHERE key = $2 AND value LIKE $3",
				claimValue(time.Now().Add(c.lease), c.token), "claim:"+c.key, "% "+c.token)
			return err
		})
		if err != nil {
			c.d.log.Warn("renewing a claim on requested work", "request", c.key, "err", err)
		}
	}
}

// end stops renewing and removes the claim, and the request with it when
// done.
func (c *Claim) end(ctx context.Context, done bool) error {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
	return c.d.Write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE key = $1 AND value LIKE $2", "claim:"+c.key, "% "+c.token)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 || !done {
			// Not ours any more (it lapsed and another node took it over):
			// the request is that node's to finish.
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM meta WHERE key = $1", c.key)
		return err
	})
}

// Done ends the claim and the request: the work is done.
func (c *Claim) Done(ctx context.Context) error { return c.end(ctx, true) }

// Release ends the claim and leaves the request for the next start: the
// work failed.
func (c *Claim) Release(ctx context.Context) error { return c.end(ctx, false) }
