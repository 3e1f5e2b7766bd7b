package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestPendingOrphanExpunged: a pending object removed from a delete-orphan
// collection leaves the session at the flush instead of being inserted
// without an owner, whether its owner is persistent or pending, and does not
// cascade its own children into the flush. One moved to another owner, or
// naming another owner in its foreign key, stays.
func TestPendingOrphanExpunged(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		u1, u2 := &User{Name: "u1"}, &User{Name: "u2"}
		if err := session.AddAll(s, u1, u2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		p := &Product{Name: "p"}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		// A persistent owner.
		gone, moved, named := &Order{Note: "gone"}, &Order{Note: "moved"}, &Order{Note: "named", UserID: u2.ID}
		// The orphan's own children leave with it: they are not cascaded
		// into the flush by an object that left it.
		goneItem := &Item{ProductID: p.ID, Qty: 1}
		gone.Items.Add(goneItem)
		u1.Orders.Add(gone, moved, named)
		if err := session.AddAll(s, gone, moved, named); err != nil {
			t.Fatal(err)
		}
		u1.Orders.Remove(gone, moved, named)
		u2.Orders.Add(moved)
		// A pending owner.
		u3 := &User{Name: "u3"}
		lost := &Order{Note: "lost"}
		u3.Orders.Add(lost)
		if err := session.AddAll(s, u3); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, lost); err != nil {
			t.Fatal(err)
		}
		u3.Orders.Remove(lost)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, o := range []*Order{gone, lost} {
			if st := s.StatusOf(o); st != session.Transient {
				t.Errorf("orphan %s: %v, want transient", o.Note, st)
			}
		}
		if st := s.StatusOf(goneItem); st != session.Transient {
			t.Errorf("the orphan's item: %v, want transient", st)
		}
		if n, err := retort.Select(Items).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("items written: %d (%v), want 0", n, err)
		}
		rows, err := retort.Select(Orders).OrderBy(OrderNote.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		owner := map[int64]string{u1.ID: "u1", u2.ID: "u2", u3.ID: "u3"}
		var got []string
		for _, o := range rows {
			got = append(got, o.Note+"@"+owner[o.UserID])
		}
		if diff := cmp.Diff([]string{"moved@u2", "named@u2"}, got); diff != "" {
			t.Errorf("orders (-want +got):\n%s", diff)
		}
	})
}
