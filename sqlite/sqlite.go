// Package sqlite runs Retort on SQLite through zombiezen.com/go/sqlite, a
// pure-Go SQLite (no cgo): the embedded default for examples, tests and
// quick starts.
//
// [Open] takes a file path, a "file:" URI, or ":memory:". An in-memory
// database is shared by all connections of its pool (SQLite's memdb VFS), so
// it vanishes when the DB is closed. Unlike a file, which uses WAL so that
// readers never wait, an in-memory database uses rollback locking: while a
// transaction writes, readers on other connections wait (up to the busy
// timeout). Every
// connection has foreign keys on, a busy timeout, and case-sensitive LIKE (to
// match PostgreSQL); files use WAL.
//
// A [DB] is safe for concurrent use; a [Tx] belongs to one goroutine and holds
// one connection until it ends. Transactions begin IMMEDIATE, so two writers
// wait for each other instead of failing with SQLITE_BUSY on upgrade.
//
// The writers of one DB (its transactions, and statements outside one that
// write) take turns in the order they come, inside the process: SQLite's
// own busy handler polls with growing sleeps, so that a goroutine writing
// in a loop could keep another waiting past the busy timeout however short
// each transaction was. A writer still waits at most the busy timeout for
// its turn, and then for SQLite's lock without waiting (SQLITE_BUSY if it
// is held). Writers in other processes, or through another DB on the same
// file, wait for SQLite's lock as before.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/retort-orm/retort"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// Option configures a DB.
type Option func(*config)

type config struct {
	tracer      retort.Tracer
	poolSize    int
	busyTimeout time.Duration
	attach      []attachment
}

// attachment is a database every connection attaches (WithAttach).
type attachment struct{ schema, path string }

// WithTracer reports every statement to t (see retort.Counter and retort.Echo).
func WithTracer(t retort.Tracer) Option {
	return func(c *config) { c.tracer = retort.Tracers(c.tracer, t) }
}

// WithEcho logs every statement to l at Debug level, as retort.Echo does.
func WithEcho(l *slog.Logger, opts ...retort.EchoOption) Option {
	return WithTracer(retort.Echo(l, opts...))
}

// WithPoolSize sets how many connections may be open (default 4). They are
// opened as needed, and the one returned last is handed out first, so a
// program that uses one at a time keeps its statements and cache warm.
func WithPoolSize(n int) Option { return func(c *config) { c.poolSize = n } }

// WithBusyTimeout sets how long a statement waits for a lock held by another
// connection before failing with SQLITE_BUSY (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithAttach attaches the database at path (a file, created if missing
// and put in WAL mode, a "file:" URI, or ":memory:" for a fresh in-memory
// one shared by the pool) to every connection as schema, so that tables named
// "schema.table" ([retort.NewTable]) live in it. SQLite's foreign keys do
// not cross databases: [retort.CreateAll] refuses one that would.
func WithAttach(schema, path string) Option {
	return func(c *config) { c.attach = append(c.attach, attachment{schema, path}) }
}

// fileURI is the URI of the file at path through the operating system's
// VFS.
func fileURI(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	path = filepath.ToSlash(path)
	vfs := "unix"
	if runtime.GOOS == "windows" {
		vfs = "win32"
		path = "/" + path // file:/C:/dir/x.db
	}
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(path) + "?vfs=" + vfs
}

// DB is a pool of SQLite connections.
type DB struct {
	pool      *pool
	tracer    retort.Tracer
	turn      chan struct{} // holds a token while no writer of this DB writes
	busy      time.Duration // the busy timeout
	path      string
	closeOnce sync.Once
	closeErr  error
}

var (
	_ retort.DB = (*DB)(nil)
	_ retort.Tx = (*Tx)(nil)
)

var memSeq atomic.Int64

// Open opens the database at path: a file (created if missing), a "file:"
// URI, or ":memory:" (or "") for a fresh in-memory database.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	c := config{poolSize: 4, busyTimeout: 5 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	uri := path
	flags := sqlite.OpenReadWrite | sqlite.OpenCreate | sqlite.OpenURI
	wal := true
	if path == "" || path == ":memory:" {
		uri = "file:/retort-memory-" + strconv.FormatInt(memSeq.Add(1), 10) + "?vfs=memdb"
		wal = false
	}
	// What each connection attaches: the database's name as ATTACH takes
	// it, for the schema a.schema of path a.path.
	attach := make([]string, len(c.attach))
	for i, a := range c.attach {
		switch {
		case a.path == "" || a.path == ":memory:":
			attach[i] = "file:/retort-memory-" + strconv.FormatInt(memSeq.Add(1), 10) + "?vfs=memdb"
		case !wal && !strings.HasPrefix(a.path, "file:"):
			// ATTACH opens a file through the main database's VFS, here
			// memdb, unless the URI names another.
			attach[i] = fileURI(a.path)
		default:
			attach[i] = a.path
		}
	}
	p := newPool(uri, flags, c.poolSize, func(conn *sqlite.Conn) error {
		conn.SetBusyTimeout(c.busyTimeout)
		// One at a time: a script would run inside a savepoint, where
		// PRAGMA foreign_keys is silently ignored.
		pragmas := []string{"PRAGMA foreign_keys = ON", "PRAGMA case_sensitive_like = ON"}
		if wal {
			pragmas = append(pragmas, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")
		}
		for _, p := range pragmas {
			if err := sqlitex.ExecuteTransient(conn, p, nil); err != nil {
				return err
			}
		}
		for i, a := range c.attach {
			schema := retort.QuoteIdent(a.schema)
			if err := sqlitex.ExecuteTransient(conn, "ATTACH DATABASE ? AS "+schema, &sqlitex.ExecOptions{Args: []any{attach[i]}}); err != nil {
				return fmt.Errorf("attach %q as %s: %w", a.path, schema, err)
			}
			if !strings.Contains(attach[i], "vfs=memdb") {
				// WAL, as for the main file; a database opened read-only
				// (a URI's mode=ro) cannot change its journal and is
				// used as it is.
				_ = sqlitex.ExecuteTransient(conn, "PRAGMA "+schema+".journal_mode = WAL", nil)
			}
		}
		return nil
	})
	db := &DB{pool: p, tracer: c.tracer, path: path, turn: make(chan struct{}, 1), busy: c.busyTimeout}
	db.turn <- struct{}{}
	// Open one connection now so that a bad path fails here, not later; it
	// stays open, and with it an in-memory database.
	conn, err := p.take(ctx)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	p.put(conn)
	return db, nil
}

// Close closes the idle connections and makes later statements fail; a
// connection in use (an open Tx, rows being read) is closed when its
// transaction ends or its rows are closed, so that Close does not wait for
// a transaction a program never ended (as database/sql's DB.Close). An
// in-memory database is gone once its last connection is closed. Closing
// twice is harmless.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.pool.close() })
	return db.closeErr
}

// Dialect is retort.SQLite.
func (db *DB) Dialect() retort.Dialect { return retort.SQLite }

// Exec runs a statement that returns no rows.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (retort.Result, error) {
	if ctx == nil {
		return retort.Result{}, retort.ErrNilContext
	}
	c, err := db.take(ctx)
	if err != nil {
		return retort.Result{}, err
	}
	defer db.release(c)
	if !readsOnly(sql) {
		if err := db.writeTurn(ctx, c); err != nil {
			return retort.Result{}, err
		}
	}
	return c.exec(ctx, sql, args)
}

// Query runs a statement that returns rows. The connection is held until the
// rows are closed.
func (db *DB) Query(ctx context.Context, sql string, args ...any) (retort.Rows, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	c, err := db.take(ctx)
	if err != nil {
		return nil, err
	}
	if !readsOnly(sql) {
		if err := db.writeTurn(ctx, c); err != nil {
			db.release(c)
			return nil, err
		}
	}
	r, err := c.query(ctx, sql, args)
	if err != nil {
		db.release(c)
		return nil, err
	}
	r.release = func() { db.release(c) }
	return r, nil
}

// Begin takes a connection for a transaction. BEGIN IMMEDIATE runs with the
// transaction's first statement: a transaction that commits a single
// statement through CommitBatch (a unit of work of one INSERT or UPDATE)
// runs it alone, atomically, without BEGIN and COMMIT; one that runs
// nothing runs nothing.
func (db *DB) Begin(ctx context.Context) (retort.Tx, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	tx := &Tx{lazy: true, db: db}
	if err := db.takeInto(ctx, &tx.own); err != nil {
		return nil, err
	}
	tx.c = &tx.own
	return tx, nil
}

func (db *DB) take(ctx context.Context) (*conn, error) {
	c := new(conn)
	if err := db.takeInto(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// takeInto takes a connection from the pool into c.
func (db *DB) takeInto(ctx context.Context, c *conn) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	sc, err := db.pool.take(ctx)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return fmt.Errorf("sqlite: take connection: %w (%v)", cerr, err)
		}
		return fmt.Errorf("sqlite: take connection: %w", err)
	}
	// The connection's interrupt is set by its first statement whose
	// context can be cancelled (interrupt).
	*c = conn{conn: sc, tracer: db.tracer}
	return nil
}

// release returns c's connection to the pool, no longer tied to the
// context of its last statement, and ends its turn to write.
func (db *DB) release(c *conn) {
	if c.done != nil {
		c.conn.SetInterrupt(nil)
		c.done = nil
	}
	if c.noWait {
		c.conn.SetBusyTimeout(db.busy)
		c.noWait = false
	}
	if c.writing {
		c.writing = false
		db.turn <- struct{}{}
	}
	db.pool.put(c.conn)
}

// writeTurn waits until no other writer of db writes, and makes c the
// writer until it is released. Waiters are served in the order they came
// (a channel's receivers are). After the busy timeout c goes on without
// its turn, but its statement does not wait for SQLite's lock either: it
// fails with SQLITE_BUSY if the lock is still held (as it did before the
// turns: another process, another DB on the file, or a goroutine waiting
// for a write of its own transaction).
func (db *DB) writeTurn(ctx context.Context, c *conn) error {
	if c.writing || c.noWait {
		return nil
	}
	select {
	case <-db.turn:
		c.writing = true
		return nil
	default:
	}
	t := time.NewTimer(db.busy)
	defer t.Stop()
	select {
	case <-db.turn:
		c.writing = true
	case <-ctx.Done():
		return fmt.Errorf("sqlite: waiting for another writer: %w", ctx.Err())
	case <-t.C:
		c.conn.SetBusyTimeout(0)
		c.noWait = true
	}
	return nil
}

// Tx is a transaction or a savepoint on one connection.
type Tx struct {
	c     *conn
	depth int
	done  bool
	lazy  bool // BEGIN IMMEDIATE is still to run (top level only)
	db    *DB  // the connection goes back to its pool at the end (top level only)
	own   conn // c of a top-level transaction: one allocation with it
}

// begin runs the BEGIN IMMEDIATE that Begin put off.
func (tx *Tx) begin(ctx context.Context) error {
	if !tx.lazy {
		return nil
	}
	if err := tx.db.writeTurn(ctx, tx.c); err != nil {
		return err
	}
	_, err := tx.c.exec(ctx, "BEGIN IMMEDIATE", nil)
	if tx.c.noWait {
		// The transaction holds SQLite's lock now (or failed): its COMMIT
		// waits for readers as usual.
		tx.c.conn.SetBusyTimeout(tx.db.busy)
		tx.c.noWait = false
	}
	if err != nil {
		return err
	}
	tx.lazy = false
	return nil
}

// Dialect is retort.SQLite.
func (tx *Tx) Dialect() retort.Dialect { return retort.SQLite }

var _ retort.RowsReader = (*Tx)(nil)

// ReadingRows implements retort.RowsReader.
func (tx *Tx) ReadingRows() bool { return !tx.done && len(tx.c.reading) > 0 }

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (retort.Result, error) {
	if ctx == nil {
		return retort.Result{}, retort.ErrNilContext
	}
	if tx.done {
		return retort.Result{}, errTxDone
	}
	if err := tx.begin(ctx); err != nil {
		return retort.Result{}, err
	}
	return tx.c.exec(ctx, sql, args)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, sql string, args ...any) (retort.Rows, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	if tx.done {
		return nil, errTxDone
	}
	if err := tx.begin(ctx); err != nil {
		return nil, err
	}
	return tx.c.query(ctx, sql, args)
}

var errTxDone = errors.New("sqlite: transaction already committed or rolled back")

var errCommitReading = fmt.Errorf("sqlite: commit: %w", retort.ErrRowsOpen)

// Begin starts a nested transaction: a SAVEPOINT.
func (tx *Tx) Begin(ctx context.Context) (retort.Tx, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	if tx.done {
		return nil, errTxDone
	}
	if err := tx.begin(ctx); err != nil {
		return nil, err
	}
	d := tx.depth + 1
	if _, err := tx.c.exec(ctx, "SAVEPOINT "+savepoint(d), nil); err != nil {
		return nil, err
	}
	return &Tx{c: tx.c, depth: d}, nil
}

func savepoint(depth int) string { return `"retort_sp_` + strconv.Itoa(depth) + `"` }

// Commit commits the transaction or releases the savepoint.
func (tx *Tx) Commit(ctx context.Context) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	if tx.done {
		return errTxDone
	}
	if tx.ReadingRows() {
		return errCommitReading // the transaction stays open
	}
	var err error
	if tx.lazy {
		// Nothing ran: nothing to commit.
	} else if tx.depth == 0 {
		_, err = tx.c.exec(ctx, "COMMIT", nil)
		if err != nil {
			// A failed COMMIT leaves the transaction open: end it so the
			// connection goes back to the pool clean.
			_, _ = tx.c.exec(context.Background(), "ROLLBACK", nil)
		}
	} else {
		_, err = tx.c.exec(ctx, "RELEASE "+savepoint(tx.depth), nil)
	}
	tx.finish()
	return err
}

// Rollback rolls back the transaction or to the savepoint. Rolling back a
// finished transaction is not an error. It runs even if ctx is cancelled.
func (tx *Tx) Rollback(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background() // a rollback always ends the transaction
	}
	if tx.done {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	tx.c.conn.SetInterrupt(nil) // a rollback must not be interrupted
	tx.c.done = nil
	var err error
	if tx.lazy {
		// Nothing ran: nothing to roll back.
	} else if tx.depth == 0 {
		if !tx.c.conn.AutocommitEnabled() {
			_, err = tx.c.exec(ctx, "ROLLBACK", nil)
		}
	} else {
		// SQLite would start rows being read over again: they end, with
		// an error, as under the transaction's rollback.
		for len(tx.c.reading) > 0 {
			tx.c.reading[0].end(errEndedUnderRows)
		}
		_, err = tx.c.exec(ctx, "ROLLBACK TO "+savepoint(tx.depth), nil)
		if err == nil {
			_, err = tx.c.exec(ctx, "RELEASE "+savepoint(tx.depth), nil)
		}
	}
	tx.finish()
	return err
}

// CommitBatch implements retort.BatchCommitter: it runs items, one at a
// time with their callbacks, then commits; an item or callback that fails
// stops it before COMMIT (roll back then). A transaction in which nothing
// ran yet and which commits a single statement that returns no rows runs
// that statement alone: SQLite makes one statement atomic without BEGIN and
// COMMIT. (A statement returning rows, such as a multi-row INSERT ...
// RETURNING, keeps BEGIN and COMMIT, so that a failure reading its rows
// leaves nothing written.)
func (tx *Tx) CommitBatch(ctx context.Context, items []retort.BatchItem) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	if tx.done {
		return errTxDone
	}
	if tx.ReadingRows() {
		return errCommitReading
	}
	if tx.lazy && tx.depth == 0 && (len(items) == 0 || len(items) == 1 && items[0].Rows == nil) {
		if len(items) == 1 {
			err := tx.db.writeTurn(ctx, tx.c)
			if err == nil {
				err = retort.RunItem(ctx, txConn{tx.c}, items[0])
			}
			if err != nil {
				tx.finish()
				return err
			}
		}
		tx.finish()
		return nil
	}
	for _, it := range items {
		if err := retort.RunItem(ctx, tx, it); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// txConn runs statements on a transaction's connection outside any
// transaction (autocommit), for CommitBatch.
type txConn struct{ c *conn }

func (t txConn) Dialect() retort.Dialect { return retort.SQLite }
func (t txConn) Exec(ctx context.Context, sql string, args ...any) (retort.Result, error) {
	return t.c.exec(ctx, sql, args)
}
func (t txConn) Query(ctx context.Context, sql string, args ...any) (retort.Rows, error) {
	return t.c.query(ctx, sql, args)
}
func (t txConn) Begin(context.Context) (retort.Tx, error) {
	return nil, errors.New("sqlite: no transaction inside CommitBatch")
}

func (tx *Tx) finish() {
	tx.done = true
	if tx.db != nil {
		// Rolled back inside a loop over rows: they end first, with an
		// error, so that they do not use the connection once it is back
		// in the pool.
		for len(tx.c.reading) > 0 {
			tx.c.reading[0].end(errEndedUnderRows)
		}
		tx.db.release(tx.c)
		tx.db = nil
	}
}

// conn is one SQLite connection in use.
type conn struct {
	conn   *sqlite.Conn
	tracer retort.Tracer
	busy   map[string]bool // SQL of cached statements with open rows
	done   <-chan struct{} // the interrupt channel in force
	// reading holds the open rows, which the end of a transaction closes
	// (see Tx.finish).
	reading []*rows
	first   [1]*rows // reading's first array: no allocation for one open rows
	writing bool     // c has its DB's turn to write (writeTurn)
	noWait  bool     // c went on without its turn: its busy timeout is 0
}

// errEndedUnderRows is the error of rows whose transaction was rolled back
// while they were being read.
var errEndedUnderRows = errors.New("sqlite: the transaction (or savepoint) was rolled back while its rows were being read")

// interrupt makes ctx able to interrupt the next statement. zombiezen's
// SetInterrupt resets every statement with open rows, so the channel is
// only changed when it differs and no rows are open; a statement run while
// rows are open stays interruptible by the context of those rows.
func (c *conn) interrupt(ctx context.Context) {
	d := ctx.Done()
	if d == c.done || len(c.reading) > 0 {
		return
	}
	c.conn.SetInterrupt(d)
	c.done = d
}

func (c *conn) trace(ctx context.Context, sql string, args []any, start time.Time, n int64, err error) {
	if c.tracer != nil {
		c.tracer.Trace(ctx, retort.TraceEvent{SQL: sql, Args: args, Statements: 1, Duration: time.Since(start), Rows: n, Err: err})
	}
}

// prepare returns a prepared statement: the connection's cached one unless
// it is in use by open rows. Statements without arguments that are not
// queries (DDL, transaction control) are not cached.
func (c *conn) prepare(sql string, args []any) (stmt *sqlite.Stmt, transient bool, err error) {
	// Prepare resets a cached statement: never ask for one with open rows.
	if (len(args) > 0 || isQuery(sql)) && !c.busy[sql] {
		stmt, err = c.conn.Prepare(sql)
		if err != nil {
			err = shortenPrepare(sql, err)
		}
		return stmt, false, err
	}
	stmt, trailing, err := c.conn.PrepareTransient(sql)
	if err != nil {
		return nil, false, shortenPrepare(sql, err)
	}
	if strings.TrimSpace(sql[len(sql)-trailing:]) != "" {
		stmt.Finalize()
		return nil, false, errors.New("several statements in one call are not supported")
	}
	return stmt, true, err
}

// prepareError is a statement's failure to compile. Its text quotes the
// statement cut to its start and its end: zombiezen's error quotes it
// whole, which for an IN list of thousands of values is a message of
// hundreds of kilobytes. Unwrap gives zombiezen's error (and its code).
type prepareError struct {
	sql string
	err error
}

func (e *prepareError) Error() string {
	why := e.err
	if inner := errors.Unwrap(e.err); inner != nil {
		why = inner // zombiezen's text without the statement
	}
	return fmt.Sprintf("sqlite: prepare %q: %v", shortSQL(e.sql), strings.TrimPrefix(why.Error(), "sqlite: "))
}

func (e *prepareError) Unwrap() error { return e.err }

func shortenPrepare(sql string, err error) error {
	if len(sql) <= maxQuoted {
		return err
	}
	return &prepareError{sql: sql, err: err}
}

// maxQuoted is the longest statement an error quotes whole.
const maxQuoted = 300

// shortSQL cuts a long statement to its first and last bytes, on rune
// boundaries, and says how long it was.
func shortSQL(sql string) string {
	if len(sql) <= maxQuoted {
		return sql
	}
	head, tail := 200, len(sql)-80
	for head > 0 && !utf8.RuneStart(sql[head]) {
		head--
	}
	for tail < len(sql) && !utf8.RuneStart(sql[tail]) {
		tail++
	}
	return sql[:head] + " ... (" + strconv.Itoa(len(sql)) + " bytes) ... " + sql[tail:]
}

func isQuery(sql string) bool {
	return len(sql) > 6 && (strings.EqualFold(sql[:6], "SELECT") || strings.EqualFold(sql[:4], "WITH"))
}

// readsOnly reports whether sql only reads (a query, EXPLAIN, a PRAGMA
// that sets nothing), or is a savepoint's control statement or a
// ROLLBACK, which a connection can run while rows of another statement
// are open. A WITH whose text names no INSERT, UPDATE, DELETE or REPLACE
// is a query.
func readsOnly(sql string) bool {
	s := strings.TrimLeft(sql, " \t\r\n(")
	word := s
	if i := strings.IndexAny(s, " \t\r\n("); i >= 0 {
		word = s[:i]
	}
	switch strings.ToUpper(word) {
	case "SELECT", "VALUES", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK":
		return true // a ROLLBACK makes the open rows fail at their next row
	case "PRAGMA":
		return !strings.Contains(s, "=")
	case "WITH":
		u := strings.ToUpper(s)
		for _, w := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE"} {
			if containsWord(u, w) {
				return false
			}
		}
		return true
	}
	return false
}

// containsWord reports whether s holds w not inside a longer identifier.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isIdentByte(s[j-1])
		after := j+len(w) == len(s) || !isIdentByte(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '"' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= 0x80
}

// rowsOpen refuses sql on c while rows of another statement are open on
// it, unless sql only reads: SQLite leaves undefined whether the open rows
// see the write (see retort.ErrRowsOpen).
func (c *conn) rowsOpen(sql string) error {
	if len(c.reading) > 0 && !readsOnly(sql) {
		return fmt.Errorf("sqlite: %s: %w", shortSQL(sql), retort.ErrRowsOpen)
	}
	return nil
}

func (c *conn) exec(ctx context.Context, sql string, args []any) (res retort.Result, err error) {
	if err := c.rowsOpen(sql); err != nil {
		return res, err // not sent, not traced
	}
	start := time.Now()
	defer func() { c.trace(ctx, sql, args, start, res.RowsAffected, err) }()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("sqlite: %w", err)
	}
	c.interrupt(ctx)
	stmt, transient, err := c.prepare(sql, args)
	if err != nil {
		return res, wrapErr(ctx, err)
	}
	defer finish(stmt, transient)
	if err := bind(stmt, args); err != nil {
		return res, err
	}
	for {
		row, err := stmt.Step()
		if err != nil {
			return res, wrapErr(ctx, err)
		}
		if !row {
			break
		}
	}
	return retort.Result{RowsAffected: int64(c.conn.Changes()), LastInsertID: c.conn.LastInsertRowID()}, nil
}

func finish(stmt *sqlite.Stmt, transient bool) {
	if transient {
		stmt.Finalize()
		return
	}
	stmt.Reset()
	stmt.ClearBindings()
}

func (c *conn) query(ctx context.Context, sql string, args []any) (*rows, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		c.trace(ctx, sql, args, start, -1, err)
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := c.rowsOpen(sql); err != nil {
		return nil, err // not sent, not traced
	}
	c.interrupt(ctx)
	stmt, transient, err := c.prepare(sql, args)
	if err == nil {
		err = bind(stmt, args)
	}
	if err != nil {
		c.trace(ctx, sql, args, start, -1, err)
		if stmt != nil {
			finish(stmt, transient)
		}
		return nil, wrapErr(ctx, err)
	}
	if !transient {
		if c.busy == nil {
			c.busy = map[string]bool{}
		}
		c.busy[sql] = true
	}
	r := &rows{c: c, stmt: stmt, transient: transient, ctx: ctx, sql: sql, args: args, start: start}
	if c.reading == nil {
		c.reading = c.first[:0]
	}
	c.reading = append(c.reading, r)
	return r, nil
}

type rows struct {
	c         *conn
	stmt      *sqlite.Stmt
	transient bool
	ctx       context.Context
	sql       string
	args      []any
	start     time.Time
	err       error
	closed    bool
	release   func()
}

func (r *rows) Next() bool {
	if r.closed || r.err != nil {
		return false
	}
	ok, err := r.stmt.Step()
	if err != nil {
		r.err = wrapErr(r.ctx, err)
		return false
	}
	return ok
}

func (r *rows) Err() error { return r.err }

var _ retort.KeyPeeker = (*rows)(nil)

// PeekInt64 implements retort.KeyPeeker: column i when it holds an integer.
func (r *rows) PeekInt64(i int) (int64, bool) {
	if i < 0 || i >= r.stmt.ColumnCount() || r.stmt.ColumnType(i) != sqlite.TypeInteger {
		return 0, false
	}
	return r.stmt.ColumnInt64(i), true
}

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.end(nil)
	return r.err
}

// end closes r; err, if set, becomes the error its Err reports.
func (r *rows) end(err error) {
	r.closed = true
	if err != nil {
		r.err = err
	}
	if i := slices.Index(r.c.reading, r); i >= 0 {
		r.c.reading = slices.Delete(r.c.reading, i, i+1)
	}
	if !r.transient {
		delete(r.c.busy, r.sql)
	}
	finish(r.stmt, r.transient)
	r.c.trace(r.ctx, r.sql, r.args, r.start, -1, r.err)
	if r.release != nil {
		r.release()
	}
}

func (r *rows) Scan(dest ...any) error {
	if n := r.stmt.ColumnCount(); len(dest) != n {
		return fmt.Errorf("sqlite: scan: %d destinations for %d columns", len(dest), n)
	}
	for i, d := range dest {
		if err := scanColumn(r.stmt, i, d); err != nil {
			return &retort.ScanError{Index: i, Err: err}
		}
	}
	return nil
}

// wrapErr names the cause of an interrupted statement: the context.
func wrapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if sqlite.ErrCode(err) == sqlite.ResultInterrupt && ctx.Err() != nil {
		return fmt.Errorf("sqlite: %w (%v)", ctx.Err(), err)
	}
	if strings.HasPrefix(err.Error(), "sqlite: ") {
		return err // zombiezen's errors carry the prefix already
	}
	return fmt.Errorf("sqlite: %w", err)
}
