package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestRollbackPutsBackDeleted: once a flush has deleted an object, the
// collections holding it let go of it; a rollback of that delete (the
// transaction's, a savepoint's, a failed commit's) puts it back, and the
// many-to-many's association rows back in the session, so that what the
// collections hold matches the database again. Before, the collections
// stayed without it: after the rollback, parent.Children held [a] while
// the database had a and b, and removing the tag from the child's Tags
// wrote nothing, leaving its association row.
func TestRollbackPutsBackDeleted(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		p := &Parent{ID: 1, Name: "p"}
		a, b := &Child{ID: 1, Name: "a"}, &Child{ID: 2, Name: "b"}
		red, blue := &Tag{ID: 1, Name: "red"}, &Tag{ID: 2, Name: "blue"}
		p.Children.Add(a, b)
		a.Tags.Add(red, blue)
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		names := func() []string {
			t.Helper()
			var out []string
			for c := range p.Children.All() {
				out = append(out, "child "+c.Name)
			}
			for tg := range a.Tags.All() {
				out = append(out, "tag "+tg.Name)
			}
			return out
		}
		deleteBoth := func() {
			t.Helper()
			for _, obj := range []any{b, red} {
				if err := s.DeleteAny(obj); err != nil {
					t.Fatal(err)
				}
			}
		}
		all := []string{"child a", "child b", "tag blue", "tag red"}

		// The transaction's rollback.
		deleteBoth()
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"child a", "tag blue"}, names()); diff != "" {
			t.Errorf("after the deleting flush (-want +got):\n%s", diff)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, names()); diff != "" {
			t.Errorf("after the rollback (-want +got):\n%s", diff)
		}
		// Marked for deletion before the transaction began, they still
		// are; Add takes the marks back.
		if got := s.StatusOf(b); got != session.Deleted {
			t.Errorf("b after the rollback: %v, want deleted (not flushed)", got)
		}
		if err := session.Add(s, b); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, red); err != nil {
			t.Fatal(err)
		}

		// A savepoint's rollback, and a savepoint begun after the deletes
		// whose rollback leaves them be.
		sp, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		deleteBoth()
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		inner, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := inner.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"child a", "tag blue"}, names()); diff != "" {
			t.Errorf("after an inner savepoint's rollback (-want +got):\n%s", diff)
		}
		if err := sp.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, names()); diff != "" {
			t.Errorf("after the savepoint's rollback (-want +got):\n%s", diff)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}

		// A failed commit: the deletes and an insert of a taken key.
		deleteBoth()
		if err := session.Add(s, &Parent{ID: 9, Name: "p9"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.DB.Exec(ctx, `INSERT INTO "parent" ("id", "name") VALUES (9, 'taken')`); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit inserting a taken key: no error")
		}
		if diff := cmp.Diff(all, names()); diff != "" {
			t.Errorf("after the failed commit (-want +got):\n%s", diff)
		}
		// The failed commit's objects are as before it: b and red still
		// marked for deletion, which Add takes back, p9 pending.
		if err := session.Add(s, b); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, red); err != nil {
			t.Fatal(err)
		}
		if _, err := env.DB.Exec(ctx, `DELETE FROM "parent" WHERE "id" = 9`); err != nil {
			t.Fatal(err)
		}

		// The collections and the session match the database: removing
		// the tag deletes its association row.
		a.Tags.Remove(red)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := env.Int(t, `SELECT count(*) FROM "child_tag" WHERE "child_id" = 1 AND "tag_id" = 1`); n != 0 {
			t.Errorf("red's association row after removing it: %d rows, want 0", n)
		}
		if n := env.Int(t, `SELECT count(*) FROM "child" WHERE "parent_id" = 1`); n != 2 {
			t.Errorf("children of p in the database: %d, want 2", n)
		}
		if got := s.StatusOf(b); got != session.Persistent {
			t.Errorf("b: %v, want persistent", got)
		}
	})
}
