package session_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestRollbackResyncsForeignKeys: a rollback takes back the keys the
// database generated for pending objects, and their children's foreign keys
// follow (they held the rolled-back key, naming a row that does not exist),
// as after a failed flush, also for objects the rollback takes out of the
// session. Before, book.AuthorID kept the rolled-back key after Rollback
// and after a savepoint's Rollback.
func TestRollbackResyncsForeignKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tables...)
		s := session.New(env.DB)
		a := &Author{Name: "ann"}
		b := &Book{Title: "Dune", Author: a}
		if err := session.Add(s, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || b.AuthorID != a.ID {
			t.Fatalf("after flush: author %d, book's author %d", a.ID, b.AuthorID)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if a.ID != 0 || b.AuthorID != 0 {
			t.Errorf("after rollback: author key %d, book's author %d; want both 0", a.ID, b.AuthorID)
		}

		sp, err := s.Begin(ctx) // flushes: the objects are written again
		if err != nil {
			t.Fatal(err)
		}
		c := &Author{Name: "cy"}
		d := &Book{Title: "Emma", Author: c}
		if err := session.Add(s, d); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || d.AuthorID != c.ID {
			t.Fatalf("after flush in the savepoint: author %d, book's author %d", c.ID, d.AuthorID)
		}
		if err := sp.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if c.ID != 0 || d.AuthorID != 0 {
			t.Errorf("after the savepoint's rollback: author key %d, book's author %d; want both 0", c.ID, d.AuthorID)
		}
		if a.ID == 0 || b.AuthorID != a.ID {
			t.Errorf("the objects flushed before the savepoint: author %d, book's author %d", a.ID, b.AuthorID)
		}
		// Added inside the savepoint, c and d left the session with it:
		// adding them again writes them with a key of their own.
		if err := session.Add(s, d); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || d.AuthorID != c.ID {
			t.Errorf("after commit: author %d, book's author %d", c.ID, d.AuthorID)
		}
	})
}
