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
