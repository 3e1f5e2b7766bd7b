package retort_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// Generated columns are computed by the database, and ReadOnly columns
// filled by it (here by a DEFAULT); Retort never writes them, and a
// session reads them back after each flush that writes the row.
func ExampleGenerated() {
	type Item struct {
		ID      int64
		Qty     int64
		Cents   int64
		Total   int64  // qty * cents, computed by the database
		Created string // filled by the database
	}
	var (
		Items = retort.NewTable[Item]("item")
		_     = retort.Col(Items, "id", func(i *Item) *int64 { return &i.ID }, retort.PrimaryKey())
		_     = retort.Col(Items, "qty", func(i *Item) *int64 { return &i.Qty })
		_     = retort.Col(Items, "cents", func(i *Item) *int64 { return &i.Cents })
		_     = retort.Col(Items, "total", func(i *Item) *int64 { return &i.Total }, retort.Generated(`"qty" * "cents"`))
		_     = retort.Col(Items, "created", func(i *Item) *string { return &i.Created }, retort.ReadOnly(), retort.DefaultSQL("'today'"))
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Items); err != nil {
		log.Fatal(err)
	}
	s := session.New(db)
	it := &Item{Qty: 3, Cents: 250}
	if err := session.Add(s, it); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(it.Total, it.Created)
	it.Qty = 4
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(it.Total)
	// Output:
	// 750 today
	// 1000
}
