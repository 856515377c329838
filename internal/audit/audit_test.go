package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/secret"
)

func setup(t *testing.T, n int) (*db.DB, *audit.Log) {
	t.Helper()
	d := dbtest.Open(t)
	keys, err := secret.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	log := audit.New(keys, func() time.Time { at = at.Add(time.Second); return at })
	for i := range n {
		if err := d.Write(context.Background(), func(tx *db.Tx) error {
			return log.Append(context.Background(), tx, audit.Entry{ActorID: int64(i%3 + 1), ActorName: "u", Action: "case.dispatch",
				ObjectType: "case", ObjectID: fmt.Sprintf("XM-2026-%06d", i), Detail: map[string]any{"i": i}})
		}); err != nil {
			t.Fatal(err)
		}
	}
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
	if err := d.Write(context.Background(), func(tx *db.Tx) error {
		for _, s := range append(lift, stmts...) {
			if _, err := tx.ExecContext(context.Background(), s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIntact(t *testing.T) {
	d, log := setup(t, 25)
	res, err := log.Verify(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem != nil || res.Records != 25 || res.HeadSeq != 25 {
		t.Fatalf("intact log: %+v", res)
	}
	recs, err := log.List(context.Background(), d, audit.Filter{ActorID: 2, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 8 || recs[0].Seq < recs[1].Seq {
		t.Errorf("list by actor: %d records, want 8 newest first", len(recs))
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name     string
		stmts    []string
		wantSeq  int64
		wantKind string
	}{
		{"altered detail", []string{`UPDATE audit_log SET detail = '{"i":999}' WHERE seq = 7`}, 7, audit.Altered},
		{"altered actor", []string{`UPDATE audit_log SET actor_id = 99 WHERE seq = 12`}, 12, audit.Altered},
		{"altered time", []string{`UPDATE audit_log SET at = at + 1 WHERE seq = 3`}, 3, audit.Altered},
		{"removed", []string{`DELETE FROM audit_log WHERE seq = 10`}, 10, audit.Removed},
		{"removed last", []string{`DELETE FROM audit_log WHERE seq = 20`}, 20, audit.Removed},
		{"removed and renumbered", []string{
			`DELETE FROM audit_log WHERE seq = 5`,
			`UPDATE audit_log SET seq = seq - 1 WHERE seq > 5`,
			`UPDATE audit_head SET seq = seq - 1`}, 5, audit.Altered},
		{"inserted at the end", []string{
			`INSERT INTO audit_log (seq, at, actor_name, action, object_type, object_id, outcome, detail, prev_hash, hash)
			 SELECT 21, at + 1, 'mallory', 'case.close', 'case', 'XM-2026-999999', 'ok', '{}', hash, 'forged' FROM audit_log WHERE seq = 20`},
			21, audit.Inserted},
		{"inserted in the middle", []string{
			`UPDATE audit_log SET seq = seq + 1000 WHERE seq > 8`,
			`UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000`,
			`INSERT INTO audit_log (seq, at, actor_name, action, object_type, object_id, outcome, detail, prev_hash, hash)
			 SELECT 9, at + 1, 'mallory', 'case.close', 'case', 'XM-2026-999999', 'ok', '{}', hash, 'forged' FROM audit_log WHERE seq = 8`,
			`UPDATE audit_head SET seq = seq + 1`},
			9, audit.Inserted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, log := setup(t, 20)
			tamper(t, d, tc.stmts...)
			res, err := log.Verify(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			if res.Problem == nil {
				t.Fatal("tampering not detected")
			}
			if res.Problem.Seq != tc.wantSeq || res.Problem.Kind != tc.wantKind {
				t.Errorf("problem %v, want record %d %s", res.Problem, tc.wantSeq, tc.wantKind)
			}
		})
	}
}

// Without the key, a consistent rewrite of the chain from some record on is
// still detected: the hashes are MACs.
func TestRewriteWithoutKeyDetected(t *testing.T) {
	d, _ := setup(t, 5)
	other, _ := secret.New(bytes.Repeat([]byte{9}, 32))
	_, log := d, audit.New(other, nil)
	res, err := log.Verify(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Problem == nil || res.Problem.Seq != 1 {
		t.Fatalf("a log checked with the wrong key must fail at record 1: %+v", res.Problem)
	}
}
