package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/sqlite"
	"github.com/uptrace/bun/driver/pgdriver"
	zsqlite "zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite" for GORM and bun
)

// Implementation names, in the order tables list them.
const (
	Raw           = "raw"            // hand-written pgx or zombiezen code
	RawCopy       = "raw-copy"       // hand-written pgx with COPY (bulk-50k on PostgreSQL only)
	Retort        = "retort"         // Retort with a session
	RetortInherit = "retort-inherit" // Retort, joined-table inheritance (three-profiles only)
	GORM          = "gorm"
	Bun           = "bun"
)

// Target is the database a run uses: in-memory SQLite, or a PostgreSQL
// server in which each implementation gets a schema of its own.
type Target struct {
	Kind string // "sqlite" or "postgres"
	URL  string // PostgreSQL connection string
}

// Postgres reports whether t is PostgreSQL.
func (t Target) Postgres() bool { return t.Kind == "postgres" }

// ParseTarget reads the -db flag: "sqlite", or a PostgreSQL URL or
// key=value connection string.
func ParseTarget(s string) (Target, error) {
	switch {
	case s == "sqlite" || s == ":memory:":
		return Target{Kind: "sqlite"}, nil
	case strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") || strings.Contains(s, "="):
		return Target{Kind: "postgres", URL: s}, nil
	}
	return Target{}, fmt.Errorf("bench: -db %q: want sqlite or a PostgreSQL URL", s)
}

// Check is what a run loaded: the number of rows and a checksum over their
// values. Every implementation of a workload must return the same Check.
type Check struct {
	Rows int64
	Sum  string
}

// String describes the check for error messages and the report.
func (c Check) String() string { return fmt.Sprintf("%d rows, checksum %s", c.Rows, c.Sum) }

// Case is one implementation of one workload, on a database of its own.
type Case struct {
	// Note says how the implementation differs (shown in the output).
	Note string
	// Reset prepares a run: empty tables and any seed rows. Not timed.
	Reset func(ctx context.Context) error
	// Run runs the workload once. Timed.
	Run func(ctx context.Context) (Check, error)
	// Trips reports the round trips counted since the last ResetTrips.
	Trips      func() int64
	ResetTrips func()
	Close      func()
}

// conn is what every implementation's connection shares: where it is, the
// tables it creates, and, on PostgreSQL, an administrative connection that
// empties the tables between runs without touching the counted pools.
type conn struct {
	target Target
	schema string   // PostgreSQL schema of this implementation and workload
	ddl    []string // CREATE statements
	tables []string // table names, to empty between runs
	admin  *pgx.Conn
}

var schemaSeq atomic.Int64

func newConn(ctx context.Context, target Target, impl, workload string, tables []retort.Schema) (*conn, error) {
	d := retort.SQLite
	if target.Postgres() {
		d = retort.Postgres
	}
	c := &conn{target: target, ddl: retort.CreateSQL(d, tables...)}
	for _, t := range tables {
		c.tables = append(c.tables, t.Info().Name)
	}
	if !target.Postgres() {
		return c, nil
	}
	c.schema = fmt.Sprintf("bench_%s_%s_%d", strings.ReplaceAll(impl, "-", "_"), strings.ReplaceAll(workload, "-", "_"), schemaSeq.Add(1))
	cfg, err := pgx.ParseConfig(target.URL)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bench: connect: %w", err)
	}
	c.admin = admin
	stmts := append([]string{
		"DROP SCHEMA IF EXISTS " + c.schema + " CASCADE",
		"CREATE SCHEMA " + c.schema,
		"SET search_path TO " + c.schema,
	}, c.ddl...)
	for _, s := range stmts {
		if _, err := admin.Exec(ctx, s); err != nil {
			admin.Close(ctx)
			return nil, fmt.Errorf("bench: %s: %w", firstLine(s), err)
		}
	}
	return c, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// truncate empties the tables and restarts their sequences (PostgreSQL).
func (c *conn) truncate(ctx context.Context) error {
	quoted := make([]string, len(c.tables))
	for i, t := range c.tables {
		quoted[i] = retort.QuoteIdent(t)
	}
	_, err := c.admin.Exec(ctx, "TRUNCATE "+strings.Join(quoted, ", ")+" RESTART IDENTITY CASCADE")
	return err
}

// adminExec runs setup statements on PostgreSQL.
func (c *conn) adminExec(ctx context.Context, stmts ...string) error {
	for _, s := range stmts {
		if _, err := c.admin.Exec(ctx, s); err != nil {
			return fmt.Errorf("bench: %s: %w", firstLine(s), err)
		}
	}
	return nil
}

func (c *conn) close() {
	if c.admin != nil {
		ctx := context.Background()
		_, _ = c.admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+c.schema+" CASCADE")
		c.admin.Close(ctx)
	}
}

// pgConfig is the pool configuration of an implementation: its own schema.
func (c *conn) pgConfig() (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(c.target.URL)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = c.schema
	cfg.MaxConns = 4
	return cfg, nil
}

var memSeq atomic.Int64

// sqliteDSN is a fresh in-memory database for database/sql, with the
// settings Retort's sqlite package uses: foreign keys on, case-sensitive
// LIKE, a busy timeout and IMMEDIATE transactions.
func sqliteDSN() string {
	return fmt.Sprintf("file:/bench-%d?vfs=memdb&_pragma=foreign_keys(1)&_pragma=case_sensitive_like(1)&_pragma=busy_timeout(5000)&_txlock=immediate", memSeq.Add(1))
}

// openSQL opens a counted database/sql pool: pgx's stdlib driver on
// PostgreSQL (GORM's driver), glebarez/go-sqlite (a
// database/sql driver over the same modernc SQLite that zombiezen uses)
// on SQLite.
//
// bun on PostgreSQL uses its own driver, pgdriver, which its documentation
// presents first: bun writes values into the SQL text, and pgx's stdlib
// driver would prepare every distinct text.
func (c *conn) openSQL(ctx context.Context, count *counter, bunDriver bool) (*sql.DB, error) {
	if c.target.Postgres() {
		var inner driver.Connector
		if bunDriver {
			inner = pgdriver.NewConnector(pgdriver.WithDSN(c.target.URL), pgdriver.WithConnParams(map[string]any{"search_path": c.schema}))
		} else {
			cfg, err := c.pgConfig()
			if err != nil {
				return nil, err
			}
			inner = stdlib.GetConnector(*cfg.ConnConfig)
		}
		db := sql.OpenDB(&countingConnector{inner: inner, c: count})
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	db := sql.OpenDB(&countingConnector{inner: dsnConnector{dsn: sqliteDSN(), drv: drv}, c: count})
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	for _, s := range c.ddl {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("bench: %s: %w", firstLine(s), err)
		}
	}
	return db, nil
}

// retortDB opens Retort's DB: a wrapped pgx pool, or a fresh in-memory
// SQLite database with the tables created.
func (c *conn) retortDB(ctx context.Context, count *retort.Counter) (retort.DB, func(), error) {
	if c.target.Postgres() {
		cfg, err := c.pgConfig()
		if err != nil {
			return nil, nil, err
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		if err := pool.Ping(ctx); err != nil { // connect now, not in the first run
			pool.Close()
			return nil, nil, err
		}
		return postgres.Wrap(pool, postgres.WithTracer(count)), pool.Close, nil
	}
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithTracer(count))
	if err != nil {
		return nil, nil, err
	}
	for _, s := range c.ddl {
		if _, err := db.Exec(ctx, s); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("bench: %s: %w", firstLine(s), err)
		}
	}
	return db, func() { db.Close() }, nil
}

// rawPG opens a pgx pool that counts round trips.
func (c *conn) rawPG(ctx context.Context, count *counter) (*pgxpool.Pool, error) {
	cfg, err := c.pgConfig()
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = pgxTracer{c: count}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil { // connect now, not in the first run
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// rawSQLite opens one zombiezen connection to a fresh in-memory database
// with the tables created.
func (c *conn) rawSQLite() (*zsqlite.Conn, error) {
	uri := fmt.Sprintf("file:/bench-raw-%d?vfs=memdb", memSeq.Add(1))
	zc, err := zsqlite.OpenConn(uri, zsqlite.OpenReadWrite|zsqlite.OpenCreate|zsqlite.OpenURI)
	if err != nil {
		return nil, err
	}
	zc.SetBusyTimeout(5e9)
	stmts := append([]string{"PRAGMA foreign_keys = ON", "PRAGMA case_sensitive_like = ON"}, c.ddl...)
	for _, s := range stmts {
		if err := sqlitex.ExecuteTransient(zc, s, nil); err != nil {
			zc.Close()
			return nil, fmt.Errorf("bench: %s: %w", firstLine(s), err)
		}
	}
	return zc, nil
}

// errCheck reports a result that differs from what the workload expects.
var errCheck = errors.New("bench: wrong result")

func checkf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errCheck}, args...)...)
}
