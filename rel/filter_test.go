package rel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// familyTree returns each parent's name followed by its children's names,
// and each child's tags after it in brackets when loaded.
func familyTree(t *testing.T, ps []*Parent) []string {
	t.Helper()
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
		kids, err := p.Children.Get()
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		for _, k := range kids {
			line := k.Name
			if k.Tags.Loaded() {
				line += "[" + strings.Join(names(k.Tags.All(), func(x *Tag) string { return x.Name }), " ") + "]"
			}
			out = append(out, line)
		}
	}
	return out
}

// seedTagged makes parents p000..p002, each with children c00..c02; child
// cNN has tags t0..tNN.
func seedTagged(t *testing.T, env *dbtest.Env) {
	t.Helper()
	s := session.New(env.DB)
	tags := []*Tag{{Name: "t0"}, {Name: "t1"}, {Name: "t2"}}
	for i := range 3 {
		p := &Parent{Name: "p00" + string(rune('0'+i))}
		for j := range 3 {
			c := &Child{Name: p.Name + "-c0" + string(rune('0'+j))}
			c.Tags.Add(tags[:j+1]...)
			p.Children.Add(c)
		}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestFilteredLoading: ToMany.Where loads the matching part of a collection,
// with SelectIn (in its WHERE clause) and Joined (in the join's ON clause),
// for one-to-many and many-to-many relationships and along paths, in the
// round trips of the unfiltered loads; values are bind parameters.
func TestFilteredLoading(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		parents := retort.Select(Parents).OrderBy(ParentName.Asc())
		odd := ParentChildren.Where(retort.Or(retort.Like(ChildName, "%-c01"), ChildName.Eq("p002-c02")))
		want := []string{"p000", "p000-c01", "p001", "p001-c01", "p002", "p002-c01", "p002-c02"}
		for _, c := range []struct {
			name  string
			opt   session.QueryOption
			trips int64
			want  []string
		}{
			{"selectin", rel.SelectIn(odd), 2, want},
			{"joined", rel.Joined(odd), 1, want},
			{"two wheres", rel.SelectIn(odd.Where(ChildName.Ne("p000-c01"))), 2,
				[]string{"p000", "p001", "p001-c01", "p002", "p002-c01", "p002-c02"}},
			{"selectin then filtered many-to-many", rel.SelectIn(odd).Then(rel.SelectIn(ChildTags.Where(TagName.Ne("t0")))), 3,
				[]string{"p000", "p000-c01[t1]", "p001", "p001-c01[t1]", "p002", "p002-c01[t1]", "p002-c02[t1 t2]"}},
			{"joined then joined many-to-many", rel.Joined(odd).Then(rel.Joined(ChildTags.Where(TagName.In("t2", "t0")))), 1,
				[]string{"p000", "p000-c01[t0]", "p001", "p001-c01[t0]", "p002", "p002-c01[t0]", "p002-c02[t0 t2]"}},
			{"no child matches", rel.Joined(ParentChildren.Where(ChildName.Eq("it's 'none'"))), 1,
				[]string{"p000", "p001", "p002"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				env.Count.Reset()
				ps, err := session.All(ctx, session.New(env.DB), parents, c.opt)
				if err != nil {
					t.Fatal(err)
				}
				if n := env.Count.RoundTrips(); n != c.trips {
					t.Errorf("%d round trips, want %d", n, c.trips)
				}
				if diff := cmp.Diff(c.want, familyTree(t, ps)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				for _, p := range ps {
					if !p.Children.Loaded() {
						t.Errorf("%s: children not loaded", p.Name)
					}
				}
			})
		}

		// Many-to-many from the other side, select-in and joined.
		for _, opt := range []session.QueryOption{
			rel.SelectIn(TagChildren.Where(retort.Like(ChildName, "p001-%"))),
			rel.Joined(TagChildren.Where(retort.Like(ChildName, "p001-%"))),
		} {
			ts, err := session.All(ctx, session.New(env.DB), retort.Select(Tags).OrderBy(TagName.Asc()), opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range ts {
				got = append(got, tg.Name+": "+strings.Join(names(tg.Children.All(), func(c *Child) string { return c.Name }), " "))
			}
			want := []string{"t0: p001-c00 p001-c01 p001-c02", "t1: p001-c01 p001-c02", "t2: p001-c02"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}
	})
}

// TestFilteredSelfJoin: a filtered self-referential relationship joined
// twice; the second node table is an alias, which the condition follows.
func TestFilteredSelfJoin(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		root := &Node{Name: "root", Children: rel.ManyOf(
			&Node{Name: "a", Children: rel.ManyOf(&Node{Name: "a1"}, &Node{Name: "ax"})},
			&Node{Name: "b", Children: rel.ManyOf(&Node{Name: "b1"})},
			&Node{Name: "x"})}
		s := session.New(env.DB)
		if err := session.Add(s, root); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		notX := NodeChildren.Where(retort.NotLike(NodeName, "%x"))
		for _, opt := range []session.QueryOption{
			rel.Joined(notX).Then(rel.Joined(notX)),
			rel.SelectIn(notX).Then(rel.Joined(notX)),
			rel.Joined(notX).Then(rel.SelectIn(notX)),
		} {
			env.Count.Reset()
			roots, err := session.All(ctx, session.New(env.DB), retort.Select(Nodes).Where(NodeParentID.IsNull()), opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range roots {
				for c := range r.Children.All() {
					got = append(got, c.Name+":"+strings.Join(names(c.Children.All(), func(n *Node) string { return n.Name }), ","))
				}
			}
			if diff := cmp.Diff([]string{"a:a1", "b:b1"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}
	})
}

// TestFilteredChanges: a partly loaded collection is changed like any
// other; the flush touches only what it holds, and a later load leaves it
// as it is.
func TestFilteredChanges(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		s := session.New(env.DB)
		p, err := session.First(ctx, s, retort.Select(Parents).Where(ParentName.Eq("p001")),
			rel.SelectIn(ParentChildren.Where(ChildName.Ne("p001-c00"))))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"p001", "p001-c01", "p001-c02"}, familyTree(t, []*Parent{p})); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
		// Remove one, add one, and load again, unfiltered: the collection
		// stays as loaded and changed.
		kids := p.Children.All()
		var c01 *Child
		for k := range kids {
			if k.Name == "p001-c01" {
				c01 = k
			}
		}
		p.Children.Remove(c01)
		p.Children.Add(&Child{Name: "p001-c03"})
		if _, err := session.All(ctx, s, retort.Select(Parents).Where(ParentName.Eq("p001")), rel.SelectIn(ParentChildren)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"p001", "p001-c02", "p001-c03[]"}, familyTree(t, []*Parent{p})); diff != "" {
			t.Errorf("after a second load (-want +got):\n%s", diff)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// The database: c01 lost its parent, c00 (never loaded) kept it.
		fresh, err := session.First(ctx, session.New(env.DB), retort.Select(Parents).Where(ParentName.Eq("p001")), rel.SelectIn(ParentChildren))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"p001", "p001-c00", "p001-c02", "p001-c03"}, familyTree(t, []*Parent{fresh})); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}
		orphan, err := retort.Select(Children).Where(ChildName.Eq("p001-c01")).One(ctx, env.DB)
		if err != nil || orphan.ParentID != nil {
			t.Errorf("removed child: %+v, %v", orphan, err)
		}

		// Replace replaces what the collection holds, not the rest.
		s = session.New(env.DB)
		p, err = session.First(ctx, s, retort.Select(Parents).Where(ParentName.Eq("p002")),
			rel.Joined(ParentChildren.Where(ChildName.Eq("p002-c02"))))
		if err != nil {
			t.Fatal(err)
		}
		p.Children.Replace(&Child{Name: "p002-c09"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		fresh, err = session.First(ctx, session.New(env.DB), retort.Select(Parents).Where(ParentName.Eq("p002")), rel.SelectIn(ParentChildren))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"p002", "p002-c00", "p002-c01", "p002-c09"}, familyTree(t, []*Parent{fresh})); diff != "" {
			t.Errorf("after Replace (-want +got):\n%s", diff)
		}
	})
}

// TestFilteredErrors: a condition on another table, or a nil one, is an
// error naming it, before any SQL is sent.
func TestFilteredErrors(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		wrong := ParentChildren.Where(ParentName.Eq("p000"))
		for _, c := range []struct {
			name string
			opt  session.QueryOption
			want string
		}{
			{"selectin, other table", rel.SelectIn(wrong), `"parent"."name" refers to table "parent"`},
			{"joined, other table", rel.Joined(wrong), `"parent"."name" refers to table "parent"`},
			{"nil", rel.SelectIn(ParentChildren.Where(ChildName.Ne("x"), nil)), "condition 2 of 2 is nil"},
			{"joined nil", rel.Joined(ParentChildren.Where(nil)), "condition 1 of 1 is nil"},
		} {
			t.Run(c.name, func(t *testing.T) {
				env.Count.Reset()
				_, err := session.All(ctx, session.New(env.DB), retort.Select(Parents), c.opt)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want one containing %q", err, c.want)
				}
				if strings.Contains(c.name, "joined") && env.Count.RoundTrips() != 0 {
					t.Errorf("%d round trips before the error", env.Count.RoundTrips())
				}
			})
		}
	})
}

// TestFilteredSubclassTargets: conditions on targets of a joined-table
// hierarchy may use its base table; a Joined path loads as SelectIn.
func TestFilteredSubclassTargets(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(StafferClass.Tables(), Projects, ChiefProjects.Table())...)
		s := session.New(env.DB)
		apollo, gemini := &Project{Title: "apollo"}, &Project{Title: "gemini"}
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}, Projects: rel.ManyOf(apollo, gemini)}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}}, &Minion{Staffer: Staffer{Name: "Max"}})
		zed := &Chief{Staffer: Staffer{Name: "Zed"}, Projects: rel.ManyOf(gemini)}
		if err := session.AddAll(s, cleo, zed); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		notMo := ChiefTeam.Where(StafferName.Ne("Mo"))
		for _, opt := range []session.QueryOption{rel.SelectIn(notMo), rel.Joined(notMo)} {
			c, err := inherit.First(ctx, session.New(env.DB), inherit.Select(ChiefClass).Where(StafferName.Eq("Cleo")), opt)
			if err != nil {
				t.Fatal(err)
			}
			got := sorted(names(c.Team.All(), func(m *Minion) string { return m.Name }))
			if diff := cmp.Diff([]string{"Max", "Mia"}, got); diff != "" {
				t.Errorf("team (-want +got):\n%s", diff)
			}
		}
		ps, err := session.All(ctx, session.New(env.DB), retort.Select(Projects).OrderBy(ProjectTitle.Asc()),
			rel.SelectIn(ProjectsChiefs.Where(StafferName.Eq("Zed"))))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Title+": "+strings.Join(names(p.Chiefs.All(), func(c *Chief) string { return c.Name }), " "))
		}
		if diff := cmp.Diff([]string{"apollo: ", "gemini: Zed"}, got); diff != "" {
			t.Errorf("chiefs (-want +got):\n%s", diff)
		}
	})
}

// TestFailedLoadLeavesUnloaded: when an eager load's statement fails (here
// a condition the database cannot evaluate; a cancelled context, a dropped
// connection alike), the collections it began are not loaded, and hold
// what they held: a later load reads them. Before, they stayed marked
// loaded and empty, and a later load read nothing.
func TestFailedLoadLeavesUnloaded(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		bad := retort.Raw(`json_extract('not json', '$') IS NULL`) // SQLite: malformed JSON
		if env.Dialect == retort.Postgres {
			bad = retort.Raw(`'not json'::jsonb IS NULL`)
		}
		parents := retort.Select(Parents).OrderBy(ParentName.Asc())
		for _, c := range []struct {
			name string
			opt  session.QueryOption
		}{
			{"selectin", rel.SelectIn(ParentChildren.Where(bad))},
			{"joined", rel.Joined(ParentChildren.Where(bad))},
			{"selectin then joined", rel.SelectIn(ParentChildren).Then(rel.Joined(ChildTags.Where(bad)))},
			{"selectin then nil condition", rel.SelectIn(ParentChildren).Then(rel.Joined(ChildTags.Where(nil)))},
			{"populate", rel.SelectIn(ParentChildren.Where(bad))},
		} {
			t.Run(c.name, func(t *testing.T) {
				// Without autoflush, the new child stays unflushed and no
				// transaction begins (PostgreSQL would abort it at the error).
				s := session.New(env.DB, session.Autoflush(false))
				ps, err := session.All(ctx, s, parents)
				if err != nil {
					t.Fatal(err)
				}
				extra := &Child{Name: "p000-new"}
				ps[0].Children.Add(extra) // unflushed, on a collection not loaded
				opts := []session.QueryOption{c.opt}
				if c.name == "populate" {
					if _, err := session.All(ctx, s, parents, rel.SelectIn(ParentChildren)); err != nil {
						t.Fatal(err)
					}
					opts = append(opts, session.PopulateExisting())
				}
				if _, err := session.All(ctx, s, parents, opts...); err == nil {
					t.Fatal("no error")
				}
				for _, p := range ps {
					if p.Children.Loaded() {
						t.Errorf("%s: children loaded after the failed load", p.Name)
					}
					for k := range p.Children.All() {
						if k != extra && k.Tags.Loaded() {
							t.Errorf("%s: tags loaded after the failed load", k.Name)
						}
					}
				}
				if !ps[0].Children.Contains(extra) {
					t.Error("the unflushed addition was lost")
				}
				got, err := session.All(ctx, s, parents, rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"p000", "p000-c00[t0]", "p000-c01[t0 t1]", "p000-c02[t0 t1 t2]", "p000-new",
					"p001", "p001-c00[t0]", "p001-c01[t0 t1]", "p001-c02[t0 t1 t2]",
					"p002", "p002-c00[t0]", "p002-c01[t0 t1]", "p002-c02[t0 t1 t2]"}
				if diff := cmp.Diff(want, familyTree(t, got)); diff != "" {
					t.Errorf("loaded again (-want +got):\n%s", diff)
				}
			})
		}
	})
}
