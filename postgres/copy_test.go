package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
)

// TestSendBatchLater: an item built later splits the batch. The items
// before it run first (its builder sees their callbacks' work), a COPY it
// returns runs by itself, and outside a transaction SendBatch opens one:
// when the COPY fails, the rows inserted before it are gone too.
func TestSendBatchLater(t *testing.T) {
	env, db := batchDB(t)
	ctx := context.Background()
	var seen int64
	first := retort.BatchItem{SQL: `INSERT INTO "item" ("id", "name") VALUES (1, 'a') RETURNING "id"`, Rows: func(r retort.Rows) error {
		for r.Next() {
			if err := r.Scan(&seen); err != nil {
				return err
			}
		}
		return r.Err()
	}}
	copied := int64(-1)
	copyOf := func(data string) retort.BatchItem {
		return retort.BatchItem{Later: func(copy bool) ([]retort.BatchItem, error) {
			if !copy || seen != 1 {
				t.Errorf("Later(%v) with the first item's key %d, want Later(true) after key 1", copy, seen)
			}
			return []retort.BatchItem{{SQL: `COPY "item" ("id", "name", "qty") FROM STDIN`, CopyData: []byte(data),
				Result: func(r retort.Result) error { copied = r.RowsAffected; return nil }}}, nil
		}}
	}
	last := retort.BatchItem{SQL: `UPDATE "item" SET "qty" = 7 WHERE "id" = 2`}
	env.Count.Reset()
	if err := db.SendBatch(ctx, []retort.BatchItem{first, copyOf("2\tb\t\\N\n3\tc\t4\n"), last}); err != nil {
		t.Fatal(err)
	}
	if copied != 2 {
		t.Errorf("COPY reported %d rows, want 2", copied)
	}
	// BEGIN and the INSERT, the COPY, the UPDATE and COMMIT.
	if n := env.Count.RoundTrips(); n != 3 {
		t.Errorf("%d round trips, want 3", n)
	}
	got, err := retort.Select(items).OrderBy(itemID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Qty == nil || *got[1].Qty != 7 || got[2].Qty == nil || *got[2].Qty != 4 {
		t.Errorf("rows after the batch: %+v %+v %+v", got[0], got[1], got[2])
	}

	seen = 0
	_, err = env.DB.Exec(ctx, `DELETE FROM "item"`)
	if err != nil {
		t.Fatal(err)
	}
	err = db.SendBatch(ctx, []retort.BatchItem{first, copyOf("2\tb\t\\N\n2\tdup\t\\N\n")})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("COPY of a duplicate key: %v, want a unique violation", err)
	}
	if n := count(t, db); n != 0 {
		t.Errorf("%d rows after the failed batch, want 0", n)
	}
}

// TestWrapConnAfterFailedCommit: a commit whose batch fails rolls the
// transaction back, so that a wrapped connection (which no pool closes)
// takes the next statement.
func TestWrapConnAfterFailedCommit(t *testing.T) {
	ctx := context.Background()
	conn, db := wrappedConn(t)
	if err := retort.CreateAll(ctx, db, items); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	insert := func(name string) retort.BatchItem {
		return retort.BatchItem{SQL: `INSERT INTO "item" ("id", "name") VALUES (1, $1)`, Args: []any{name}}
	}
	if err := tx.(*postgres.Tx).CommitBatch(ctx, []retort.BatchItem{insert("a"), insert("b")}); err == nil {
		t.Fatal("a commit inserting one key twice succeeded")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("Rollback after the failed commit: %v", err)
	}
	if s := conn.PgConn().TxStatus(); s != 'I' {
		t.Errorf("connection status %q after the failed commit, want 'I' (idle)", s)
	}
	if n := count(t, db); n != 0 {
		t.Errorf("%d rows after the failed commit, want 0", n)
	}
}
