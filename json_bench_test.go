package retort_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// BenchmarkJSONCleanFlush10k: a flush that finds no change among 10,000
// loaded objects with three JSON columns (a map, a struct, a slice).
func BenchmarkJSONCleanFlush10k(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Products); err != nil {
		b.Fatal(err)
	}
	objs := make([]*Product, 10000)
	for i := range objs {
		objs[i] = product(i)
	}
	if err := retort.Insert(Products, objs...).Exec(ctx, db); err != nil {
		b.Fatal(err)
	}
	s := session.New(db)
	if _, err := session.All(ctx, s, retort.Select(Products)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUUIDLoad10k: a new session's query of 10,000 rows with a UUID
// key and a NULL-able UUID column (no JSON).
func BenchmarkUUIDLoad10k(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Carts10k); err != nil {
		b.Fatal(err)
	}
	objs := make([]*Cart10k, 10000)
	for i := range objs {
		objs[i] = &Cart10k{Owner: "owner"}
		if i%2 == 0 {
			u := retort.NewUUID()
			objs[i].Ref = &u
		}
	}
	if err := retort.Insert(Carts10k, objs...).Exec(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		got, err := session.All(ctx, session.New(db), retort.Select(Carts10k))
		if err != nil || len(got) != len(objs) {
			b.Fatal(len(got), err)
		}
	}
}

type Cart10k struct {
	ID    retort.UUID
	Owner string
	Ref   *retort.UUID
}

var (
	Carts10k = retort.NewTable[Cart10k]("cart10k")
	_        = retort.Col(Carts10k, "id", func(c *Cart10k) *retort.UUID { return &c.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
	_        = retort.Col(Carts10k, "owner", func(c *Cart10k) *string { return &c.Owner })
	_        = retort.NullCol(Carts10k, "ref", func(c *Cart10k) **retort.UUID { return &c.Ref })
)
