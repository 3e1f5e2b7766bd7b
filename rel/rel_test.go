package rel_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

func gruntNames(b *Boss) []string {
	return names(b.Employees.All(), func(g *Grunt) string { return g.Name })
}

func employer(t *testing.T, g *Grunt) *Boss {
	t.Helper()
	b, err := g.Employer.Get()
	if err != nil {
		t.Fatalf("%s.Employer.Get(): %v", g.Name, err)
	}
	return b
}

func bossOf(t *testing.T, env *dbtest.Env, id int64) *int64 {
	t.Helper()
	g, err := retort.Select(Grunts).Where(GruntID.Eq(id)).One(context.Background(), env.DB)
	if err != nil {
		t.Fatal(err)
	}
	return g.BossID
}

// TestBackPopulates: each side of a linked relationship follows the other in
// memory, before any flush, and the flush writes what memory says.
func TestBackPopulates(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b1, b2 := &Boss{Name: "b1"}, &Boss{Name: "b2"}
		g := &Grunt{Name: "g"}
		b1.Employees.Add(g) // b1 is not known yet: the link is made when it is
		if err := session.AddAll(s, b1, b2); err != nil {
			t.Fatal(err)
		}
		if got := employer(t, g); got != b1 {
			t.Fatalf("after Add to a session: Employer = %v, want b1", got)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, g.ID); got == nil || *got != b1.ID {
			t.Fatalf("boss_id = %v, want %d", got, b1.ID)
		}

		g.Employer.Set(b2)
		if b1.Employees.Contains(g) || !b2.Employees.Contains(g) {
			t.Errorf("after Set(b2): b1 %v, b2 %v", gruntNames(b1), gruntNames(b2))
		}
		b1.Employees.Add(g)
		if employer(t, g) != b1 || b2.Employees.Contains(g) {
			t.Errorf("after b1.Employees.Add: Employer %v, b2 %v", employer(t, g).Name, gruntNames(b2))
		}
		b1.Employees.Remove(g)
		if got := employer(t, g); got != nil {
			t.Errorf("after Remove: Employer = %v, want nil", got.Name)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, g.ID); got != nil {
			t.Fatalf("after Remove: boss_id = %d, want NULL", *got)
		}
		b2.Employees.Add(g)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, g.ID); got == nil || *got != b2.ID {
			t.Fatalf("boss_id = %v, want %d", got, b2.ID)
		}

		// Objects loaded by a new session, collections not loaded.
		s2 := session.New(env.DB)
		g2, err := session.Get(ctx, s2, Grunts, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		x1, _ := session.Get(ctx, s2, Bosses, b1.ID)
		x2, _ := session.Get(ctx, s2, Bosses, b2.ID)
		g2.Employer.Set(x1) // its old boss x2 is found in the identity map
		if !x1.Employees.Contains(g2) || x1.Employees.Loaded() {
			t.Errorf("x1.Employees: %v, loaded %v", gruntNames(x1), x1.Employees.Loaded())
		}
		if err := x2.Employees.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if err := x1.Employees.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"g"}, gruntNames(x1)); diff != "" {
			t.Errorf("x1 after Load (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{}, gruntNames(x2)); diff != "" {
			t.Errorf("x2 after Load (-want +got):\n%s", diff)
		}

		// A transient object, through the relationship's own methods.
		g3 := &Grunt{Name: "g3"}
		GruntEmployer.Set(g3, x1)
		if !x1.Employees.Contains(g3) {
			t.Errorf("GruntEmployer.Set: x1.Employees = %v", gruntNames(x1))
		}
		BossEmployees.Remove(x1, g3)
		if employer(t, g3) != nil || x1.Employees.Contains(g3) {
			t.Error("BossEmployees.Remove did not clear the reference")
		}
		BossEmployees.Add(x2, g3)
		if employer(t, g3) != x2 {
			t.Error("BossEmployees.Add did not set the reference")
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, g3.ID); got == nil || *got != x2.ID {
			t.Errorf("g3 boss_id = %v, want %d (saved through the cascade)", got, x2.ID)
		}
	})
}

// TestSaveUpdateCascade: adding one object saves what it reaches, parents
// first, with foreign keys filled in.
func TestSaveUpdateCascade(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		boss := &Boss{Name: "boss"}
		g := &Grunt{Name: "g", Employer: rel.OneOf(boss)}
		if err := session.Add(s, g); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if boss.ID == 0 || g.BossID == nil || *g.BossID != boss.ID {
			t.Fatalf("boss %d, grunt's boss_id %v", boss.ID, g.BossID)
		}
		if !boss.Employees.Contains(g) {
			t.Error("the boss's collection does not hold the grunt")
		}

		// A one-to-many without a reverse field: the owner's key reaches
		// the children all the same, in one flush.
		u := &User{Name: "ann"}
		for _, n := range []string{"o1", "o2", "o3"} {
			u.Orders.Add(&Order{Note: n, Items: rel.ManyOf(&Item{Qty: 1, Product: rel.OneOf(&Product{Name: n + "-p"})})})
		}
		if err := session.Add(s, u); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if env.Dialect == retort.Postgres {
			// users and products, then orders (need the user's key), then
			// items (need the orders' keys): each waits for the keys it needs.
			if n := env.Count.RoundTrips(); n > 4 {
				t.Errorf("flush took %d round trips", n)
			}
		}
		for o := range u.Orders.All() {
			if o.UserID != u.ID {
				t.Errorf("order %s: user_id %d, want %d", o.Note, o.UserID, u.ID)
			}
			for it := range o.Items.All() {
				p, _ := it.Product.Get()
				if it.OrderID != o.ID || it.ProductID != p.ID || p.ID == 0 {
					t.Errorf("item: order_id %d product_id %d, want %d %d", it.OrderID, it.ProductID, o.ID, p.ID)
				}
			}
		}
		n, err := retort.Select(Items).Count(ctx, env.DB)
		if err != nil || n != 3 {
			t.Errorf("items: %d, %v", n, err)
		}
	})
}

// TestRemoveFromOneToMany: a removed child gets a NULL foreign key; a child
// moved to another owner keeps its row.
func TestRemoveFromOneToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		u1 := &User{Name: "u1", Orders: rel.ManyOf(&Order{Note: "a"}, &Order{Note: "b"}, &Order{Note: "c"})}
		u2 := &User{Name: "u2"}
		if err := session.AddAll(s, u1, u2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// A new session: UserOrders deletes orphans; OrderItems cascades the
		// delete to the (loaded) items.
		s2 := session.New(env.DB)
		us, err := session.All(ctx, s2, retort.Select(Users).OrderBy(UserName.Asc()), rel.SelectIn(UserOrders).Then(rel.SelectIn(OrderItems)))
		if err != nil {
			t.Fatal(err)
		}
		v1, v2 := us[0], us[1]
		orders, _ := v1.Orders.Get()
		a, b := orders[0], orders[1]
		a.Items.Add(&Item{Qty: 5, Product: rel.OneOf(&Product{Name: "p"})})
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		v1.Orders.Remove(a, b) // a is an orphan now; b moves to u2
		v2.Orders.Add(b)
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		left, err := retort.Select(Orders).OrderBy(OrderNote.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range left {
			owner := "u1"
			if o.UserID == u2.ID {
				owner = "u2"
			}
			got = append(got, o.Note+"@"+owner)
		}
		if diff := cmp.Diff([]string{"b@u2", "c@u1"}, got); diff != "" {
			t.Errorf("orders (-want +got):\n%s", diff)
		}
		if n, _ := retort.Select(Items).Count(ctx, env.DB); n != 0 {
			t.Errorf("%d items left, want 0 (deleted with their order)", n)
		}
		if got := s2.StatusOf(a); got != session.Detached {
			t.Errorf("orphan's status: %v", got)
		}

		// Without DeleteOrphan, a removed child only loses its key.
		boss := &Boss{Name: "b", Employees: rel.ManyOf(&Grunt{Name: "x"}, &Grunt{Name: "y"})}
		if err := session.Add(s2, boss); err != nil {
			t.Fatal(err)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		gs, _ := boss.Employees.Get()
		boss.Employees.Remove(gs[0])
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, gs[0].ID); got != nil {
			t.Errorf("removed grunt: boss_id %d, want NULL", *got)
		}
		if got := bossOf(t, env, gs[1].ID); got == nil {
			t.Error("kept grunt lost its boss")
		}
	})
}

// TestDeleteCascade: deleting an owner deletes what its Delete cascades
// reach, and nulls the keys of the children of other relationships.
func TestDeleteCascade(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		root := &Node{Name: "root", Children: rel.ManyOf(
			&Node{Name: "a", Children: rel.ManyOf(&Node{Name: "a1"}, &Node{Name: "a2"})},
			&Node{Name: "b"},
		)}
		other := &Node{Name: "other"}
		boss := &Boss{Name: "b", Employees: rel.ManyOf(&Grunt{Name: "x"})}
		if err := session.AddAll(s, root, other); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, boss); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s2 := session.New(env.DB)
		r, err := rel.Single(ctx, s2, retort.Select(Nodes).Where(NodeName.Eq("root")),
			rel.SelectIn(NodeChildren).Then(rel.SelectIn(NodeChildren)))
		if err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s2, r); err != nil {
			t.Fatal(err)
		}
		if got := len(s2.Deleted()); got != 5 {
			t.Errorf("%d objects to delete, want the 5 nodes of the tree", got)
		}
		b, err := rel.Single(ctx, s2, retort.Select(Bosses), rel.SelectIn(BossEmployees))
		if err != nil {
			t.Fatal(err)
		}
		gs, _ := b.Employees.Get()
		if err := session.Delete(s2, b); err != nil {
			t.Fatal(err)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		left, _ := retort.Select(Nodes).All(ctx, env.DB)
		if len(left) != 1 || left[0].Name != "other" {
			t.Errorf("nodes left: %d", len(left))
		}
		if got := bossOf(t, env, gs[0].ID); got != nil {
			t.Errorf("grunt of a deleted boss: boss_id %d, want NULL", *got)
		}
	})
}

// TestManyToManyRows: adding and removing writes and deletes association
// rows, in one statement per kind and table, from either side.
func TestManyToManyRows(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		var tags []*Tag
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			tags = append(tags, &Tag{Name: n})
		}
		c1 := &Child{Name: "c1", Tags: rel.SetOf(tags[:4]...)}
		c2 := &Child{Name: "c2"}
		if err := session.AddAll(s, c1, c2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		links := func() []string {
			t.Helper()
			s := session.New(env.DB)
			cs, err := session.All(ctx, s, retort.Select(Children).OrderBy(ChildName.Asc()), rel.SelectIn(ChildTags))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				for x := range c.Tags.All() {
					out = append(out, c.Name+"-"+x.Name)
				}
			}
			return out
		}
		if diff := cmp.Diff([]string{"c1-a", "c1-b", "c1-c", "c1-d"}, links()); diff != "" {
			t.Fatalf("links (-want +got):\n%s", diff)
		}

		// Add then Remove before a flush writes nothing.
		c2.Tags.Add(tags[4])
		c2.Tags.Remove(tags[4])
		rec.take()
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Errorf("flush of cancelled changes sent %q", got)
		}

		// Remove three, add two from the other side: one DELETE, one INSERT
		// (one per row on SQLite).
		c1.Tags.Remove(tags[0], tags[1], tags[2])
		tags[4].Children.Add(c1, c2)
		if !c2.Tags.Contains(tags[4]) {
			t.Error("the reverse side did not follow")
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		deletes, inserts := 0, 0
		for _, q := range rec.take() {
			deletes += countPrefix(q, `DELETE FROM "child_tag"`)
			inserts += countPrefix(q, `INSERT INTO "child_tag"`)
		}
		if deletes != 1 || inserts != 1 {
			t.Errorf("%d DELETE and %d INSERT statements on child_tag, want 1 and 1", deletes, inserts)
		}
		if diff := cmp.Diff([]string{"c1-d", "c1-e", "c2-e"}, links()); diff != "" {
			t.Errorf("links (-want +got):\n%s", diff)
		}

		// A collection that is not loaded: removing records the removal.
		s2 := session.New(env.DB)
		x, err := session.Get(ctx, s2, Children, c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		e, err := session.Get(ctx, s2, Tags, tags[4].ID)
		if err != nil {
			t.Fatal(err)
		}
		x.Tags.Remove(e)
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"c1-d", "c2-e"}, links()); diff != "" {
			t.Errorf("links (-want +got):\n%s", diff)
		}

		// Removing, from a collection not loaded, a tag that is not linked
		// fails the flush as stale.
		s3 := session.New(env.DB)
		y, _ := session.Get(ctx, s3, Children, c2.ID)
		d, _ := session.Get(ctx, s3, Tags, tags[3].ID)
		y.Tags.Remove(d)
		if err := s3.Commit(ctx); !errors.Is(err, session.ErrStale) {
			t.Errorf("removing a link that does not exist: %v", err)
		}

		// Deleting a tag deletes its rows (the foreign keys cascade).
		if err := session.Delete(s2, e); err != nil {
			t.Fatal(err)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"c1-d"}, links()); diff != "" {
			t.Errorf("links (-want +got):\n%s", diff)
		}
	})
}

func countPrefix(batch, prefix string) int {
	n := 0
	for _, q := range splitBatch(batch) {
		if len(q) >= len(prefix) && q[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func splitBatch(sql string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(sql); i++ {
		if sql[i] == ';' && sql[i+1] == '\n' {
			out = append(out, sql[start:i])
			start = i + 2
		}
	}
	return append(out, sql[start:])
}

// TestTree: a self-referential relationship, saved from its root and loaded
// level by level, lazily, with SELECT IN and with self-joins.
func TestTree(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		root := &Node{Name: "root"}
		a := &Node{Name: "a"}
		root.Children.Add(&Node{Name: "b"}, a)
		a.Children.Add(&Node{Name: "a2"}, &Node{Name: "a1"})
		if err := session.Add(s, root); err != nil {
			t.Fatal(err)
		}
		if p, _ := a.Parent.Get(); p != root {
			t.Fatalf("a.Parent = %v", p)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if a.ParentID == nil || *a.ParentID != root.ID {
			t.Fatalf("a.parent_id = %v", a.ParentID)
		}
		shape := func(n *Node) string {
			var walk func(n *Node) string
			walk = func(n *Node) string {
				kids, err := n.Children.Get()
				if err != nil {
					t.Fatalf("%s: %v", n.Name, err)
				}
				out := n.Name
				if len(kids) > 0 {
					out += "("
					for i, k := range kids {
						if i > 0 {
							out += " "
						}
						if p, err := k.Parent.Get(); err != nil || p != n {
							t.Fatalf("%s.Parent = %v, %v", k.Name, p, err)
						}
						out += walk(k)
					}
					out += ")"
				}
				return out
			}
			return walk(n)
		}
		const want = "root(a(a1 a2) b)"
		top := retort.Select(Nodes).Where(NodeParentID.IsNull())
		deep := []session.QueryOption{rel.SelectIn(NodeChildren).Then(rel.SelectIn(NodeChildren).Then(rel.SelectIn(NodeChildren)))}
		for _, c := range []struct {
			name string
			want int64
			load func(s *session.Session) (*Node, error)
		}{
			{"selectin", 4, func(s *session.Session) (*Node, error) { return session.One(ctx, s, top, deep...) }},
			{"joined", 1, func(s *session.Session) (*Node, error) {
				return rel.Single(ctx, s, top, rel.Joined(NodeChildren).Then(rel.Joined(NodeChildren).Then(rel.Joined(NodeChildren))))
			}},
			{"lazy", 6, func(s *session.Session) (*Node, error) {
				r, err := session.One(ctx, s, top)
				if err != nil {
					return nil, err
				}
				var load func(n *Node) error
				load = func(n *Node) error {
					if err := n.Children.Load(ctx); err != nil {
						return err
					}
					for k := range n.Children.All() {
						if err := load(k); err != nil {
							return err
						}
					}
					return nil
				}
				return r, load(r)
			}},
		} {
			s := session.New(env.DB)
			env.Count.Reset()
			r, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := env.Count.RoundTrips(); got != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, got, c.want)
			}
			if got := shape(r); got != want {
				t.Errorf("%s: %s, want %s", c.name, got, want)
			}
		}
		// Moving a subtree.
		kids, _ := root.Children.Get()
		if kids[0].Name != "b" {
			t.Fatalf("root's first child is %s, want b (the order they were added in)", kids[0].Name)
		}
		kids[0].Children.Add(a) // b adopts a
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s3 := session.New(env.DB)
		r, err := session.One(ctx, s3, top, rel.SelectIn(NodeChildren).Then(rel.SelectIn(NodeChildren).Then(
			rel.SelectIn(NodeChildren).Then(rel.SelectIn(NodeChildren)))))
		if err != nil {
			t.Fatal(err)
		}
		if got := shape(r); got != "root(b(a(a1 a2)))" {
			t.Errorf("after moving a: %s", got)
		}
	})
}

// TestNotLoaded: reading a relationship that is not loaded and cannot be is
// an error, never a panic.
func TestNotLoaded(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Name: "b", Employees: rel.ManyOf(&Grunt{Name: "g"})}
		if err := session.Add(s, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		// Zero values.
		var one rel.One[Boss]
		if _, err := one.Get(); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("zero One.Get: %v", err)
		}
		if _, err := one.Load(ctx); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("zero One.Load: %v", err)
		}
		var many rel.Many[Grunt]
		if _, err := many.Get(); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("zero Many.Get: %v", err)
		}
		if err := many.Load(ctx); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("zero Many.Load: %v", err)
		}
		if many.Len() != 0 || many.Contains(nil) {
			t.Error("zero Many is not empty")
		}

		// Objects read without a session.
		g, err := retort.Select(Grunts).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Employer.Load(ctx); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("Load without a session: %v", err)
		}

		// Raise, per query: no SQL, an error naming the relationship.
		s2 := session.New(env.DB)
		bs, err := session.All(ctx, s2, retort.Select(Bosses), rel.Raise(BossEmployees))
		if err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		err = bs[0].Employees.Load(ctx)
		var nle *rel.NotLoadedError
		if !errors.As(err, &nle) || nle.Relationship != "boss.employees" || nle.Owner == "" {
			t.Errorf("Load of a raising relationship: %v", err)
		} else {
			t.Log(err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("a raising relationship sent %d statements", n)
		}
		// Raise does not stop eager loading; Lazy lifts it.
		if _, err := session.All(ctx, s2, retort.Select(Bosses), rel.Lazy(BossEmployees)); err != nil {
			t.Fatal(err)
		}
		if err := bs[0].Employees.Load(ctx); err != nil {
			t.Errorf("after rel.Lazy: %v", err)
		}

		// Get never loads: it says so, unless the identity map answers.
		gs, err := session.All(ctx, s2, retort.Select(Grunts))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := gs[0].Employer.Get(); err != nil || got != bs[0] {
			t.Errorf("Get with the boss in the session: %v, %v", got, err)
		}
		s3 := session.New(env.DB)
		gs, _ = session.All(ctx, s3, retort.Select(Grunts))
		if _, err := gs[0].Employer.Get(); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("Get with the boss not loaded: %v", err)
		}
		env.Count.Reset()
		if got, err := gs[0].Employer.Load(ctx); err != nil || got == nil || got.Name != "b" {
			t.Errorf("Load: %v, %v", got, err)
		}
		if n := env.Count.RoundTrips(); n != 1 {
			t.Errorf("Load took %d statements", n)
		}
	})
}

// TestIdentityMap: a many-to-one whose target the session holds costs no
// SQL; writing the foreign key directly is seen by the reference.
func TestIdentityMap(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b1, b2 := &Boss{Name: "b1"}, &Boss{Name: "b2"}
		g := &Grunt{Name: "g", Employer: rel.OneOf(b1)}
		if err := session.AddAll(s, b1, b2); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, g); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s2 := session.New(env.DB)
		bs, err := session.All(ctx, s2, retort.Select(Bosses).OrderBy(BossName.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		gs, err := session.All(ctx, s2, retort.Select(Grunts))
		if err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		got, err := gs[0].Employer.Load(ctx)
		if err != nil || got != bs[0] {
			t.Fatalf("Load = %v, %v", got, err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("a many-to-one in the identity map took %d statements", n)
		}
		// The program writes the key directly: the reference follows.
		gs[0].BossID = &bs[1].ID
		if got := employer(t, gs[0]); got != bs[1] {
			t.Errorf("after writing boss_id: %v", got)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := bossOf(t, env, g.ID); got == nil || *got != b2.ID {
			t.Errorf("boss_id = %v, want %d", got, b2.ID)
		}
	})
}

// TestDefaultStrategies: a relationship's default strategy applies to
// queries through rel.All and to lazy reads.
func TestDefaultStrategies(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		for _, n := range []string{"ann", "bob", "cy"} {
			a := &Author{Name: n}
			a.Books.Add(&Book{Title: n + " 2"}, &Book{Title: n + " 1"})
			if err := session.Add(s, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		q := retort.Select(Authors).OrderBy(AuthorName.Asc())
		check := func(name string, as []*Author) {
			t.Helper()
			for _, a := range as {
				bs, err := a.Books.Get()
				if err != nil || len(bs) != 2 || bs[0].Title != a.Name+" 1" {
					t.Errorf("%s: %s's books: %d, %v", name, a.Name, len(bs), err)
				}
			}
		}

		env.Count.Reset()
		as, err := rel.All(ctx, session.New(env.DB), q)
		if err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); n != 2 {
			t.Errorf("rel.All: %d statements, want 2", n)
		}
		check("rel.All", as)

		// Through session.All, the first lazy read loads every author's
		// books.
		env.Count.Reset()
		as, err = session.All(ctx, session.New(env.DB), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if err := a.Books.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := env.Count.RoundTrips(); n != 2 {
			t.Errorf("session.All then Load: %d statements, want 2", n)
		}
		check("lazy", as)

		// rel.Lazy overrides the default.
		env.Count.Reset()
		as, err = rel.All(ctx, session.New(env.DB), q, rel.Lazy(AuthorBooks))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if err := a.Books.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := env.Count.RoundTrips(); n != 4 {
			t.Errorf("rel.Lazy: %d statements, want 4", n)
		}

		// BookWriter raises: a book's author comes from the identity map or
		// from eager loading, never from a lazy load.
		s4 := session.New(env.DB)
		bs, err := session.All(ctx, s4, retort.Select(Books))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bs[0].Author.Load(ctx); !errors.Is(err, rel.ErrNotLoaded) {
			t.Errorf("Load of a raising reference: %v", err)
		}
		if _, err := session.All(ctx, s4, retort.Select(Books), rel.SelectIn(BookWriter)); err != nil {
			t.Fatal(err)
		}
		if a, err := bs[0].Author.Load(ctx); err != nil || a == nil {
			t.Errorf("after SelectIn: %v, %v", a, err)
		}
	})
}

// TestFlushFailure: a failed flush leaves objects as they were; fixing the
// cause and flushing again writes the right keys.
func TestFlushFailure(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		u := &User{Name: "ann", Orders: rel.ManyOf(&Order{Note: "o1"}, &Order{Note: "o2"})}
		c := &Child{Name: "c", Tags: rel.SetOf(&Tag{Name: "t"})}
		bad := &Grunt{Name: "bad", BossID: ptr(int64(999))} // no such boss
		if err := session.Add(s, u); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, c); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, bad); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit with a dangling foreign key succeeded")
		}
		if u.ID != 0 {
			t.Errorf("after the failed flush u.ID = %d", u.ID)
		}
		bad.BossID = nil
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for o := range u.Orders.All() {
			if o.UserID != u.ID || o.ID == 0 {
				t.Errorf("order %s: id %d user_id %d, want user %d", o.Note, o.ID, o.UserID, u.ID)
			}
		}
		cs, err := session.All(ctx, session.New(env.DB), retort.Select(Children), rel.SelectIn(ChildTags))
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].Tags.Len() != 1 {
			t.Errorf("child's tags after the retry: %d children", len(cs))
		}
	})
}

// TestJoinedQueries: rel.All keeps the query's WHERE, ORDER BY and LIMIT,
// returns each parent once, and loads empty collections.
func TestJoinedQueries(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedFamilies(t, env, 5, 3)
		s := session.New(env.DB)
		lonely := &Parent{Name: "p999"}
		if err := session.Add(s, lonely); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		ps, err := rel.All(ctx, session.New(env.DB), retort.Select(Parents).Where(ParentName.Ne("p000")).OrderBy(ParentName.Desc()).Limit(3),
			rel.Joined(ParentChildren))
		if err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); n != 1 {
			t.Errorf("%d statements", n)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Name)
			kids, err := p.Children.Get()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, names(func(yield func(*Child) bool) {
				for _, k := range kids {
					yield(k)
				}
			}, func(c *Child) string { return c.Name })...)
		}
		want := []string{"p999", "p004", "p004-c00", "p004-c01", "p004-c02", "p003", "p003-c00", "p003-c01", "p003-c02"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if _, err := rel.Single(ctx, session.New(env.DB), retort.Select(Parents), rel.Joined(ParentChildren)); !errors.Is(err, retort.ErrTooManyRows) {
			t.Errorf("Single of many: %v", err)
		}
		p, err := rel.First(ctx, session.New(env.DB), retort.Select(Parents).OrderBy(ParentName.Asc()), rel.Joined(ParentChildren))
		if err != nil || p.Name != "p000" || p.Children.Len() != 3 {
			t.Errorf("First: %v, %v", p, err)
		}
		if _, err := rel.First(ctx, session.New(env.DB), retort.Select(Parents).Where(ParentName.Eq("none")), rel.Joined(ParentChildren)); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("First of none: %v", err)
		}
		// A path given to a query of another type is an error.
		if _, err := session.All(ctx, session.New(env.DB), retort.Select(Children), rel.SelectIn(ParentChildren)); err == nil {
			t.Error("a parent's relationship loaded for children: no error")
		} else {
			t.Log(err)
		}
	})
}

// TestSelfManyToMany: friends of friends, through one association table
// joined twice.
func TestSelfManyToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		ann, bob, cy, dee := &Person{Name: "ann"}, &Person{Name: "bob"}, &Person{Name: "cy"}, &Person{Name: "dee"}
		ann.Friends.Add(cy, bob)
		bob.Friends.Add(dee)
		cy.Friends.Add(ann, dee)
		if err := session.Add(s, ann); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		shape := func(p *Person) string {
			out := p.Name + ":"
			for f := range p.Friends.All() {
				out += " " + f.Name + "("
				fs, err := f.Friends.Get()
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				for i, g := range fs {
					if i > 0 {
						out += " "
					}
					out += g.Name
				}
				out += ")"
			}
			return out
		}
		const want = "ann: bob(dee) cy(ann dee)"
		q := retort.Select(People).Where(PersonName.Eq("ann"))
		for _, c := range []struct {
			name string
			want int64
			load func(s *session.Session) (*Person, error)
		}{
			{"selectin", 3, func(s *session.Session) (*Person, error) {
				return session.One(ctx, s, q, rel.SelectIn(PersonFriends).Then(rel.SelectIn(PersonFriends)))
			}},
			{"joined", 1, func(s *session.Session) (*Person, error) {
				return rel.Single(ctx, s, q, rel.Joined(PersonFriends).Then(rel.Joined(PersonFriends)))
			}},
			{"selectin then joined", 2, func(s *session.Session) (*Person, error) {
				return session.One(ctx, s, q, rel.SelectIn(PersonFriends).Then(rel.Joined(PersonFriends)))
			}},
		} {
			env.Count.Reset()
			p, err := c.load(session.New(env.DB))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if n := env.Count.RoundTrips(); n != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, n, c.want)
			}
			if got := shape(p); got != want {
				t.Errorf("%s: %s, want %s", c.name, got, want)
			}
		}
	})
}

// TestReplaceAndCopies: Replace diffs a collection; copies of an object
// (the session's snapshots, Merge's copy) do not disturb its relationships.
func TestReplaceAndCopies(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		a, b, c := &Tag{Name: "a"}, &Tag{Name: "b"}, &Tag{Name: "c"}
		ch := &Child{Name: "ch", Tags: rel.SetOf(a, b)}
		if err := session.Add(s, ch); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		ch.Tags.Replace(b, c)
		if got := tagNames(ch); !cmp.Equal(got, []string{"b", "c"}) {
			t.Errorf("after Replace: %v", got)
		}
		if a.Children.Contains(ch) || !c.Children.Contains(ch) {
			t.Error("the reverse side did not follow Replace")
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		x, err := session.One(ctx, session.New(env.DB), retort.Select(Children), rel.SelectIn(ChildTags))
		if err != nil {
			t.Fatal(err)
		}
		if got := tagNames(x); !cmp.Equal(got, []string{"b", "c"}) {
			t.Errorf("stored: %v", got)
		}

		// A copy of a struct gets its own relationships at its first use.
		boss := &Boss{Name: "boss"}
		g := &Grunt{Name: "g"}
		GruntEmployer.Set(g, boss)
		cp := *g
		cp.Employer.Set(nil)
		if employer(t, g) != boss || employer(t, &cp) != nil {
			t.Error("a struct copy shares its reference with the original")
		}

		// Merge adds a copy of an object that has no row yet; the copy's
		// reference is its own.
		s2 := session.New(env.DB)
		merged, err := session.Merge(ctx, s2, g)
		if err != nil {
			t.Fatal(err)
		}
		if merged == g {
			t.Fatal("Merge returned the object itself")
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if merged.BossID == nil || *merged.BossID != boss.ID {
			t.Errorf("merged copy: boss_id %v, want %d", merged.BossID, boss.ID)
		}
		if !boss.Employees.Contains(merged) {
			t.Errorf("the boss's employees: %v", gruntNames(boss))
		}
		merged.Employer.Set(nil)
		if got := employer(t, g); got != boss {
			t.Errorf("the original's reference changed with the copy's: %v", got)
		}
	})
}

// TestStringKeysAndTypes: keys the program supplies (strings), and joined
// targets with columns of every kind (a decimal, a time, NULL-able ones).
func TestStringKeysAndTypes(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		when := time.Date(1200, 1, 2, 0, 0, 0, 0, time.UTC)
		fr := &Country{Code: "fr", Name: "France"}
		fr.Cities.Add(&City{Name: "Lyon", Founded: when}, &City{Name: "Paris", Founded: when})
		nl := &Country{Code: "nl", Name: "Netherlands"}
		city := &City{Name: "Delft", Founded: when}
		CityIn.Set(city, nl)
		if err := session.AddAll(s, fr, nl); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if city.Country != "nl" {
			t.Errorf("Delft's country: %q", city.Country)
		}
		for _, load := range []func(s *session.Session) ([]*Country, error){
			func(s *session.Session) ([]*Country, error) {
				return session.All(ctx, s, retort.Select(Countries).OrderBy(CountryCode.Asc()), rel.SelectIn(CountryCities))
			},
			func(s *session.Session) ([]*Country, error) {
				return rel.All(ctx, s, retort.Select(Countries).OrderBy(CountryCode.Asc()), rel.Joined(CountryCities))
			},
		} {
			cs, err := load(session.New(env.DB))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				for x := range c.Cities.All() {
					if !x.Founded.Equal(when) {
						t.Errorf("%s founded %v", x.Name, x.Founded)
					}
					got = append(got, c.Code+":"+x.Name)
				}
			}
			if diff := cmp.Diff([]string{"fr:Paris", "fr:Lyon", "nl:Delft"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}

		// A decimal NOT NULL column read through a join.
		p := &Product{Name: "pen", Cost: retort.MustDecimal("1.25")}
		it := &Item{Qty: 3, Product: rel.OneOf(p)}
		o := &Order{Note: "o", Items: rel.ManyOf(it)}
		u := &User{Name: "u", Orders: rel.ManyOf(o)}
		if err := session.Add(s, u); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		os, err := rel.All(ctx, session.New(env.DB), retort.Select(Orders), rel.Joined(OrderItems).Then(rel.Joined(ItemProductR)))
		if err != nil {
			t.Fatal(err)
		}
		items, _ := os[0].Items.Get()
		got, err := items[0].Product.Get()
		if err != nil || got.Cost.String() != "1.25" || got.Name != "pen" {
			t.Errorf("joined product: %+v, %v", got, err)
		}
	})
}

// Removing objects from a collection inside a loop over its All: every
// object not removed is visited once, a removed one not reached yet is not,
// and none is nil; in memory (small and indexed collections) and in a
// session, where the removals are written.
func TestRemoveWhileRanging(t *testing.T) {
	for _, n := range []int{3, 20} {
		tags := make([]*Tag, n)
		for i := range tags {
			tags[i] = &Tag{Name: fmt.Sprintf("t%02d", i)}
		}
		ch := &Child{Name: "ch", Tags: rel.SetOf(tags...)}
		var seen []string
		for x := range ch.Tags.All() {
			if x == nil {
				t.Fatalf("%d tags: All yielded nil", n)
			}
			seen = append(seen, x.Name)
			if x == tags[0] {
				ch.Tags.Remove(tags[0], tags[2]) // itself and one not reached yet
			}
		}
		var want []string
		for i, x := range tags {
			if i != 2 {
				want = append(want, x.Name)
			}
		}
		if diff := cmp.Diff(want, seen); diff != "" {
			t.Errorf("%d tags: visited (-want +got):\n%s", n, diff)
		}
		if diff := cmp.Diff(want[1:], tagNames(ch)); diff != "" {
			t.Errorf("%d tags: left (-want +got):\n%s", n, diff)
		}
	}
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		ch := &Child{Name: "ch", Tags: rel.SetOf(&Tag{Name: "a"}, &Tag{Name: "b"}, &Tag{Name: "c"})}
		if err := session.Add(s, ch); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for x := range ch.Tags.All() {
			seen = append(seen, x.Name)
			if x.Name != "b" {
				ch.Tags.Remove(x)
			}
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, seen); diff != "" {
			t.Errorf("visited (-want +got):\n%s", diff)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		x, err := session.One(ctx, session.New(env.DB), retort.Select(Children), rel.SelectIn(ChildTags))
		if err != nil {
			t.Fatal(err)
		}
		if got := tagNames(x); !cmp.Equal(got, []string{"b"}) {
			t.Errorf("stored: %v", got)
		}
	})
}
