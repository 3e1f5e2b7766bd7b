package session_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// An UPDATE or DELETE of many rows through the session (SQLAlchemy's
// ORM-enabled UPDATE and DELETE): it runs in the session's transaction,
// and the objects the session holds of those rows follow it, so they
// agree with the database and the commit writes nothing for them.
func ExampleExecUpdate() {
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
	rex, tom, kit := &Pet{Name: "Rex", Age: 3}, &Pet{Name: "Tom", Age: 9}, &Pet{Name: "Kit", Age: 1}
	if err := session.AddAll(s, rex, tom, kit); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	show = true

	// Every pet a year older: one statement, and the loaded objects follow.
	n, err := session.ExecUpdate(ctx, s, retort.Update(Pets).Set(PetAge.ToExpr(retort.Add(PetAge, retort.Val[int32](1)))))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "updated; rex is", rex.Age, "and modified:", s.IsModified(rex))

	// The old ones leave; the session's tom is deleted with its row.
	n, err = session.ExecDelete(ctx, s, retort.Delete(Pets).Where(PetAge.Gt(5)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "deleted; tom is", s.StatusOf(tom))
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("after commit tom is", s.StatusOf(tom))
	// Output:
	// SQL: BEGIN IMMEDIATE
	// SQL: UPDATE "pet" SET "age" = ("pet"."age" + ?) RETURNING "pet"."id", "pet"."name", "pet"."age"
	// 3 updated; rex is 4 and modified: false
	// SQL: DELETE FROM "pet" WHERE "pet"."age" > ? RETURNING "pet"."id", "pet"."name", "pet"."age"
	// 1 deleted; tom is deleted
	// SQL: COMMIT
	// after commit tom is detached
}
