package retort_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/sqlite"
)

type Invoice struct {
	ID       int64
	Customer string
	Cents    int64
}

type InvoiceLine struct {
	ID        int64
	InvoiceID int64
	Item      string
}

var (
	Invoices      = retort.NewTable[Invoice]("billing.invoice")
	InvoiceID     = retort.Col(Invoices, "id", func(i *Invoice) *int64 { return &i.ID }, retort.PrimaryKey())
	InvoiceCust   = retort.Col(Invoices, "customer", func(i *Invoice) *string { return &i.Customer }, retort.Indexed())
	_             = retort.Col(Invoices, "cents", func(i *Invoice) *int64 { return &i.Cents })
	InvoiceLines  = retort.NewTable[InvoiceLine]("billing.invoice_line")
	_             = retort.Col(InvoiceLines, "id", func(l *InvoiceLine) *int64 { return &l.ID }, retort.PrimaryKey())
	_             = retort.Col(InvoiceLines, "invoice_id", func(l *InvoiceLine) *int64 { return &l.InvoiceID }).References(InvoiceID)
	InvoiceLineIt = retort.Col(InvoiceLines, "item", func(l *InvoiceLine) *string { return &l.Item })
)

// Tables named "schema.table" live in a schema: on SQLite, a database
// attached to every connection (here an in-memory one); on PostgreSQL, a
// schema CreateAll creates. Statements qualify the table, not its columns.
func ExampleNewTable_schema() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithAttach("billing", ":memory:"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Invoices, InvoiceLines); err != nil {
		log.Fatal(err)
	}
	inv := &Invoice{Customer: "ann", Cents: 1250}
	if err := retort.Insert(Invoices, inv).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	lines := []*InvoiceLine{{InvoiceID: inv.ID, Item: "tea"}, {InvoiceID: inv.ID, Item: "cake"}}
	if err := retort.Insert(InvoiceLines, lines...).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	q := retort.Select(InvoiceLines).JoinFK(Invoices).Where(InvoiceCust.Eq("ann")).OrderBy(InvoiceLineIt.Asc())
	sqlText, _, _ := q.SQL(db.Dialect())
	fmt.Println(sqlText)
	got, err := q.All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range got {
		fmt.Println(l.Item)
	}
	// Output:
	// SELECT "invoice_line"."id", "invoice_line"."invoice_id", "invoice_line"."item" FROM "billing"."invoice_line" JOIN "billing"."invoice" ON "invoice_line"."invoice_id" = "invoice"."id" WHERE "invoice"."customer" = ? ORDER BY "invoice_line"."item"
	// cake
	// tea
}
