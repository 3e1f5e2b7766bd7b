package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/sqlite"
	zsqlite "zombiezen.com/go/sqlite"
)

func open(t *testing.T, path string, opts ...sqlite.Option) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("open %q: %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func exec(t *testing.T, db retort.DB, sql string, args ...any) retort.Result {
	t.Helper()
	res, err := db.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
	return res
}

// queryValue runs a query that returns one row of one column and scans it
// into a new V.
func queryValue[V any](t *testing.T, db retort.DB, sql string, args ...any) V {
	t.Helper()
	var v V
	rows, err := db.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("query %q: %v", sql, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("query %q: no row (err %v)", sql, rows.Err())
	}
	if err := rows.Scan(&v); err != nil {
		t.Fatalf("query %q: scan: %v", sql, err)
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("query %q: close: %v", sql, err)
	}
	return v
}

func TestOpenFileUsesWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub.db")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("before Open: stat %v, want not exist", err)
	}
	db := open(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Open did not create the file: %v", err)
	}
	if got := queryValue[string](t, db, "PRAGMA journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %q, want wal", got)
	}
	if got := queryValue[int64](t, db, "PRAGMA synchronous"); got != 1 {
		t.Errorf("synchronous = %d, want 1 (NORMAL)", got)
	}
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	exec(t, db, "INSERT INTO t VALUES (?)", 7)
	// The data is in the file: a second pool sees it.
	db2 := open(t, path)
	if got := queryValue[int64](t, db2, "SELECT x FROM t"); got != 7 {
		t.Errorf("second pool on the file: x = %d, want 7", got)
	}
}

// Closing twice is not a panic (io.Closer says nothing, but a deferred Close
// after an explicit one is common).
func TestCloseTwice(t *testing.T) {
	db, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("second Close panicked: %v", p)
		}
	}()
	db.Close()
}

// Close does not wait for a transaction the program never ended (a test
// that failed before its Rollback): it returns at once, later statements
// fail, and the transaction still ends, closing its connection. Before,
// Close waited for it forever.
func TestCloseWithOpenTx(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for the open transaction")
	}
	if _, err := db.Exec(ctx, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a statement after Close: %v, want the database closed", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Errorf("the open transaction after Close: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := queryValue[int64](t, db, "SELECT count(*) FROM t"); got != 2 {
		t.Errorf("%d rows after the transaction committed, want 2", got)
	}
}

func TestOpenMemoryIsNotWAL(t *testing.T) {
	for _, path := range []string{":memory:", ""} {
		db := open(t, path)
		if got := queryValue[string](t, db, "PRAGMA journal_mode"); got == "wal" {
			t.Errorf("Open(%q): journal_mode = wal", path)
		}
	}
}

func TestOpenBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")
	db, err := sqlite.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open in a missing directory succeeded")
	}
	if !strings.HasPrefix(err.Error(), "sqlite: open ") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the operation and path", err)
	}
}

// Every connection of an in-memory pool sees the same database: a write on one
// connection is visible on another, and isolation between them holds.
func TestMemorySharedByPool(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:", sqlite.WithPoolSize(2))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	exec(t, db, "INSERT INTO t VALUES (1)")

	// Two open result sets hold both connections: each sees the table.
	r1, err := db.Query(ctx, "SELECT x FROM t")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.Query(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	var x, n int64
	if !r1.Next() || r1.Scan(&x) != nil || x != 1 {
		t.Errorf("first connection: x = %d, err %v", x, r1.Err())
	}
	if !r2.Next() || r2.Scan(&n) != nil || n != 1 {
		t.Errorf("second connection: count = %d, err %v", n, r2.Err())
	}
	r1.Close()
	r2.Close()

	// A transaction holds one connection and its write lock; a reader on
	// the other connection waits for the commit (the memdb VFS lets no
	// reader in beside a writer) and then sees the committed rows.
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	read := make(chan int64, 1)
	go func() {
		rows, err := db.Query(ctx, "SELECT count(*) FROM t")
		if err != nil {
			t.Errorf("read during transaction: %v", err)
			read <- -1
			return
		}
		defer rows.Close()
		var n int64
		if rows.Next() {
			if err := rows.Scan(&n); err != nil {
				t.Errorf("scan: %v", err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Errorf("read during transaction: %v", err)
		}
		read <- n
	}()
	if n := queryValue[int64](t, tx, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("inside transaction: count = %d, want 2", n)
	}
	time.Sleep(50 * time.Millisecond)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := <-read; n != 2 {
		t.Errorf("read waiting for the transaction: count = %d, want 2", n)
	}
}

// In a file (WAL) readers do not wait for a writer: they see the last
// committed state while a write transaction is open.
func TestFileReaderBesideWriter(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "wal.db"), sqlite.WithPoolSize(2), sqlite.WithBusyTimeout(time.Minute))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	exec(t, db, "INSERT INTO t VALUES (1)")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("read beside an open write: count = %d, want 1", n)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("read waited %v for the writer", el)
	}
}

func TestMemoryDatabasesAreSeparate(t *testing.T) {
	ctx := context.Background()
	a := open(t, ":memory:")
	b := open(t, ":memory:")
	exec(t, a, "CREATE TABLE only_in_a (x INTEGER)")
	_, err := b.Exec(ctx, "INSERT INTO only_in_a VALUES (1)")
	if err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("second :memory: database sees the first's table: err = %v", err)
	}
	// Closing one leaves the other intact.
	exec(t, b, "CREATE TABLE only_in_b (x INTEGER)")
	exec(t, b, "INSERT INTO only_in_b VALUES (1)")
}

// Many goroutines share a small pool; run with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:", sqlite.WithPoolSize(3))
	exec(t, db, "CREATE TABLE hits (g INTEGER NOT NULL, i INTEGER NOT NULL)")
	const goroutines, each = 12, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var err error
				if i%5 == 0 {
					err = retort.InTx(ctx, db, func(tx retort.Tx) error {
						_, err := tx.Exec(ctx, "INSERT INTO hits VALUES (?, ?)", g, i)
						return err
					})
				} else {
					_, err = db.Exec(ctx, "INSERT INTO hits VALUES (?, ?)", g, i)
				}
				if err != nil {
					t.Errorf("goroutine %d insert %d: %v", g, i, err)
					return
				}
				rows, err := db.Query(ctx, "SELECT count(*) FROM hits WHERE g = ?", g)
				if err != nil {
					t.Errorf("goroutine %d query: %v", g, err)
					return
				}
				var n int64
				for rows.Next() {
					if err := rows.Scan(&n); err != nil {
						t.Errorf("scan: %v", err)
					}
				}
				rows.Close()
				if n != int64(i+1) {
					t.Errorf("goroutine %d sees %d of its rows, want %d", g, n, i+1)
				}
			}
		}()
	}
	wg.Wait()
	if n := queryValue[int64](t, db, "SELECT count(*) FROM hits"); n != goroutines*each {
		t.Errorf("rows = %d, want %d", n, goroutines*each)
	}
}

// A second writer waits for the first (busy timeout) instead of failing.
func TestBusyWriterWaits(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "busy.db")
			}
			db := open(t, path, sqlite.WithPoolSize(2))
			exec(t, db, "CREATE TABLE t (x INTEGER)")
			tx, err := db.Begin(ctx) // BEGIN IMMEDIATE: holds the write lock
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			const hold = 150 * time.Millisecond
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := db.Exec(ctx, "INSERT INTO t VALUES (2)")
				done <- err
			}()
			time.Sleep(hold)
			select {
			case err := <-done:
				t.Fatalf("second writer finished while the first held the lock: %v", err)
			default:
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("second writer failed instead of waiting: %v", err)
			}
			if waited := time.Since(start); waited < hold {
				t.Errorf("second writer took %v, less than the %v the lock was held", waited, hold)
			}
			if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 2 {
				t.Errorf("count = %d, want 2", n)
			}
		})
	}
}

// With a short busy timeout a writer gives up with SQLITE_BUSY.
func TestBusyTimeoutExpires(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "busy.db"), sqlite.WithPoolSize(2), sqlite.WithBusyTimeout(30*time.Millisecond))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil { // BEGIN IMMEDIATE runs with it
		t.Fatal(err)
	}
	start := time.Now()
	_, err = db.Exec(ctx, "INSERT INTO t VALUES (2)")
	if code := zsqlite.ErrCode(err); code.ToPrimary() != zsqlite.ResultBusy {
		t.Errorf("writer while locked: err = %v (code %v), want SQLITE_BUSY", err, code)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("gave up after %v, want about 30ms", el)
	}
}

// Writers of one DB take turns in the order they came: SQLite's busy
// handler polls with growing sleeps, so a goroutine committing
// transactions in a loop took the lock again and again while another
// slept, and the sleeper failed with SQLITE_BUSY after the busy timeout
// though every transaction was short (measured: 2.6 s waits with the 5 s
// default, in 3.7 s of four such writers). Here four goroutines write
// transactions of 20 INSERTs, and a fifth autocommit INSERTs, for a second,
// under a 300 ms busy timeout: none may fail, and each must have written.
func TestWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "turns.db")
			}
			db := open(t, path, sqlite.WithPoolSize(5), sqlite.WithBusyTimeout(300*time.Millisecond))
			exec(t, db, "CREATE TABLE t (g INTEGER, i INTEGER)")
			const writers = 5
			var wg sync.WaitGroup
			var counts [writers]int
			errs := make(chan error, writers)
			end := time.Now().Add(time.Second)
			for g := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; time.Now().Before(end); i++ {
						var err error
						if g == 0 {
							_, err = db.Exec(ctx, "INSERT INTO t VALUES (?, ?)", g, i)
						} else {
							err = retort.InTx(ctx, db, func(tx retort.Tx) error {
								for range 20 {
									if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (?, ?)", g, i); err != nil {
										return err
									}
								}
								return nil
							})
						}
						if err != nil {
							errs <- fmt.Errorf("writer %d, transaction %d: %w", g, i, err)
							return
						}
						counts[g]++
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			for g, n := range counts {
				if n == 0 {
					t.Errorf("writer %d never wrote: %v", g, counts)
				}
			}
			t.Logf("transactions per writer: %v", counts)
		})
	}
}

// A writer waiting for its turn gives up when its context ends, with the
// context's error, and its connection goes back to the pool.
func TestWriteTurnCancelled(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "turn.db"), sqlite.WithPoolSize(2)) // WAL: reads go on during the transaction
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = db.Exec(wctx, "INSERT INTO t VALUES (2)")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("writer whose context ended: err = %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("gave up after %v, want about 50ms", el)
	}
	// Its connection is back: a read on each of the pool's two works.
	if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("count = %d outside the transaction, want 0", n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "INSERT INTO t VALUES (3)")
	if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
}

func TestCaseSensitiveLike(t *testing.T) {
	db := open(t, ":memory:")
	cases := []struct {
		expr string
		want bool
	}{
		{"'ABC' LIKE 'abc'", false},
		{"'abc' LIKE 'abc'", true},
		{"'Abc' LIKE 'A%'", true},
		{"'abc' LIKE 'A%'", false},
	}
	for _, c := range cases {
		if got := queryValue[bool](t, db, "SELECT "+c.expr); got != c.want {
			t.Errorf("%s = %v, want %v", c.expr, got, c.want)
		}
	}
}

// Foreign keys are enforced on every connection of the pool, not just the
// first.
func TestForeignKeysOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	const size = 3
	db := open(t, ":memory:", sqlite.WithPoolSize(size))
	exec(t, db, "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
	exec(t, db, "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))")
	// Hold every connection with an open result, and ask each.
	var open []retort.Rows
	for i := range size {
		rows, err := db.Query(ctx, "PRAGMA foreign_keys")
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, rows)
		var on int64
		if !rows.Next() || rows.Scan(&on) != nil || on != 1 {
			t.Errorf("connection %d: foreign_keys = %d (err %v), want 1", i, on, rows.Err())
		}
	}
	for _, r := range open {
		r.Close()
	}
	for i := range size * 2 {
		_, err := db.Exec(ctx, "INSERT INTO child (parent_id) VALUES (?)", 99)
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("orphan insert %d: err = %v, want a FOREIGN KEY error", i, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	db := open(t, ":memory:", sqlite.WithPoolSize(1))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Exec(cancelled, "INSERT INTO t VALUES (1)"); !errors.Is(err, context.Canceled) {
		t.Errorf("Exec: %v, want context.Canceled", err)
	}
	if _, err := db.Query(cancelled, "SELECT x FROM t"); !errors.Is(err, context.Canceled) {
		t.Errorf("Query: %v, want context.Canceled", err)
	}
	if _, err := db.Begin(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Begin: %v, want context.Canceled", err)
	}
	tx, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(cancelled, "INSERT INTO t VALUES (1)"); !errors.Is(err, context.Canceled) {
		t.Errorf("Tx.Exec: %v, want context.Canceled", err)
	}
	if err := tx.Rollback(cancelled); err != nil {
		t.Errorf("Rollback with a cancelled context: %v", err)
	}
	if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("count = %d, want 0", n)
	}
}

// A statement already running stops when its context is cancelled, and the
// connection is usable afterwards.
func TestCancelRunningStatement(t *testing.T) {
	db := open(t, ":memory:", sqlite.WithPoolSize(1))
	const forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := db.Exec(ctx, forever); !errors.Is(err, context.Canceled) {
		t.Errorf("Exec: %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Exec stopped after %v", el)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rows, err := db.Query(ctx, forever)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("rows.Err: %v, want context.DeadlineExceeded", err)
	}
	rows.Close()

	if got := queryValue[int64](t, db, "SELECT 1 + 1"); got != 2 {
		t.Errorf("after cancellation: %d", got)
	}
}

// Waiting for a connection from an exhausted pool honours the context.
func TestPoolExhaustedHonoursContext(t *testing.T) {
	db := open(t, ":memory:", sqlite.WithPoolSize(1))
	tx, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := db.Exec(ctx, "SELECT 1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec on an exhausted pool: %v, want context.DeadlineExceeded", err)
	}
}

func TestNestedSavepoints(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ins := func(db retort.DB, x int) {
		t.Helper()
		if _, err := db.Exec(ctx, "INSERT INTO t VALUES (?)", x); err != nil {
			t.Fatal(err)
		}
	}
	begin := func(db retort.DB) retort.Tx {
		t.Helper()
		sp, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	ins(tx, 1)
	sp1 := begin(tx)
	ins(sp1, 2)
	sp2 := begin(sp1)
	ins(sp2, 3)
	if err := sp2.Rollback(ctx); err != nil { // undoes 3
		t.Fatal(err)
	}
	sp3 := begin(sp1)
	ins(sp3, 4)
	if err := sp3.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sp1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sp4 := begin(tx)
	ins(sp4, 5)
	if err := sp4.Rollback(ctx); err != nil { // undoes 5
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var got []int64
	rows, err := db.Query(ctx, "SELECT x FROM t ORDER BY x")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	rows.Close()
	if diff := cmp.Diff([]int64{1, 2, 4}, got); diff != "" {
		t.Errorf("rows after savepoints (-want +got):\n%s", diff)
	}

	// A finished transaction refuses work; rolling it back again is a no-op.
	if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (9)"); err == nil {
		t.Error("Exec after Commit succeeded")
	}
	if _, err := tx.Begin(ctx); err == nil {
		t.Error("Begin after Commit succeeded")
	}
	if err := tx.Commit(ctx); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("Rollback after Commit: %v", err)
	}
}

// Queries on one transaction interleave: rows stay open while other
// queries run on the same connection. A write there is refused
// (retort.ErrRowsOpen): SQLite leaves undefined whether the open rows see
// it, and PostgreSQL runs nothing while rows are open.
func TestInterleavedStatementsInTx(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	exec(t, db, "CREATE TABLE src (x INTEGER)")
	exec(t, db, "CREATE TABLE dst (x INTEGER)")
	for x := 1; x <= 3; x++ {
		exec(t, db, "INSERT INTO src VALUES (?)", x)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, "SELECT x FROM src WHERE x > ? ORDER BY x", 0)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	for rows.Next() && len(seen) < 10 {
		var x int64
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, x)
		if _, err := tx.Exec(ctx, "INSERT INTO dst VALUES (?)", x*10); !errors.Is(err, retort.ErrRowsOpen) {
			t.Errorf("insert while rows are open: %v, want ErrRowsOpen", err)
		}
		if n := queryValue[int64](t, tx, "SELECT count(*) FROM src WHERE x > ?", x); n != 3-x {
			t.Errorf("nested count after %d = %d, want %d", x, n, 3-x)
		}
		// The same statement text as the open one.
		inner, err := tx.Query(ctx, "SELECT x FROM src WHERE x > ? ORDER BY x", x)
		if err != nil {
			t.Fatal(err)
		}
		var next int64
		if inner.Next() {
			if err := inner.Scan(&next); err != nil {
				t.Fatal(err)
			}
		}
		inner.Close()
		if want := (x + 1) % 4; next != want {
			t.Errorf("nested query of the same text after %d: %d, want %d", x, next, want)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, seen); diff != "" {
		t.Errorf("outer rows while other statements ran (-want +got):\n%s", diff)
	}
	if n := queryValue[int64](t, tx, "SELECT count(*) FROM dst"); n != 0 {
		t.Errorf("dst rows = %d, want 0", n)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO dst VALUES (1)"); err != nil {
		t.Errorf("insert once the rows are closed: %v", err)
	}
}

func TestSeveralStatementsRejected(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	_, err := db.Exec(ctx, "CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER)")
	if err == nil {
		t.Fatal("two statements in one Exec succeeded")
	}
	if _, err := db.Exec(ctx, "INSERT INTO a VALUES (1)"); err == nil {
		t.Error("the first of two rejected statements ran")
	}
}

func TestExecResult(t *testing.T) {
	db := open(t, ":memory:")
	exec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
	res := exec(t, db, "INSERT INTO t (x) VALUES (?)", 5)
	if res.LastInsertID != 1 || res.RowsAffected != 1 {
		t.Errorf("insert result %+v, want LastInsertID 1, RowsAffected 1", res)
	}
	exec(t, db, "INSERT INTO t (x) VALUES (?)", 6)
	res = exec(t, db, "UPDATE t SET x = x + 1")
	if res.RowsAffected != 2 {
		t.Errorf("update affected %d rows, want 2", res.RowsAffected)
	}
}

func TestTracer(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var events []retort.TraceEvent
	var count retort.Counter
	db := open(t, ":memory:", sqlite.WithTracer(&count), sqlite.WithTracer(retort.TraceFunc(func(_ context.Context, ev retort.TraceEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
	})))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	exec(t, db, "INSERT INTO t VALUES (?)", 3)
	queryValue[int64](t, db, "SELECT x FROM t WHERE x = ?", 3)
	_, err := db.Exec(ctx, "INSERT INTO missing VALUES (1)")
	if err == nil {
		t.Fatal("insert into a missing table succeeded")
	}
	if count.RoundTrips() != 4 || count.Statements() != 4 {
		t.Errorf("counter: %d round trips, %d statements; want 4 and 4", count.RoundTrips(), count.Statements())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	if ev := events[2]; ev.SQL != "SELECT x FROM t WHERE x = ?" || !cmp.Equal(ev.Args, []any{3}) || ev.Err != nil {
		t.Errorf("query event = %+v", ev)
	}
	if events[3].Err == nil {
		t.Error("failed statement traced without its error")
	}
}

// errAny marks a case that must fail without a particular sentinel.
var errAny = errors.New("any error")

type scanCase struct {
	name    string
	expr    string // a SQL expression, selected as one column
	args    []any
	dest    func() any // a new destination
	want    any        // what dest points at after the scan
	wantErr error      // a sentinel errors.Is must find, or errAny
}

func dest[V any]() func() any { return func() any { return new(V) } }

func ptr[V any](v V) *V { return &v }

// nilPtr is a **V holding nil: what a NULL scans to in a pointer field.
func nilPtr[V any]() **V { return ptr[*V](nil) }

// upper is a sql.Scanner of its own.
type upper struct{ s string }

func (u *upper) Scan(src any) error {
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("upper: cannot scan %T", src)
	}
	u.s = strings.ToUpper(s)
	return nil
}

// when has nanoseconds below its microseconds: a time is bound to the
// microsecond (as pgx sends it to PostgreSQL), so whenUs comes back.
var when = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

var whenUs = when.Truncate(time.Microsecond)

var scanCases = []scanCase{
	// Integers of every width, with range checks.
	{"int64", "42", nil, dest[int64](), ptr(int64(42)), nil},
	{"int64 max", "9223372036854775807", nil, dest[int64](), ptr(int64(math.MaxInt64)), nil},
	{"int64 min", "-9223372036854775808", nil, dest[int64](), ptr(int64(math.MinInt64)), nil},
	{"int", "1099511627776", nil, dest[int](), ptr(1 << 40), nil},
	{"int32 max", "2147483647", nil, dest[int32](), ptr(int32(math.MaxInt32)), nil},
	{"int32 overflow", "2147483648", nil, dest[int32](), ptr(int32(0)), retort.ErrOutOfRange},
	{"int32 underflow", "-2147483649", nil, dest[int32](), ptr(int32(0)), retort.ErrOutOfRange},
	{"int16 max", "32767", nil, dest[int16](), ptr(int16(math.MaxInt16)), nil},
	{"int16 overflow", "32768", nil, dest[int16](), ptr(int16(0)), retort.ErrOutOfRange},
	{"int8 min", "-128", nil, dest[int8](), ptr(int8(math.MinInt8)), nil},
	{"int8 overflow", "128", nil, dest[int8](), ptr(int8(0)), retort.ErrOutOfRange},
	{"int8 underflow", "-129", nil, dest[int8](), ptr(int8(0)), retort.ErrOutOfRange},
	{"uint64", "9223372036854775807", nil, dest[uint64](), ptr(uint64(math.MaxInt64)), nil},
	{"uint64 negative", "-1", nil, dest[uint64](), ptr(uint64(0)), retort.ErrOutOfRange},
	{"uint negative", "-1", nil, dest[uint](), ptr(uint(0)), retort.ErrOutOfRange},
	{"uint32 max", "4294967295", nil, dest[uint32](), ptr(uint32(math.MaxUint32)), nil},
	{"uint32 overflow", "4294967296", nil, dest[uint32](), ptr(uint32(0)), retort.ErrOutOfRange},
	{"uint32 negative", "-1", nil, dest[uint32](), ptr(uint32(0)), retort.ErrOutOfRange},
	{"uint16 max", "65535", nil, dest[uint16](), ptr(uint16(math.MaxUint16)), nil},
	{"uint16 overflow", "65536", nil, dest[uint16](), ptr(uint16(0)), retort.ErrOutOfRange},
	{"uint8 max", "255", nil, dest[uint8](), ptr(uint8(255)), nil},
	{"uint8 overflow", "256", nil, dest[uint8](), ptr(uint8(0)), retort.ErrOutOfRange},
	{"uint8 negative", "-1", nil, dest[uint8](), ptr(uint8(0)), retort.ErrOutOfRange},
	{"integer from a whole float", "3.0", nil, dest[int64](), ptr(int64(3)), nil},
	{"integer from a fraction", "3.5", nil, dest[int64](), ptr(int64(0)), retort.ErrOutOfRange},
	{"integer from a huge float", "1e300", nil, dest[int64](), ptr(int64(0)), retort.ErrOutOfRange},
	{"integer from text", "'abc'", nil, dest[int64](), ptr(int64(0)), errAny},
	{"integer from NULL", "NULL", nil, dest[int32](), ptr(int32(0)), retort.ErrNullValue},
	{"*int64", "42", nil, dest[*int64](), ptr(ptr(int64(42))), nil},
	{"*int64 NULL", "NULL", nil, dest[*int64](), nilPtr[int64](), nil},
	{"*int8 overflow", "300", nil, dest[*int8](), nilPtr[int8](), retort.ErrOutOfRange},
	{"*uint16", "7", nil, dest[*uint16](), ptr(ptr(uint16(7))), nil},
	{"*int NULL", "NULL", nil, dest[*int](), nilPtr[int](), nil},
	{"*int32 NULL", "NULL", nil, dest[*int32](), nilPtr[int32](), nil},
	{"*int16 NULL", "NULL", nil, dest[*int16](), nilPtr[int16](), nil},
	{"*uint64 NULL", "NULL", nil, dest[*uint64](), nilPtr[uint64](), nil},
	{"*uint NULL", "NULL", nil, dest[*uint](), nilPtr[uint](), nil},
	{"*uint32 NULL", "NULL", nil, dest[*uint32](), nilPtr[uint32](), nil},
	{"*uint8 NULL", "NULL", nil, dest[*uint8](), nilPtr[uint8](), nil},

	// Floats.
	{"float64", "1.5", nil, dest[float64](), ptr(1.5), nil},
	{"float64 from integer", "2", nil, dest[float64](), ptr(2.0), nil},
	{"float64 from text", "'x'", nil, dest[float64](), ptr(0.0), errAny},
	{"float64 from NULL", "NULL", nil, dest[float64](), ptr(0.0), retort.ErrNullValue},
	{"float32", "0.25", nil, dest[float32](), ptr(float32(0.25)), nil},
	{"*float64 NULL", "NULL", nil, dest[*float64](), nilPtr[float64](), nil},
	{"*float32", "0.5", nil, dest[*float32](), ptr(ptr(float32(0.5))), nil},

	// Booleans.
	{"bool true", "1", nil, dest[bool](), ptr(true), nil},
	{"bool false", "0", nil, dest[bool](), ptr(false), nil},
	{"bool from comparison", "2 > 1", nil, dest[bool](), ptr(true), nil},
	{"bool from text", "'yes'", nil, dest[bool](), ptr(false), errAny},
	{"bool from NULL", "NULL", nil, dest[bool](), ptr(false), retort.ErrNullValue},
	{"*bool NULL", "NULL", nil, dest[*bool](), nilPtr[bool](), nil},
	{"*bool", "1", nil, dest[*bool](), ptr(ptr(true)), nil},

	// Strings.
	{"string", "'héllo ☃'", nil, dest[string](), ptr("héllo ☃"), nil},
	{"string empty", "''", nil, dest[string](), ptr(""), nil},
	{"string from integer", "42", nil, dest[string](), ptr("42"), nil},
	{"string from blob", "x'6869'", nil, dest[string](), ptr("hi"), nil},
	{"string from NULL", "NULL", nil, dest[string](), ptr(""), retort.ErrNullValue},
	{"*string NULL", "NULL", nil, dest[*string](), nilPtr[string](), nil},
	{"*string", "'a'", nil, dest[*string](), ptr(ptr("a")), nil},

	// Bytes.
	{"bytes", "x'00ff10'", nil, dest[[]byte](), ptr([]byte{0, 0xff, 0x10}), nil},
	{"bytes empty", "x''", nil, dest[[]byte](), ptr([]byte{}), nil},
	{"bytes from text", "'ab'", nil, dest[[]byte](), ptr([]byte("ab")), nil},
	{"bytes from NULL", "NULL", nil, dest[[]byte](), ptr([]byte(nil)), nil},
	{"bytes from integer", "1", nil, dest[[]byte](), ptr([]byte(nil)), errAny},
	{"*bytes NULL", "NULL", nil, dest[*[]byte](), nilPtr[[]byte](), nil},
	{"*bytes", "x'01'", nil, dest[*[]byte](), ptr(ptr([]byte{1})), nil},

	// Times: stored as text in retort.TimeFormat; SQLite's own formats and
	// Unix seconds are read too.
	{"time bound", "?", []any{when}, dest[time.Time](), ptr(whenUs), nil},
	{"time bound in another zone", "?", []any{when.In(time.FixedZone("X", 3600))}, dest[time.Time](), ptr(whenUs), nil},
	{"time from SQLite text", "'2024-05-06 07:08:09'", nil, dest[time.Time](), ptr(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)), nil},
	{"time from date", "'2024-05-06'", nil, dest[time.Time](), ptr(time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)), nil},
	{"time from unix seconds", "1700000000", nil, dest[time.Time](), ptr(time.Unix(1700000000, 0).UTC()), nil},
	{"time from garbage", "'not a time'", nil, dest[time.Time](), ptr(time.Time{}), errAny},
	{"time from NULL", "NULL", nil, dest[time.Time](), ptr(time.Time{}), retort.ErrNullValue},
	{"*time NULL", "NULL", nil, dest[*time.Time](), nilPtr[time.Time](), nil},
	{"*time", "?", []any{when}, dest[*time.Time](), ptr(ptr(whenUs)), nil},

	// *any gets the value as SQLite holds it.
	{"any integer", "7", nil, dest[any](), ptr[any](int64(7)), nil},
	{"any float", "7.5", nil, dest[any](), ptr[any](7.5), nil},
	{"any text", "'t'", nil, dest[any](), ptr[any]("t"), nil},
	{"any blob", "x'01'", nil, dest[any](), ptr[any]([]byte{1}), nil},
	{"any NULL", "NULL", nil, dest[any](), ptr[any](nil), nil},

	// database/sql.Scanner implementations.
	{"sql.NullString", "'s'", nil, dest[sql.NullString](), &sql.NullString{String: "s", Valid: true}, nil},
	{"sql.NullString NULL", "NULL", nil, dest[sql.NullString](), &sql.NullString{}, nil},
	{"sql.NullInt64", "5", nil, dest[sql.NullInt64](), &sql.NullInt64{Int64: 5, Valid: true}, nil},
	{"sql.NullTime NULL", "NULL", nil, dest[sql.NullTime](), &sql.NullTime{}, nil},
	{"custom Scanner", "'abc'", nil, dest[upper](), &upper{s: "ABC"}, nil},
	{"custom Scanner error", "1", nil, dest[upper](), &upper{}, errAny},

	// Unsupported destinations are errors, not panics.
	{"unsupported destination", "1", nil, dest[complex128](), ptr(complex128(0)), errAny},
	{"unsupported pointer destination", "1", nil, dest[*complex64](), nilPtr[complex64](), errAny},
}

func TestScan(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	for _, c := range scanCases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.Query(ctx, "SELECT "+c.expr, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			d := c.dest()
			err = rows.Scan(d)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("Scan: %v", err)
			case c.wantErr != nil && err == nil:
				t.Fatalf("Scan succeeded, want an error (%v); got %v", c.wantErr, d)
			case c.wantErr != nil:
				var se *retort.ScanError
				if !errors.As(err, &se) || se.Index != 0 {
					t.Errorf("error %v (%T) is not a retort.ScanError for column 0", err, err)
				}
				if c.wantErr != errAny && !errors.Is(err, c.wantErr) {
					t.Errorf("error %v is not %v", err, c.wantErr)
				}
			}
			if diff := cmp.Diff(c.want, d, cmp.AllowUnexported(upper{})); diff != "" {
				t.Errorf("scanned value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanColumnCount(t *testing.T) {
	db := open(t, ":memory:")
	rows, err := db.Query(context.Background(), "SELECT 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	var a int64
	if err := rows.Scan(&a); err == nil {
		t.Error("Scan with too few destinations succeeded")
	}
	var b int64
	var s string
	err = rows.Scan(&a, &s)
	if err != nil {
		t.Fatal(err)
	}
	err = rows.Scan(&b, &a)
	if err != nil || a != 2 || b != 1 {
		t.Errorf("Scan(&b, &a) = %v; a=%d b=%d", err, a, b)
	}
}

// Every type Retort binds survives a round trip through a bind parameter.
func TestBind(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	cases := []struct {
		name string
		arg  any
		want any // as *any scans it
	}{
		{"nil", nil, nil},
		{"int", 1, int64(1)},
		{"int8", int8(-8), int64(-8)},
		{"int16", int16(-16), int64(-16)},
		{"int32", int32(-32), int64(-32)},
		{"int64", int64(math.MinInt64), int64(math.MinInt64)},
		{"uint", uint(1), int64(1)},
		{"uint8", uint8(255), int64(255)},
		{"uint16", uint16(65535), int64(65535)},
		{"uint32", uint32(math.MaxUint32), int64(math.MaxUint32)},
		{"uint64", uint64(math.MaxInt64), int64(math.MaxInt64)},
		{"float32", float32(0.5), 0.5},
		{"float64", 1.25, 1.25},
		{"bool", true, int64(1)},
		{"string", "s'; --", "s'; --"},
		{"bytes", []byte{0, 1}, []byte{0, 1}},
		{"nil bytes are an empty blob", []byte(nil), []byte{}},
		{"time, to the microsecond", when, "2024-05-06 07:08:09.123456000Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := queryValue[any](t, db, "SELECT ?", c.arg)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("SELECT ? (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []struct {
		name    string
		arg     any
		wantErr error
	}{
		{"uint64 above int64", uint64(math.MaxInt64) + 1, retort.ErrOutOfRange},
		{"uint above int64", uint(math.MaxInt64) + 1, retort.ErrOutOfRange},
		{"unsupported type", struct{}{}, errAny},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := db.Exec(ctx, "SELECT ?", bad.arg)
			if err == nil {
				t.Fatal("bind succeeded")
			}
			if bad.wantErr != errAny && !errors.Is(err, bad.wantErr) {
				t.Errorf("error %v is not %v", err, bad.wantErr)
			}
		})
	}
	if _, err := db.Exec(ctx, "SELECT ?, ?", 1); err == nil {
		t.Error("too few arguments accepted")
	}
	if _, err := db.Exec(ctx, "SELECT ?", 1, 2); err == nil {
		t.Error("too many arguments accepted")
	}
}

// Times are stored so that text order is time order.
func TestTimeOrder(t *testing.T) {
	db := open(t, ":memory:")
	exec(t, db, "CREATE TABLE ev (at TIMESTAMP)")
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{time.Hour, time.Microsecond, 0, 24 * time.Hour} {
		exec(t, db, "INSERT INTO ev VALUES (?)", base.Add(d).In(time.FixedZone("Y", -7*3600)))
	}
	if n := queryValue[int64](t, db, "SELECT count(*) FROM ev WHERE at > ?", base); n != 3 {
		t.Errorf("rows after base = %d, want 3", n)
	}
	if got := queryValue[time.Time](t, db, "SELECT max(at) FROM ev"); !got.Equal(base.Add(24 * time.Hour)) {
		t.Errorf("max = %v", got)
	}
}

// A transaction begins with its first statement; committing a single
// statement through CommitBatch runs it alone (atomic in SQLite without
// BEGIN and COMMIT) unless it returns rows; several run between BEGIN
// IMMEDIATE and COMMIT, and a failing callback stops them before COMMIT.
func TestLazyBeginAndCommitBatch(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var seen []string
	tracer := retort.TraceFunc(func(_ context.Context, ev retort.TraceEvent) {
		mu.Lock()
		seen = append(seen, ev.SQL)
		mu.Unlock()
	})
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
	db := open(t, ":memory:", sqlite.WithTracer(tracer))
	exec(t, db, "CREATE TABLE t (x INTEGER)")
	take()
	commitBatch := func(items ...retort.BatchItem) error {
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		return tx.(retort.BatchCommitter).CommitBatch(ctx, items)
	}
	insert := func(x int) retort.BatchItem {
		return retort.BatchItem{SQL: "INSERT INTO t VALUES (?)", Args: []any{x}}
	}
	if err := commitBatch(); err != nil {
		t.Fatal(err)
	}
	if err := commitBatch(insert(1)); err != nil {
		t.Fatal(err)
	}
	if err := commitBatch(insert(2), insert(3)); err != nil {
		t.Fatal(err)
	}
	returning := retort.BatchItem{SQL: "INSERT INTO t VALUES (?) RETURNING x", Args: []any{6}, Rows: func(r retort.Rows) error {
		for r.Next() {
		}
		return r.Err()
	}}
	if err := commitBatch(returning); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	last := insert(4)
	last.Result = func(retort.Result) error { return refused }
	if err := commitBatch(insert(5), last); !errors.Is(err, refused) {
		t.Fatalf("failing callback: %v, want refused", err)
	}
	want := []string{
		"INSERT INTO t VALUES (?)",
		"BEGIN IMMEDIATE", "INSERT INTO t VALUES (?)", "INSERT INTO t VALUES (?)", "COMMIT",
		"BEGIN IMMEDIATE", "INSERT INTO t VALUES (?) RETURNING x", "COMMIT", // rows to read: not alone
		"BEGIN IMMEDIATE", "INSERT INTO t VALUES (?)", "INSERT INTO t VALUES (?)", "ROLLBACK",
	}
	if diff := cmp.Diff(want, take()); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if n := queryValue[int64](t, db, "SELECT count(*) FROM t"); n != 4 {
		t.Errorf("rows = %d, want 4 (1, 2, 3, 6; not 4 and 5)", n)
	}
	take()
	// A transaction that ran nothing commits and rolls back with no SQL.
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx, _ = db.Begin(ctx)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got := take(); len(got) != 0 {
		t.Errorf("empty transactions ran %q", got)
	}
}

// A statement that fails to compile is quoted in the error cut to its start
// and end: an IN list of 40,000 values (more than SQLite's 32,766
// variables) used to give an error of over 100 KB. The code and SQLite's
// reason stay; a short statement is quoted whole.
func TestPrepareErrorQuotesLongStatementShort(t *testing.T) {
	db := open(t, ":memory:")
	ctx := context.Background()
	long := "SELECT 1 WHERE 1 IN (?" + strings.Repeat(", ?", 39999) + ") AND 'é' = 'é'"
	args := make([]any, 40000)
	for i := range args {
		args[i] = int64(i)
	}
	for _, run := range []func() error{
		func() error { _, err := db.Exec(ctx, long, args...); return err },
		func() error {
			r, err := db.Query(ctx, long, args...)
			if err == nil {
				err = r.Close()
			}
			return err
		},
	} {
		err := run()
		if err == nil {
			t.Fatal("40,000 variables: no error")
		}
		msg := err.Error()
		if len(msg) > 500 || !strings.Contains(msg, "too many SQL variables") ||
			!strings.Contains(msg, fmt.Sprintf("(%d bytes)", len(long))) || !strings.Contains(msg, "'é' = 'é'") {
			t.Errorf("error of %d bytes: %.600s", len(msg), msg)
		}
		if zsqlite.ErrCode(err) != zsqlite.ResultError {
			t.Errorf("code %v, want SQLITE_ERROR", zsqlite.ErrCode(err))
		}
	}
	_, err := db.Exec(ctx, "SELEC ?", 1)
	if err == nil || !strings.Contains(err.Error(), `"SELEC ?"`) {
		t.Errorf("short statement: error %v, want it quoted whole", err)
	}
}

// TestWithAttach: every connection of the pool attaches the database, a
// file in WAL mode whose rows a second pool (attaching it too) reads, or an
// in-memory one shared by the pool's connections. A path that cannot be
// opened fails Open, naming it.
func TestWithAttach(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra.db")
	db, err := sqlite.Open(ctx, filepath.Join(dir, "main.db"), sqlite.WithAttach("x y", extra), sqlite.WithPoolSize(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	exec(t, db, `CREATE TABLE "x y".t (v INTEGER)`)
	exec(t, db, `INSERT INTO "x y".t VALUES (?)`, 7)
	if got := queryValue[string](t, db, `PRAGMA "x y".journal_mode`); got != "wal" {
		t.Errorf("journal_mode of the attached file = %q, want wal", got)
	}
	// A transaction holds one connection; the other reads the file too.
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := queryValue[int64](t, db, `SELECT v FROM "x y".t`); got != 7 {
		t.Errorf("second connection: v = %d, want 7", got)
	}
	tx.Rollback(ctx)
	db2, err := sqlite.Open(ctx, ":memory:", sqlite.WithAttach("x y", extra))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	if got := queryValue[int64](t, db2, `SELECT v FROM "x y".t`); got != 7 {
		t.Errorf("another pool: v = %d, want 7", got)
	}
	if got := queryValue[string](t, db2, `PRAGMA "x y".journal_mode`); got != "wal" {
		t.Errorf("journal_mode of the file attached to an in-memory database = %q, want wal", got)
	}

	mem, err := sqlite.Open(ctx, ":memory:", sqlite.WithAttach("m", ":memory:"), sqlite.WithPoolSize(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	exec(t, mem, `CREATE TABLE m.t (v INTEGER)`)
	exec(t, mem, `INSERT INTO m.t VALUES (?)`, 9)
	tx, err = mem.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := queryValue[int64](t, mem, `SELECT count(*) FROM m.t`); got != 1 {
		t.Errorf("in-memory attachment seen by a second connection: %d rows, want 1", got)
	}
	tx.Rollback(ctx)

	// Read-only, through a URI, a file in rollback-journal mode: readable,
	// its journal left as it is (WAL cannot be set on it).
	rb := filepath.Join(dir, "rollback.db")
	conn, err := zsqlite.OpenConn(rb, zsqlite.OpenReadWrite|zsqlite.OpenCreate)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t (v INTEGER)", "INSERT INTO t VALUES (7)"} {
		stmt, _, err := conn.PrepareTransient(q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stmt.Step(); err != nil {
			t.Fatal(err)
		}
		stmt.Finalize()
	}
	conn.Close()
	ro, err := sqlite.Open(ctx, ":memory:", sqlite.WithAttach("ro", "file:"+rb+"?mode=ro&vfs=unix"))
	if err != nil {
		t.Fatalf("attaching read-only: %v", err)
	}
	t.Cleanup(func() { ro.Close() })
	if got := queryValue[int64](t, ro, `SELECT v FROM ro.t`); got != 7 {
		t.Errorf("read-only attachment: v = %d, want 7", got)
	}
	if _, err := ro.Exec(ctx, `INSERT INTO ro.t VALUES (8)`); err == nil {
		t.Error("insert into a read-only attachment: no error")
	}

	bad := filepath.Join(dir, "no", "such", "dir.db")
	if _, err := sqlite.Open(ctx, ":memory:", sqlite.WithAttach("b", bad)); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("attaching %s: %v, want an error naming it", bad, err)
	}
}
