package rel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Relationships whose targets are subclasses of a joined-table hierarchy
// (package inherit): their objects span two tables, so rel loads them
// through the hierarchy's mapper (session.WhereLoader), never by reading
// the subclass table alone.

type Staffer struct {
	ID   int64
	Name string
	Kind string
}

type Chief struct {
	Staffer
	Team     rel.Many[Minion]
	Projects rel.Many[Project]
}

type Minion struct {
	Staffer
	ChiefID *int64
	Chief   rel.One[Chief]
}

type Project struct {
	ID     int64
	Title  string
	Chiefs rel.Many[Chief]
}

var (
	Staffers    = retort.NewTable[Staffer]("staffer")
	StafferID   = retort.Col(Staffers, "id", func(s *Staffer) *int64 { return &s.ID }, retort.PrimaryKey())
	StafferName = retort.Col(Staffers, "name", func(s *Staffer) *string { return &s.Name })
	StafferKind = retort.Col(Staffers, "kind", func(s *Staffer) *string { return &s.Kind })

	Chiefs      = retort.NewTable[Chief]("chief")
	ChiefID     = retort.Col(Chiefs, "id", func(c *Chief) *int64 { return &c.ID }, retort.PrimaryKey()).References(StafferID)
	Minions     = retort.NewTable[Minion]("minion")
	MinionID    = retort.Col(Minions, "id", func(m *Minion) *int64 { return &m.ID }, retort.PrimaryKey()).References(StafferID)
	MinionChief = retort.NullCol(Minions, "chief_id", func(m *Minion) **int64 { return &m.ChiefID }).References(ChiefID)

	Projects     = retort.NewTable[Project]("project")
	ProjectID    = retort.Col(Projects, "id", func(p *Project) *int64 { return &p.ID }, retort.PrimaryKey())
	ProjectTitle = retort.Col(Projects, "title", func(p *Project) *string { return &p.Title })

	StafferClass = inherit.Abstract(Staffers, StafferKind)
	ChiefClass   = inherit.Sub(StafferClass, Chiefs, func(c *Chief) *Staffer { return &c.Staffer }, "chief")
	MinionClass  = inherit.Sub(StafferClass, Minions, func(m *Minion) *Staffer { return &m.Staffer }, "minion")

	MinionsChief   = rel.ManyToOne(MinionChief, ChiefID, func(m *Minion) *rel.One[Chief] { return &m.Chief })
	ChiefTeam      = MinionsChief.Backref(func(c *Chief) *rel.Many[Minion] { return &c.Team })
	ChiefProjects  = rel.ManyToMany(ChiefID, ProjectID, "chief_project", func(c *Chief) *rel.Many[Project] { return &c.Projects })
	ProjectsChiefs = ChiefProjects.Backref(func(p *Project) *rel.Many[Chief] { return &p.Chiefs })
)

func TestSubclassTargets(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(StafferClass.Tables(), Projects, ChiefProjects.Table())...)
		s := session.New(env.DB)
		apollo, gemini := &Project{Title: "apollo"}, &Project{Title: "gemini"}
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}, Projects: rel.ManyOf(apollo, gemini)}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}}, &Minion{Staffer: Staffer{Name: "Mia"}})
		if err := session.Add(s, cleo); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		teamOf := func(c *Chief) []string {
			var out []string
			for m := range c.Team.All() {
				out = append(out, m.Name+"/"+m.Kind)
			}
			return out
		}

		// Minions loaded with their chiefs (a subclass target, many-to-one):
		// the chief's base fields are read too.
		s2 := session.New(env.DB)
		minions, err := inherit.All(ctx, s2, inherit.Select(MinionClass).OrderBy(StafferName.Asc()), rel.SelectIn(MinionsChief))
		if err != nil {
			t.Fatal(err)
		}
		c, err := minions[0].Chief.Get()
		if err != nil || c == nil || c.Name != "Cleo" || c.Kind != "chief" {
			t.Fatalf("chief of %s: %+v, %v", minions[0].Name, c, err)
		}
		if c2, _ := minions[1].Chief.Get(); c2 != c {
			t.Error("two objects for one chief")
		}

		// The chief's team (a subclass target, one-to-many), lazily and
		// eagerly, and joined (which loads as SelectIn for a hierarchy).
		for _, load := range []func(s *session.Session) (*Chief, error){
			func(s *session.Session) (*Chief, error) {
				c, err := inherit.First(ctx, s, inherit.Select(ChiefClass))
				if err != nil {
					return nil, err
				}
				return c, c.Team.Load(ctx)
			},
			func(s *session.Session) (*Chief, error) {
				return inherit.First(ctx, s, inherit.Select(ChiefClass), rel.SelectIn(ChiefTeam))
			},
			func(s *session.Session) (*Chief, error) {
				return inherit.First(ctx, s, inherit.Select(ChiefClass), rel.Joined(ChiefTeam))
			},
		} {
			c, err := load(session.New(env.DB))
			if err != nil {
				t.Fatal(err)
			}
			got := teamOf(c)
			if diff := cmp.Diff([]string{"Mia/minion", "Mo/minion"}, sorted(got)); diff != "" {
				t.Errorf("team (-want +got):\n%s", diff)
			}
		}

		// Projects and their chiefs (a subclass target, many-to-many).
		ps, err := session.All(ctx, session.New(env.DB), retort.Select(Projects).OrderBy(ProjectTitle.Asc()), rel.SelectIn(ProjectsChiefs))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			cs, err := p.Chiefs.Get()
			if err != nil || len(cs) != 1 || cs[0].Name != "Cleo" || cs[0].Kind != "chief" {
				t.Errorf("%s's chiefs: %v, %v", p.Title, cs, err)
			}
		}
		if c0, _ := ps[0].Chiefs.Get(); len(c0) == 1 {
			if c1, _ := ps[1].Chiefs.Get(); len(c1) == 1 && c0[0] != c1[0] {
				t.Error("two objects for one chief")
			}
		}
	})
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// seedStaff stores chiefs c0..c2 with minions cN-m0..cN-m2, a minion with no
// chief, and projects p0..p1 led by some chiefs.
func seedStaff(t *testing.T, env *dbtest.Env) {
	t.Helper()
	ctx := context.Background()
	env.Create(t, append(StafferClass.Tables(), Projects, ChiefProjects.Table())...)
	s := session.New(env.DB)
	p0, p1 := &Project{Title: "p0"}, &Project{Title: "p1"}
	for i := range 3 {
		c := &Chief{Staffer: Staffer{Name: fmt.Sprintf("c%d", i)}}
		for j := range 3 {
			c.Team.Add(&Minion{Staffer: Staffer{Name: fmt.Sprintf("c%d-m%d", i, j)}})
		}
		c.Projects.Add(p0)
		if i > 0 {
			c.Projects.Add(p1)
		}
		if err := session.Add(s, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := session.Add(s, &Minion{Staffer: Staffer{Name: "free"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func chiefName(t *testing.T, m *Minion) string {
	t.Helper()
	c, err := m.Chief.Get()
	if err != nil {
		t.Fatalf("%s: %v", m.Name, err)
	}
	if c == nil {
		return m.Name + "→none"
	}
	return m.Name + "→" + c.Name + "/" + c.Kind
}

func teamNames(t *testing.T, c *Chief) string {
	t.Helper()
	ms, err := c.Team.Get()
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	line := c.Name + "/" + c.Kind + ":"
	for _, m := range ms {
		line += " " + m.Name + "/" + m.Kind
	}
	return line
}

// TestJoinedHierarchy: Joined loading into and from classes of a
// joined-table hierarchy is one statement: the target's base and subclass
// tables are LEFT JOINed, and a query of a class (inherit.All) is the
// derived table that relationships join to.
func TestJoinedHierarchy(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedStaff(t, env)
		minions := inherit.Select(MinionClass).OrderBy(StafferName.Asc())
		chiefs := inherit.Select(ChiefClass).OrderBy(StafferName.Asc())
		wantMinions := []string{"c0-m0→c0/chief", "c0-m1→c0/chief", "c0-m2→c0/chief", "c1-m0→c1/chief", "c1-m1→c1/chief",
			"c1-m2→c1/chief", "c2-m0→c2/chief", "c2-m1→c2/chief", "c2-m2→c2/chief", "free→none"}
		wantChiefs := []string{"c0/chief: c0-m0/minion c0-m1/minion c0-m2/minion", "c1/chief: c1-m0/minion c1-m1/minion c1-m2/minion",
			"c2/chief: c2-m0/minion c2-m1/minion c2-m2/minion"}
		minionLines := func(ms []*Minion) []string {
			var out []string
			for _, m := range ms {
				out = append(out, chiefName(t, m))
			}
			return out
		}
		chiefLines := func(cs []*Chief) []string {
			var out []string
			for _, c := range cs {
				out = append(out, teamNames(t, c))
			}
			return out
		}
		cases := []struct {
			name  string
			stmts int64
			want  []string
			load  func(s *session.Session) ([]string, error)
		}{
			{"minions, chiefs lazily", 4, wantMinions, func(s *session.Session) ([]string, error) {
				ms, err := inherit.All(ctx, s, minions)
				for _, m := range ms {
					if _, err := m.Chief.Load(ctx); err != nil {
						return nil, err
					}
				}
				return minionLines(ms), err
			}},
			{"minions, chiefs selectin", 2, wantMinions, func(s *session.Session) ([]string, error) {
				ms, err := inherit.All(ctx, s, minions, rel.SelectIn(MinionsChief))
				return minionLines(ms), err
			}},
			{"minions, chiefs joined", 1, wantMinions, func(s *session.Session) ([]string, error) {
				ms, err := inherit.All(ctx, s, minions, rel.Joined(MinionsChief))
				return minionLines(ms), err
			}},
			{"chiefs, teams selectin", 2, wantChiefs, func(s *session.Session) ([]string, error) {
				cs, err := inherit.All(ctx, s, chiefs, rel.SelectIn(ChiefTeam))
				return chiefLines(cs), err
			}},
			{"chiefs, teams joined", 1, wantChiefs, func(s *session.Session) ([]string, error) {
				cs, err := inherit.All(ctx, s, chiefs, rel.Joined(ChiefTeam))
				return chiefLines(cs), err
			}},
			{"first chief, team joined", 1, wantChiefs[:1], func(s *session.Session) ([]string, error) {
				c, err := inherit.First(ctx, s, chiefs, rel.Joined(ChiefTeam))
				if err != nil {
					return nil, err
				}
				return chiefLines([]*Chief{c}), nil
			}},
			{"chiefs, teams and their chiefs joined", 1, wantChiefs, func(s *session.Session) ([]string, error) {
				cs, err := inherit.All(ctx, s, chiefs.Where(StafferName.Lt("c9")), rel.Joined(ChiefTeam).Then(rel.Joined(MinionsChief)))
				for _, c := range cs {
					for m := range c.Team.All() {
						if got, err := m.Chief.Get(); err != nil || got != c {
							return nil, fmt.Errorf("%s's chief: %v, %v", m.Name, got, err)
						}
					}
				}
				return chiefLines(cs), err
			}},
			{"projects, chiefs joined, teams joined", 1, []string{"p0: c0/chief: c0-m0/minion c0-m1/minion c0-m2/minion | c1/chief: c1-m0/minion c1-m1/minion c1-m2/minion | c2/chief: c2-m0/minion c2-m1/minion c2-m2/minion",
				"p1: c1/chief: c1-m0/minion c1-m1/minion c1-m2/minion | c2/chief: c2-m0/minion c2-m1/minion c2-m2/minion"},
				func(s *session.Session) ([]string, error) {
					ps, err := session.All(ctx, s, retort.Select(Projects).OrderBy(ProjectTitle.Asc()), rel.Joined(ProjectsChiefs).Then(rel.Joined(ChiefTeam)))
					var out []string
					for _, p := range ps {
						cs, err := p.Chiefs.Get()
						if err != nil {
							return nil, err
						}
						line := p.Title + ":"
						for i, c := range sortChiefs(cs) {
							if i > 0 {
								line += " |"
							}
							line += " " + teamNames(t, c)
						}
						out = append(out, line)
					}
					return out, err
				}},
		}
		for _, c := range cases {
			s := session.New(env.DB)
			env.Count.Reset()
			got, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if n := env.Count.RoundTrips(); n != c.stmts {
				t.Errorf("%s: %d statements, want %d", c.name, n, c.stmts)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}

		// One object per row: a chief joined from several minions, and
		// found again by a later query, is the same *Chief.
		s := session.New(env.DB)
		ms, err := inherit.All(ctx, s, minions, rel.Joined(MinionsChief))
		if err != nil {
			t.Fatal(err)
		}
		c0, _ := ms[0].Chief.Get()
		c0b, _ := ms[1].Chief.Get()
		again, err := inherit.First(ctx, s, chiefs)
		if err != nil {
			t.Fatal(err)
		}
		if c0 != c0b || again != c0 {
			t.Errorf("chief c0: %p, %p, %p; want one object", c0, c0b, again)
		}
		got, err := inherit.Get(ctx, s, StafferClass, c0.ID)
		if err != nil || got != &c0.Staffer {
			t.Errorf("Get of c0 as a Staffer: %p, %v; want %p", got, err, &c0.Staffer)
		}
	})
}

func sortChiefs(cs []*Chief) []*Chief {
	out := append([]*Chief(nil), cs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Name < out[i].Name {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestGoldenHierarchy records the joined statements of class hierarchies,
// per dialect, in testdata/hierarchy_<dialect>.sql.
func TestGoldenHierarchy(t *testing.T) {
	rec := &argRecorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		seedStaff(t, env)
		cases := []struct {
			name, why string
			run       func(s *session.Session) error
		}{
			{"joined into a hierarchy", "the target's own table, then its base table LEFT JOINed, a flag telling whether a row was joined",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, retort.Select(Projects).Where(ProjectTitle.Eq("p1")), rel.Joined(ProjectsChiefs))
					return err
				}},
			{"joined from a hierarchy", "the class's query, its columns aliased (its own table's by their names), as the derived table",
				func(s *session.Session) error {
					_, err := inherit.First(ctx, s, inherit.Select(MinionClass).Where(StafferName.Eq("c1-m1")), rel.Joined(MinionsChief))
					return err
				}},
			{"joined from and into a hierarchy, two levels", "aliases for the second staffer and minion tables",
				func(s *session.Session) error {
					_, err := inherit.All(ctx, s, inherit.Select(ChiefClass).Where(StafferName.Eq("c2")),
						rel.Joined(ChiefTeam).Then(rel.Joined(MinionsChief)))
					return err
				}},
		}
		var b strings.Builder
		for _, c := range cases {
			rec.take()
			if err := c.run(session.New(env.DB)); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			fmt.Fprintf(&b, "-- %s: %s\n", c.name, c.why)
			for _, ev := range rec.take() {
				fmt.Fprintf(&b, "%s\n-- args: %v\n", ev.SQL, ev.Args)
			}
			b.WriteString("\n")
		}
		golden(t, "hierarchy_"+env.Dialect.String()+".sql", b.String())
	})
}

// storeStaff creates the hierarchy's tables and stores chief with the
// minions and projects it reaches, and the minions of no chief, in one
// commit.
func storeStaff(t *testing.T, env *dbtest.Env, chief *Chief, loose ...*Minion) {
	t.Helper()
	env.Create(t, append(StafferClass.Tables(), Projects, ChiefProjects.Table())...)
	s := session.New(env.DB)
	if err := errors.Join(session.Add(s, chief), session.AddAll(s, loose...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestClassLoadAutoflush: loading subclass targets follows the session's
// autoflush, as any query does: a session without it keeps its pending
// objects pending, and a BeforeFlush hook can load them.
func TestClassLoadAutoflush(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		cleo := &Chief{Staffer: Staffer{Name: "Cleo"}}
		cleo.Team.Add(&Minion{Staffer: Staffer{Name: "Mo"}})
		storeStaff(t, env, cleo)

		s := session.New(env.DB, session.Autoflush(false))
		c, err := inherit.First(ctx, s, inherit.Select(ChiefClass))
		if err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, &Project{Title: "new"}); err != nil {
			t.Fatal(err)
		}
		if err := c.Team.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(s.New()); got != 1 {
			t.Errorf("%d pending objects after the load, want 1 (no autoflush)", got)
		}

		var team int
		s = session.New(env.DB, session.BeforeFlush(func(ctx context.Context, s *session.Session) error {
			if err := c.Team.Load(ctx); err != nil {
				return err
			}
			team = c.Team.Len()
			return nil
		}))
		c, err = inherit.First(ctx, s, inherit.Select(ChiefClass))
		if err != nil {
			t.Fatal(err)
		}
		c.Name = "Cleo II"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if team != 1 {
			t.Errorf("team loaded in the hook: %d, want 1", team)
		}
	})
}
