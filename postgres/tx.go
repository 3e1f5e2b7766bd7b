package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/retort-orm/retort"
)

// txState is shared by a transaction and its savepoints: the connection, and
// the transaction-control statements (BEGIN, SAVEPOINT, RELEASE, ROLLBACK
// TO) waiting to travel with the next statement, so that none of them costs
// a round trip of its own.
type txState struct {
	release func()   // returns a pooled connection; nil for a wrapped one
	pending []string // control statements not sent yet
	wrapped pgx.Tx   // a transaction given to WrapTx
	nextSP  int
	done    bool
	reading []*rows // rows of the transaction's queries not closed yet
}

func (st *txState) untrack(r *rows) {
	if i := slices.Index(st.reading, r); i >= 0 {
		st.reading = slices.Delete(st.reading, i, i+1)
	}
	r.owner = nil
}

// errEndedUnderRows is the error of rows whose transaction was rolled back
// while they were being read.
var errEndedUnderRows = errors.New("postgres: the transaction (or savepoint) was rolled back while its rows were being read")

// endReads closes the rows still open (pgx reads what is left of them), so
// that the connection can take the ROLLBACK; their Next then returns false
// and their Err says why.
func (st *txState) endReads() {
	for _, r := range st.reading {
		r.r.Close()
		if r.batch != nil {
			_ = r.batch.Close()
		}
		r.abort, r.owner = errEndedUnderRows, nil
	}
	st.reading = nil
}

// Tx is a transaction or a savepoint. BEGIN and SAVEPOINT are sent with the
// transaction's first statement, and a transaction that sent nothing commits
// or rolls back without a round trip. A Tx belongs to one goroutine.
type Tx struct {
	DB
	st    *txState
	depth int    // 0: the transaction itself
	name  string // the savepoint's name
	done  bool
}

var (
	_ retort.BatchCommitter = (*Tx)(nil)
	_ retort.AloneRunner    = (*Tx)(nil)
	_ retort.RowsReader     = (*Tx)(nil)
)

// RunsAlone reports whether CommitBatch would run it alone: the transaction
// (not a savepoint, not a wrapped pgx.Tx) has sent nothing yet.
func (tx *Tx) RunsAlone(it retort.BatchItem) bool {
	return !later(it) && !tx.done && !tx.st.done && tx.depth == 0 && tx.st.wrapped == nil &&
		len(tx.st.pending) == 1 && tx.st.pending[0] == "BEGIN"
}

// Begin starts a transaction on a connection of the pool (or on the wrapped
// connection). BEGIN is sent with the first statement.
func (db *DB) Begin(ctx context.Context) (retort.Tx, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	st := &txState{pending: []string{"BEGIN"}}
	q := db.q
	if pool, ok := db.q.(*pgxpool.Pool); ok {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, wrapErr(err)
		}
		q, st.release = conn, conn.Release
	}
	return &Tx{DB: DB{q: q, tracer: db.tracer, inTx: true, textArgs: db.textArgs}, st: st}, nil
}

// PgxTx returns the pgx transaction given to WrapTx, or nil.
func (tx *Tx) PgxTx() pgx.Tx { return tx.st.wrapped }

var errTxDone = errors.New("postgres: transaction already committed or rolled back")

func (tx *Tx) check() error {
	if tx.done || tx.st.done {
		return errTxDone
	}
	if len(tx.st.reading) > 0 {
		// pgx would answer "conn busy"; a Commit would then end the
		// transaction under the rows.
		return fmt.Errorf("postgres: %w", retort.ErrRowsOpen)
	}
	return nil
}

// ReadingRows implements retort.RowsReader.
func (tx *Tx) ReadingRows() bool { return len(tx.st.reading) > 0 }

// track counts r among the transaction's open rows until it is closed.
func (tx *Tx) track(r *rows) *rows {
	tx.st.reading = append(tx.st.reading, r)
	r.owner = tx.st
	return r
}

// takePending returns the waiting control statements as batch items, to be
// sent ahead of the next statement. A waiting ROLLBACK TO SAVEPOINT cannot
// ride along: the transaction is aborted until it runs, and pgx prepares a
// batch's statements before running any of them. Those are sent at once, in
// one simple-protocol round trip (only after an error).
func (tx *Tx) takePending(ctx context.Context) ([]retort.BatchItem, error) {
	p := tx.st.pending
	if len(p) == 0 {
		return nil, nil
	}
	tx.st.pending = nil
	for _, s := range p {
		if strings.HasPrefix(s, "ROLLBACK TO") {
			_, err := tx.DB.Exec(ctx, strings.Join(p, "; "))
			return nil, err
		}
	}
	items := make([]retort.BatchItem, len(p))
	for i, s := range p {
		items[i] = retort.BatchItem{SQL: s}
	}
	return items, nil
}

// Exec runs a statement in the transaction (with any waiting BEGIN or
// SAVEPOINT, in the same round trip).
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (retort.Result, error) {
	if ctx == nil {
		return retort.Result{}, retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return retort.Result{}, err
	}
	pending, err := tx.takePending(ctx)
	if err != nil {
		return retort.Result{}, err
	}
	if pending == nil {
		return tx.DB.Exec(ctx, sql, args...)
	}
	var res retort.Result
	err = tx.DB.SendBatch(ctx, append(pending, retort.BatchItem{SQL: sql, Args: args, Result: func(r retort.Result) error {
		res = r
		return nil
	}}))
	return res, err
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, sql string, args ...any) (retort.Rows, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return nil, err
	}
	pending, err := tx.takePending(ctx)
	if err != nil {
		return nil, err
	}
	if pending == nil {
		r, err := tx.DB.Query(ctx, sql, args...)
		if err != nil {
			return nil, err
		}
		return tx.track(r.(*rows)), nil
	}
	start := time.Now()
	b := &pgx.Batch{}
	for _, it := range pending {
		b.Queue(it.SQL)
	}
	b.Queue(sql, tx.typedArgs(args)...)
	br := tx.q.SendBatch(ctx, b)
	for range pending {
		if _, err := br.Exec(); err != nil {
			br.Close()
			tx.trace(ctx, sql, args, len(pending)+1, start, -1, err)
			return nil, wrapErr(err)
		}
	}
	r, err := br.Query()
	if err != nil {
		br.Close()
		tx.trace(ctx, sql, args, len(pending)+1, start, -1, err)
		return nil, wrapErr(err)
	}
	return tx.track(&rows{r: r, db: &tx.DB, ctx: ctx, sql: sql, args: args, start: start, batch: br, n: len(pending) + 1}), nil
}

// SendBatch sends items (after any waiting BEGIN or SAVEPOINT) in one round
// trip.
func (tx *Tx) SendBatch(ctx context.Context, items []retort.BatchItem) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return err
	}
	pending, err := tx.takePending(ctx)
	if err != nil {
		return err
	}
	return tx.DB.SendBatch(ctx, append(pending, items...))
}

// ExecBatch sends stmts in one round trip and returns each one's rows
// affected.
func (tx *Tx) ExecBatch(ctx context.Context, stmts []retort.Statement) ([]int64, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return nil, err
	}
	pending, err := tx.takePending(ctx)
	if err != nil {
		return nil, err
	}
	if pending != nil {
		stmts = append(pendingStatements(pending), stmts...)
		counts, err := tx.DB.ExecBatch(ctx, stmts)
		if len(counts) >= len(pending) {
			counts = counts[len(pending):]
		} else {
			counts = nil
		}
		return counts, err
	}
	return tx.DB.ExecBatch(ctx, stmts)
}

func pendingStatements(items []retort.BatchItem) []retort.Statement {
	out := make([]retort.Statement, len(items))
	for i, it := range items {
		out[i] = retort.Statement{SQL: it.SQL}
	}
	return out
}

// Begin starts a savepoint; SAVEPOINT is sent with the next statement.
func (tx *Tx) Begin(ctx context.Context) (retort.Tx, error) {
	if ctx == nil {
		return nil, retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return nil, err
	}
	tx.st.nextSP++
	name := `"retort_sp_` + strconv.Itoa(tx.st.nextSP) + `"`
	tx.st.pending = append(tx.st.pending, "SAVEPOINT "+name)
	return &Tx{DB: tx.DB, st: tx.st, depth: tx.depth + 1, name: name}, nil
}

// dropPending removes a statement still waiting to be sent and reports
// whether it was there (and therefore never reached the server).
func (tx *Tx) dropPending(sql string) bool {
	for i, s := range tx.st.pending {
		if s == sql {
			tx.st.pending = append(tx.st.pending[:i], tx.st.pending[i+1:]...)
			return true
		}
	}
	return false
}

// Commit commits the transaction, or releases the savepoint (sent with the
// next statement).
func (tx *Tx) Commit(ctx context.Context) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	return tx.CommitBatch(ctx, nil)
}

// CommitBatch sends items and then COMMIT in one round trip: the session's
// last flush and its commit cost one round trip. On a savepoint the items go
// and RELEASE waits for the next statement. A transaction that sent nothing
// yet and commits a single statement runs it alone, without BEGIN and
// COMMIT: PostgreSQL makes one statement atomic by itself (see RunsAlone).
func (tx *Tx) CommitBatch(ctx context.Context, items []retort.BatchItem) error {
	if ctx == nil {
		return retort.ErrNilContext
	}
	if err := tx.check(); err != nil {
		return err
	}
	tx.done = true
	if tx.depth > 0 {
		if len(items) == 0 && tx.dropPending("SAVEPOINT "+tx.name) {
			return nil // nothing happened inside it
		}
		tx.st.pending = append(tx.st.pending, "RELEASE SAVEPOINT "+tx.name)
		if len(items) > 0 {
			return tx.sendWithPending(ctx, items)
		}
		return nil
	}
	defer tx.finish()
	if w := tx.st.wrapped; w != nil {
		if len(items) > 0 || len(tx.st.pending) > 0 {
			if err := tx.sendWithPending(ctx, items); err != nil {
				return err
			}
		}
		return tx.committing(ctx, func(ctx context.Context) error {
			start := time.Now()
			err := w.Commit(ctx)
			tx.trace(ctx, "COMMIT", nil, 1, start, -1, err)
			return wrapErr(err)
		})
	}
	if len(tx.st.pending) > 0 && tx.st.pending[0] == "BEGIN" {
		switch {
		case len(items) == 0:
			return nil // the transaction never reached the server
		case len(items) == 1 && len(tx.st.pending) == 1 && !later(items[0]):
			// Nothing reached the server and one statement is left: it is
			// atomic on its own, so it runs alone in autocommit, without
			// BEGIN and COMMIT around it (a one-row unit of work).
			tx.st.pending = nil
			return tx.committing(ctx, func(ctx context.Context) error { return retort.RunItem(ctx, &tx.DB, items[0]) })
		}
	}
	err := tx.committing(ctx, func(ctx context.Context) error {
		return tx.sendWithPending(ctx, append(items, retort.BatchItem{SQL: "COMMIT"}))
	})
	if err != nil {
		tx.abandon(ctx)
	}
	return err
}

// committing runs send, which ends in a COMMIT (or a statement in
// autocommit), so that a cancelled ctx never leaves the outcome unknown.
// pgx answers a cancelled context by closing the connection at once; the
// server may then commit all the same while the caller is told it failed,
// and a session would put its objects back to pending and insert them
// again on a retry. Here a ctx done before anything is sent fails as it is;
// once send starts, ctx's cancellation becomes a cancel request to the
// server, and send waits for the server's answer: either the statement
// running was cancelled (the transaction rolls back, and the error matches
// ctx's), or the COMMIT had finished and send succeeds. A connection that
// was sent a cancel request is closed afterwards, so that a late request
// cannot cancel a later statement on it.
func (tx *Tx) committing(ctx context.Context, send func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pc := tx.DB.pgConn()
	if pc == nil || ctx.Done() == nil {
		return send(ctx)
	}
	stop, done := make(chan struct{}), make(chan bool, 1)
	go func() {
		select {
		case <-ctx.Done():
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = pc.CancelRequest(cctx)
			cancel()
			done <- true
		case <-stop:
			done <- false
		}
	}()
	err := send(context.WithoutCancel(ctx))
	close(stop)
	if <-done {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = pc.Close(cctx)
		cancel()
		if err != nil {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	}
	return err
}

// abandon rolls back what a failed CommitBatch leaves open: the batch
// stopped at its error before COMMIT, and the connection would stay in an
// aborted transaction (a wrapped connection; a pooled one would be closed
// on release).
func (tx *Tx) abandon(ctx context.Context) {
	if pc := tx.DB.pgConn(); pc != nil && pc.TxStatus() != 'I' && !pc.IsClosed() {
		_, _ = tx.DB.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
}

func (tx *Tx) sendWithPending(ctx context.Context, items []retort.BatchItem) error {
	pending, err := tx.takePending(ctx)
	if err != nil {
		return err
	}
	return tx.DB.SendBatch(ctx, append(pending, items...))
}

// Rollback rolls the transaction back (or to the savepoint, with the next
// statement). Rolling back a finished transaction is not an error; it runs
// even when ctx is cancelled.
func (tx *Tx) Rollback(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background() // a rollback always ends the transaction
	}
	if tx.done || tx.st.done {
		return nil
	}
	tx.done = true
	ctx = context.WithoutCancel(ctx)
	if tx.depth > 0 {
		if tx.dropPending("SAVEPOINT " + tx.name) {
			return nil
		}
		// Rows being read would go on with rows the savepoint wrote: they
		// end, with an error, as under the transaction's rollback.
		tx.st.endReads()
		tx.st.pending = append(tx.st.pending, "ROLLBACK TO SAVEPOINT "+tx.name, "RELEASE SAVEPOINT "+tx.name)
		return nil
	}
	defer tx.finish()
	tx.st.endReads() // rolled back inside a loop over rows
	if w := tx.st.wrapped; w != nil {
		start := time.Now()
		err := w.Rollback(ctx)
		tx.trace(ctx, "ROLLBACK", nil, 1, start, -1, err)
		if errors.Is(err, pgx.ErrTxClosed) {
			return nil
		}
		return wrapErr(err)
	}
	if len(tx.st.pending) > 0 && tx.st.pending[0] == "BEGIN" {
		return nil // never reached the server
	}
	tx.st.pending = nil
	_, err := tx.DB.Exec(ctx, "ROLLBACK")
	return err
}

func (tx *Tx) finish() {
	tx.st.done = true
	tx.st.pending = nil
	if tx.st.release != nil {
		tx.st.release()
		tx.st.release = nil
	}
}
