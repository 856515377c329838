package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/secret"
)

var ctx = context.Background()

func keys(t *testing.T, b byte) *secret.Keyring {
	t.Helper()
	k, err := secret.New(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// setup writes n records, concurrently so that on PostgreSQL several writer
// lanes (and so several chains) take part.
func setup(t *testing.T, n int) (*db.DB, *audit.Log) {
	t.Helper()
	d := dbtest.Open(t)
	var mu sync.Mutex
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	log := audit.New(keys(t, 7), func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(time.Second)
		return at
	})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := d.Write(ctx, func(tx *db.Tx) error {
				return log.Append(ctx, tx, audit.Entry{ActorID: int64(i%3 + 1), ActorName: "u", Action: "case.dispatch",
					ObjectType: "case", ObjectID: fmt.Sprintf("XM-2026-%06d", i), Detail: map[string]any{"i": i}})
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return d, log
}

// tamper runs statements directly against the database, as someone with
// database access would, after lifting the append-only triggers.
func tamper(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	lift := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if d.Dialect() == db.Postgres {
		lift = []string{"DROP TRIGGER audit_log_append_only ON audit_log"}
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, s := range append(lift, stmts...) {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// place returns the chain and seq of the record with id.
func place(t *testing.T, d *db.DB, id int64) (string, int64) {
	t.Helper()
	var chain string
	var seq int64
	if err := d.QueryRowContext(ctx, "SELECT chain, seq FROM audit_log WHERE id = $1", id).Scan(&chain, &seq); err != nil {
		t.Fatal(err)
	}
	return chain, seq
}

func TestVerifyIntact(t *testing.T) {
	d, log := setup(t, 40)
	res, err := log.Verify(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, h := range res.Chains {
		total += h.Seq
	}
	if res.Problem != nil || res.Records != 40 || total != 40 {
		t.Fatalf("intact log: %+v", res)
	}
	recs, err := log.List(ctx, d, audit.Filter{ActorID: 2, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 13 || recs[0].ID < recs[1].ID {
		t.Errorf("list by actor: %d records, want 13 newest first", len(recs))
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	type want struct {
		id   bool // the problem names the tampered record's id
		kind string
	}
	cases := []struct {
		name  string
		stmts func(d *db.DB, chain string, seq int64) []string
		want  want
	}{
		{"altered detail", func(*db.DB, string, int64) []string {
			return []string{`UPDATE audit_log SET detail = '{"i":999}' WHERE id = 7`}
		}, want{true, audit.Altered}},
		{"altered actor", func(*db.DB, string, int64) []string {
			return []string{`UPDATE audit_log SET actor_id = 99 WHERE id = 7`}
		}, want{true, audit.Altered}},
		{"altered time", func(*db.DB, string, int64) []string {
			return []string{`UPDATE audit_log SET at = at + 1 WHERE id = 7`}
		}, want{true, audit.Altered}},
		{"moved to another chain", func(*db.DB, string, int64) []string {
			return []string{`UPDATE audit_log SET chain = 'elsewhere' WHERE id = 7`}
		}, want{true, audit.Inserted}},
		{"removed", func(*db.DB, string, int64) []string {
			return []string{`DELETE FROM audit_log WHERE id = 7`}
		}, want{false, audit.Removed}},
		{"inserted", func(d *db.DB, chain string, seq int64) []string {
			return []string{
				fmt.Sprintf(`UPDATE audit_log SET seq = seq + 1000 WHERE chain = '%s' AND seq > %d`, chain, seq),
				fmt.Sprintf(`UPDATE audit_log SET seq = seq - 999 WHERE chain = '%s' AND seq > 1000`, chain),
				fmt.Sprintf(`INSERT INTO audit_log (chain, seq, at, actor_name, action, object_type, object_id, outcome, detail, prev_hash, hash)
				 SELECT chain, seq + 1, at + 1, 'mallory', 'case.close', 'case', 'XM-2026-999999', 'ok', '{}', hash, 'forged' FROM audit_log WHERE id = 7`),
				fmt.Sprintf(`UPDATE audit_chains SET head_seq = head_seq + 1 WHERE name = '%s'`, chain)}
		}, want{false, audit.Inserted}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, log := setup(t, 30)
			chain, seq := place(t, d, 7)
			tamper(t, d, tc.stmts(d, chain, seq)...)
			res, err := log.Verify(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			p := res.Problem
			if p == nil {
				t.Fatal("tampering not detected")
			}
			if p.Kind != tc.want.kind {
				t.Errorf("problem %v, want kind %s", p, tc.want.kind)
			}
			switch {
			case tc.want.id && p.ID != 7:
				t.Errorf("problem %v, want record 7", p)
			case tc.name == "removed" && (p.Chain != chain || p.Seq != seq):
				t.Errorf("problem %v, want chain %s seq %d", p, chain, seq)
			case tc.name == "inserted" && (p.Chain != chain || p.Seq != seq+1):
				t.Errorf("problem %v, want the record after seq %d of chain %s", p, seq, chain)
			}
		})
	}
}

// A record forged onto the end of a chain, with the head's count raised
// but its hash left alone, is named as inserted (not as an altered record).
func TestVerifyFindsInsertedAtTail(t *testing.T) {
	d, log := setup(t, 20)
	var chain string
	var last int64
	if err := d.QueryRowContext(ctx, "SELECT name, head_seq FROM audit_chains ORDER BY head_seq DESC LIMIT 1").Scan(&chain, &last); err != nil {
		t.Fatal(err)
	}
	tamper(t, d,
		fmt.Sprintf(`INSERT INTO audit_log (chain, seq, at, actor_name, action, object_type, object_id, outcome, detail, prev_hash, hash)
		 SELECT chain, seq + 1, at + 1, 'mallory', 'case.close', 'case', 'XM-2026-999999', 'ok', '{}', hash, 'forged' FROM audit_log WHERE chain = '%s' AND seq = %d`, chain, last),
		fmt.Sprintf(`UPDATE audit_chains SET head_seq = head_seq + 1 WHERE name = '%s'`, chain))
	res, err := log.Verify(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Problem; p == nil || p.Kind != audit.Inserted || p.Chain != chain || p.Seq != last+1 {
		t.Fatalf("forged tail record: %+v, want inserted at %s #%d", p, chain, last+1)
	}
}

// Removing a chain's newest records is caught by the chain head.
func TestVerifyFindsTruncatedTail(t *testing.T) {
	d, log := setup(t, 20)
	var chain string
	var last int64
	if err := d.QueryRowContext(ctx, "SELECT name, head_seq FROM audit_chains ORDER BY head_seq DESC LIMIT 1").Scan(&chain, &last); err != nil {
		t.Fatal(err)
	}
	tamper(t, d, fmt.Sprintf("DELETE FROM audit_log WHERE chain = '%s' AND seq = %d", chain, last))
	res, err := log.Verify(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem == nil || res.Problem.Kind != audit.Removed || res.Problem.Chain != chain || res.Problem.Seq != last {
		t.Fatalf("truncated tail: %+v", res.Problem)
	}
}

// Checked with another key, every chain fails at its first record: the
// hashes are MACs, so a consistent rewrite without the key is detected.
func TestRewriteWithoutKeyDetected(t *testing.T) {
	d, _ := setup(t, 5)
	res, err := audit.New(keys(t, 9), nil).Verify(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem == nil || res.Problem.Seq != 1 || res.Problems != len(res.Chains) {
		t.Fatalf("wrong key: %+v (%d chains)", res.Problem, len(res.Chains))
	}
}

// The records of a batch are chained at its end: a write that fails after
// appending leaves no record and no gap, the others' records keep their
// order within each write, and the chains verify.
func TestFailedWritesLeaveNoRecord(t *testing.T) {
	d := dbtest.Open(t)
	log := audit.New(keys(t, 7), nil)
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			err := d.Write(ctx, func(tx *db.Tx) error {
				for step := range 3 {
					if err := log.Append(ctx, tx, audit.Entry{ActorName: "u", Action: fmt.Sprintf("step.%d", step),
						ObjectType: "case", ObjectID: fmt.Sprint(i)}); err != nil {
						return err
					}
				}
				if i%4 == 0 {
					return fmt.Errorf("write %d refused", i)
				}
				return nil
			})
			if (err != nil) != (i%4 == 0) {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	res, err := log.Verify(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem != nil || res.Records != 45*3 {
		t.Fatalf("verify: %+v (want 135 records, no problem)", res)
	}
	rows, err := d.QueryContext(ctx, "SELECT object_id, action FROM audit_log ORDER BY chain, seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	next := map[string]int{}
	for rows.Next() {
		var obj, action string
		if err := rows.Scan(&obj, &action); err != nil {
			t.Fatal(err)
		}
		var i int
		fmt.Sscan(obj, &i)
		if i%4 == 0 {
			t.Errorf("write %d failed but its record %s is stored", i, action)
		}
		if want := fmt.Sprintf("step.%d", next[obj]); action != want {
			t.Errorf("write %d: record %s, want %s", i, action, want)
		}
		next[obj]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// A refusal returned from a write's function rolls the write back, record
// included, and is recorded on its own as denied, with its code; the
// caller gets the refusal itself.
func TestRefusedWriteIsRolledBackAndRecorded(t *testing.T) {
	d, log := setup(t, 0)
	cause := fault.New(fault.Conflict, "last-admin", i18n.M("不行", "no"))
	err := log.Write(ctx, d, func(tx *db.Tx) error {
		if err := log.Append(ctx, tx, audit.Entry{ActorName: "u", Action: "user.roles", ObjectType: "user", ObjectID: "7"}); err != nil {
			return err
		}
		return audit.Refused(audit.Entry{ActorName: "u", Action: "user.roles", ObjectType: "user", ObjectID: "7"}, cause)
	})
	if err != cause {
		t.Fatalf("Write returned %v, want the refusal itself", err)
	}
	rs, err := log.List(ctx, d, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Outcome != audit.Denied || !strings.Contains(rs[0].Detail, `"reason":"last-admin"`) {
		t.Fatalf("records after a refused write: %+v", rs)
	}
	// Any other error is the write's own, and nothing is recorded.
	boom := errors.New("boom")
	if err := log.Write(ctx, d, func(tx *db.Tx) error { return boom }); err != boom {
		t.Fatalf("Write returned %v, want the write's error", err)
	}
	if rs, _ := log.List(ctx, d, audit.Filter{}); len(rs) != 1 {
		t.Fatalf("%d records after a failed write, want 1", len(rs))
	}
}
