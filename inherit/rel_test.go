package inherit_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Package rel's relationships between subclasses: Minion → Chief, both
// subclasses of Staffer, with the back-reference Chief.Team.

type Staffer struct {
	ID   int64
	Name string
	Kind string
}

type Chief struct {
	Staffer
	Team rel.Many[Minion]
}

type Minion struct {
	Staffer
	ChiefID *int64
	Chief   rel.One[Chief]
}

var (
	Staffers    = retort.NewTable[Staffer]("staffer")
	StafferID   = retort.Col(Staffers, "id", func(s *Staffer) *int64 { return &s.ID }, retort.PrimaryKey())
	StafferName = retort.Col(Staffers, "name", func(s *Staffer) *string { return &s.Name })
	StafferKind = retort.Col(Staffers, "kind", func(s *Staffer) *string { return &s.Kind })

	Chiefs  = retort.NewTable[Chief]("chief")
	ChiefID = retort.Col(Chiefs, "id", func(c *Chief) *int64 { return &c.ID }, retort.PrimaryKey()).References(StafferID)

	Minions     = retort.NewTable[Minion]("minion")
	MinionID    = retort.Col(Minions, "id", func(m *Minion) *int64 { return &m.ID }, retort.PrimaryKey()).References(StafferID)
	MinionChief = retort.NullCol(Minions, "chief_id", func(m *Minion) **int64 { return &m.ChiefID }).References(ChiefID)

	StafferClass = inherit.Abstract(Staffers, StafferKind)
	ChiefClass   = inherit.Sub(StafferClass, Chiefs, func(c *Chief) *Staffer { return &c.Staffer }, "chief")
	MinionClass  = inherit.Sub(StafferClass, Minions, func(m *Minion) *Staffer { return &m.Staffer }, "minion")

	MinionsChief = rel.ManyToOne(MinionChief, ChiefID, func(m *Minion) *rel.One[Chief] { return &m.Chief })
	ChiefTeam    = MinionsChief.Backref(func(c *Chief) *rel.Many[Minion] { return &c.Team })
)

func TestRelBetweenSubclasses(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, StafferClass.Tables()...)
		s := session.New(env.DB)
		c := &Chief{Staffer: Staffer{Name: "Cleo"}}
		m1, m2 := &Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}}
		c.Team.Add(m1)
		c.Team.Add(m2)
		add(t, s, c) // the minions cascade in with their chief
		mustCommit(t, s)
		if m1.ID == 0 || m1.ChiefID == nil || *m1.ChiefID != c.ID || *m2.ChiefID != c.ID {
			t.Fatalf("minions after commit: %+v %+v (chief %d)", m1.Staffer, m1.ChiefID, c.ID)
		}

		// A new session: the chief is loaded first, so the minions' lazy
		// many-to-one finds it in the identity map without SQL.
		s2 := session.New(env.DB)
		chiefs, err := inherit.All(ctx, s2, inherit.Select(ChiefClass))
		if err != nil || len(chiefs) != 1 {
			t.Fatalf("chiefs: %v, %v", chiefs, err)
		}
		minions, err := inherit.All(ctx, s2, inherit.Select(MinionClass).OrderBy(StafferName.Asc()))
		if err != nil || len(minions) != 2 || minions[0].Name != "Mia" {
			t.Fatalf("minions: %v, %v", minions, err)
		}
		env.Count.Reset()
		for _, m := range minions {
			got, err := m.Chief.Load(ctx)
			if err != nil || got != chiefs[0] || got.Name != "Cleo" {
				t.Errorf("%s's chief = %+v, %v; want the loaded chief", m.Name, got, err)
			}
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("loading chiefs already in the session took %d round trips", n)
		}
		// Moving a minion through the relationship updates only its table.
		m := minions[0]
		other := &Chief{Staffer: Staffer{Name: "Carl"}}
		m.Chief.Set(other)
		mustCommit(t, s2)
		got, err := inherit.Select(MinionClass).Where(StafferName.Eq("Mia")).One(ctx, env.DB)
		if err != nil || got.ChiefID == nil || *got.ChiefID != other.ID || other.ID == 0 {
			t.Errorf("Mia after moving: %+v, %v (Carl %d)", got, err, other.ID)
		}
	})
}

// session.WhereLoader: what package rel should load subclass targets with.
func TestLoadWhere(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, StafferClass.Tables()...)
		s := session.New(env.DB)
		c := &Chief{Staffer: Staffer{Name: "Cleo"}}
		c.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}})
		add(t, s, c)
		mustCommit(t, s)
		m, err := session.MapperOf[Chief]()
		if err != nil {
			t.Fatal(err)
		}
		wl, ok := m.(session.WhereLoader)
		if !ok {
			t.Fatal("the hierarchy's mapper is not a session.WhereLoader")
		}
		objs, err := wl.LoadWhere(ctx, env.DB, (*Chief)(nil), ChiefID.In(c.ID))
		if err != nil || len(objs) != 1 {
			t.Fatalf("LoadWhere chiefs: %v, %v", objs, err)
		}
		if got, ok := objs[0].(*Chief); !ok || got.Name != "Cleo" || got.Kind != "chief" || got.ID != c.ID {
			t.Errorf("loaded %#v; want the whole chief", objs[0])
		}
		objs, err = wl.LoadWhere(ctx, env.DB, (*Minion)(nil), MinionChief.Eq(c.ID))
		if err != nil || len(objs) != 1 || objs[0].(*Minion).Name != "Mo" {
			t.Errorf("LoadWhere minions of the chief: %v, %v", objs, err)
		}
		objs, err = wl.LoadWhere(ctx, env.DB, (*Staffer)(nil), nil)
		if err != nil || len(objs) != 2 {
			t.Errorf("LoadWhere every staffer: %v, %v", objs, err)
		}
		if _, err := wl.LoadWhere(ctx, env.DB, (*Boss)(nil), nil); err == nil {
			t.Error("LoadWhere of a type of another hierarchy: want an error")
		}
	})
}
