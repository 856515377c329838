// Package audit keeps the tamper-evident audit log. Every write, and every
// read of a sensitive personal field, appends a record in the same
// transaction as the change it describes. Records form a hash chain: each
// carries an HMAC over its own content and the previous record's hash, under
// a key kept outside the database, so a row altered, removed or inserted by
// someone with database access shows up in Verify.
package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"pingan/internal/db"
	"pingan/internal/secret"
)

// Outcomes of an audited event.
const (
	OK     = "ok"
	Denied = "denied"
)

// Entry is what a caller records.
type Entry struct {
	ActorID    int64 // 0 for the system itself
	ActorName  string
	UnitID     int64
	Action     string // "case.dispatch", "report.create", "personal.reveal"…
	ObjectType string // "case", "report", "unit", "category", "user"…
	ObjectID   string
	Outcome    string // OK or Denied
	Detail     map[string]any
	RemoteAddr string
}

// Record is a stored entry with its place in the chain.
type Record struct {
	Seq        int64
	At         time.Time
	ActorID    int64
	ActorName  string
	UnitID     int64
	Action     string
	ObjectType string
	ObjectID   string
	Outcome    string
	Detail     string // JSON object
	RemoteAddr string
	PrevHash   string
	Hash       string
}

// Log appends to and verifies the audit log.
type Log struct {
	keys *secret.Keyring
	now  func() time.Time
}

// New returns a Log that signs with keys; now defaults to time.Now.
func New(keys *secret.Keyring, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{keys: keys, now: now}
}

// Append adds e to the chain inside tx. Appends serialise on the chain head,
// so the chain order is the commit order.
func (l *Log) Append(ctx context.Context, tx *db.Tx, e Entry) error {
	if e.Outcome == "" {
		e.Outcome = OK
	}
	if e.ActorName == "" {
		e.ActorName = "system"
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("audit %s: encode detail: %w", e.Action, err)
		}
	}
	r := Record{
		At: l.now(), ActorID: e.ActorID, ActorName: e.ActorName, UnitID: e.UnitID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: e.Outcome,
		Detail: string(detail), RemoteAddr: e.RemoteAddr,
	}
	// Taking the next sequence number locks the head row until commit.
	if err := tx.QueryRowContext(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").
		Scan(&r.Seq, &r.PrevHash); err != nil {
		return fmt.Errorf("audit %s: advance head: %w", e.Action, err)
	}
	// Microsecond precision is what is stored; sign exactly that.
	r.At = time.UnixMicro(r.At.UnixMicro())
	r.Hash = l.hash(r)
	if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET hash = $1 WHERE id = 1", r.Hash); err != nil {
		return fmt.Errorf("audit %s: update head: %w", e.Action, err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, unit_id, action,
		object_type, object_id, outcome, detail, remote_addr, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.Seq, r.At.UnixMicro(), nullID(r.ActorID), r.ActorName, nullID(r.UnitID), r.Action,
		r.ObjectType, r.ObjectID, r.Outcome, r.Detail, r.RemoteAddr, r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("audit %s: insert: %w", e.Action, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// hash computes a record's chain hash: HMAC over a canonical JSON array of
// every stored field and the previous hash.
func (l *Log) hash(r Record) string {
	msg, err := json.Marshal([]any{r.Seq, r.At.UnixMicro(), r.ActorID, r.ActorName, r.UnitID, r.Action,
		r.ObjectType, r.ObjectID, r.Outcome, r.Detail, r.RemoteAddr, r.PrevHash})
	if err != nil {
		panic(err) // only strings and integers: cannot fail
	}
	return hex.EncodeToString(l.keys.AuditMAC(msg))
}

const recordColumns = `seq, at, COALESCE(actor_id, 0), actor_name, COALESCE(unit_id, 0), action,
	object_type, object_id, outcome, detail, remote_addr, prev_hash, hash`

func scanRecord(s interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var at int64
	err := s.Scan(&r.Seq, &at, &r.ActorID, &r.ActorName, &r.UnitID, &r.Action, &r.ObjectType,
		&r.ObjectID, &r.Outcome, &r.Detail, &r.RemoteAddr, &r.PrevHash, &r.Hash)
	r.At = time.UnixMicro(at)
	return r, err
}

// Filter narrows List.
type Filter struct {
	ActorID    int64
	ObjectType string
	ObjectID   string
	Action     string
	From, To   time.Time
	BeforeSeq  int64 // page: records older than this
	Limit      int
}

// List returns records newest first.
func (l *Log) List(ctx context.Context, q db.Querier, f Filter) ([]Record, error) {
	where, args := "1 = 1", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.ActorID != 0 {
		add("actor_id = $%d", f.ActorID)
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UnixMicro())
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log WHERE "+where+
		fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Problem kinds Verify reports.
const (
	Altered  = "altered"  // the record's content no longer matches its hash
	Removed  = "removed"  // one or more records before this one are gone
	Inserted = "inserted" // the record was not written by pingan
)

// Problem is the first break in the chain.
type Problem struct {
	Seq    int64
	Kind   string
	Detail string
}

func (p Problem) String() string {
	return fmt.Sprintf("record %d %s: %s", p.Seq, p.Kind, p.Detail)
}

// Result is the outcome of Verify.
type Result struct {
	Records  int64
	HeadSeq  int64
	HeadHash string
	Problem  *Problem // nil when the chain is intact
}

// Verify walks the whole chain in order and reports the first record that was
// altered, removed or inserted. It reads in one pass with constant memory.
func (l *Log) Verify(ctx context.Context, q db.Querier) (Result, error) {
	var res Result
	if err := q.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&res.HeadSeq, &res.HeadHash); err != nil {
		return res, fmt.Errorf("verify audit log: read head: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()
	next := func() (*Record, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		r, err := scanRecord(rows)
		return &r, err
	}
	prevHash, wantSeq := "", int64(1)
	cur, err := next()
	for err == nil && cur != nil {
		var after *Record
		if after, err = next(); err != nil {
			break
		}
		res.Records++
		if p := l.check(*cur, after, prevHash, wantSeq, res.HeadSeq); p != nil {
			res.Problem = p
			return res, nil
		}
		prevHash, wantSeq = cur.Hash, cur.Seq+1
		cur = after
	}
	if err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	switch {
	case wantSeq-1 < res.HeadSeq:
		res.Problem = &Problem{Seq: wantSeq, Kind: Removed,
			Detail: fmt.Sprintf("the log ends at record %d but its head says %d records were written", wantSeq-1, res.HeadSeq)}
	case prevHash != res.HeadHash:
		res.Problem = &Problem{Seq: wantSeq - 1, Kind: Altered, Detail: "the newest record does not match the chain head"}
	}
	return res, nil
}

// check judges one record given the hash it should link to and the record
// that follows it (nil at the end).
func (l *Log) check(r Record, after *Record, prevHash string, wantSeq, headSeq int64) *Problem {
	if l.hash(r) != r.Hash {
		// A forged row breaks its own hash. If the record after it still
		// links to the one before it, the row was slipped in; otherwise an
		// existing record was changed.
		if r.Seq > headSeq || (after != nil && after.PrevHash == prevHash) {
			return &Problem{Seq: r.Seq, Kind: Inserted, Detail: "this record is not part of the chain pingan wrote"}
		}
		return &Problem{Seq: r.Seq, Kind: Altered, Detail: "its content does not match its hash"}
	}
	if r.Seq != wantSeq {
		return &Problem{Seq: wantSeq, Kind: Removed,
			Detail: fmt.Sprintf("records %d to %d are missing", wantSeq, r.Seq-1)}
	}
	if r.PrevHash != prevHash {
		return &Problem{Seq: r.Seq, Kind: Removed,
			Detail: "the record it was chained to is gone (records were removed and renumbered)"}
	}
	return nil
}
