package bench

import (
	"context"
	"database/sql"

	gormsqlite "github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/retort-orm/retort"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	zsqlite "zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// Each implementation's connection to its database. On SQLite, reset opens a
// fresh in-memory database (so no run sees another's leftovers, and none
// pays for a previous DROP or DELETE); on PostgreSQL it truncates the
// implementation's tables. seed statements then run, uncounted.

type retortEnv struct {
	*conn
	count   retort.Counter
	db      retort.DB
	closeDB func()
}

func openRetort(ctx context.Context, target Target, impl, workload string, tables []retort.Schema) (*retortEnv, error) {
	c, err := newConn(ctx, target, impl, workload, tables)
	if err != nil {
		return nil, err
	}
	e := &retortEnv{conn: c}
	if target.Postgres() {
		if e.db, e.closeDB, err = c.retortDB(ctx, &e.count); err != nil {
			c.close()
			return nil, err
		}
	}
	return e, nil
}

func (e *retortEnv) reset(ctx context.Context, seed []string) error {
	if e.target.Postgres() {
		if err := e.truncate(ctx); err != nil {
			return err
		}
		return e.adminExec(ctx, seed...)
	}
	if e.closeDB != nil {
		e.closeDB()
	}
	var err error
	if e.db, e.closeDB, err = e.retortDB(ctx, &e.count); err != nil {
		return err
	}
	for _, s := range seed {
		if _, err := e.db.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (e *retortEnv) close() {
	if e.closeDB != nil {
		e.closeDB()
	}
	e.conn.close()
}

func (e *retortEnv) newCase(note string, seed []string, run func(ctx context.Context) (Check, error)) *Case {
	return &Case{
		Note:       note,
		Reset:      func(ctx context.Context) error { return e.reset(ctx, seed) },
		Run:        run,
		Trips:      e.count.RoundTrips,
		ResetTrips: e.count.Reset,
		Close:      e.close,
	}
}

// rawEnv is hand-written driver code: a pgx pool, or one zombiezen
// connection (whose statements count themselves: see step).
type rawEnv struct {
	*conn
	count counter
	pool  *pgxpool.Pool
	zc    *zsqlite.Conn
}

func openRaw(ctx context.Context, target Target, workload string, tables []retort.Schema) (*rawEnv, error) {
	c, err := newConn(ctx, target, Raw, workload, tables)
	if err != nil {
		return nil, err
	}
	e := &rawEnv{conn: c}
	if target.Postgres() {
		if e.pool, err = c.rawPG(ctx, &e.count); err != nil {
			c.close()
			return nil, err
		}
	}
	return e, nil
}

func (e *rawEnv) reset(ctx context.Context, seed []string) error {
	if e.target.Postgres() {
		if err := e.truncate(ctx); err != nil {
			return err
		}
		return e.adminExec(ctx, seed...)
	}
	if e.zc != nil {
		e.zc.Close()
	}
	var err error
	if e.zc, err = e.rawSQLite(); err != nil {
		return err
	}
	for _, s := range seed {
		if err := sqlitex.ExecuteTransient(e.zc, s, nil); err != nil {
			return err
		}
	}
	return nil
}

func (e *rawEnv) close() {
	if e.pool != nil {
		e.pool.Close()
	}
	if e.zc != nil {
		e.zc.Close()
	}
	e.conn.close()
}

func (e *rawEnv) newCase(note string, seed []string, run func(ctx context.Context) (Check, error)) *Case {
	return &Case{
		Note:       note,
		Reset:      func(ctx context.Context) error { return e.reset(ctx, seed) },
		Run:        run,
		Trips:      e.count.get,
		ResetTrips: e.count.reset,
		Close:      e.close,
	}
}

// prep returns the connection's cached prepared statement for query and
// counts one round trip: the statement is about to run. Callers step it
// to the end and reset it.
func (e *rawEnv) prep(query string) *zsqlite.Stmt {
	e.count.add()
	return e.zc.Prep(query)
}

// exec runs a statement without arguments (BEGIN, COMMIT) and counts it.
func (e *rawEnv) exec(query string) error {
	e.count.add()
	return sqlitex.Execute(e.zc, query, nil)
}

// sqlEnv is a counted database/sql pool with GORM or bun over it.
type sqlEnv struct {
	*conn
	count counter
	sqldb *sql.DB
	gorm  *gorm.DB
	bun   *bun.DB
	impl  string
}

func openSQLEnv(ctx context.Context, target Target, impl, workload string, tables []retort.Schema) (*sqlEnv, error) {
	c, err := newConn(ctx, target, impl, workload, tables)
	if err != nil {
		return nil, err
	}
	e := &sqlEnv{conn: c, impl: impl}
	if target.Postgres() {
		if err := e.open(ctx); err != nil {
			c.close()
			return nil, err
		}
	}
	return e, nil
}

// open opens the pool and the ORM over it. GORM gets the options its
// performance guide lists: no default transaction around each write, and
// prepared statements cached.
func (e *sqlEnv) open(ctx context.Context) error {
	var err error
	if e.sqldb, err = e.openSQL(ctx, &e.count, e.impl == Bun); err != nil {
		return err
	}
	switch e.impl {
	case GORM:
		var d gorm.Dialector
		if e.target.Postgres() {
			d = gormpg.New(gormpg.Config{Conn: e.sqldb})
		} else {
			d = gormsqlite.Dialector{Conn: e.sqldb}
		}
		e.gorm, err = gorm.Open(d, &gorm.Config{
			SkipDefaultTransaction: true,
			PrepareStmt:            true,
			Logger:                 logger.Discard,
		})
		return err
	case Bun:
		if e.target.Postgres() {
			e.bun = bun.NewDB(e.sqldb, pgdialect.New())
		} else {
			e.bun = bun.NewDB(e.sqldb, sqlitedialect.New())
		}
	}
	return nil
}

func (e *sqlEnv) closeDB() {
	if e.gorm != nil {
		if db, err := e.gorm.DB(); err == nil && db != e.sqldb {
			db.Close()
		}
		if p, ok := e.gorm.ConnPool.(*gorm.PreparedStmtDB); ok {
			p.Close()
		}
		e.gorm = nil
	}
	if e.sqldb != nil {
		e.sqldb.Close()
		e.sqldb = nil
	}
	e.bun = nil
}

func (e *sqlEnv) reset(ctx context.Context, seed []string) error {
	if e.target.Postgres() {
		if err := e.truncate(ctx); err != nil {
			return err
		}
		return e.adminExec(ctx, seed...)
	}
	e.closeDB()
	if err := e.open(ctx); err != nil {
		return err
	}
	for _, s := range seed {
		if _, err := e.sqldb.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (e *sqlEnv) close() {
	e.closeDB()
	e.conn.close()
}

func (e *sqlEnv) newCase(note string, seed []string, run func(ctx context.Context) (Check, error)) *Case {
	return &Case{
		Note:       note,
		Reset:      func(ctx context.Context) error { return e.reset(ctx, seed) },
		Run:        run,
		Trips:      e.count.get,
		ResetTrips: e.count.reset,
		Close:      e.close,
	}
}
