// Package db opens pingan's database — embedded SQLite by default, PostgreSQL
// when a postgres:// URL is given — applies the embedded migrations and runs
// every write through one group-committing writer. It is the only package that
// imports database drivers; the few dialect differences live here.
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL database behind a DB.
type Dialect int

const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Config says which database to open.
type Config struct {
	// URL is a postgres:// (or postgresql://) URL; empty means SQLite.
	URL string
	// DataDir holds the SQLite file pingan.db. Unused for PostgreSQL.
	DataDir string
	// MaxBatch caps how many writes share one commit; 0 picks a default.
	MaxBatch int
	// Lanes is how many writes may be in flight at once (PostgreSQL only;
	// SQLite has one writer). 0 picks a default.
	Lanes  int
	Logger *slog.Logger
}

// SQLiteFile is the name of the database file inside the data directory.
const SQLiteFile = "pingan.db"

// SideFile is the embedded database's second file, beside SQLiteFile: what
// is derived from the cases and can be made again from them (the full-text
// index), written by a writer of its own (Tx.Aside) so that the main
// writer, which every write waits for, need not. Every reading connection
// of the main file has it attached as the schema "side", so queries join
// its tables by their names.
const SideFile = "side.db"

// DB is an open pingan database: a pool for reads and one writer.
type DB struct {
	dialect Dialect
	read    *sql.DB
	write   *sql.DB
	w       *writer
	log     *slog.Logger
	url     string // PostgreSQL only
	node    string // random per Open: names this process's writer lanes

	seriesMu sync.Mutex
	series   map[string]bool // PostgreSQL sequences known to exist

	readStmts, writeStmts *stmtCache // SQLite only

	side      *DB           // SQLite only: the second file (SideFile)
	ckpt      *checkpointer // SQLite only
	sync      *logSyncer    // SQLite's main file only
	asideWork asideWork

	attached sync.Map // Attached
}

// Attached returns what is attached to the database under key, attaching
// what make returns the first time it is asked for: state that belongs to
// the database rather than to one service using it (an in-memory mirror
// of a table, kept in step by every write of the table), shared by all.
func (d *DB) Attached(key any, make func() any) any {
	if v, ok := d.attached.Load(key); ok {
		return v
	}
	v, _ := d.attached.LoadOrStore(key, make())
	return v
}

// stmtCache keeps prepared statements by their SQL text. SQLite spends more
// time parsing a statement than running a small one, and database/sql would
// otherwise prepare every statement on every call. (PostgreSQL's driver
// caches prepared statements per connection itself.) A nil cache caches
// nothing.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// deferred caches prepare statements later, in prepareWanted: the
	// writer's single connection is busy inside its transaction when a
	// statement is first seen, and preparing on the pool would wait for it.
	deferred bool
	wanted   []string
}

// stmtCacheMax bounds the cache: the application's statements are a few
// hundred; SQL built on the fly beyond that is prepared each time.
const stmtCacheMax = 1000

// get returns the prepared statement for query on pool, or nil to run it
// unprepared.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m)+len(c.wanted) >= stmtCacheMax {
		return nil
	}
	if c.deferred {
		if !slices.Contains(c.wanted, query) {
			c.wanted = append(c.wanted, query)
		}
		return nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	c.m[query] = st
	return st
}

// prepareWanted prepares the statements seen since the last call; the writer
// calls it between batches, when its connection is free.
func (c *stmtCache) prepareWanted(ctx context.Context, pool *sql.DB) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.wanted {
		if st, err := pool.PrepareContext(ctx, q); err == nil {
			c.m[q] = st
		}
	}
	c.wanted = c.wanted[:0]
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

// Querier is what read code needs; both *DB (reads) and *Tx satisfy it, so a
// store function can run inside a write or on its own.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("database is closed")

// Open opens the database described by cfg. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &DB{log: log, url: cfg.URL}
	var err error
	if IsPostgresURL(cfg.URL) {
		d.dialect = Postgres
		err = d.openPostgres(cfg.URL)
	} else {
		if cfg.URL != "" {
			return nil, fmt.Errorf("database URL %q: only postgres:// URLs are supported; leave it empty for the embedded SQLite database", redactURL(cfg.URL))
		}
		d.dialect = SQLite
		err = d.openSQLite(cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		d.closePools()
		return nil, err
	}
	batch, lanes := cfg.MaxBatch, 1
	if d.dialect == Postgres {
		// Several transactions in flight hide PostgreSQL's round trips;
		// PostgreSQL itself shares WAL flushes among concurrent commits.
		lanes = cfg.Lanes
		if lanes <= 0 {
			lanes = 8
		}
	}
	if batch <= 0 {
		batch = 128
		if d.dialect == Postgres {
			// Each write in a batch runs in a savepoint; PostgreSQL caches 64
			// subtransaction ids per backend before snapshots get slower.
			batch = 16
		}
	}
	var node [6]byte
	if _, err := rand.Read(node[:]); err != nil {
		d.closePools()
		return nil, err
	}
	d.node = hex.EncodeToString(node[:])
	d.w = newWriter(d, lanes, batch)
	return d, nil
}

// IsPostgresURL reports whether u selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// SQLite durability: WAL, and the log synced before a write is acknowledged.
// In WAL mode NORMAL already survives a process crash (the commit is in the
// OS before it is acknowledged) but may lose the last commits on power loss;
// FULL fsyncs the WAL at every commit so an acknowledged write survives both.
// The group-committing writer amortises that sync over every write waiting at
// the time, and runs it beside itself: its own connection commits with NORMAL
// (writerSync) and a logSyncer fsyncs the log before the batch's writes are
// acknowledged — FULL's guarantee, without the writer waiting for the disk.
// Every other connection keeps FULL (a checkpoint syncs either way).
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(1)&_pragma=cache_size(-32000)&_pragma=temp_store(memory)"

// The side file holds only what can be made again from the main file (a
// lost commit is found missing and redone at the next start), so it is not
// synced at every commit.
// writerSync follows sqlitePragmas in the DSN of the main file's writer; the
// later pragma is the one applied.
const writerSync = "&_pragma=synchronous(NORMAL)"

const sidePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)" +
	"&_pragma=cache_size(-16000)&_pragma=temp_store(memory)"

func (d *DB) openSQLite(dir string) error {
	if dir == "" {
		return errors.New("no data directory given for the embedded database")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	// The side file first: the main file's readers attach it.
	side := &DB{dialect: SQLite, log: d.log}
	sidePath := filepath.Join(dir, SideFile)
	if err := side.openSQLiteFile(sidePath, sidePragmas, "", ""); err != nil {
		return err
	}
	path := filepath.Join(dir, SQLiteFile)
	if err := d.openSQLiteFile(path, sqlitePragmas, writerSync, sidePath); err != nil {
		side.closePools()
		return err
	}
	d.sync = newLogSyncer(path+"-wal", d.log)
	side.node, side.w = "side", newWriter(side, 1, 128)
	d.side = side
	return nil
}

// openSQLiteFile opens one SQLite file: a single writer connection (SQLite
// allows one writer at a time anyway, and a single connection lets the
// writer batch without lock contention), with writerPragmas after pragmas,
// and a pool of reading ones, each with the file at attach attached as
// "side" when attach is not empty.
func (d *DB) openSQLiteFile(path, pragmas, writerPragmas, attach string) error {
	var err error
	d.write, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+writerPragmas+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", autoCheckpoint)+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	ckpt, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		d.write.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	d.write.SetMaxOpenConns(1)
	d.write.SetMaxIdleConns(1)
	d.write.SetConnMaxLifetime(0)
	readers, err := sqlite.NewConnector("file:" + path + "?" + pragmas + "&_pragma=query_only(1)")
	if err != nil {
		d.write.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	if attach != "" {
		readers = attachingConnector{readers, attach}
	}
	d.read = sql.OpenDB(readers)
	n := max(4, 2*runtime.NumCPU())
	d.read.SetMaxOpenConns(n)
	d.read.SetMaxIdleConns(n)
	d.readStmts = &stmtCache{m: map[string]*sql.Stmt{}}
	d.writeStmts = &stmtCache{m: map[string]*sql.Stmt{}, deferred: true}
	// The writer connection must exist first so that WAL mode is set before
	// readers open the file.
	if err := d.write.Ping(); err != nil {
		ckpt.Close()
		d.closePools()
		return fmt.Errorf("open %s: %w", path, err)
	}
	d.ckpt = newCheckpointer(ckpt, d.log)
	return nil
}

// attachingConnector opens reading connections with the side file attached.
type attachingConnector struct {
	driver.Connector
	path string
}

func (c attachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, "ATTACH DATABASE ? AS side",
		[]driver.NamedValue{{Ordinal: 1, Value: c.path}}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("attach %s: %w", c.path, err)
	}
	return conn, nil
}

func (d *DB) openPostgres(url string) error {
	var err error
	d.read, err = sql.Open("pgx", url)
	if err != nil {
		return fmt.Errorf("open %s: %w", redactURL(url), err)
	}
	d.read.SetMaxOpenConns(32)
	d.read.SetMaxIdleConns(16)
	d.read.SetConnMaxIdleTime(5 * time.Minute)
	d.write = d.read
	return nil
}

// redactURL hides a password in a database URL for messages and logs.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return u
	}
	user, _, hasPass := strings.Cut(creds, ":")
	if !hasPass {
		return u
	}
	return scheme + "://" + user + ":xxxxx@" + host
}

// Dialect returns the database's dialect.
func (d *DB) Dialect() Dialect { return d.dialect }

// Ping checks that the database answers and can still be written.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", d.dialect, err)
	}
	// Writes fail for good once the disk refused to sync the log.
	return d.sync.broken()
}

// QueryContext runs a read query on the read pool.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.readStmts.get(ctx, d.read, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.read.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a single-row read query on the read pool.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.readStmts.get(ctx, d.read, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.read.QueryRowContext(ctx, query, args...)
}

// SQL returns the read pool, for pool metrics.
func (d *DB) SQL() *sql.DB { return d.read }

// Close finishes the writes already queued (and the work they left to the
// side file), then closes the pools.
func (d *DB) Close() error {
	if d.w != nil {
		d.w.close()
	}
	var err error
	if d.sync != nil {
		err = d.sync.close()
	}
	if d.side != nil {
		err = errors.Join(err, d.side.Close())
	}
	return errors.Join(d.closePools(), err)
}

// Side returns the embedded database's side file (SideFile), nil on
// PostgreSQL: its own writer takes the work writes leave to it (Tx.Aside),
// and its tables are read through d's queries, where it is attached.
func (d *DB) Side() *DB { return d.side }

func (d *DB) closePools() error {
	d.readStmts.close()
	d.writeStmts.close()
	errs := []error{d.ckpt.close()}
	if d.write != nil && d.write != d.read {
		errs = append(errs, d.write.Close())
	}
	if d.read != nil {
		errs = append(errs, d.read.Close())
	}
	return errors.Join(errs...)
}

// IsUniqueViolation reports whether err is a unique or primary-key violation.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsRetryable reports whether err is PostgreSQL undoing a transaction that
// may succeed when run again: it was the victim of a deadlock (40P01) or
// failed a serialisation check (40001).
func IsRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// IsNotFound reports whether err says a single-row query found nothing.
func IsNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Micros converts t to the stored form, Unix microseconds; the zero time is
// stored as NULL.
func Micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// Time converts a stored (possibly NULL) Unix-microsecond value back to a
// time; NULL becomes the zero time.
func Time(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64)
}

// Placeholders returns "$from, $from+1, …" for n parameters, for IN lists.
func Placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// RawForBenchmark opens a plain connection pool to the same database with
// the same settings, bypassing the writer, for measuring the engine's raw
// durable insert rate. It returns the pool and how many clients to run: one
// for SQLite (one writer), clients for PostgreSQL.
func (d *DB) RawForBenchmark(sqlitePath string, clients int) (*sql.DB, int, error) {
	if d.dialect == Postgres {
		raw, err := sql.Open("pgx", d.url)
		if err != nil {
			return nil, 0, err
		}
		raw.SetMaxOpenConns(clients)
		raw.SetMaxIdleConns(clients)
		return raw, clients, nil
	}
	raw, err := sql.Open("sqlite", "file:"+sqlitePath+"?"+sqlitePragmas)
	if err != nil {
		return nil, 0, err
	}
	raw.SetMaxOpenConns(1)
	return raw, 1, nil
}

// NullID stores a zero id as NULL (no reference).
func NullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// NullText stores an empty string as NULL.
func NullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SetRetired retires (retired_at = now) or restores (NULL) the row of table
// whose keyColumn is key. Reference data — units, natures, categories — is
// retired, never deleted, so that history keeps its meaning.
func (t *Tx) SetRetired(ctx context.Context, table, keyColumn string, key any, retired bool, now time.Time) error {
	var at any
	if retired {
		at = now.UnixMicro()
	}
	_, err := t.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET retired_at = $1, updated_at = $2 WHERE %s = $3", table, keyColumn),
		at, now.UnixMicro(), key)
	if err != nil {
		return fmt.Errorf("retire %s %v: %w", table, key, err)
	}
	return nil
}

// InsertRows writes rows into table's columns with multi-row INSERTs of at
// most a few hundred rows each (far below either database's limit on bound
// parameters).
func (t *Tx) InsertRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	per := max(1, min(500, 30000/len(columns)))
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), per)]
		rows = rows[len(chunk):]
		args := make([]any, 0, len(columns)*len(chunk))
		for _, row := range chunk {
			args = append(args, row...)
		}
		if _, err := t.ExecContext(ctx, InsertSQL(t.d.dialect, table, columns, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// InsertSQL is a multi-row INSERT of n rows into table's columns. SQLite
// gets anonymous "?" parameters: it resolves each "$n" by a linear search
// of the statement's names, which makes a wide statement quadratic (a third
// of a bulk load's time went there).
func InsertSQL(d Dialect, table string, columns []string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(columns, ", "))
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range columns {
			if j > 0 {
				b.WriteString(", ")
			}
			if d == SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", p)
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// IDs runs a query whose rows are one integer column (ids) and returns
// them in order.
func IDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	return Column[int64](ctx, q, query, args...)
}

// Column runs a query whose rows are one column and returns its values in
// order.
func Column[T any](ctx context.Context, q Querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteChunked deletes the rows of table that match where, chunk rows per
// write, until none is left: a large delete (housekeeping after months)
// never holds the writer for long. Each write that deleted rows also runs also, if
// given, with how many (its audit record). key lists the columns that
// identify a row ("user_id, key"). It returns how many rows it deleted.
func (d *DB) DeleteChunked(ctx context.Context, table, key, where string, args []any, chunk int,
	also func(tx *Tx, n int64) error) (int64, error) {
	q := fmt.Sprintf("DELETE FROM %[1]s WHERE (%[2]s) IN (SELECT %[2]s FROM %[1]s WHERE %[3]s LIMIT %[4]d)", table, key, where, chunk)
	var total int64
	for {
		var n int64
		err := d.Write(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil || n == 0 || also == nil {
				return err
			}
			return also(tx, n)
		})
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", table, err)
		}
		total += n
		if n < int64(chunk) {
			return total, nil
		}
	}
}
