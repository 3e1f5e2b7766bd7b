package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// TestRefreshReference: session.Refresh discards an unflushed change of a
// reference with the columns: the reference follows the reloaded foreign
// key, the object moves back between the linked collections, and the
// commit writes nothing for it (before, the reference kept the new parent
// and the commit moved the row, or, with the collections loaded, set its
// foreign key to NULL).
func TestRefreshReference(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		stored := func() string {
			t.Helper()
			c, err := retort.Select(Children).Where(ChildName.Eq("p000-c00")).One(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			if c.ParentID == nil {
				return "NULL"
			}
			p, err := retort.Select(Parents).Where(ParentID.Eq(*c.ParentID)).One(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			return p.Name
		}
		for _, loaded := range []bool{false, true} {
			s := session.New(env.DB)
			var opts []session.QueryOption
			if loaded {
				opts = append(opts, rel.SelectIn(ParentChildren))
			}
			ps, err := session.All(ctx, s, retort.Select(Parents).Where(ParentName.In("p000", "p001")).OrderBy(ParentName.Asc()), opts...)
			if err != nil {
				t.Fatal(err)
			}
			p0, p1 := ps[0], ps[1]
			c, err := session.First(ctx, s, retort.Select(Children).Where(ChildName.Eq("p000-c00")))
			if err != nil {
				t.Fatal(err)
			}
			c.Parent.Set(p1)
			c.Name = "changed"
			if err := session.Refresh(ctx, s, c); err != nil {
				t.Fatal(err)
			}
			if got := parentOf(t, c); got != p0 || c.Name != "p000-c00" {
				t.Errorf("loaded %v: after Refresh: %s of %s, want p000-c00 of p000", loaded, c.Name, got.Name)
			}
			if loaded {
				if !p0.Children.Contains(c) || p1.Children.Contains(c) {
					t.Errorf("after Refresh: in p000's children %v, in p001's %v; want true, false", p0.Children.Contains(c), p1.Children.Contains(c))
				}
				want := []string{"p000-c00", "p000-c01", "p000-c02"}
				if diff := cmp.Diff(want, sorted(names(p0.Children.All(), func(c *Child) string { return c.Name }))); diff != "" {
					t.Errorf("p000's children (-want +got):\n%s", diff)
				}
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if got := stored(); got != "p000" {
				t.Errorf("loaded %v: stored parent %s, want p000", loaded, got)
			}
		}
	})
}

// TestRefreshReferenceOfClass: the same for a reference owned by a class
// of a joined-table hierarchy (a minion's chief).
func TestRefreshReferenceOfClass(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(StafferClass.Tables(), Projects, ChiefProjects.Table())...)
		s := session.New(env.DB)
		cleo, zed := &Chief{Staffer: Staffer{Name: "Cleo"}}, &Chief{Staffer: Staffer{Name: "Zed"}}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}})
		if err := session.AddAll(s, cleo, zed); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		mo, err := inherit.First(ctx, s, inherit.Select(MinionClass), rel.SelectIn(MinionsChief))
		if err != nil {
			t.Fatal(err)
		}
		mo.Chief.Set(zed)
		if err := session.Refresh(ctx, s, mo); err != nil {
			t.Fatal(err)
		}
		if c, err := mo.Chief.Get(); err != nil || c != cleo {
			t.Errorf("chief after Refresh: %v, %v; want Cleo", c, err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := retort.Select(Minions).One(ctx, env.DB)
		if err != nil || m.ChiefID == nil || *m.ChiefID != cleo.ID {
			t.Errorf("stored: %+v, %v; want Cleo's key %d", m, err, cleo.ID)
		}
	})
}
