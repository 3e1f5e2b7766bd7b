package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// TestPopulateExistingCollections: with session.PopulateExisting, an eager
// load reads collections already loaded again (SQLAlchemy's
// populate_existing), so that they show what the database holds now, and
// keeps their unflushed changes; many-to-one targets the session holds are
// read again too. Without it a loaded collection is left as it is.
func TestPopulateExistingCollections(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		parents := retort.Select(Parents).OrderBy(ParentName.Asc())
		for _, c := range []struct {
			name string
			load func(r rel.Relation[Parent, Child]) *rel.Load[Parent, Child]
		}{
			{"selectin", rel.SelectIn[Parent, Child]},
			{"joined", rel.Joined[Parent, Child]},
		} {
			t.Run(c.name, func(t *testing.T) {
				s := session.New(env.DB)
				ps, err := session.All(ctx, s, parents.Where(ParentName.Eq("p000")),
					c.load(ParentChildren.Where(ChildName.Ne("p000-c02"))).Then(rel.SelectIn(ChildTags)))
				if err != nil {
					t.Fatal(err)
				}
				p := ps[0]
				if diff := cmp.Diff([]string{"p000", "p000-c00[t0]", "p000-c01[t0 t1]"}, familyTree(t, ps)); diff != "" {
					t.Fatalf("first load (-want +got):\n%s", diff)
				}
				// Unflushed: a new child added, c00 removed.
				var c00 *Child
				for k := range p.Children.All() {
					if k.Name == "p000-c00" {
						c00 = k
					}
				}
				p.Children.Remove(c00)
				p.Children.Add(&Child{Name: "p000-new"})

				// Elsewhere: c01 renamed and untagged from t0, a child added.
				other := session.New(env.DB)
				q, err := session.First(ctx, other, parents.Where(ParentName.Eq("p000")), rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
				if err != nil {
					t.Fatal(err)
				}
				for k := range q.Children.All() {
					if k.Name == "p000-c01" {
						k.Name = "p000-c01b"
						for tg := range k.Tags.All() {
							if tg.Name == "t0" {
								k.Tags.Remove(tg)
							}
						}
					}
				}
				q.Children.Add(&Child{Name: "p000-c05"})
				if err := other.Commit(ctx); err != nil {
					t.Fatal(err)
				}

				// Without PopulateExisting: as loaded.
				ps, err = session.All(ctx, s, parents.Where(ParentName.Eq("p000")), c.load(ParentChildren).Then(rel.SelectIn(ChildTags)))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"p000", "p000-c01[t0 t1]", "p000-new[]"}, familyTree(t, ps)); diff != "" {
					t.Errorf("loaded again without PopulateExisting (-want +got):\n%s", diff)
				}
				// With it: the database's children (c00's removal and the new
				// child kept), their names and tags; the filter is gone.
				ps, err = session.All(ctx, s, parents.Where(ParentName.Eq("p000")), session.PopulateExisting(),
					c.load(ParentChildren).Then(rel.SelectIn(ChildTags)))
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"p000", "p000-c01b[t1]", "p000-c02[t0 t1 t2]", "p000-c05[]", "p000-new[]"}
				if diff := cmp.Diff(want, familyTree(t, ps)); diff != "" {
					t.Errorf("with PopulateExisting (-want +got):\n%s", diff)
				}
				if ps[0] != p {
					t.Error("another object for the parent")
				}
				// The flush writes the kept changes.
				if err := s.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				fresh, err := session.All(ctx, session.New(env.DB), parents.Where(ParentName.Eq("p000")), rel.SelectIn(ParentChildren))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"p000", "p000-c01b", "p000-c02", "p000-c05", "p000-new"}, familyTree(t, fresh)); diff != "" {
					t.Errorf("stored (-want +got):\n%s", diff)
				}
				// Back to the seed for the next case.
				for _, table := range []string{"child_tag", "child", "tag", "parent"} {
					if _, err := env.DB.Exec(ctx, "DELETE FROM "+retort.QuoteIdent(table)); err != nil {
						t.Fatal(err)
					}
				}
				seedTagged(t, env)
			})
		}
	})
}

// TestPopulateExistingReference: a many-to-one target the session holds is
// read again with PopulateExisting (without it, no SQL).
func TestPopulateExistingReference(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedTagged(t, env)
		s := session.New(env.DB)
		children := retort.Select(Children).Where(ChildName.Eq("p001-c00"))
		c, err := session.First(ctx, s, children, rel.SelectIn(ChildParent))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(Parents).Set(ParentName.To("p001-renamed")).Where(ParentName.Eq("p001")).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, opt := range []func(rel.Relation[Child, Parent]) session.QueryOption{
			func(r rel.Relation[Child, Parent]) session.QueryOption { return rel.SelectIn(r) },
			func(r rel.Relation[Child, Parent]) session.QueryOption { return rel.Joined(r) },
		} {
			env.Count.Reset()
			if _, err := session.First(ctx, s, children, opt(ChildParent)); err != nil {
				t.Fatal(err)
			}
			if p := parentOf(t, c); p.Name != "p001" {
				t.Errorf("without PopulateExisting: %q", p.Name)
			}
			if _, err := session.First(ctx, s, children, session.PopulateExisting(), opt(ChildParent)); err != nil {
				t.Fatal(err)
			}
			if p := parentOf(t, c); p.Name != "p001-renamed" {
				t.Errorf("with PopulateExisting: %q", p.Name)
			}
			if _, err := retort.Update(Parents).Set(ParentName.To("p001")).Where(ParentName.Eq("p001-renamed")).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			if err := session.Refresh(ctx, s, parentOf(t, c)); err != nil {
				t.Fatal(err)
			}
			if _, err := retort.Update(Parents).Set(ParentName.To("p001-renamed")).Where(ParentName.Eq("p001")).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func parentOf(t *testing.T, c *Child) *Parent {
	t.Helper()
	p, err := c.Parent.Get()
	if err != nil || p == nil {
		t.Fatalf("%s's parent: %v, %v", c.Name, p, err)
	}
	return p
}
