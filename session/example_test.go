package session_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

type Pet struct {
	ID   int64
	Name string
	Age  int32
}

var (
	Pets    = retort.NewTable[Pet]("pet")
	PetID   = retort.Col(Pets, "id", func(p *Pet) *int64 { return &p.ID }, retort.PrimaryKey())
	PetName = retort.Col(Pets, "name", func(p *Pet) *string { return &p.Name })
	PetAge  = retort.Col(Pets, "age", func(p *Pet) *int32 { return &p.Age })
)

// A session turns changes to Go objects into as few statements as it can.
// A unit of work of one statement runs it alone: SQLite makes a single
// statement atomic, so it needs no BEGIN and COMMIT.
func Example() {
	ctx := context.Background()
	show := false
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithTracer(retort.TraceFunc(func(_ context.Context, ev retort.TraceEvent) {
		if show {
			fmt.Println("SQL:", ev.SQL)
		}
	})))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Pets); err != nil {
		log.Fatal(err)
	}
	show = true

	s := session.New(db)
	rex := &Pet{Name: "Rex", Age: 3}
	if err := session.Add(s, rex); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil { // INSERT; rex.ID is set
		log.Fatal(err)
	}
	fmt.Println("rex has key", rex.ID)

	// The identity map: the same row is the same pointer, and needs no SQL.
	same, err := session.Get(ctx, s, Pets, rex.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same object:", same == rex)

	// Change tracking: only the changed column is written.
	rex.Age = 4
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// SQL: INSERT INTO "pet" ("id", "name", "age") VALUES (?, ?, ?)
	// rex has key 1
	// same object: true
	// SQL: UPDATE "pet" SET "age" = ? WHERE "pet"."id" = ?
}

// A failed flush leaves the session as it was, so the program can fix the
// cause and commit again.
func Example_retry() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE "pet" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL UNIQUE, "age" INTEGER NOT NULL)`); err != nil {
		log.Fatal(err)
	}
	s := session.New(db)
	_ = session.AddAll(s, &Pet{Name: "Rex"}, &Pet{Name: "Tom"})
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	felix := &Pet{Name: "Felix"}
	dup := &Pet{Name: "Rex"}
	_ = session.AddAll(s, felix, dup)
	err = s.Commit(ctx)
	fmt.Println("failed:", err != nil)
	fmt.Println("felix:", s.StatusOf(felix), "key", felix.ID)

	dup.Name = "Rex II"
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("felix:", s.StatusOf(felix), "key", felix.ID)
	pets, err := session.All(ctx, s, retort.Select(Pets).OrderBy(PetID.Asc()))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pets {
		fmt.Println(p.ID, p.Name)
	}
	// Output:
	// failed: true
	// felix: pending key 0
	// felix: persistent key 3
	// 1 Rex
	// 2 Tom
	// 3 Felix
	// 4 Rex II
}

// A BeforeFlush hook runs when a flush has something to write, before the
// session works out what that is: here it adds a pet of its own, which the
// same flush writes. A query or a commit with nothing to flush does not call
// it.
func ExampleBeforeFlush() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Pets); err != nil {
		log.Fatal(err)
	}
	added := false
	s := session.New(db, session.BeforeFlush(func(ctx context.Context, s *session.Session) error {
		fmt.Println("before flush")
		if added {
			return nil
		}
		added = true
		return session.Add(s, &Pet{Name: "Stray", Age: 1})
	}))
	if err := session.Add(s, &Pet{Name: "Rex", Age: 3}); err != nil {
		log.Fatal(err)
	}
	pets, err := session.All(ctx, s, retort.Select(Pets).OrderBy(PetID.Asc())) // flushes first
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pets {
		fmt.Println(p.ID, p.Name)
	}
	if _, err := session.All(ctx, s, retort.Select(Pets)); err != nil { // nothing to flush
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil { // nothing to flush
		log.Fatal(err)
	}
	// Output:
	// before flush
	// 1 Rex
	// 2 Stray
}

// Deleting an object and adding a new one with its key in one flush
// writes one UPDATE, as SQLAlchemy's "row switch" does: the row stays, so
// rows that reference it are untouched, and the new object is the row's
// object from then on.
func Example_rowSwitch() {
	ctx := context.Background()
	show := false
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithTracer(retort.TraceFunc(func(_ context.Context, ev retort.TraceEvent) {
		if show {
			fmt.Println("SQL:", ev.SQL)
		}
	})))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Pets); err != nil {
		log.Fatal(err)
	}
	s := session.New(db)
	rex := &Pet{ID: 1, Name: "Rex", Age: 3}
	if err := session.Add(s, rex); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	show = true

	if err := session.Delete(s, rex); err != nil {
		log.Fatal(err)
	}
	fido := &Pet{ID: 1, Name: "Fido", Age: 3}
	if err := session.Add(s, fido); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	show = false
	got, err := session.Get(ctx, s, Pets, int64(1))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Name, got == fido, s.StatusOf(rex))
	// Output:
	// SQL: UPDATE "pet" SET "name" = ? WHERE "pet"."id" = ?
	// Fido true detached
}
