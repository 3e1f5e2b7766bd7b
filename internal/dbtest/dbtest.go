// Package dbtest runs one test body against every database Retort supports:
// always SQLite (a fresh in-memory database), and PostgreSQL when
// RETORT_PG_URL is set (a fresh schema, dropped afterwards). Without
// RETORT_PG_URL the PostgreSQL subtests skip with a message naming
// scripts/with-postgres; with CI=true they fail instead.
package dbtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/sqlite"
	zsqlite "zombiezen.com/go/sqlite"
)

// Env is one database for one subtest.
type Env struct {
	DB      retort.DB
	Count   *retort.Counter // round trips since the last Reset
	Dialect retort.Dialect
	// URL is the PostgreSQL URL (with search_path set to the test's schema);
	// empty on SQLite.
	URL string
	// Path is the SQLite database's path; ":memory:" by default.
	Path string
}

// Options configure Run.
type Options struct {
	// SQLitePath opens a file in a temporary directory instead of :memory:.
	SQLiteFile bool
	// Tracer is added to the counter.
	Tracer retort.Tracer
	// Schema is a second schema the test's tables use ("schema.table"):
	// on SQLite an in-memory database attached under that name, on
	// PostgreSQL a schema (CreateAll makes it) dropped when the test ends.
	// Give it a name unique to the test process.
	Schema string
}

// Run runs fn as subtest "sqlite" and subtest "postgres".
func Run(t *testing.T, fn func(t *testing.T, env *Env)) { RunWith(t, Options{}, fn) }

// RunWith is Run with options.
func RunWith(t *testing.T, o Options, fn func(t *testing.T, env *Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t, o)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t, o)) })
}

// OpenSQLite opens a fresh SQLite database closed when t ends.
func OpenSQLite(t testing.TB, o Options) *Env {
	t.Helper()
	env := &Env{Count: &retort.Counter{}, Dialect: retort.SQLite, Path: ":memory:"}
	if o.SQLiteFile {
		env.Path = t.TempDir() + "/test.db"
	}
	opts := []sqlite.Option{sqlite.WithTracer(retort.Tracers(env.Count, o.Tracer))}
	if o.Schema != "" {
		opts = append(opts, sqlite.WithAttach(o.Schema, ":memory:"))
	}
	db, err := sqlite.Open(context.Background(), env.Path, opts...)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	env.DB = db
	return env
}

var schemaSeq atomic.Int64

// PostgresURL returns RETORT_PG_URL, or skips t (fails it under CI=true).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("RETORT_PG_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("RETORT_PG_URL is not set: CI must run the PostgreSQL tests (run them under scripts/with-postgres)")
		}
		t.Skip("PostgreSQL tests skipped: set RETORT_PG_URL, or run the tests under scripts/with-postgres")
	}
	return u
}

// OpenPostgres creates a schema of its own for t, opens a pool whose
// search_path is that schema, and drops the schema when t ends.
func OpenPostgres(t testing.TB, o Options) *Env {
	t.Helper()
	base := PostgresURL(t)
	ctx := context.Background()
	admin, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	schema := fmt.Sprintf("t_%d_%d_%s", os.Getpid(), schemaSeq.Add(1), sanitize(t.Name()))
	if len(schema) > 60 {
		schema = schema[:60]
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+retort.QuoteIdent(schema)); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+retort.QuoteIdent(schema)+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		if o.Schema != "" {
			if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+retort.QuoteIdent(o.Schema)+" CASCADE"); err != nil {
				t.Errorf("drop schema: %v", err)
			}
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("RETORT_PG_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	env := &Env{Count: &retort.Counter{}, Dialect: retort.Postgres, URL: u.String()}
	db, err := postgres.Open(ctx, env.URL, postgres.WithTracer(retort.Tracers(env.Count, o.Tracer)), postgres.WithMaxConns(8))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		// A pool's Close waits for every connection taken from it: a
		// transaction left open (by a panic, say) would hang the test
		// until go test's timeout instead of failing it.
		done := make(chan struct{})
		go func() { db.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("closing the pool: a connection is still taken after 10 s (a transaction left open, or rows not closed)")
		}
	})
	env.DB = db
	return env
}

func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, name)
}

// Create creates tables for the test (they vanish with its database).
// Int runs a query of one integer (a count) and returns it, failing t on
// an error.
func (e *Env) Int(t testing.TB, sql string, args ...any) int64 {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *Env) Create(t testing.TB, tables ...retort.Schema) {
	t.Helper()
	if err := retort.CreateAll(context.Background(), e.DB, tables...); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	e.Count.Reset()
}

// Refuse makes the database refuse every row that op ("INSERT", "UPDATE"
// or "DELETE") writes in table, by a trigger raising "refused by test"
// (PostgreSQL: SQLSTATE P0001; SQLite: a constraint error of a trigger),
// until drop is called. Calls of drop after the first do nothing, so that
// a test can both defer it and call it.
func (e *Env) Refuse(t testing.TB, table, op string) (drop func()) {
	t.Helper()
	ctx := context.Background()
	name := retort.QuoteIdent("refuse_" + sanitize(table) + "_" + strings.ToLower(op))
	var create, remove []string
	if e.Dialect == retort.Postgres {
		create = []string{
			`CREATE OR REPLACE FUNCTION retort_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$`,
			fmt.Sprintf(`CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION retort_refuse()`, name, op, retort.QuoteIdent(table)),
		}
		remove = []string{fmt.Sprintf(`DROP TRIGGER %s ON %s`, name, retort.QuoteIdent(table))}
	} else {
		create = []string{fmt.Sprintf(`CREATE TRIGGER %s BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'refused by test'); END`, name, op, retort.QuoteIdent(table))}
		remove = []string{`DROP TRIGGER ` + name}
	}
	run := func(stmts []string) {
		t.Helper()
		for _, q := range stmts {
			if _, err := e.DB.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	run(create)
	dropped := false
	return func() {
		t.Helper()
		if !dropped {
			dropped = true
			run(remove)
		}
	}
}

// CheckStatementError fails t unless err is a *retort.StatementError naming
// op and table, worded "<prefix>retort: <op> "<table>": " with Retort named
// once, that still reaches the database's own error: a PostgreSQL error of
// SQLSTATE pg, or a SQLite error of code lite.
func (e *Env) CheckStatementError(t testing.TB, err error, prefix, op, table, pg string, lite zsqlite.ResultCode) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q refused", op, table)
	}
	var se *retort.StatementError
	if !errors.As(err, &se) {
		t.Fatalf("errors.As *retort.StatementError false: %v", err)
	}
	if se.Op != op || se.Table != table {
		t.Errorf("StatementError{Op: %q, Table: %q}, want {%q, %q}: %v", se.Op, se.Table, op, table, err)
	}
	if want := fmt.Sprintf("%sretort: %s %q: ", prefix, op, table); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to begin %q", err, want)
	}
	if strings.Count(err.Error(), "retort: ") != 1 {
		t.Errorf("error %q names Retort more than once", err)
	}
	if e.Dialect == retort.Postgres {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != pg {
			t.Errorf("want SQLSTATE %s: %v", pg, err)
		}
	} else if got := zsqlite.ErrCode(err); got != lite {
		t.Errorf("SQLite code %v, want %v: %v", got, lite, err)
	}
}
