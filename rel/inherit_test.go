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
