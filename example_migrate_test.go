package retort_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/sqlite"
)

// Migrate adds to a table holding rows the columns, foreign key, unique
// constraint and index its new declaration has, and creates the table the
// foreign key refers to; run again, it has nothing to do.
func ExampleMigrate() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, GadgetsV1); err != nil { // the program's first version
		log.Fatal(err)
	}
	if err := retort.Insert(GadgetsV1, &GadgetV1{Name: "sprocket"}).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}

	applied, err := retort.Migrate(ctx, db, Makers, GadgetsV2) // the second
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range applied[1:] { // after CREATE TABLE "maker"
		fmt.Println(s)
	}
	g, err := retort.Select(GadgetsV2).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Name, g.Qty, g.Note == nil)
	again, err := retort.Migrate(ctx, db, Makers, GadgetsV2)
	fmt.Println(len(again), err)
	// Output:
	// ALTER TABLE "gadget" ADD COLUMN "qty" INTEGER NOT NULL DEFAULT 0
	// ALTER TABLE "gadget" ADD COLUMN "note" TEXT
	// ALTER TABLE "gadget" ADD COLUMN "maker_id" INTEGER CONSTRAINT "gadget_maker_id_fkey" REFERENCES "maker" ("id")
	// ALTER TABLE "gadget" ADD COLUMN "code" TEXT
	// CREATE UNIQUE INDEX "gadget_code_key" ON "gadget" ("code")
	// CREATE INDEX "ix_gadget_name" ON "gadget" ("name")
	// sprocket 0 true
	// 0 <nil>
}
