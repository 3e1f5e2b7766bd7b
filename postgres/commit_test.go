package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
)

// TestCommitBatchSingleStatement: a transaction that sent nothing and
// commits one statement sends that statement alone (no BEGIN, no COMMIT);
// with more statements, or after an earlier statement, BEGIN and COMMIT
// travel with them. A failing single statement leaves nothing behind and
// returns the connection.
func TestCommitBatchSingleStatement(t *testing.T) {
	env := schema(t)
	env.Create(t, items)
	ctx := context.Background()
	insert := func(name string) retort.BatchItem {
		it, err := retort.Insert(items, &item{Name: name}).Items(retort.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		return it[0]
	}
	commit := func(its ...retort.BatchItem) error {
		tx, err := env.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		return tx.(retort.BatchCommitter).CommitBatch(ctx, its)
	}
	for _, c := range []struct {
		names      []string
		statements int64
	}{{[]string{"a"}, 1}, {[]string{"b", "c"}, 4}} {
		env.Count.Reset()
		var its []retort.BatchItem
		for _, n := range c.names {
			its = append(its, insert(n))
		}
		if err := commit(its...); err != nil {
			t.Fatal(err)
		}
		if rt, st := env.Count.RoundTrips(), env.Count.Statements(); rt != 1 || st != c.statements {
			t.Errorf("commit of %d statements: %d round trips, %d statements; want 1, %d", len(its), rt, st, c.statements)
		}
	}
	// A statement after another one already sent still commits with COMMIT.
	tx, err := env.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	env.Count.Reset()
	if err := tx.(retort.BatchCommitter).CommitBatch(ctx, []retort.BatchItem{insert("d")}); err != nil {
		t.Fatal(err)
	}
	if st := env.Count.Statements(); st != 2 {
		t.Errorf("commit after a statement: %d statements, want 2 (the insert and COMMIT)", st)
	}
	// A failing single statement (a duplicate name) inserts nothing.
	if err := commit(insert("a")); err == nil {
		t.Fatal("duplicate insert committed")
	}
	n, err := retort.Select(items).Count(ctx, env.DB)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
}

// RunsAlone says ahead what CommitBatch of one item does: true exactly when
// the item then travels alone (one statement, no BEGIN and COMMIT).
func TestRunsAlone(t *testing.T) {
	env := schema(t)
	env.Create(t, items)
	ctx := context.Background()
	n := 0
	insert := func() []retort.BatchItem {
		n++
		it, err := retort.Insert(items, &item{Name: fmt.Sprint("alone ", n)}).Items(retort.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	cases := []struct {
		name  string
		setup func(tx retort.Tx) retort.Tx // returns the transaction to commit
		alone bool
	}{
		{"a new transaction", func(tx retort.Tx) retort.Tx { return tx }, true},
		{"after a statement", func(tx retort.Tx) retort.Tx {
			if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
				t.Fatal(err)
			}
			return tx
		}, false},
		{"a savepoint", func(tx retort.Tx) retort.Tx {
			sp, err := tx.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return sp
		}, false},
	}
	for _, c := range cases {
		tx, err := env.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		target := c.setup(tx)
		it := insert()
		if got := target.(retort.AloneRunner).RunsAlone(it[0]); got != c.alone {
			t.Errorf("%s: RunsAlone = %v, want %v", c.name, got, c.alone)
		}
		env.Count.Reset()
		if err := target.(retort.BatchCommitter).CommitBatch(ctx, it); err != nil {
			t.Fatal(err)
		}
		if got := env.Count.Statements() == 1; got != c.alone {
			t.Errorf("%s: CommitBatch sent %d statements; alone: %v", c.name, env.Count.Statements(), c.alone)
		}
		if err := tx.Commit(ctx); err != nil && c.name == "a savepoint" {
			t.Fatal(err)
		}
		if got := tx.(retort.AloneRunner).RunsAlone(it[0]); got {
			t.Errorf("%s: RunsAlone after the commit = true", c.name)
		}
	}
}

// PeekInt64 reads integers sent in text format too (pgx's simple protocol),
// and nothing else.
func TestPeekInt64TextFormat(t *testing.T) {
	env := schema(t)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := postgres.WrapConn(conn).Query(ctx, `SELECT 5::bigint, (-7)::int4, 3::int2, NULL::bigint, '12'::text`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	p := rows.(retort.KeyPeeker)
	var got []string
	for i := range 5 {
		n, ok := p.PeekInt64(i)
		got = append(got, fmt.Sprint(n, ok))
	}
	if want := []string{"5 true", "-7 true", "3 true", "0 false", "0 false"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PeekInt64 in text format: %v, want %v", got, want)
	}
}
