package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
	zsqlite "zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// Benchmarks of the session against hand-written driver code sending the
// same statements, in the same run:
//
//	go test ./session -run '^$' -bench . -benchmem            (SQLite)
//	scripts/with-postgres go test ./session -run '^$' -bench . -benchmem

type Row struct {
	ID    int64
	Name  string
	Score float64
	Note  *string
}

var (
	Rows     = retort.NewTable[Row]("bench_row")
	RowID    = retort.Col(Rows, "id", func(r *Row) *int64 { return &r.ID }, retort.PrimaryKey())
	RowName  = retort.Col(Rows, "name", func(r *Row) *string { return &r.Name })
	RowScore = retort.Col(Rows, "score", func(r *Row) *float64 { return &r.Score })
	RowNote  = retort.NullCol(Rows, "note", func(r *Row) **string { return &r.Note })
)

const benchN = 10000

func newRows() []*Row {
	rows := make([]*Row, benchN)
	for i := range rows {
		rows[i] = &Row{Name: fmt.Sprint("row ", i), Score: float64(i) / 3}
		if i%2 == 0 {
			rows[i].Note = ptr("even")
		}
	}
	return rows
}

// pgInsert is the statement Retort sends for Rows, written out by hand.
const pgInsert = `WITH "v" AS MATERIALIZED (SELECT nextval((SELECT pg_get_serial_sequence($4, $5)::regclass)) AS "id", "u"."name", "u"."score", "u"."note", "u"."retort_ord" FROM unnest($1::text[], $2::double precision[], $3::text[]) WITH ORDINALITY AS "u" ("name", "score", "note", "retort_ord")), "i" AS (INSERT INTO "bench_row" ("id", "name", "score", "note") SELECT "v"."id", "v"."name", "v"."score", "v"."note" FROM "v" RETURNING 1) SELECT "v"."retort_ord", "v"."id" FROM "v"`

const selectAll = `SELECT "bench_row"."id", "bench_row"."name", "bench_row"."score", "bench_row"."note" FROM "bench_row"`

func benchEnv(b *testing.B, dialect retort.Dialect) *dbtest.Env {
	var env *dbtest.Env
	if dialect == retort.Postgres {
		env = dbtest.OpenPostgres(b, dbtest.Options{})
	} else {
		env = dbtest.OpenSQLite(b, dbtest.Options{SQLiteFile: true})
	}
	env.Create(b, Rows)
	return env
}

func truncate(b *testing.B, env *dbtest.Env) {
	b.StopTimer()
	if _, err := env.DB.Exec(context.Background(), `DELETE FROM "bench_row"`); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
}

func BenchmarkFlush10k(b *testing.B) {
	ctx := context.Background()
	for _, d := range []retort.Dialect{retort.SQLite, retort.Postgres} {
		b.Run(d.String()+"/retort", func(b *testing.B) {
			env := benchEnv(b, d)
			b.ReportAllocs()
			for b.Loop() {
				truncate(b, env)
				s := session.New(env.DB)
				if err := session.AddAll(s, newRows()...); err != nil {
					b.Fatal(err)
				}
				if err := s.Commit(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(d.String()+"/raw", func(b *testing.B) {
			env := benchEnv(b, d)
			b.ReportAllocs()
			if d == retort.Postgres {
				pool := env.DB.(*postgres.DB).Pool()
				for b.Loop() {
					truncate(b, env)
					rows := newRows()
					names := make([]string, len(rows))
					scores := make([]float64, len(rows))
					notes := make([]*string, len(rows))
					for i, r := range rows {
						names[i], scores[i], notes[i] = r.Name, r.Score, r.Note
					}
					batch := &pgx.Batch{}
					batch.Queue("BEGIN")
					batch.Queue(pgInsert, names, scores, notes, `"bench_row"`, "id").Query(func(rs pgx.Rows) error {
						for rs.Next() {
							var ord, id int64
							if err := rs.Scan(&ord, &id); err != nil {
								return err
							}
							rows[ord-1].ID = id
						}
						return rs.Err()
					})
					batch.Queue("COMMIT")
					if err := pool.SendBatch(ctx, batch).Close(); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			conn, err := zsqlite.OpenConn(env.Path)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			for b.Loop() {
				truncate(b, env)
				rows := newRows()
				if err := sqlitex.ExecuteTransient(conn, "BEGIN IMMEDIATE", nil); err != nil {
					b.Fatal(err)
				}
				stmt := conn.Prep(`INSERT INTO "bench_row" ("id", "name", "score", "note") VALUES (?, ?, ?, ?)`)
				for _, r := range rows {
					stmt.BindNull(1)
					stmt.BindText(2, r.Name)
					stmt.BindFloat(3, r.Score)
					if r.Note == nil {
						stmt.BindNull(4)
					} else {
						stmt.BindText(4, *r.Note)
					}
					if _, err := stmt.Step(); err != nil {
						b.Fatal(err)
					}
					stmt.Reset()
					r.ID = conn.LastInsertRowID()
				}
				if err := sqlitex.ExecuteTransient(conn, "COMMIT", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoad10k(b *testing.B) {
	ctx := context.Background()
	for _, d := range []retort.Dialect{retort.SQLite, retort.Postgres} {
		seed := func(b *testing.B) *dbtest.Env {
			env := benchEnv(b, d)
			if err := retort.Insert(Rows, newRows()...).Exec(ctx, env.DB); err != nil {
				b.Fatal(err)
			}
			return env
		}
		b.Run(d.String()+"/retort", func(b *testing.B) {
			env := seed(b)
			b.ReportAllocs()
			for b.Loop() {
				s := session.New(env.DB)
				got, err := session.All(ctx, s, retort.Select(Rows))
				if err != nil || len(got) != benchN {
					b.Fatal(len(got), err)
				}
			}
		})
		b.Run(d.String()+"/raw", func(b *testing.B) {
			env := seed(b)
			b.ReportAllocs()
			if d == retort.Postgres {
				pool := env.DB.(*postgres.DB).Pool()
				for b.Loop() {
					rs, err := pool.Query(ctx, selectAll)
					if err != nil {
						b.Fatal(err)
					}
					var out []*Row
					for rs.Next() {
						r := new(Row)
						if err := rs.Scan(&r.ID, &r.Name, &r.Score, &r.Note); err != nil {
							b.Fatal(err)
						}
						out = append(out, r)
					}
					if rs.Err() != nil || len(out) != benchN {
						b.Fatal(rs.Err(), len(out))
					}
				}
				return
			}
			conn, err := zsqlite.OpenConn(env.Path)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			for b.Loop() {
				stmt := conn.Prep(selectAll)
				var out []*Row
				for {
					ok, err := stmt.Step()
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					r := &Row{ID: stmt.ColumnInt64(0), Name: stmt.ColumnText(1), Score: stmt.ColumnFloat(2)}
					if stmt.ColumnType(3) != zsqlite.TypeNull {
						r.Note = ptr(stmt.ColumnText(3))
					}
					out = append(out, r)
				}
				stmt.Reset()
				if len(out) != benchN {
					b.Fatal(len(out))
				}
			}
		})
	}
}

// BenchmarkCleanFlushWhole10k is BenchmarkCleanFlush10k for a comparable
// type without NULL-able columns (Tag), whose objects are compared with ==
// in runs.
func BenchmarkCleanFlushWhole10k(b *testing.B) {
	ctx := context.Background()
	env := benchEnv(b, retort.SQLite)
	env.Create(b, Tags)
	s := session.New(env.DB)
	for i := range benchN {
		if err := session.Add(s, &Tag{Label: fmt.Sprint("tag ", i), Uses: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	env.Count.Reset()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if n := env.Count.RoundTrips(); n != 0 {
		b.Fatalf("a flush with no changes sent %d statements", n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/object")
}

// BenchmarkCleanFlush10k is the cost of change tracking alone: a flush of a
// session holding 10,000 persistent objects of which none changed (every
// object is compared with its snapshot; nothing is sent). An autoflush
// before each query pays it.
func BenchmarkCleanFlush10k(b *testing.B) {
	ctx := context.Background()
	env := benchEnv(b, retort.SQLite)
	s := session.New(env.DB)
	if err := session.AddAll(s, newRows()...); err != nil {
		b.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	env.Count.Reset()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if n := env.Count.RoundTrips(); n != 0 {
		b.Fatalf("a flush with no changes sent %d statements", n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/object")
}

// BenchmarkSmallInsert is a unit of work inserting n new objects of a table
// with a generated key (Add n times, Commit) on an in-memory SQLite
// database, reported per row. Fewer than 50 such rows go one INSERT a row;
// this is the measurement behind that threshold (retort's
// sqliteReturningMinRows).
func BenchmarkSmallInsert(b *testing.B) {
	for _, n := range []int{2, 10, 30, 49, 50, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, ":memory:")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if err := retort.CreateAll(ctx, db, Tags); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s := session.New(db)
				for i := range n {
					if err := session.Add(s, &Tag{Label: "t", Uses: int64(i)}); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Commit(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}
