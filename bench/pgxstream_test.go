package bench_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// BenchmarkPgxStreamedInsert measures, with pgx alone, what streaming a
// pipeline gives a large insert: 50,000 rows in 10 statements of 5,000 rows
// of text arrays, keys returned in input order.
//
//   - batch: a pgx.Batch, which pgx encodes whole before writing any of it
//     (each statement's arguments built as it is queued);
//   - stream: a pgconn pipeline flushed after each statement, each
//     statement's arguments built just before it is written, so that the
//     server runs one statement while the client builds the next;
//   - stream-eager: the same, with every statement's arguments built before
//     the first is written, as Retort's flush builds them.
//
// Run under scripts/with-postgres:
//
//	go test -run '^$' -bench PgxStreamedInsert -benchtime 10x
//
// Streaming helped pgx alone (BENCHMARKS.md: 177.4 against 168.9 ms for
// stream-eager) but not Retort's bulk-50k when tried in the driver (228.1
// against 227.1 ms), so the driver sends its batches with pgx.Batch.
func BenchmarkPgxStreamedInsert(b *testing.B) {
	const rows, chunk = 50_000, 5_000
	const insert = `WITH v AS MATERIALIZED (SELECT nextval('stream_item_id_seq') AS id, u.* FROM unnest($1::text[], $2::bigint[], $3::float8[]) WITH ORDINALITY AS u (name, qty, price, ord)),
		i AS (INSERT INTO stream_item (id, name, qty, price) SELECT id, name, qty, price FROM v RETURNING 1)
		SELECT ord, id FROM v ORDER BY ord`
	url := os.Getenv("RETORT_PG_URL")
	if url == "" {
		b.Skip("RETORT_PG_URL is not set (run under scripts/with-postgres)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS stream_item;
		CREATE TABLE stream_item (id bigserial PRIMARY KEY, name text NOT NULL, qty bigint NOT NULL, price float8 NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	defer conn.Exec(ctx, `DROP TABLE stream_item`)
	args := func(start int) []any {
		name, qty, price := []byte{'{'}, []byte{'{'}, []byte{'{'}
		for i := start; i < start+chunk; i++ {
			if i > start {
				name, qty, price = append(name, ','), append(qty, ','), append(price, ',')
			}
			name = strconv.AppendInt(append(name, `"item `...), int64(i), 10)
			name = append(name, '"')
			qty = strconv.AppendInt(qty, int64(i%100), 10)
			price = strconv.AppendFloat(price, float64(i)/100+0.01, 'g', -1, 64)
		}
		return []any{string(append(name, '}')), string(append(qty, '}')), string(append(price, '}'))}
	}
	run := func(b *testing.B, send func(tx pgx.Tx) (int, error)) {
		for b.Loop() {
			b.StopTimer()
			if _, err := conn.Exec(ctx, `TRUNCATE stream_item`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			tx, err := conn.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			n, err := send(tx)
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
			if n != rows {
				b.Fatalf("%d keys for %d rows", n, rows)
			}
		}
	}
	b.Run("batch", func(b *testing.B) {
		run(b, func(tx pgx.Tx) (int, error) {
			batch := &pgx.Batch{}
			for start := 0; start < rows; start += chunk {
				batch.Queue(insert, args(start)...)
			}
			br := tx.SendBatch(ctx, batch)
			defer br.Close()
			n := 0
			for start := 0; start < rows; start += chunk {
				rs, err := br.Query()
				if err != nil {
					return n, err
				}
				for rs.Next() {
					n++
				}
				if rs.Close(); rs.Err() != nil {
					return n, rs.Err()
				}
			}
			return n, br.Close()
		})
	})
	stream := func(b *testing.B, eager bool) {
		sd, err := conn.Prepare(ctx, "stream_insert", insert)
		if err != nil {
			b.Fatal(err)
		}
		var eqb pgx.ExtendedQueryBuilder
		run(b, func(pgx.Tx) (int, error) {
			var built [][]any
			if eager {
				for start := 0; start < rows; start += chunk {
					built = append(built, args(start))
				}
			}
			p := conn.PgConn().StartPipeline(ctx)
			defer p.Close()
			for start := 0; start < rows; start += chunk {
				a := built
				var cur []any
				if eager {
					cur, built = a[0], a[1:]
				} else {
					cur = args(start)
				}
				if err := eqb.Build(conn.TypeMap(), sd, cur); err != nil {
					return 0, err
				}
				p.SendQueryStatement(sd, eqb.ParamValues, eqb.ParamFormats, eqb.ResultFormats)
				if err := p.Flush(); err != nil {
					return 0, err
				}
			}
			if err := p.Sync(); err != nil {
				return 0, err
			}
			n := 0
			for {
				res, err := p.GetResults()
				if err != nil {
					return n, err
				}
				switch res := res.(type) {
				case *pgconn.ResultReader:
					rs := pgx.RowsFromResultReader(conn.TypeMap(), res)
					for rs.Next() {
						n++
					}
					if rs.Close(); rs.Err() != nil {
						return n, rs.Err()
					}
				case *pgconn.PipelineSync:
					return n, p.Close()
				}
			}
		})
	}
	b.Run("stream", func(b *testing.B) { stream(b, false) })
	b.Run("stream-eager", func(b *testing.B) { stream(b, true) })
}
