package rel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// TestCollectionsForgetDeleted deletes objects that loaded collections of
// other objects hold: once the flush has deleted them, the collections no
// longer hold them, and changing the collections afterwards works. Before,
// the collections kept the deleted objects, and removing one from a
// many-to-many (Remove, Replace) failed the flush with session.ErrStale,
// as the database had deleted its association row with it.
func TestCollectionsForgetDeleted(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, allTables...)
		s := session.New(env.DB)
		c1, c2 := &Child{Name: "c1"}, &Child{Name: "c2"}
		t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
		c1.Tags.Add(t1, t2)
		c2.Tags.Add(t2)
		p := &Parent{Name: "p"}
		k1, k2 := &Child{Name: "k1"}, &Child{Name: "k2"}
		p.Children.Add(k1, k2)
		if err := session.AddAll(s, c1, c2); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if !t2.Children.Contains(c2) {
			t.Fatal("the back reference does not hold c2")
		}

		// Deleted, then flushed inside the transaction.
		for _, obj := range []any{t1, k1, c2} {
			if err := s.DeleteAny(obj); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		names := func(objs []string) []string { slices.Sort(objs); return objs }
		tagNames := func(c *Child) []string {
			var out []string
			for x := range c.Tags.All() {
				out = append(out, x.Name)
			}
			return names(out)
		}
		if diff := cmp.Diff([]string{"t2"}, tagNames(c1)); diff != "" {
			t.Errorf("c1's tags after deleting t1 (-want +got):\n%s", diff)
		}
		if t2.Children.Contains(c2) || !t2.Children.Contains(c1) {
			t.Errorf("t2's children after deleting c2: holds c2 %v, c1 %v; want c1 only", t2.Children.Contains(c2), t2.Children.Contains(c1))
		}
		if p.Children.Contains(k1) || p.Children.Len() != 1 {
			t.Errorf("p's children after deleting k1: holds k1 %v, %d in all; want k2 only", p.Children.Contains(k1), p.Children.Len())
		}

		// The collections change on, in the same transaction and after it.
		c1.Tags.Replace(t3)
		if err := s.Flush(ctx); err != nil {
			t.Fatalf("replacing c1's tags after the delete: %v", err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		p.Children.Remove(k2)
		c1.Tags.Add(t2)
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("changing the collections after the commit: %v", err)
		}

		fresh := session.New(env.DB)
		got, err := session.One(ctx, fresh, retort.Select(Children).Where(ChildName.Eq("c1")))
		if err != nil {
			t.Fatal(err)
		}
		if err := got.Tags.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"t2", "t3"}, tagNames(got)); diff != "" {
			t.Errorf("c1's tags in the database (-want +got):\n%s", diff)
		}
		kids, err := retort.Select(Children).Where(ChildParentID.IsNotNull()).Count(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if kids != 0 {
			t.Errorf("%d children still have a parent, want 0 (k1 deleted, k2 removed)", kids)
		}
	})
}

// TestCollectionsForgetDeletedOfClass: a collection owned by a class of a
// joined-table hierarchy (a chief's team) lets go of a target a flush
// deleted, and a rollback puts it back, as other collections do.
func TestCollectionsForgetDeletedOfClass(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}, Projects: rel.ManyOf(&Project{Title: "apollo"})}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}})
		storeStaff(t, env, cleo)
		s := session.New(env.DB)
		c, err := inherit.First(ctx, s, inherit.Select(ChiefClass), rel.SelectIn(ChiefTeam), rel.SelectIn(ChiefProjects))
		if err != nil {
			t.Fatal(err)
		}
		team := func() []string { return sorted(names(c.Team.All(), func(m *Minion) string { return m.Name })) }
		var mo *Minion
		for m := range c.Team.All() {
			if m.Name == "Mo" {
				mo = m
			}
		}
		apollo, err := c.Projects.Get()
		if err != nil || len(apollo) != 1 {
			t.Fatalf("projects: %v, %v", apollo, err)
		}
		if err := session.Delete(s, mo); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, apollo[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Mia"}, team()); diff != "" {
			t.Errorf("team after the flush (-want +got):\n%s", diff)
		}
		if n := c.Projects.Len(); n != 0 {
			t.Errorf("%d projects after the flush, want 0", n)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Mia", "Mo"}, team()); diff != "" {
			t.Errorf("team after the rollback (-want +got):\n%s", diff)
		}
		if n := c.Projects.Len(); n != 1 {
			t.Errorf("%d projects after the rollback, want 1", n)
		}
	})
}
