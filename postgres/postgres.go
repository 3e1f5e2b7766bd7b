// Package postgres runs Retort on PostgreSQL through github.com/jackc/pgx/v5.
//
// Open a pool with [Open], or wrap a pool, connection or transaction you
// already have with [Wrap], [WrapConn] or [WrapTx]. Every value is sent as a
// bind parameter; pgx prepares and caches each statement text, and Retort
// keeps one text per statement shape, so statements are prepared once.
//
// A [DB] is safe for concurrent use; a [Tx] belongs to one goroutine.
//
// A context cancelled while a transaction's COMMIT (or a lone statement in
// autocommit) is on its way does not leave the outcome unknown: the
// cancellation becomes a cancel request to the server, and the commit waits
// for the server's answer. Either the statement running was cancelled and
// nothing is committed (the error matches the context's), or the COMMIT had
// finished and succeeds. pgx alone would close the connection and report
// the cancellation even when the server had committed. Cancelling before
// the COMMIT is sent, or during an earlier round trip of a flush, rolls back
// as before.
package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/retort-orm/retort"
)

// querier is what a pool, a connection and a transaction of pgx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Begin(ctx context.Context) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Option configures a DB.
type Option func(*config)

type config struct {
	tracer   retort.Tracer
	maxConns int32
}

// WithTracer reports every round trip to t (see retort.Counter and
// retort.Echo).
func WithTracer(t retort.Tracer) Option {
	return func(c *config) { c.tracer = retort.Tracers(c.tracer, t) }
}

// WithEcho logs every statement to l at Debug level, as retort.Echo does.
func WithEcho(l *slog.Logger, opts ...retort.EchoOption) Option {
	return WithTracer(retort.Echo(l, opts...))
}

// WithMaxConns sets the pool's maximum number of connections (Open only).
func WithMaxConns(n int32) Option { return func(c *config) { c.maxConns = n } }

// DB is a PostgreSQL database for Retort: a pgx pool, connection or
// transaction, with a tracer.
type DB struct {
	q      querier
	pool   *pgxpool.Pool
	tracer retort.Tracer
	owned  bool
	inTx   bool // the DB of a Tx: q is its connection or pgx.Tx
	// textArgs: the connections run without the server's description of
	// a statement's parameters (see typedArgs).
	textArgs bool
}

var (
	_ retort.DB      = (*DB)(nil)
	_ retort.Tx      = (*Tx)(nil)
	_ retort.Batcher = (*DB)(nil)
	_ retort.Batcher = (*Tx)(nil)
)

// Open connects a pool to the database at url (a postgres:// URL or a
// key=value connection string). Close it when done. The URL, which may hold
// a password, never appears in errors or logs.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	c := apply(opts)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", redact(err, url))
	}
	if c.maxConns > 0 {
		cfg.MaxConns = c.maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", redact(err, url))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", redact(err, url))
	}
	return &DB{q: pool, pool: pool, tracer: c.tracer, owned: true, textArgs: textMode(cfg.ConnConfig.DefaultQueryExecMode)}, nil
}

// redactedError hides a connection string that an error message repeats.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, url string) error {
	msg := err.Error()
	if url == "" || !strings.Contains(msg, url) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(msg, url, "<connection string>"), err: err}
}

func apply(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Wrap uses an existing pool. Close does not close it.
func Wrap(pool *pgxpool.Pool, opts ...Option) *DB {
	c := apply(opts)
	return &DB{q: pool, pool: pool, tracer: c.tracer, textArgs: textMode(pool.Config().ConnConfig.DefaultQueryExecMode)}
}

// WrapConn uses a single pgx connection. It is not safe for concurrent use,
// as the connection is not.
func WrapConn(conn *pgx.Conn, opts ...Option) *DB {
	c := apply(opts)
	return &DB{q: conn, tracer: c.tracer, textArgs: textMode(conn.Config().DefaultQueryExecMode)}
}

// WrapTx uses a transaction that the caller began; Commit and Rollback of the
// returned Tx commit or roll back that pgx transaction, and Retort's Begin
// inside it makes savepoints.
func WrapTx(tx pgx.Tx, opts ...Option) *Tx {
	c := apply(opts)
	text := false
	if conn := tx.Conn(); conn != nil {
		text = textMode(conn.Config().DefaultQueryExecMode)
	}
	return &Tx{DB: DB{q: tx, tracer: c.tracer, inTx: true, textArgs: text}, st: &txState{wrapped: tx}}
}

// Pool returns the pgx pool, or nil when the DB wraps a connection.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes a pool opened by Open. As pgxpool's Close, it waits for the
// connections in use (an open Tx, rows being read) to be returned: end
// every transaction first. (The SQLite driver's Close does not wait.)
func (db *DB) Close() {
	if db.owned && db.pool != nil {
		db.pool.Close()
	}
}

// Dialect is retort.Postgres.
func (db *DB) Dialect() retort.Dialect { return retort.Postgres }

func (db *DB) trace(ctx context.Context, sql string, args []any, n int, start time.Time, rows int64, err error) {
	if db.tracer != nil {
		db.tracer.Trace(ctx, retort.TraceEvent{SQL: sql, Args: args, Statements: n, Duration: time.Since(start), Rows: rows, Err: err})
	}
}

// Exec runs a statement that returns no rows.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (retort.Result, error) {
	if ctx == nil {
		return retort.Result{}, retort.ErrNilContext
	}
	start := time.Now()
	tag, err := db.q.Exec(ctx, sql, db.typedArgs(args)...)
	db.trace(ctx, sql, args, 1, start, tag.RowsAffected(), err)
	if err != nil {
		return retort.Result{}, wrapErr(err)
	}
	return retort.Result{RowsAffected: tag.RowsAffected()}, nil
}

// Query runs a statement that returns rows.
func (db *DB) Query(ctx context.Context, sql string, args ...any) (retort.Rows, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	start := time.Now()
	r, err := db.q.Query(ctx, sql, db.typedArgs(args)...)
	if err != nil {
		db.trace(ctx, sql, args, 1, start, -1, err)
		return nil, wrapErr(err)
	}
	return &rows{r: r, db: db, ctx: ctx, sql: sql, args: args, start: start}, nil
}

// ExecBatch sends stmts in one round trip and returns each one's rows
// affected, stopping at the first error.
func (db *DB) ExecBatch(ctx context.Context, stmts []retort.Statement) ([]int64, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	counts := make([]int64, 0, len(stmts))
	items := make([]retort.BatchItem, len(stmts))
	for i, s := range stmts {
		items[i] = retort.BatchItem{SQL: s.SQL, Args: s.Args, Result: func(r retort.Result) error {
			counts = append(counts, r.RowsAffected)
			return nil
		}}
	}
	err := db.SendBatch(ctx, items)
	return counts, err
}

// SendBatch sends items in one round trip (a pgx batch, which runs in an
// implicit transaction unless one is open) and hands each item its result.
// It stops at the first error. An item built later (BatchItem.Later) splits
// the round trip: the items before it go first; outside a transaction,
// SendBatch then opens one, so that the items stay one unit.
func (db *DB) SendBatch(ctx context.Context, items []retort.BatchItem) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	if len(items) == 0 {
		return nil
	}
	if !slices.ContainsFunc(items, later) {
		return db.sendBatch(ctx, items)
	}
	if db.inTx {
		return db.sendInParts(ctx, items)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	if err := tx.(*Tx).CommitBatch(ctx, items); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	return nil
}

// later reports whether it cannot go in a pgx batch with the items before it.
func later(it retort.BatchItem) bool { return it.Later != nil || it.CopyData != nil }

// sendInParts sends items up to the first built later, then builds it and
// goes on with what it returned and the rest: a COPY by itself, other
// items in the next batch.
func (db *DB) sendInParts(ctx context.Context, items []retort.BatchItem) error {
	for len(items) > 0 {
		k := slices.IndexFunc(items, later)
		if k < 0 {
			return db.sendBatch(ctx, items)
		}
		if k > 0 {
			if err := db.sendBatch(ctx, items[:k]); err != nil {
				return err
			}
		}
		it := items[k]
		items = items[k+1:]
		if it.CopyData != nil {
			if err := db.copyFrom(ctx, it); err != nil {
				return err
			}
			continue
		}
		built, err := it.Later(db.pgConn() != nil)
		if err != nil {
			return err
		}
		items = append(slices.Clip(built), items...)
	}
	return nil
}

// pgConn returns the connection under a transaction's DB, or nil.
func (db *DB) pgConn() *pgconn.PgConn {
	if !db.inTx {
		return nil
	}
	switch q := db.q.(type) {
	case *pgx.Conn:
		return q.PgConn()
	case *pgxpool.Conn:
		return q.Conn().PgConn()
	case pgx.Tx:
		return q.Conn().PgConn()
	}
	return nil
}

// copyFrom runs it, a COPY ... FROM STDIN, in one round trip.
func (db *DB) copyFrom(ctx context.Context, it retort.BatchItem) error {
	pc := db.pgConn()
	if pc == nil {
		return fmt.Errorf("postgres: %s outside a transaction", it.SQL)
	}
	start := time.Now()
	tag, err := pc.CopyFrom(ctx, bytes.NewReader(it.CopyData), it.SQL)
	db.trace(ctx, it.SQL, nil, 1, start, tag.RowsAffected(), err)
	if err != nil {
		return it.Fail(wrapErr(err))
	}
	if it.Result != nil {
		return it.Result(retort.Result{RowsAffected: tag.RowsAffected()})
	}
	return nil
}

// sendBatch sends items in one round trip. The error of the item that
// failed names it (BatchItem.Fail).
func (db *DB) sendBatch(ctx context.Context, items []retort.BatchItem) error {
	start := time.Now()
	b := &pgx.Batch{}
	for _, it := range items {
		b.Queue(it.SQL, db.typedArgs(it.Args)...)
	}
	br := db.q.SendBatch(ctx, b)
	err := readBatch(br, items)
	if cerr := br.Close(); err == nil {
		err = wrapErr(cerr)
	}
	if db.tracer != nil {
		texts := make([]string, len(items))
		for i, it := range items {
			texts[i] = it.SQL
		}
		db.trace(ctx, strings.Join(texts, ";\n"), nil, len(items), start, -1, err)
	}
	return err
}

// readBatch reads the results of items in order, stopping at the first
// error. The database's error for an item goes through its Fail; a
// callback's own error is returned as it is.
func readBatch(br pgx.BatchResults, items []retort.BatchItem) error {
	for i, it := range items {
		if it.Rows != nil {
			r, err := br.Query()
			if err != nil {
				return failed(items, i, err)
			}
			rr := &rows{r: r, closed: true} // traced with the batch
			err = it.Rows(rr)
			r.Close()
			// Rows that ended in an error of the database: that error is
			// the item's, whatever the callback made of it.
			if rerr := r.Err(); rerr != nil && (err == nil || it.Op != "") {
				return failed(items, i, rerr)
			}
			if err != nil {
				return err
			}
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return failed(items, i, err)
		}
		if it.Result != nil {
			if err := it.Result(retort.Result{RowsAffected: tag.RowsAffected()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// failed is the error of pgx or the server that item i of items met. When
// pgx failed to prepare or encode a statement before sending any, every
// item meets that error: it names the statement, which fails instead.
func failed(items []retort.BatchItem, i int, err error) error {
	var pe pgx.ErrPreprocessingBatch
	if errors.As(err, &pe) {
		if k := slices.IndexFunc(items, func(it retort.BatchItem) bool { return it.SQL == pe.SQL() }); k >= 0 {
			i = k
		}
	}
	return items[i].Fail(wrapErr(err))
}

type rows struct {
	r      pgx.Rows
	db     *DB
	ctx    context.Context
	sql    string
	args   []any
	start  time.Time
	closed bool
	batch  pgx.BatchResults // set when the query went with pending statements
	n      int              // statements in the round trip
	dests  []any            // Scan's destinations for pgx, reused
	owner  *txState         // the transaction whose open rows these are, or nil
	abort  error            // the transaction ended under the rows (txState.endReads)
}

func (r *rows) Next() bool { return r.abort == nil && r.r.Next() }

var _ retort.KeyPeeker = (*rows)(nil)

// PeekInt64 implements retort.KeyPeeker: column i's raw bytes, when it is
// a non-NULL smallint, integer or bigint.
func (r *rows) PeekInt64(i int) (int64, bool) {
	vals, fds := r.r.RawValues(), r.r.FieldDescriptions()
	if i < 0 || i >= len(vals) || i >= len(fds) || vals[i] == nil {
		return 0, false
	}
	v, fd := vals[i], fds[i]
	if fd.Format == pgx.BinaryFormatCode {
		switch {
		case fd.DataTypeOID == pgtype.Int8OID && len(v) == 8:
			return int64(binary.BigEndian.Uint64(v)), true
		case fd.DataTypeOID == pgtype.Int4OID && len(v) == 4:
			return int64(int32(binary.BigEndian.Uint32(v))), true
		case fd.DataTypeOID == pgtype.Int2OID && len(v) == 2:
			return int64(int16(binary.BigEndian.Uint16(v))), true
		}
		return 0, false
	}
	switch fd.DataTypeOID {
	case pgtype.Int8OID, pgtype.Int4OID, pgtype.Int2OID:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (r *rows) Scan(dest ...any) error {
	left, err := scanDecimals(r.r, dest, &r.dests)
	if err != nil {
		return err
	}
	err = r.r.Scan(left...)
	if err == nil {
		return nil
	}
	var se pgx.ScanArgError
	if errors.As(err, &se) {
		return &retort.ScanError{Index: se.ColumnIndex, Err: scanCause(se.Err)}
	}
	return err
}

// scanCause classifies pgx's scan errors with Retort's sentinels.
func scanCause(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "cannot scan NULL"):
		return fmt.Errorf("%w: %v", retort.ErrNullValue, err)
	case strings.Contains(msg, "maximum value") || strings.Contains(msg, "minimum value") || strings.Contains(msg, "out of range"),
		strings.Contains(msg, `ParseUint: parsing "-`): // a negative number in text format (simple protocol)
		return fmt.Errorf("%w: %v", retort.ErrOutOfRange, err)
	}
	return err
}

func (r *rows) Err() error {
	if r.abort != nil {
		return r.abort
	}
	return wrapErr(r.r.Err())
}

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.owner != nil {
		r.owner.untrack(r)
	}
	r.r.Close()
	err := r.r.Err()
	n := 1
	if r.batch != nil {
		if cerr := r.batch.Close(); err == nil {
			err = cerr
		}
		n = r.n
	}
	r.db.trace(r.ctx, r.sql, r.args, n, r.start, -1, err)
	return wrapErr(err)
}

// wrapErr marks err as PostgreSQL's. A server error's DETAIL joins its
// message, since that is where PostgreSQL names the column and the value a
// constraint refused ("Key (email)=(ann@example.com) already exists.");
// errors.As still finds the *pgconn.PgError.
func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("postgres: %w", err)
	}
	msg := "postgres: " + err.Error()
	if pe.Detail != "" {
		msg += ": " + pe.Detail
	}
	return &serverError{msg: msg, err: err, table: pe.TableName}
}

// serverError is an error of the server, with its detail in the message.
type serverError struct {
	msg   string
	err   error
	table string
}

func (e *serverError) Error() string { return e.msg }
func (e *serverError) Unwrap() error { return e.err }

// RefusedTable is the table the server names in the error (a constraint's
// table), or "". Retort names a refused INSERT by it: one statement of a
// joined-table hierarchy writes several tables.
func (e *serverError) RefusedTable() string { return e.table }
