// Package audit keeps the tamper-evident audit log. Every write, and every
// read of a sensitive personal field, appends a record in the same
// transaction as the change it describes. Records form hash chains: each
// carries an HMAC over its own content and the previous record's hash, under
// a key kept outside the database, so a row altered, removed or inserted by
// someone with database access shows up in Verify. There is one chain per
// writer lane (see db.Tx.Lane): one on SQLite, several per node on
// PostgreSQL, so that concurrent writers never queue behind one chain head.
package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
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
	ID         int64 // order across chains
	Chain      string
	Seq        int64 // gapless within the chain
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
	keys    *secret.Keyring
	now     func() time.Time
	pending *db.Deferred // the records of a batch, chained and stored at its end
}

// New returns a Log that signs with keys; now defaults to time.Now.
func New(keys *secret.Keyring, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	l := &Log{keys: keys, now: now}
	l.pending = &db.Deferred{Name: "audit log", Apply: l.store}
	return l
}

// Append adds e to the chain of tx's writer lane, in the same transaction:
// the record commits with the change it describes, or neither does. The
// records of a batch are chained and stored together at its end (store),
// in the order they were appended, so a record costs one row of a
// multi-row INSERT rather than three statements on the chain's head. Only
// the lane appends to its chain, so reading and advancing the head never
// waits for another writer.
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
	tx.Defer(l.pending, Record{
		Chain: tx.Lane(), At: time.UnixMicro(l.now().UnixMicro()), // microseconds are what is stored and signed
		ActorID: e.ActorID, ActorName: e.ActorName, UnitID: e.UnitID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: e.Outcome,
		Detail: string(detail), RemoteAddr: e.RemoteAddr,
	})
	return nil
}

// store chains and inserts a batch's records: it advances the lane's head
// by all of them at once, signs each with the hash of the one before, and
// leaves the last one's hash as the new head.
func (l *Log) store(ctx context.Context, tx *db.Tx, items []any) error {
	if len(items) == 0 {
		return nil
	}
	chain := items[0].(Record).Chain
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, `INSERT INTO audit_chains (name, head_seq, head_hash, created_at) VALUES ($1, $2, '', $3)
		ON CONFLICT (name) DO UPDATE SET head_seq = audit_chains.head_seq + $2 RETURNING head_seq, head_hash`,
		chain, len(items), items[0].(Record).At.UnixMicro()).Scan(&last, &prev); err != nil {
		return fmt.Errorf("advance chain head: %w", err)
	}
	rows := make([][]any, len(items))
	for i, it := range items {
		r := it.(Record)
		if r.Chain != chain {
			return fmt.Errorf("a batch of chain %s holds a record of chain %s", chain, r.Chain)
		}
		r.Seq, r.PrevHash = last-int64(len(items)-1-i), prev
		r.Hash = l.hash(r)
		prev = r.Hash
		rows[i] = []any{r.Chain, r.Seq, r.At.UnixMicro(), nullID(r.ActorID), r.ActorName, nullID(r.UnitID), r.Action,
			r.ObjectType, r.ObjectID, r.Outcome, r.Detail, r.RemoteAddr, r.PrevHash, r.Hash}
	}
	if err := tx.InsertRows(ctx, "audit_log", []string{"chain", "seq", "at", "actor_id", "actor_name", "unit_id", "action",
		"object_type", "object_id", "outcome", "detail", "remote_addr", "prev_hash", "hash"}, rows); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_chains SET head_hash = $1 WHERE name = $2", prev, chain); err != nil {
		return fmt.Errorf("update chain head: %w", err)
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
	msg, err := json.Marshal([]any{r.Chain, r.Seq, r.At.UnixMicro(), r.ActorID, r.ActorName, r.UnitID, r.Action,
		r.ObjectType, r.ObjectID, r.Outcome, r.Detail, r.RemoteAddr, r.PrevHash})
	if err != nil {
		panic(err) // only strings and integers: cannot fail
	}
	return hex.EncodeToString(l.keys.AuditMAC(msg))
}

const recordColumns = `id, chain, seq, at, COALESCE(actor_id, 0), actor_name, COALESCE(unit_id, 0), action,
	object_type, object_id, outcome, detail, remote_addr, prev_hash, hash`

func scanRecord(s interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var at int64
	err := s.Scan(&r.ID, &r.Chain, &r.Seq, &at, &r.ActorID, &r.ActorName, &r.UnitID, &r.Action, &r.ObjectType,
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
	BeforeID   int64 // page: records older than this
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
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log WHERE "+where+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), args...)
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

// Read lists records like List and records that reader (an entry naming
// the actor) read them: action "audit.read", with the filter and the number
// of records shown. Who looked into the audit log, and for what, is in the
// log too; if that cannot be recorded, nothing is shown.
func (l *Log) Read(ctx context.Context, d *db.DB, reader Entry, f Filter) ([]Record, error) {
	recs, err := l.List(ctx, d, f)
	if err != nil {
		return nil, err
	}
	detail := map[string]any{"records": len(recs)}
	for k, v := range map[string]any{"actor_id": f.ActorID, "object_type": f.ObjectType, "object_id": f.ObjectID,
		"action": f.Action, "before": f.BeforeID} {
		if v != int64(0) && v != "" {
			detail[k] = v
		}
	}
	if !f.From.IsZero() {
		detail["from"] = f.From.UnixMicro()
	}
	if !f.To.IsZero() {
		detail["to"] = f.To.UnixMicro()
	}
	reader.Action, reader.ObjectType, reader.ObjectID, reader.Outcome, reader.Detail = "audit.read", "audit_log", "*", OK, detail
	if err := d.Write(ctx, func(tx *db.Tx) error { return l.Append(ctx, tx, reader) }); err != nil {
		return nil, fmt.Errorf("record a read of the audit log: %w", err)
	}
	return recs, nil
}

// Problem kinds Verify reports.
const (
	Altered  = "altered"  // the record's content no longer matches its hash
	Removed  = "removed"  // one or more records of the chain are gone
	Inserted = "inserted" // the record was not written by pingan
)

// Problem is a break in a chain.
type Problem struct {
	ID     int64 // the record where the break shows (0 when the chain's tail is gone)
	Chain  string
	Seq    int64
	Kind   string
	Detail string
}

func (p Problem) String() string {
	if p.ID == 0 {
		return fmt.Sprintf("chain %s record %d %s: %s", p.Chain, p.Seq, p.Kind, p.Detail)
	}
	return fmt.Sprintf("record %d (chain %s #%d) %s: %s", p.ID, p.Chain, p.Seq, p.Kind, p.Detail)
}

// Head is a chain's newest record as audit_chains records it.
type Head struct {
	Chain string
	Seq   int64
	Hash  string
}

// Result is the outcome of Verify.
type Result struct {
	Records  int64
	Chains   []Head
	Problem  *Problem // the first break (lowest record id), nil when intact
	Problems int      // how many chains are broken
}

// Verify walks every chain in order and reports the first record (by id)
// that was altered, removed or inserted. It reads each chain once, with one
// record of look-ahead.
func (l *Log) Verify(ctx context.Context, q db.Querier) (Result, error) {
	var res Result
	heads := map[string]Head{}
	hrows, err := q.QueryContext(ctx, "SELECT name, head_seq, head_hash FROM audit_chains ORDER BY name")
	if err != nil {
		return res, fmt.Errorf("verify audit log: read chain heads: %w", err)
	}
	for hrows.Next() {
		var h Head
		if err := hrows.Scan(&h.Chain, &h.Seq, &h.Hash); err != nil {
			hrows.Close()
			return res, fmt.Errorf("verify audit log: %w", err)
		}
		heads[h.Chain] = h
		res.Chains = append(res.Chains, h)
	}
	hrows.Close()
	if err := hrows.Err(); err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log ORDER BY chain, seq")
	if err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()
	var problems []Problem
	report := func(p *Problem) {
		if p != nil {
			problems = append(problems, *p)
		}
	}
	var (
		chain    string
		prevHash string
		wantSeq  int64
		broken   bool
		lastID   int64
		seen     = map[string]bool{}
		cur      *Record
	)
	endChain := func() {
		if chain == "" || broken {
			return
		}
		h := heads[chain]
		switch {
		case wantSeq-1 < h.Seq:
			report(&Problem{Chain: chain, Seq: wantSeq, Kind: Removed,
				Detail: fmt.Sprintf("the chain ends at record %d but its head says %d were written", wantSeq-1, h.Seq)})
		case prevHash != h.Hash:
			report(&Problem{ID: lastID, Chain: chain, Seq: wantSeq - 1, Kind: Altered, Detail: "the newest record does not match the chain head"})
		}
	}
	next := func() (*Record, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		r, err := scanRecord(rows)
		return &r, err
	}
	if cur, err = next(); err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	for cur != nil {
		after, err := next()
		if err != nil {
			return res, fmt.Errorf("verify audit log: %w", err)
		}
		res.Records++
		if cur.Chain != chain {
			endChain()
			chain, prevHash, wantSeq, broken = cur.Chain, "", 1, false
			seen[chain] = true
		}
		if !broken {
			var follow *Record
			if after != nil && after.Chain == chain {
				follow = after
			}
			h, known := heads[chain]
			if !known {
				report(&Problem{ID: cur.ID, Chain: chain, Seq: cur.Seq, Kind: Inserted, Detail: "no such chain was ever started"})
				broken = true
			} else if p := l.check(*cur, follow, prevHash, wantSeq, h); p != nil {
				report(p)
				broken = true
			}
			prevHash, wantSeq, lastID = cur.Hash, cur.Seq+1, cur.ID
		}
		cur = after
	}
	endChain()
	for name, h := range heads {
		if !seen[name] && h.Seq > 0 {
			report(&Problem{Chain: name, Seq: 1, Kind: Removed, Detail: fmt.Sprintf("all %d records of the chain are gone", h.Seq)})
		}
	}
	if len(problems) > 0 {
		first := problems[0]
		for _, p := range problems[1:] {
			if p.ID != 0 && (first.ID == 0 || p.ID < first.ID) {
				first = p
			}
		}
		res.Problem, res.Problems = &first, len(problems)
	}
	return res, nil
}

// check judges one record given the hash it should link to and the record
// that follows it in its chain (nil at the end).
func (l *Log) check(r Record, after *Record, prevHash string, wantSeq int64, head Head) *Problem {
	p := &Problem{ID: r.ID, Chain: r.Chain, Seq: r.Seq}
	if l.hash(r) != r.Hash {
		// A forged row breaks its own hash. If the record after it still
		// links to the one before it (or, at the end of the chain, the
		// head still names the one before it), the row was slipped in;
		// otherwise an existing record was changed.
		if r.Seq > head.Seq || (after != nil && after.PrevHash == prevHash) || (after == nil && prevHash != "" && head.Hash == prevHash) {
			p.Kind, p.Detail = Inserted, "this record is not part of the chain pingan wrote"
		} else {
			p.Kind, p.Detail = Altered, "its content does not match its hash"
		}
		return p
	}
	if r.Seq != wantSeq {
		// Name the first missing record; ID is where the gap shows.
		p.Seq, p.Kind, p.Detail = wantSeq, Removed, fmt.Sprintf("records %d to %d of the chain are missing", wantSeq, r.Seq-1)
		return p
	}
	if r.PrevHash != prevHash {
		p.Kind, p.Detail = Removed, "the record it was chained to is gone (records were removed and renumbered)"
		return p
	}
	return nil
}

// Refused marks cause, returned from a write's function, as a refusal to
// record as e: the write rolls back, and Write records the refusal in a
// transaction of its own (Refuse) and returns cause.
func Refused(e Entry, cause error) error { return &refused{e, cause} }

type refused struct {
	entry Entry
	cause error
}

func (r *refused) Error() string { return r.cause.Error() }
func (r *refused) Unwrap() error { return r.cause }

// Write runs fn as d.Write does; a refusal fn returns (Refused) is rolled
// back with the rest of the write, then recorded, and its cause returned.
func (l *Log) Write(ctx context.Context, d *db.DB, fn func(tx *db.Tx) error) error {
	err := d.Write(ctx, fn)
	if r, ok := errors.AsType[*refused](err); ok {
		return l.Refuse(ctx, d, r.entry, r.cause)
	}
	return err
}

// Refuse records, in its own transaction, that e.Actor was refused e.Action
// (the refused write itself stored nothing), and returns cause: the refusal
// the caller reports. The record's detail names cause's code.
func (l *Log) Refuse(ctx context.Context, d *db.DB, e Entry, cause error) error {
	code := "denied"
	var fe interface{ ProblemCode() string }
	if errors.As(cause, &fe) {
		code = fe.ProblemCode()
	}
	e.Outcome = Denied
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.Detail["reason"] = code
	err := d.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error { return l.Append(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("%w (and recording the refusal failed: %v)", cause, err)
	}
	return cause
}
