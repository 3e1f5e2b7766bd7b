package retort

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// DB is what statements run on: a pool, a connection or a transaction. Both
// driver packages provide one. Begin on a transaction starts a nested
// transaction (a SAVEPOINT).
type DB interface {
	// Dialect tells the root package how to write SQL for this database.
	Dialect() Dialect
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, sql string, args ...any) (Result, error)
	// Query runs a statement that returns rows; close them when done.
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// Begin starts a transaction, or a savepoint inside one.
	Begin(ctx context.Context) (Tx, error)
}

// Tx is a transaction, or a savepoint inside one.
type Tx interface {
	DB
	// Commit commits the transaction (releases the savepoint).
	Commit(ctx context.Context) error
	// Rollback rolls back; after Commit or Rollback it does nothing.
	Rollback(ctx context.Context) error
}

// RowsReader is implemented by both drivers' transactions: ReadingRows
// reports whether rows of a query on the transaction are still being read
// (a loop over Iter), while which writes are refused with ErrRowsOpen. The
// session checks it before a flush or a commit, which are then refused
// before anything starts, leaving the transaction as it was.
type RowsReader interface {
	ReadingRows() bool
}

// Result reports what an Exec did. LastInsertID is set by SQLite only.
type Result struct {
	RowsAffected int64
	LastInsertID int64
}

// Rows is a result set being read. Scan accepts pointers to the built-in
// column types (and pointers to pointers for NULL-able columns), *any, and
// database/sql.Scanner implementations.
type Rows interface {
	// Next advances to the next row, reporting false at the end or on error.
	Next() bool
	// Scan reads the current row into dest, one destination per column.
	Scan(dest ...any) error
	// Err is the error that ended the iteration, if any.
	Err() error
	// Close releases the result (and its connection); it is safe to repeat.
	Close() error
}

// KeyPeeker is implemented by Rows that can read an integer column of the
// current row without scanning the row (both drivers' rows). The session
// reads a row's key this way first, and does not decode a row whose object
// it holds already.
type KeyPeeker interface {
	// PeekInt64 returns column i of the current row when it is a non-NULL
	// integer.
	PeekInt64(i int) (int64, bool)
}

// Batcher is implemented by a DB that can send several statements in one
// round trip (PostgreSQL, through a pgx batch). The session sends each flush,
// and the query that triggered an autoflush, through it when present.
type Batcher interface {
	// SendBatch runs items in order in one round trip. The server stops at
	// the first error it raises, and outside a transaction rolls back the
	// whole batch for it. An error returned by an item's callback is seen
	// only after the server ran every item: run such batches in a
	// transaction (the session does) to undo them.
	SendBatch(ctx context.Context, items []BatchItem) error
}

// BatchCommitter is implemented by a transaction that can send its last
// statements and COMMIT together: in one round trip on PostgreSQL; on
// SQLite, which runs statements one at a time, each item's callback runs
// before COMMIT and a failing one stops it. The session commits through it
// when present.
type BatchCommitter interface {
	// CommitBatch runs items, then COMMIT.
	CommitBatch(ctx context.Context, items []BatchItem) error
}

// AloneRunner is implemented by a transaction whose CommitBatch of a single
// item may run that item by itself, without BEGIN and COMMIT (PostgreSQL's,
// while it has sent nothing). Then an item whose result the caller checks
// can go to CommitBatch: no COMMIT follows it, so a failed check leaves
// nothing committed that the statement did not do itself; and what an item
// needs only to travel with COMMIT can be left out (the session's UPDATE,
// which the server checks inside a transaction, is checked by the client).
type AloneRunner interface {
	// RunsAlone reports whether CommitBatch would run it alone.
	RunsAlone(it BatchItem) bool
}

// Statement is SQL text with its bind arguments.
type Statement struct {
	SQL  string
	Args []any
}

// BatchItem is one statement of a batch and what to do with its result:
// Rows, when set, reads the rows it returns; otherwise Result, when set,
// receives its rows affected (and, on SQLite, the last inserted rowid).
type BatchItem struct {
	SQL    string
	Args   []any
	Rows   func(Rows) error
	Result func(Result) error
	// Later, when set, stands for items that can be built only once the
	// items ahead of it have run, their callbacks included (the insert of
	// rows whose keys a query ahead of it draws). A driver runs the items
	// ahead of it, then the items Later returns in its place. copy tells
	// Later whether the driver runs items with CopyData.
	Later func(copy bool) ([]BatchItem, error)
	// CopyData makes the item a COPY ... FROM STDIN (SQL) of these rows,
	// in PostgreSQL's text format. Only Later(true) returns such items;
	// Result gets the number of rows copied.
	CopyData []byte
	// Op and Table, when Op is set, name what the statement does ("insert",
	// "update", "delete from", "select") and its table: when the database
	// refuses the statement, the error is a *StatementError naming them
	// (see Fail). Errors of the callbacks are theirs to word.
	Op, Table string
}

// Fail is the error of it when the database (or the driver) refused it with
// err: err in a *StatementError naming it.Op and it.Table when Op is set
// (unless err names the table already), err itself otherwise. Drivers
// return the database's errors for an item through it, not its callbacks'.
func (it BatchItem) Fail(err error) error {
	if it.Op == "" {
		return err
	}
	return stmtError(it.Op, it.Table, err)
}

// RunItems runs items on db: in one round trip when db is a Batcher,
// otherwise one after another. It stops at the first error.
func RunItems(ctx context.Context, db DB, items []BatchItem) error {
	if len(items) == 0 {
		return nil
	}
	if b, ok := db.(Batcher); ok {
		return b.SendBatch(ctx, items)
	}
	for _, it := range items {
		if err := RunItem(ctx, db, it); err != nil {
			return err
		}
	}
	return nil
}

// RunItem runs one item on db.
func RunItem(ctx context.Context, db DB, it BatchItem) error {
	if it.Later != nil {
		items, err := it.Later(false)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := RunItem(ctx, db, it); err != nil {
				return err
			}
		}
		return nil
	}
	if it.CopyData != nil {
		return fmt.Errorf("retort: %T cannot run %s", db, it.SQL)
	}
	if it.Rows != nil {
		rows, err := db.Query(ctx, it.SQL, it.Args...)
		if err != nil {
			return it.Fail(err)
		}
		err = it.Rows(rows)
		if err != nil && it.Op != "" {
			// Rows that ended in an error of the database: that error is
			// the item's, whatever the callback made of it.
			if rerr := rows.Err(); rerr != nil {
				err = it.Fail(rerr)
			}
		}
		if cerr := rows.Close(); err == nil && cerr != nil {
			err = it.Fail(cerr)
		}
		return err
	}
	res, err := db.Exec(ctx, it.SQL, it.Args...)
	if err != nil {
		return it.Fail(err)
	}
	if it.Result != nil {
		return it.Result(res)
	}
	return nil
}

// InTx runs fn in a transaction of db (a savepoint when db is already a
// transaction), committing when fn returns nil and rolling back otherwise.
func InTx(ctx context.Context, db DB, fn func(tx Tx) error) (err error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// TraceEvent describes one round trip to the database.
type TraceEvent struct {
	SQL        string // for a batch, the statements joined with ";\n"
	Args       []any  // for a batch, nil
	Statements int    // statements in this round trip: 1, or a batch's size
	Duration   time.Duration
	Rows       int64 // rows affected (Exec) or -1 when unknown
	Err        error
}

// Tracer observes round trips. Drivers call it after each one; it must be safe
// for concurrent use.
type Tracer interface {
	// Trace receives one round trip once it is done.
	Trace(ctx context.Context, ev TraceEvent)
}

// TraceFunc adapts a function to Tracer.
type TraceFunc func(ctx context.Context, ev TraceEvent)

// Trace calls f.
func (f TraceFunc) Trace(ctx context.Context, ev TraceEvent) { f(ctx, ev) }

// Counter is a Tracer that counts round trips and statements; tests and
// benchmarks use it to assert how many round trips an operation took.
type Counter struct {
	roundTrips atomic.Int64
	statements atomic.Int64
}

// Trace implements Tracer.
func (c *Counter) Trace(_ context.Context, ev TraceEvent) {
	c.roundTrips.Add(1)
	c.statements.Add(int64(ev.Statements))
}

// RoundTrips is the number of round trips seen.
func (c *Counter) RoundTrips() int64 { return c.roundTrips.Load() }

// Statements is the number of statements seen (a batch counts each).
func (c *Counter) Statements() int64 { return c.statements.Load() }

// Reset sets both counts to zero.
func (c *Counter) Reset() { c.roundTrips.Store(0); c.statements.Store(0) }

// Tracers combines several tracers into one; nil entries are skipped.
func Tracers(ts ...Tracer) Tracer {
	var keep []Tracer
	for _, t := range ts {
		if t != nil {
			keep = append(keep, t)
		}
	}
	if len(keep) == 1 {
		return keep[0]
	}
	return TraceFunc(func(ctx context.Context, ev TraceEvent) {
		for _, t := range keep {
			t.Trace(ctx, ev)
		}
	})
}

// EchoOption configures Echo.
type EchoOption func(*echo)

type echo struct {
	l        *slog.Logger
	hideArgs bool
	level    slog.Level
}

// HideArgs keeps bind values out of the log (for production logs that must
// not hold personal data): the number of arguments is logged instead, and
// error texts, which can quote a value, are replaced by a placeholder (the
// error itself still reaches the caller).
func HideArgs() EchoOption { return func(e *echo) { e.hideArgs = true } }

// EchoLevel sets the level statements are logged at (default Debug; errors are
// logged at Error).
func EchoLevel(l slog.Level) EchoOption { return func(e *echo) { e.level = l } }

// Echo returns a Tracer that logs each round trip to l: the SQL, the
// arguments, the duration and any error, as SQLAlchemy's echo=True does.
func Echo(l *slog.Logger, opts ...EchoOption) Tracer {
	e := &echo{l: l, level: slog.LevelDebug}
	for _, o := range opts {
		o(e)
	}
	return e
}

func (e *echo) Trace(ctx context.Context, ev TraceEvent) {
	attrs := []slog.Attr{slog.String("sql", ev.SQL), slog.Duration("duration", ev.Duration)}
	if e.hideArgs {
		attrs = append(attrs, slog.Int("args", len(ev.Args)))
	} else if ev.Args != nil {
		attrs = append(attrs, slog.Any("args", ev.Args))
	}
	if ev.Statements > 1 {
		attrs = append(attrs, slog.Int("statements", ev.Statements))
	}
	level := e.level
	if ev.Err != nil {
		level = slog.LevelError
		msg := ev.Err.Error()
		if e.hideArgs {
			// A database error can quote the value it refused ("invalid
			// input syntax for type bigint: ..."): keep it out too.
			msg = "hidden by HideArgs"
		}
		attrs = append(attrs, slog.String("error", msg))
	}
	e.l.LogAttrs(ctx, level, "retort: sql", attrs...)
}
