package postgres_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
)

type item struct {
	ID   int64
	Name string
	Qty  *int32
}

var (
	items    = retort.NewTable[item]("item")
	itemID   = retort.Col(items, "id", func(i *item) *int64 { return &i.ID }, retort.PrimaryKey())
	itemName = retort.Col(items, "name", func(i *item) *string { return &i.Name }, retort.Size(20), retort.Unique())
	itemQty  = retort.NullCol(items, "qty", func(i *item) **int32 { return &i.Qty })
)

func ptr[V any](v V) *V { return &v }

// schema gives the test a schema of its own and returns a URL whose
// search_path is that schema.
func schema(t *testing.T) *dbtest.Env {
	t.Helper()
	return dbtest.OpenPostgres(t, dbtest.Options{})
}

// roundTrip creates the item table on db, inserts two items and reads them
// back.
func roundTrip(t *testing.T, db retort.DB) {
	t.Helper()
	ctx := context.Background()
	if err := retort.CreateAll(ctx, db, items); err != nil {
		t.Fatalf("CreateAll: %v", err)
	}
	in := []*item{{Name: "bolt", Qty: ptr(int32(3))}, {Name: "nut"}}
	if err := retort.Insert(items, in...).Exec(ctx, db); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if in[0].ID == 0 || in[1].ID != in[0].ID+1 {
		t.Errorf("generated keys %d, %d", in[0].ID, in[1].ID)
	}
	got, err := retort.Select(items).OrderBy(itemID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func count(t *testing.T, db retort.DB) int64 {
	t.Helper()
	n, err := retort.Select(items).Count(context.Background(), db)
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// errorChain is every error err wraps, err included.
func errorChain(err error) []error {
	var out []error
	stack := []error{err}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			stack = append(stack, u.Unwrap())
		case interface{ Unwrap() []error }:
			stack = append(stack, u.Unwrap()...)
		}
	}
	return out
}

// A connection string may hold a password: no error Open returns may show
// it, nor any error wrapped inside.
func TestOpenHidesPassword(t *testing.T) {
	cases := []struct{ name, url string }{
		{"refused URL", "postgres://u:s3cret@127.0.0.1:1/x?connect_timeout=5&sslmode=disable"},
		{"refused key=value", "host=127.0.0.1 port=1 user=u password=s3cret dbname=x connect_timeout=5 sslmode=disable"},
		{"bad port", "postgres://u:s3cret@127.0.0.1:notaport/x"},
		{"bad option", "postgres://u:s3cret@127.0.0.1:1/x?sslmode=sometimes"},
		{"malformed", "postgres://u:s3cret@[::1/x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := postgres.Open(ctx, c.url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), "postgres: open") {
				t.Errorf("error %q lacks the package prefix and operation", err)
			}
			for _, e := range errorChain(err) {
				if strings.Contains(e.Error(), "s3cret") {
					t.Errorf("an error in the chain shows the password: %T %q", e, e)
				}
			}
		})
	}
}

func TestWrapPool(t *testing.T) {
	env := schema(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := postgres.Wrap(pool)
	if db.Pool() != pool {
		t.Error("Pool() is not the wrapped pool")
	}
	if db.Dialect() != retort.Postgres {
		t.Errorf("Dialect() = %v", db.Dialect())
	}
	roundTrip(t, db)
	db.Close() // does not close a pool it did not open
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("pool unusable after Close of the wrapper: %v", err)
	}
}

// wrappedConn opens a pgx connection to a schema of the test's own and
// wraps it; the connection is closed when the test ends.
func wrappedConn(t *testing.T) (*pgx.Conn, *postgres.DB) {
	t.Helper()
	env := schema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn, postgres.WrapConn(conn)
}

func TestWrapConn(t *testing.T) {
	ctx := context.Background()
	_, db := wrappedConn(t)
	if db.Pool() != nil {
		t.Error("Pool() of a wrapped connection is not nil")
	}
	roundTrip(t, db)
	// Transactions and savepoints on the one connection.
	err := retort.InTx(ctx, db, func(tx retort.Tx) error {
		if err := retort.Insert(items, &item{Name: "kept"}).Exec(ctx, tx); err != nil {
			return err
		}
		err := retort.InTx(ctx, tx, func(sp retort.Tx) error {
			if err := retort.Insert(items, &item{Name: "undone"}).Exec(ctx, sp); err != nil {
				return err
			}
			return errors.New("roll back the savepoint")
		})
		if err == nil {
			return errors.New("inner InTx succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 3 {
		t.Errorf("count = %d, want 3 (two from roundTrip, kept)", n)
	}
}

func TestWrapTx(t *testing.T) {
	env := schema(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ptx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ptx.Rollback(ctx)
	tx := postgres.WrapTx(ptx)
	if tx.PgxTx() != ptx {
		t.Error("PgxTx() is not the wrapped transaction")
	}
	roundTrip(t, tx) // CreateAll and Insert use savepoints inside it
	// Retort's Begin inside the caller's transaction is a savepoint.
	sp, err := tx.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := retort.Insert(items, &item{Name: "undone"}).Exec(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if err := sp.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, tx); n != 2 {
		t.Errorf("after rolling back the savepoint: count = %d, want 2", n)
	}
	// The caller ends the transaction: rolling it back removes even the
	// table.
	if err := ptx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := retort.Select(items).Count(ctx, postgres.Wrap(pool)); err == nil {
		t.Error("the table outlived the caller's rollback")
	}
}

func batchDB(t *testing.T) (*dbtest.Env, *postgres.DB) {
	t.Helper()
	env := schema(t)
	env.Create(t, items)
	db, ok := env.DB.(*postgres.DB)
	if !ok {
		t.Fatalf("env.DB is a %T", env.DB)
	}
	return env, db
}

func insertSQL(id int64, name string) retort.Statement {
	return retort.Statement{SQL: `INSERT INTO "item" ("id", "name") VALUES ($1, $2)`, Args: []any{id, name}}
}

func TestExecBatch(t *testing.T) {
	env, db := batchDB(t)
	ctx := context.Background()
	stmts := []retort.Statement{
		insertSQL(1, "a"),
		insertSQL(2, "b"),
		insertSQL(3, "c"),
		{SQL: `UPDATE "item" SET "qty" = $1 WHERE "id" <> $2`, Args: []any{int32(5), int64(2)}},
		{SQL: `DELETE FROM "item" WHERE "name" = $1`, Args: []any{"c"}},
	}
	env.Count.Reset()
	counts, err := db.ExecBatch(ctx, stmts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 1, 1, 2, 1}, counts); diff != "" {
		t.Errorf("rows affected (-want +got):\n%s", diff)
	}
	if rt, st := env.Count.RoundTrips(), env.Count.Statements(); rt != 1 || st != int64(len(stmts)) {
		t.Errorf("%d round trips, %d statements; want 1 and %d", rt, st, len(stmts))
	}
	got, err := retort.Select(items).OrderBy(itemID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []*item{{ID: 1, Name: "a", Qty: ptr(int32(5))}, {ID: 2, Name: "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the batch (-want +got):\n%s", diff)
	}

	// An empty batch sends nothing.
	env.Count.Reset()
	if counts, err := db.ExecBatch(ctx, nil); err != nil || len(counts) != 0 {
		t.Errorf("empty batch: %v, %v", counts, err)
	}
	if rt := env.Count.RoundTrips(); rt != 0 {
		t.Errorf("empty batch took %d round trips", rt)
	}
}

// A batch stops at the first error and, outside a transaction, is atomic.
func TestExecBatchStopsAtFirstError(t *testing.T) {
	env, db := batchDB(t)
	ctx := context.Background()
	env.Count.Reset()
	counts, err := db.ExecBatch(ctx, []retort.Statement{
		insertSQL(10, "first"),
		insertSQL(10, "duplicate key"),
		insertSQL(11, "never run"),
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("err = %v, want a unique violation (23505)", err)
	}
	if !strings.HasPrefix(err.Error(), "postgres: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	// The server's DETAIL names the column and the value.
	if !strings.HasSuffix(err.Error(), ": Key (id)=(10) already exists.") {
		t.Errorf("error %q lacks the server's detail", err)
	}
	if diff := cmp.Diff([]int64{1}, counts); diff != "" {
		t.Errorf("rows affected before the error (-want +got):\n%s", diff)
	}
	if rt := env.Count.RoundTrips(); rt != 1 {
		t.Errorf("%d round trips, want 1", rt)
	}
	if n := count(t, db); n != 0 {
		t.Errorf("%d rows after a failed batch, want 0 (the batch is atomic)", n)
	}
}

// Every way a statement runs reports the server's DETAIL with its error
// (Exec, Query, a batch through SendBatch), and errors.As still finds the
// *pgconn.PgError.
func TestErrorDetail(t *testing.T) {
	_, db := batchDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, insertSQL(1, "a").SQL, insertSQL(1, "a").Args...); err != nil {
		t.Fatal(err)
	}
	const want = "Key (id)=(1) already exists."
	check := func(how string, err error) {
		t.Helper()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Fatalf("%s: err = %v, want a unique violation (23505)", how, err)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not say %q", how, err, want)
		}
	}
	_, err := db.Exec(ctx, insertSQL(1, "b").SQL, insertSQL(1, "b").Args...)
	check("Exec", err)
	r, err := db.Query(ctx, insertSQL(1, "c").SQL+` RETURNING "id"`, insertSQL(1, "c").Args...)
	if err == nil {
		for r.Next() {
		}
		err = r.Close()
	}
	check("Query", err)
	check("SendBatch", db.SendBatch(ctx, []retort.BatchItem{{SQL: insertSQL(2, "d").SQL, Args: insertSQL(2, "d").Args}, {SQL: insertSQL(1, "e").SQL, Args: insertSQL(1, "e").Args}}))
}

// SendBatch reads rows of queries in the batch, and inside a transaction
// leaves ending it to the caller.
func TestSendBatch(t *testing.T) {
	env, db := batchDB(t)
	ctx := context.Background()
	var names []string
	var affected int64
	batch := []retort.BatchItem{
		{SQL: insertSQL(1, "x").SQL, Args: insertSQL(1, "x").Args},
		{SQL: insertSQL(2, "y").SQL, Args: insertSQL(2, "y").Args, Result: func(r retort.Result) error {
			affected = r.RowsAffected
			return nil
		}},
		{SQL: `SELECT "name" FROM "item" ORDER BY "id"`, Rows: func(r retort.Rows) error {
			for r.Next() {
				var s string
				if err := r.Scan(&s); err != nil {
					return err
				}
				names = append(names, s)
			}
			return r.Err()
		}},
	}
	env.Count.Reset()
	if err := retort.RunItems(ctx, db, batch); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"x", "y"}, names); diff != "" {
		t.Errorf("rows read in the batch (-want +got):\n%s", diff)
	}
	if affected != 1 {
		t.Errorf("Result saw %d rows affected, want 1", affected)
	}
	if rt, st := env.Count.RoundTrips(), env.Count.Statements(); rt != 1 || st != 3 {
		t.Errorf("%d round trips, %d statements; want 1 and 3", rt, st)
	}

	// A callback's error stops the batch.
	stop := errors.New("stop")
	err := db.SendBatch(ctx, []retort.BatchItem{
		{SQL: insertSQL(3, "z").SQL, Args: insertSQL(3, "z").Args, Result: func(retort.Result) error { return stop }},
		{SQL: insertSQL(4, "w").SQL, Args: insertSQL(4, "w").Args},
	})
	if !errors.Is(err, stop) {
		t.Errorf("SendBatch = %v, want the callback's error", err)
	}

	// Inside a transaction: a failed batch aborts it; the savepoint around
	// it brings the transaction back.
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	sp, err := tx.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.(*postgres.Tx).ExecBatch(ctx, []retort.Statement{insertSQL(5, "v"), insertSQL(1, "dup")}); err == nil {
		t.Fatal("batch with a duplicate key succeeded")
	}
	if err := sp.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, insertSQL(6, "after").SQL, insertSQL(6, "after").Args...); err != nil {
		t.Fatalf("transaction unusable after rolling back the savepoint: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// 5 went with the failed batch; 6 came after the savepoint. (3 and 4,
	// whose callback failed outside a transaction, were committed by the
	// server before the callback ran: only a transaction undoes them.)
	var ids []int64
	all, err := retort.Select(items).Where(itemID.In(1, 2, 5, 6)).OrderBy(itemID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range all {
		ids = append(ids, it.ID)
	}
	if diff := cmp.Diff([]int64{1, 2, 6}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestSavepoints(t *testing.T) {
	env := schema(t)
	env.Create(t, items)
	db := env.DB
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ins := func(db retort.DB, name string) error {
		return retort.Insert(items, &item{Name: name}).Exec(ctx, db)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	begin := func(db retort.DB) retort.Tx {
		t.Helper()
		sp, err := db.Begin(ctx)
		must(err)
		return sp
	}
	must(ins(tx, "a"))
	sp1 := begin(tx)
	must(ins(sp1, "b"))
	sp2 := begin(sp1)
	must(ins(sp2, "c"))
	must(sp2.Rollback(ctx)) // undoes c
	sp3 := begin(sp1)
	must(ins(sp3, "d"))
	must(sp3.Commit(ctx))
	must(sp1.Commit(ctx))
	// An error inside a savepoint: PostgreSQL aborts the transaction until
	// the savepoint is rolled back, then the transaction goes on.
	sp4 := begin(tx)
	if err := ins(sp4, "a"); err == nil {
		t.Fatal("duplicate name accepted")
	}
	must(sp4.Rollback(ctx))
	must(ins(tx, "e"))
	must(tx.Commit(ctx))

	got, err := retort.Select(items).OrderBy(itemName.Asc()).All(ctx, db)
	must(err)
	var names []string
	for _, it := range got {
		names = append(names, it.Name)
	}
	if diff := cmp.Diff([]string{"a", "b", "d", "e"}, names); diff != "" {
		t.Errorf("names after savepoints (-want +got):\n%s", diff)
	}

	// A finished transaction: work fails, Rollback is a no-op.
	if err := ins(tx, "late"); err == nil {
		t.Error("insert after Commit succeeded")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("Rollback after Commit: %v", err)
	}
}

// A statement running when its context ends is cancelled on the server, and
// the error says why.
func TestContextCancelsStatement(t *testing.T) {
	env := schema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := env.DB.Exec(ctx, "SELECT pg_sleep(30)")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec: %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("cancelled after %v", el)
	}
	// The pool is still usable.
	if _, err := env.DB.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Errorf("after cancellation: %v", err)
	}
}

// Many goroutines share the pool; run with -race.
func TestConcurrentUse(t *testing.T) {
	env := schema(t)
	env.Create(t, items)
	ctx := context.Background()
	const goroutines, each = 8, 10
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				it := &item{Name: string(rune('a'+g)) + strings.Repeat("x", i), Qty: ptr(int32(g))}
				if err := retort.Insert(items, it).Exec(ctx, env.DB); err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				n, err := retort.Select(items).Where(itemQty.Eq(int32(g))).Count(ctx, env.DB)
				if err != nil || n != int64(i+1) {
					t.Errorf("goroutine %d: count %d, %v; want %d", g, n, err, i+1)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := count(t, env.DB); n != goroutines*each {
		t.Errorf("count = %d, want %d", n, goroutines*each)
	}
}

// Scan errors name the column and carry Retort's sentinels.
func TestScanErrors(t *testing.T) {
	env := schema(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		sql     string
		dest    any
		wantErr error
	}{
		{"NULL into int64", "SELECT NULL::bigint", new(int64), retort.ErrNullValue},
		{"NULL into string", "SELECT NULL::text", new(string), retort.ErrNullValue},
		{"int into int8", "SELECT 300::int", new(int8), retort.ErrOutOfRange},
		{"negative into uint32", "SELECT (-1)::bigint", new(uint32), retort.ErrOutOfRange},
		{"bigint into int32", "SELECT 3000000000::bigint", new(int32), retort.ErrOutOfRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := env.DB.Query(ctx, c.sql)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			err = rows.Scan(c.dest)
			var se *retort.ScanError
			if !errors.As(err, &se) || se.Index != 0 {
				t.Errorf("error %v (%T) is not a retort.ScanError for column 0", err, err)
			}
			if !errors.Is(err, c.wantErr) {
				t.Errorf("error %v is not %v", err, c.wantErr)
			}
		})
	}
	// The same values in range scan.
	rows, err := env.DB.Query(ctx, "SELECT 127::int, NULL::bigint, 4294967295::bigint")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	var i8 int8
	var p *int64 = ptr(int64(1))
	var u32 uint32
	if err := rows.Scan(&i8, &p, &u32); err != nil {
		t.Fatal(err)
	}
	if i8 != 127 || p != nil || u32 != math.MaxUint32 {
		t.Errorf("scanned %d, %v, %d", i8, p, u32)
	}
}
