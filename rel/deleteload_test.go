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

// Recipes hold tracks whose foreign key deletes them in the database (ON
// DELETE CASCADE): the flush need not load them. An account's profile is
// deleted with the account (a many-to-one with a delete cascade); a
// playlist's songs with the playlist (a many-to-many with one).

type Recipe struct {
	ID    int64
	Title string
	Steps rel.Many[Step]
}

type Step struct {
	ID       int64
	RecipeID int64
	Title    string
}

type Profile struct {
	ID  int64
	Bio string
}

type Account struct {
	ID        int64
	Login     string
	ProfileID *int64
	Profile   rel.One[Profile]
}

type Mix struct {
	ID    int64
	Name  string
	Tunes rel.Many[Tune]
}

type Tune struct {
	ID    int64
	Title string
}

var (
	Recipes     = retort.NewTable[Recipe]("recipe")
	RecipeID    = retort.Col(Recipes, "id", func(a *Recipe) *int64 { return &a.ID }, retort.PrimaryKey())
	RecipeTitle = retort.Col(Recipes, "title", func(a *Recipe) *string { return &a.Title })
	Steps       = retort.NewTable[Step]("step")
	StepID      = retort.Col(Steps, "id", func(t *Step) *int64 { return &t.ID }, retort.PrimaryKey())
	StepRecipe  = retort.Col(Steps, "recipe_id", func(t *Step) *int64 { return &t.RecipeID }).
			References(RecipeID, retort.OnDelete("CASCADE"))
	StepTitle   = retort.Col(Steps, "title", func(t *Step) *string { return &t.Title })
	RecipeSteps = rel.OneToMany(StepRecipe, RecipeID, func(a *Recipe) *rel.Many[Step] { return &a.Steps }, rel.Cascade(rel.Delete))

	Profiles       = retort.NewTable[Profile]("profile")
	ProfileID      = retort.Col(Profiles, "id", func(p *Profile) *int64 { return &p.ID }, retort.PrimaryKey())
	ProfileBio     = retort.Col(Profiles, "bio", func(p *Profile) *string { return &p.Bio })
	Accounts       = retort.NewTable[Account]("account")
	AccountID      = retort.Col(Accounts, "id", func(a *Account) *int64 { return &a.ID }, retort.PrimaryKey())
	AccountLogin   = retort.Col(Accounts, "login", func(a *Account) *string { return &a.Login })
	AccountProfID  = retort.NullCol(Accounts, "profile_id", func(a *Account) **int64 { return &a.ProfileID })
	AccountProfile = rel.ManyToOne(AccountProfID, ProfileID, func(a *Account) *rel.One[Profile] { return &a.Profile }, rel.Cascade(rel.Delete))

	Mixes     = retort.NewTable[Mix]("mix")
	MixID     = retort.Col(Mixes, "id", func(p *Mix) *int64 { return &p.ID }, retort.PrimaryKey())
	MixName   = retort.Col(Mixes, "name", func(p *Mix) *string { return &p.Name })
	Tunes     = retort.NewTable[Tune]("tune")
	TuneID    = retort.Col(Tunes, "id", func(s *Tune) *int64 { return &s.ID }, retort.PrimaryKey())
	TuneTitle = retort.Col(Tunes, "title", func(s *Tune) *string { return &s.Title })
	MixTunes  = rel.ManyToMany(MixID, TuneID, "mix_tune", func(p *Mix) *rel.Many[Tune] { return &p.Tunes }, rel.Cascade(rel.Delete))
)

// selects counts the SELECT statements among sql.
func selects(sql []string) int {
	n := 0
	for _, q := range sql {
		if strings.HasPrefix(q, "SELECT") {
			n++
		}
	}
	return n
}

func colValues[T any](t *testing.T, db retort.DB, tab *retort.Table[T], col *retort.Column[T, string]) []string {
	t.Helper()
	rows, err := retort.Select(tab).OrderBy(col.Asc()).All(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		v, _ := col.Get(r)
		out = append(out, v)
	}
	return out
}

// TestDeleteLoadsCollections: deleting an object whose collections are not
// loaded deletes their objects (Delete, DeleteOrphan) or sets their foreign
// keys to NULL all the same, as SQLAlchemy does: the flush loads them, one
// query per relationship and level, before it writes. Before, only loaded
// collections were acted on, and the commit failed on the foreign key (or
// left rows naming a deleted parent).
func TestDeleteLoadsCollections(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Recipes, Steps, Profiles, Accounts, Mixes, Tunes, MixTunes.Table())
		s := session.New(env.DB)
		tree := &Node{Name: "root", Children: rel.ManyOf(
			&Node{Name: "a", Children: rel.ManyOf(&Node{Name: "a1"}, &Node{Name: "a2", Children: rel.ManyOf(&Node{Name: "a2x"})})},
			&Node{Name: "b"},
		)}
		other := &Node{Name: "other", Children: rel.ManyOf(&Node{Name: "o1"})}
		boss := &Boss{Name: "boss", Employees: rel.ManyOf(&Grunt{Name: "g1"}, &Grunt{Name: "g2"})}
		u := &User{Name: "ann", Orders: rel.ManyOf(
			&Order{Note: "o1", Items: rel.ManyOf(&Item{Qty: 1, Product: rel.OneOf(&Product{Name: "pen"})})},
			&Order{Note: "o2", Items: rel.ManyOf(&Item{Qty: 2, Product: rel.OneOf(&Product{Name: "ink"})})},
		)}
		keep := &User{Name: "bob", Orders: rel.ManyOf(&Order{Note: "o3", Items: rel.ManyOf(&Item{Qty: 3, Product: rel.OneOf(&Product{Name: "cap"})})})}
		for _, err := range []error{session.AddAll(s, tree, other), session.Add(s, boss), session.AddAll(s, u, keep)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		t.Run("tree", func(t *testing.T) {
			s := session.New(env.DB)
			root, err := session.One(ctx, s, retort.Select(Nodes).Where(NodeName.Eq("root")))
			if err != nil {
				t.Fatal(err)
			}
			if err := session.Delete(s, root); err != nil {
				t.Fatal(err)
			}
			rec.take()
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			// root's children, theirs (a1, a2), a2's (a2x), a2x's (none).
			if got := selects(rec.take()); got != 4 {
				t.Errorf("%d SELECTs in the commit, want 4 (one per level)", got)
			}
			if diff := cmp.Diff([]string{"o1", "other"}, colValues(t, env.DB, Nodes, NodeName)); diff != "" {
				t.Errorf("nodes left (-want +got):\n%s", diff)
			}
		})

		t.Run("set null", func(t *testing.T) {
			s := session.New(env.DB)
			g1, err := session.One(ctx, s, retort.Select(Grunts).Where(GruntName.Eq("g1")))
			if err != nil {
				t.Fatal(err)
			}
			g1.Name = "g1 renamed" // an unflushed change the load must keep
			b, err := session.One(ctx, s, retort.Select(Bosses).Where(BossName.Eq("boss")), rel.Lazy(BossEmployees))
			if err != nil {
				t.Fatal(err)
			}
			if err := session.Delete(s, b); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			gs, err := retort.Select(Grunts).OrderBy(GruntName.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				Name string
				Boss *int64
			}
			var got []row
			for _, g := range gs {
				got = append(got, row{g.Name, g.BossID})
			}
			if diff := cmp.Diff([]row{{"g1 renamed", nil}, {"g2", nil}}, got); diff != "" {
				t.Errorf("grunts (-want +got):\n%s", diff)
			}
			if one, err := g1.Employer.Get(); err != nil || one != nil {
				t.Errorf("g1.Employer = %v, %v; want nil", one, err)
			}
		})

		t.Run("orphans and their items", func(t *testing.T) {
			s := session.New(env.DB)
			ann, err := session.One(ctx, s, retort.Select(Users).Where(UserName.Eq("ann")))
			if err != nil {
				t.Fatal(err)
			}
			if err := session.Delete(s, ann); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"o3"}, colValues(t, env.DB, Orders, OrderNote)); diff != "" {
				t.Errorf("orders left (-want +got):\n%s", diff)
			}
			if n, err := retort.Select(Items).Count(ctx, env.DB); err != nil || n != 1 {
				t.Errorf("items left: %d, %v; want 1", n, err)
			}
			if n, err := retort.Select(Products).Count(ctx, env.DB); err != nil || n != 3 {
				t.Errorf("products left: %d, %v; want 3 (no cascade to them)", n, err)
			}
		})
	})
}

// TestDeleteLoadsPartial: a collection loaded in part (ToMany.Where) is
// loaded in full for its owner's delete; its unflushed addition is kept
// and deleted with the rest.
func TestDeleteLoadsPartial(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		root := &Node{Name: "root", Children: rel.ManyOf(&Node{Name: "a"}, &Node{Name: "b"}, &Node{Name: "c"})}
		if err := session.Add(s, root); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s = session.New(env.DB, session.Autoflush(false))
		r, err := session.One(ctx, s, retort.Select(Nodes).Where(NodeName.Eq("root")),
			rel.SelectIn(NodeChildren.Where(NodeName.Eq("a"))))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Children.Len(); got != 1 {
			t.Fatalf("filtered load holds %d children, want 1", got)
		}
		r.Children.Add(&Node{Name: "d"})
		if err := session.Delete(s, r); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := colValues(t, env.DB, Nodes, NodeName); len(got) != 0 {
			t.Errorf("nodes left: %v", got)
		}
	})
}

// TestDeletePassive: a foreign key declared ON DELETE CASCADE deletes the
// children in the database, so the flush loads nothing for them; loaded
// children are deleted by the session as before.
func TestDeletePassive(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Recipes, Steps)
		s := session.New(env.DB)
		a := &Recipe{Title: "a", Steps: rel.ManyOf(&Step{Title: "t1"}, &Step{Title: "t2"})}
		b := &Recipe{Title: "b", Steps: rel.ManyOf(&Step{Title: "t3"})}
		if err := session.AddAll(s, a, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s = session.New(env.DB)
		got, err := session.All(ctx, s, retort.Select(Recipes).OrderBy(RecipeTitle.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			if err := session.Delete(s, x); err != nil {
				t.Fatal(err)
			}
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := selects(rec.take()); n != 0 {
			t.Errorf("%d SELECTs in the commit, want none (ON DELETE CASCADE)", n)
		}
		if left := colValues(t, env.DB, Steps, StepTitle); len(left) != 0 {
			t.Errorf("tracks left: %v", left)
		}
	})
}

// TestDeleteLoadsReferenceAndManyToMany: a many-to-one and a many-to-many
// with a delete cascade load what they delete.
func TestDeleteLoadsReferenceAndManyToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Profiles, Accounts, Mixes, Tunes, MixTunes.Table())
		s := session.New(env.DB)
		acc := &Account{Login: "ann", Profile: rel.OneOf(&Profile{Bio: "hi"})}
		other := &Account{Login: "bob", Profile: rel.OneOf(&Profile{Bio: "yo"})}
		pl := &Mix{Name: "p", Tunes: rel.ManyOf(&Tune{Title: "s1"}, &Tune{Title: "s2"})}
		if err := session.AddAll(s, acc, other); err != nil {
			t.Fatal(err)
		}
		if err := session.AddAll(s, pl, &Mix{Name: "q", Tunes: rel.ManyOf(&Tune{Title: "s3"})}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s = session.New(env.DB)
		a, err := session.One(ctx, s, retort.Select(Accounts).Where(AccountLogin.Eq("ann")))
		if err != nil {
			t.Fatal(err)
		}
		p, err := session.One(ctx, s, retort.Select(Mixes).Where(MixName.Eq("p")))
		if err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(session.Delete(s, a), session.Delete(s, p)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"yo"}, colValues(t, env.DB, Profiles, ProfileBio)); diff != "" {
			t.Errorf("profiles left (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"s3"}, colValues(t, env.DB, Tunes, TuneTitle)); diff != "" {
			t.Errorf("tunes left (-want +got):\n%s", diff)
		}
	})
}

// TestDeleteLoadFailure: when the flush fails after loading, the objects
// its cascade deleted are persistent again, the owner still to delete; the
// next commit deletes them all.
func TestDeleteLoadFailure(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		root := &Node{Name: "root", Children: rel.ManyOf(&Node{Name: "a", Children: rel.ManyOf(&Node{Name: "a1"})})}
		if err := session.Add(s, root); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s = session.New(env.DB)
		r, err := session.One(ctx, s, retort.Select(Nodes).Where(NodeName.Eq("root")))
		if err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, r); err != nil {
			t.Fatal(err)
		}
		drop := env.Refuse(t, "node", "DELETE")
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit succeeded with deletes refused")
		}
		drop()
		kids, err := r.Children.Get()
		if err != nil || len(kids) != 1 {
			t.Fatalf("root's children after the failure: %v, %v", kids, err)
		}
		statuses := []session.Status{s.StatusOf(r), s.StatusOf(kids[0])}
		if diff := cmp.Diff([]session.Status{session.Deleted, session.Persistent}, statuses); diff != "" {
			t.Errorf("statuses after the failed commit (-want +got):\n%s", diff)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if left := colValues(t, env.DB, Nodes, NodeName); len(left) != 0 {
			t.Errorf("nodes left: %v", left)
		}
		if !slices.Contains([]session.Status{session.Detached}, s.StatusOf(kids[0])) {
			t.Errorf("child's status %v, want detached", s.StatusOf(kids[0]))
		}
	})
}

// TestDeleteLoadsOfClass: a chief (a class of a joined-table hierarchy)
// deleted with its team not loaded: the flush loads the team (minions,
// through the hierarchy's mapper) and sets their chief to NULL.
func TestDeleteLoadsOfClass(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}, Projects: rel.ManyOf(&Project{Title: "apollo"})}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}})
		storeStaff(t, env, cleo)
		s := session.New(env.DB)
		c, err := inherit.First(ctx, s, inherit.Select(ChiefClass))
		if err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, c); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		ms, err := inherit.All(ctx, session.New(env.DB), inherit.Select(MinionClass))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ChiefID != nil {
				t.Errorf("minion %s keeps chief %d", m.Name, *m.ChiefID)
			}
		}
		if len(ms) != 2 {
			t.Errorf("%d minions, want 2", len(ms))
		}
	})
}
