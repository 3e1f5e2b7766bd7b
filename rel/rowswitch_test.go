package rel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// TestRowSwitchManyToMany: the session's row switch (a new object taking
// over the row of an object with its key deleted in the same flush) would
// keep the deleted object's association rows, which the database deletes
// with the row (ON DELETE CASCADE), while the collections let go of them:
// for an object on either side of a many-to-many it is refused, saying to
// flush the delete first, which then works. Without the refusal the new
// child took over both of the old child's tags in the database while its
// own collection was empty.
func TestRowSwitchManyToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, allTables...)
		links := func() int64 { return env.Int(t, `SELECT count(*) FROM "child_tag" WHERE "child_id" = 5`) }
		s := session.New(env.DB)
		old := &Child{ID: 5, Name: "old"}
		t1 := &Tag{ID: 1, Name: "t1"}
		old.Tags.Add(t1, &Tag{ID: 2, Name: "t2"})
		if err := session.Add(s, old); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Child{ID: 5, Name: "new"}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		err := s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), "many-to-many") || !strings.Contains(err.Error(), "flush the delete first") {
			t.Fatalf("switching a child with tags: %v, want a refusal saying to flush the delete first", err)
		}
		if n := links(); n != 2 {
			t.Errorf("links after the refused commit: %d, want 2", n)
		}
		s.Expunge(repl)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("the delete flushed first, then the new child: %v", err)
		}
		if n := links(); n != 0 {
			t.Errorf("links of the new child: %d, want 0", n)
		}

		// The target side: a tag.
		if err := session.Delete(s, t1); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, &Tag{ID: 1, Name: "t1 again"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err == nil || !strings.Contains(err.Error(), "flush the delete first") {
			t.Errorf("switching a tag: %v, want a refusal", err)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Tags).Count(ctx, env.DB); err != nil || n != 2 {
			t.Errorf("tags: %d, %v; want 2", n, err)
		}
	})
}

// TestRowSwitchOneToMany: a parent deleted with its children loaded (its
// delete sets their foreign keys to NULL) can have its row taken over by a
// new parent; children not loaded are loaded by the flush for the delete
// when it acts on them. Children it leaves alone (a NOT NULL foreign key,
// no cascade) would stay with the row and pass to the new parent when not
// loaded, so the switch is refused, saying to flush the delete first.
func TestRowSwitchOneToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, allTables...)
		s := session.New(env.DB)
		p := &Parent{ID: 9, Name: "old"}
		p.Children.Add(&Child{ID: 1, Name: "c1"}, &Child{ID: 2, Name: "c2"})
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, p); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, &Parent{ID: 9, Name: "new"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("switching a parent whose children are loaded: %v", err)
		}
		orphans, err := retort.Select(Children).Where(ChildParentID.IsNull()).Count(ctx, env.DB)
		if err != nil || orphans != 2 {
			t.Errorf("children without a parent after the switch: %d, %v; want 2 (the old parent's delete let go of them)", orphans, err)
		}
		if got, err := retort.Select(Parents).One(ctx, env.DB); err != nil || got.Name != "new" {
			t.Errorf("parent 9 = %+v, %v; want the new one", got, err)
		}

		// Children not loaded: the flush loads them for the delete (which
		// sets their foreign keys to NULL), whole even when loaded in part
		// (ToMany.Where), and the switch goes through.
		c1 := ParentChildren.Where(ChildName.Eq("c1"))
		for i, opt := range []session.QueryOption{nil, rel.SelectIn(c1), rel.Joined(c1)} {
			if _, err := retort.Update(Children).Set(ChildParentID.To(9)).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			s = session.New(env.DB)
			var opts []session.QueryOption
			if opt != nil {
				opts = append(opts, opt)
			}
			loaded, err := session.One(ctx, s, retort.Select(Parents).Where(ParentID.Eq(9)), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := session.Delete(s, loaded); err != nil {
				t.Fatal(err)
			}
			if err := session.Add(s, &Parent{ID: 9, Name: fmt.Sprint("newer", i)}); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("switching a parent whose children are not loaded (%d): %v", i, err)
			}
			if n, err := retort.Select(Children).Where(ChildParentID.IsNull()).Count(ctx, env.DB); err != nil || n != 2 {
				t.Errorf("children without a parent after switch %d: %d, %v; want 2", i, n, err)
			}
		}

		// Children whose NOT NULL foreign key the delete leaves alone (no
		// cascade) are not loaded for it: not loaded, or loaded in part,
		// they would pass to the new author, so the switch is refused.
		a := &Author{ID: 9, Name: "old"}
		a.Books.Add(&Book{ID: 1, Title: "b1"}, &Book{ID: 2, Title: "b2"})
		if err := session.Add(s, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		b1 := AuthorBooks.Where(BookTitle.Eq("b1"))
		for i, opt := range []session.QueryOption{rel.Lazy(AuthorBooks), rel.SelectIn(b1), rel.Joined(b1)} {
			s = session.New(env.DB)
			loaded, err := session.One(ctx, s, retort.Select(Authors).Where(AuthorID.Eq(9)), opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := session.Delete(s, loaded); err != nil {
				t.Fatal(err)
			}
			if err := session.Add(s, &Author{ID: 9, Name: "newer"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err == nil || !strings.Contains(err.Error(), "children not loaded") {
				t.Errorf("switching an author whose books are not loaded in full (%d): %v, want a refusal", i, err)
			}
			if n, err := retort.Select(Books).Where(BookAuthor.Eq(9)).Count(ctx, env.DB); err != nil || n != 2 {
				t.Errorf("books of author 9 after the refusal: %d, %v; want 2", n, err)
			}
		}
	})
}
