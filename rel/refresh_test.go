package rel_test

import (
	"context"
	"errors"
	"slices"
	"strings"
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

// TestRefreshCollections: session.Refresh reads the object's loaded
// collections again (one query each), keeping their unflushed additions
// and removals, which the commit then writes; a collection not loaded stays
// so. Before, a refreshed boss kept the employees it was loaded with.
func TestRefreshCollections(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b1 := &Boss{Name: "b1", Employees: rel.ManyOf(&Grunt{Name: "g1"}, &Grunt{Name: "g2"})}
		b2 := &Boss{Name: "b2", Employees: rel.ManyOf(&Grunt{Name: "g3"})}
		c := &Child{Name: "c", Tags: rel.SetOf(&Tag{Name: "t1"})}
		if err := session.AddAll(s, b1, b2); err != nil {
			t.Fatal(err)
		}
		if err := session.AddAll(s, c, &Child{Name: "d", Tags: rel.SetOf(&Tag{Name: "t2"})}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		s = session.New(env.DB)
		boss, err := session.One(ctx, s, retort.Select(Bosses).Where(BossName.Eq("b1")), rel.SelectIn(BossEmployees))
		if err != nil {
			t.Fatal(err)
		}
		other, err := session.One(ctx, s, retort.Select(Bosses).Where(BossName.Eq("b2")), rel.Lazy(BossEmployees))
		if err != nil {
			t.Fatal(err)
		}
		child, err := session.One(ctx, s, retort.Select(Children).Where(ChildName.Eq("c")), rel.SelectIn(ChildTags))
		if err != nil {
			t.Fatal(err)
		}
		var g2 *Grunt
		for g := range boss.Employees.All() {
			if g.Name == "g2" {
				g2 = g
			}
		}
		boss.Employees.Remove(g2)
		boss.Employees.Add(&Grunt{Name: "g9"})
		boss.Name = "unflushed"
		// Meanwhile another program moves g3 to b1 and tags c with t2.
		w := session.New(env.DB)
		g3, err := session.One(ctx, w, retort.Select(Grunts).Where(GruntName.Eq("g3")))
		if err != nil {
			t.Fatal(err)
		}
		t2, err := session.One(ctx, w, retort.Select(Tags).Where(TagName.Eq("t2")))
		if err != nil {
			t.Fatal(err)
		}
		wb1, err := session.One(ctx, w, retort.Select(Bosses).Where(BossName.Eq("b1")))
		if err != nil {
			t.Fatal(err)
		}
		wc, err := session.One(ctx, w, retort.Select(Children).Where(ChildName.Eq("c")))
		if err != nil {
			t.Fatal(err)
		}
		g3.Employer.Set(wb1)
		if err := wc.Tags.Load(ctx); err != nil {
			t.Fatal(err)
		}
		wc.Tags.Add(t2)
		if err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		rec.take()
		if err := errors.Join(session.Refresh(ctx, s, boss), session.Refresh(ctx, s, other), session.Refresh(ctx, s, child)); err != nil {
			t.Fatal(err)
		}
		if got := len(rec.take()); got != 5 {
			t.Errorf("%d statements for three refreshes with two loaded collections, want 5", got)
		}
		grunts := func() []string { return names(boss.Employees.All(), func(g *Grunt) string { return g.Name }) }
		tags := func() []string { return names(child.Tags.All(), func(t *Tag) string { return t.Name }) }
		if diff := cmp.Diff([]string{"g1", "g3", "g9"}, grunts()); diff != "" {
			t.Errorf("b1's employees after the refresh (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"t1", "t2"}, tags()); diff != "" {
			t.Errorf("c's tags after the refresh (-want +got):\n%s", diff)
		}
		if boss.Name != "b1" || other.Employees.Loaded() {
			t.Errorf("after the refresh: name %q (want b1), b2's employees loaded %t (want false)", boss.Name, other.Employees.Loaded())
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Grunts).Where(GruntBoss.IsNotNull()).OrderBy(GruntName.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"g1", "g3", "g9"}, names(slices.Values(got), func(g *Grunt) string { return g.Name })); diff != "" {
			t.Errorf("grunts with a boss after the commit (-want +got):\n%s", diff)
		}
	})
}

// TestRefreshCollectionsOfClass: a chief's (a hierarchy class's) loaded
// team is read again by Refresh.
func TestRefreshCollectionsOfClass(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}})
		storeStaff(t, env, cleo, &Minion{Staffer: Staffer{Name: "Mia"}})
		s := session.New(env.DB)
		c, err := inherit.First(ctx, s, inherit.Select(ChiefClass), rel.SelectIn(ChiefTeam))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(Minions).Set(MinionChief.To(c.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if err := session.Refresh(ctx, s, c); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Mia", "Mo"}, sorted(names(c.Team.All(), func(m *Minion) string { return m.Name }))); diff != "" {
			t.Errorf("team after the refresh (-want +got):\n%s", diff)
		}
	})
}

// TestRefreshInHook: a BeforeFlush hook may Refresh an object with a
// loaded collection, and the session still refuses a Flush from the hook
// afterwards (the Refresh does not end the hook's restrictions).
func TestRefreshInHook(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		if err := session.Add(s, &Boss{Name: "b", Employees: rel.ManyOf(&Grunt{Name: "g"})}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var boss *Boss
		var refreshErr, flushErr error
		s = session.New(env.DB, session.BeforeFlush(func(ctx context.Context, s *session.Session) error {
			refreshErr = session.Refresh(ctx, s, boss)
			flushErr = s.Flush(ctx)
			return nil
		}))
		boss, err := session.One(ctx, s, retort.Select(Bosses), rel.SelectIn(BossEmployees))
		if err != nil {
			t.Fatal(err)
		}
		g, _ := boss.Employees.Get()
		g[0].Name = "changed"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if refreshErr != nil {
			t.Errorf("Refresh in the hook: %v", refreshErr)
		}
		if flushErr == nil || !strings.Contains(flushErr.Error(), "BeforeFlush") {
			t.Errorf("Flush in the hook after a Refresh: %v, want a refusal", flushErr)
		}
	})
}
