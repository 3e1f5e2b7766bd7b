package rel_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestReAddAfterRemoval removes an object from a many-to-many collection
// and adds it back, with the removal committed, flushed only, or not
// written at all, and from either side: the association row is there at the
// end, in memory and in the database. Before, an addition after a written
// removal cancelled the removal's record instead of inserting the row
// again: the collection held the object and the database no row (the
// first three cases lost the link silently).
func TestReAddAfterRemoval(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, allTables...)
		for _, c := range []struct {
			name    string
			between func(s *session.Session) error // after the removal, before the addition
			back    bool                           // add back through the other side
		}{
			{"committed", func(s *session.Session) error { return s.Commit(ctx) }, false},
			{"flushed", func(s *session.Session) error { return s.Flush(ctx) }, false},
			{"committed, other side", func(s *session.Session) error { return s.Commit(ctx) }, true},
			{"not written", func(*session.Session) error { return nil }, false},
		} {
			s := session.New(env.DB)
			child := &Child{Name: c.name}
			kept, back := &Tag{Name: c.name + " kept"}, &Tag{Name: c.name + " back"}
			child.Tags.Add(kept, back)
			if err := session.Add(s, child); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			child.Tags.Remove(back)
			if err := c.between(s); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if c.back {
				back.Children.Add(child)
			} else {
				child.Tags.Add(back)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !child.Tags.Contains(back) || child.Tags.Len() != 2 {
				t.Errorf("%s: in memory the child holds %d tags, the one added back %v", c.name, child.Tags.Len(), child.Tags.Contains(back))
			}
			got, err := session.One(ctx, session.New(env.DB), retort.Select(Children).Where(ChildID.Eq(child.ID)))
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Tags.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if got.Tags.Len() != 2 {
				t.Errorf("%s: the database links the child to %d tags, want 2", c.name, got.Tags.Len())
			}
		}
	})
}
