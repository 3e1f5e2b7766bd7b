package inherit_test

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

// Package rel's relationships between subclasses: Minion → Chief, both
// subclasses of Staffer, with the back-reference Chief.Team.

type Staffer struct {
	ID     int64
	Name   string
	Kind   string
	Badges rel.Many[Badge]
}

// Badge refers to any staffer (a class with subclasses): joined by default.
type Badge struct {
	ID       int64
	Code     string
	HolderID *int64
	Holder   rel.One[Staffer]
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

	Badges      = retort.NewTable[Badge]("badge")
	BadgeID     = retort.Col(Badges, "id", func(b *Badge) *int64 { return &b.ID }, retort.PrimaryKey())
	BadgeCode   = retort.Col(Badges, "code", func(b *Badge) *string { return &b.Code })
	BadgeHolder = retort.NullCol(Badges, "holder_id", func(b *Badge) **int64 { return &b.HolderID })

	BadgeHolderR  = rel.ManyToOne(BadgeHolder, StafferID, func(b *Badge) *rel.One[Staffer] { return &b.Holder }, rel.Loading(rel.JoinedLoad))
	StafferBadges = BadgeHolderR.Backref(func(s *Staffer) *rel.Many[Badge] { return &s.Badges },
		rel.Loading(rel.SelectInLoad), rel.OrderBy(rel.Asc(BadgeCode)))
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

// TestJoinedPolymorphic: joined loading of a class with subclasses, as a
// relationship's target (badge → staffer, a chief or a minion) and as the
// root of inherit.All (staffers with their badges); default strategies apply
// to inherit.All as to session.All.
func TestJoinedPolymorphic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(StafferClass.Tables(), Badges)...)
		s := session.New(env.DB)
		c := &Chief{Staffer: Staffer{Name: "Cleo"}}
		mo, mia := &Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}}
		c.Team.Add(mo, mia)
		add(t, s, c)
		for _, b := range []*Badge{{Code: "b1"}, {Code: "b2"}, {Code: "b3"}} {
			add(t, s, b)
		}
		mustCommit(t, s)
		s = session.New(env.DB)
		bs, err := session.All(ctx, s, retort.Select(Badges).OrderBy(BadgeCode.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		bs[0].HolderID = &c.ID
		bs[1].HolderID = &mo.ID
		mustCommit(t, s)

		badgeLines := func(bs []*Badge) []string {
			var out []string
			for _, b := range bs {
				h, err := b.Holder.Get()
				switch {
				case err != nil:
					out = append(out, b.Code+": "+err.Error())
				case h == nil:
					out = append(out, b.Code+"→none")
				default:
					out = append(out, b.Code+"→"+h.Name+"/"+h.Kind)
				}
			}
			return out
		}
		stafferLines := func(ss []*Staffer) []string {
			var out []string
			for _, x := range ss {
				bs, err := x.Badges.Get()
				if err != nil {
					out = append(out, x.Name+": "+err.Error())
					continue
				}
				line := x.Name + "/" + x.Kind + ":"
				for _, b := range bs {
					line += " " + b.Code
				}
				out = append(out, line)
			}
			return out
		}
		wantBadges := []string{"b1→Cleo/chief", "b2→Mo/minion", "b3→none"}
		wantStaff := []string{"Cleo/chief: b1", "Mia/minion:", "Mo/minion: b2"}
		badges := retort.Select(Badges).OrderBy(BadgeCode.Asc())
		staff := inherit.Select(StafferClass).OrderBy(StafferName.Asc())
		cases := []struct {
			name  string
			stmts int64
			want  []string
			load  func(s *session.Session) ([]string, error)
		}{
			{"badges, holders joined by default", 1, wantBadges, func(s *session.Session) ([]string, error) {
				bs, err := session.All(ctx, s, badges)
				return badgeLines(bs), err
			}},
			{"badges, holders selectin", 2, wantBadges, func(s *session.Session) ([]string, error) {
				bs, err := session.All(ctx, s, badges, rel.SelectIn(BadgeHolderR))
				return badgeLines(bs), err
			}},
			{"staff, badges selectin by default", 2, wantStaff, func(s *session.Session) ([]string, error) {
				ss, err := inherit.All(ctx, s, staff)
				return stafferLines(ss), err
			}},
			{"staff, badges joined", 1, wantStaff, func(s *session.Session) ([]string, error) {
				ss, err := inherit.All(ctx, s, staff, rel.Joined(StafferBadges))
				return stafferLines(ss), err
			}},
			{"staff select-in polymorphic, badges joined", 1, wantStaff, func(s *session.Session) ([]string, error) {
				ss, err := inherit.All(ctx, s, staff.SelectIn(), rel.Joined(StafferBadges))
				return stafferLines(ss), err
			}},
			{"one staffer, badges and their holders joined", 1, wantStaff[2:], func(s *session.Session) ([]string, error) {
				x, err := inherit.One(ctx, s, staff.Where(StafferName.Eq("Mo")), rel.Joined(StafferBadges).Then(rel.Joined(BadgeHolderR)))
				if err != nil {
					return nil, err
				}
				return stafferLines([]*Staffer{x}), nil
			}},
			{"staff, badges lazy", 1, []string{"Cleo: rel: staffer→badge of staffer(1) is not loaded: call Load(ctx), or load it eagerly with rel.SelectIn or rel.Joined"},
				func(s *session.Session) ([]string, error) {
					ss, err := inherit.All(ctx, s, staff, rel.Lazy(StafferBadges))
					return stafferLines(ss[:1]), err
				}},
		}
		for _, tc := range cases {
			s := session.New(env.DB)
			env.Count.Reset()
			got, err := tc.load(s)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if n := env.Count.RoundTrips(); n != tc.stmts {
				t.Errorf("%s: %d statements, want %d", tc.name, n, tc.stmts)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		}

		// The objects are whole, of their most specific class, one per row.
		s = session.New(env.DB)
		ss, err := inherit.All(ctx, s, staff, rel.Joined(StafferBadges).Then(rel.Joined(BadgeHolderR)))
		if err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		for _, x := range ss {
			obj, err := inherit.GetPoly(ctx, s, StafferClass, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			var view *Staffer
			switch o := obj.(type) {
			case *Chief:
				view = &o.Staffer
			case *Minion:
				view = &o.Staffer
				if o.ChiefID == nil || *o.ChiefID != c.ID {
					t.Errorf("%s: chief_id %v, want %d", o.Name, o.ChiefID, c.ID)
				}
			}
			if view != x {
				t.Errorf("%s: GetPoly gave %T %p, not the object loaded (%p)", x.Name, obj, view, x)
			}
			for b := range x.Badges.All() {
				if h, err := b.Holder.Get(); err != nil || h != x {
					t.Errorf("%s's holder: %v, %v; want the staffer", b.Code, h, err)
				}
			}
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("reading what was loaded took %d statements", n)
		}
		if _, err := inherit.Poly(ctx, s, staff); err != nil {
			t.Fatal(err)
		}
	})
}
