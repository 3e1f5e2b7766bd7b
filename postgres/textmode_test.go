package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
)

type blob struct {
	ID   int64
	Data []byte
	At   time.Time
	N    *int64
	Note *[]byte
}

var (
	blobs  = retort.NewTable[blob]("blob")
	blobID = retort.Col(blobs, "id", func(b *blob) *int64 { return &b.ID }, retort.PrimaryKey())
	_      = retort.Col(blobs, "data", func(b *blob) *[]byte { return &b.Data })
	_      = retort.Col(blobs, "at", func(b *blob) *time.Time { return &b.At })
	_      = retort.NullCol(blobs, "n", func(b *blob) **int64 { return &b.N })
	_      = retort.NullCol(blobs, "note", func(b *blob) **[]byte { return &b.Note })
)

// Behind a pooler such as PgBouncer in transaction mode, pgx runs in the
// simple protocol or in exec mode, and encodes arguments from their Go
// types alone, without the server's description of the parameters. Lists
// of values (an insert's columns of bytea and timestamps, keys for IN) then
// go as typed slices; this test runs the statement kinds that send them.
// CI also runs every PostgreSQL test in the simple protocol.
func TestTextExecModes(t *testing.T) {
	for _, mode := range []string{"simple_protocol", "exec"} {
		t.Run(mode, func(t *testing.T) {
			env := schema(t)
			ctx := context.Background()
			db, err := postgres.Open(ctx, env.URL+"&default_query_exec_mode="+mode)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := retort.CreateAll(ctx, db, blobs); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2024, 2, 29, 12, 30, 0, 0, time.UTC)
			few := []*blob{{Data: []byte{0, 1, '\\', '"'}, At: at, N: ptr(int64(7)), Note: ptr([]byte("n"))}, {Data: []byte{}, At: at.Add(time.Hour)}, {Data: []byte("x"), At: at, N: ptr(int64(-1))}}
			if err := retort.Insert(blobs, few...).Exec(ctx, db); err != nil {
				t.Fatalf("insert of 3 rows: %v", err)
			}
			many := make([]*blob, 2100) // COPY
			for i := range many {
				many[i] = &blob{Data: []byte(fmt.Sprint(i)), At: at}
			}
			if err := retort.Insert(blobs, many...).Exec(ctx, db); err != nil {
				t.Fatalf("insert of 2,100 rows: %v", err)
			}
			keys := []int64{few[0].ID, few[1].ID, few[2].ID}
			got, err := retort.Select(blobs).Where(blobID.In(keys...)).OrderBy(blobID.Asc()).All(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(few, got); diff != "" {
				t.Errorf("rows read back by key (-want +got):\n%s", diff)
			}
			n, err := retort.Delete(blobs).Where(blobID.In(keys...)).Exec(ctx, db)
			if err != nil || n != 3 {
				t.Fatalf("delete by keys: %d rows, %v", n, err)
			}
			if n, err := retort.Select(blobs).Count(ctx, db); err != nil || n != 2100 {
				t.Errorf("%d rows left (%v), want 2100", n, err)
			}
		})
	}
}
