package rel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Shelves hold volumes, joined by default: every session query of shelves
// loads their volumes in its own statement.

type Shelf struct {
	ID      int64
	Label   string
	Volumes rel.Many[Volume]
}

type Volume struct {
	ID      int64
	ShelfID int64
	Title   string
}

var (
	Shelves     = retort.NewTable[Shelf]("shelf")
	ShelfID     = retort.Col(Shelves, "id", func(s *Shelf) *int64 { return &s.ID }, retort.PrimaryKey())
	ShelfLabel  = retort.Col(Shelves, "label", func(s *Shelf) *string { return &s.Label })
	Volumes     = retort.NewTable[Volume]("volume")
	VolumeID    = retort.Col(Volumes, "id", func(v *Volume) *int64 { return &v.ID }, retort.PrimaryKey())
	VolumeShelf = retort.Col(Volumes, "shelf_id", func(v *Volume) *int64 { return &v.ShelfID })
	VolumeTitle = retort.Col(Volumes, "title", func(v *Volume) *string { return &v.Title })

	ShelfVolumes = rel.OneToMany(VolumeShelf, ShelfID, func(s *Shelf) *rel.Many[Volume] { return &s.Volumes },
		rel.Loading(rel.JoinedLoad), rel.OrderBy(rel.Asc(VolumeTitle)))
)

// TestDefaultsThroughSession: a relationship's default strategy applies to
// session.All, One and First, and an option overrides it.
func TestDefaultsThroughSession(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Shelves, Volumes)
		s := session.New(env.DB)
		for i := range 5 {
			sh := &Shelf{Label: fmt.Sprintf("s%d", i)}
			for j := range 3 {
				sh.Volumes.Add(&Volume{Title: fmt.Sprintf("s%d-v%d", i, j)})
			}
			a := &Author{Name: fmt.Sprintf("a%d", i)}
			a.Books.Add(&Book{Title: fmt.Sprintf("a%d-b0", i)}, &Book{Title: fmt.Sprintf("a%d-b1", i)})
			if err := session.Add(s, sh); err != nil {
				t.Fatal(err)
			}
			if err := session.Add(s, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		shelves := retort.Select(Shelves).OrderBy(ShelfLabel.Asc())
		authors := retort.Select(Authors).OrderBy(AuthorName.Asc())
		shelfShape := func(shs ...*Shelf) []string {
			var out []string
			for _, sh := range shs {
				vs, err := sh.Volumes.Get()
				if err != nil {
					out = append(out, sh.Label+": "+err.Error())
					continue
				}
				line := sh.Label + ":"
				for _, v := range vs {
					line += " " + v.Title
				}
				out = append(out, line)
			}
			return out
		}
		authorShape := func(as ...*Author) []string {
			var out []string
			for _, a := range as {
				bs, err := a.Books.Get()
				if err != nil {
					out = append(out, a.Name+": "+err.Error())
					continue
				}
				line := a.Name + ":"
				for _, b := range bs {
					line += " " + b.Title
				}
				out = append(out, line)
			}
			return out
		}
		allShelves := []string{"s0: s0-v0 s0-v1 s0-v2", "s1: s1-v0 s1-v1 s1-v2", "s2: s2-v0 s2-v1 s2-v2",
			"s3: s3-v0 s3-v1 s3-v2", "s4: s4-v0 s4-v1 s4-v2"}
		allAuthors := []string{"a0: a0-b0 a0-b1", "a1: a1-b0 a1-b1", "a2: a2-b0 a2-b1", "a3: a3-b0 a3-b1", "a4: a4-b0 a4-b1"}
		cases := []struct {
			name  string
			stmts int64
			want  []string
			load  func(s *session.Session) ([]string, error)
		}{
			{"joined default, All", 1, allShelves, func(s *session.Session) ([]string, error) {
				shs, err := session.All(ctx, s, shelves)
				return shelfShape(shs...), err
			}},
			{"joined default, First", 1, allShelves[:1], func(s *session.Session) ([]string, error) {
				sh, err := session.First(ctx, s, shelves)
				if err != nil {
					return nil, err
				}
				return shelfShape(sh), nil
			}},
			{"joined default, One", 1, allShelves[2:3], func(s *session.Session) ([]string, error) {
				sh, err := session.One(ctx, s, shelves.Where(ShelfLabel.Eq("s2")))
				if err != nil {
					return nil, err
				}
				return shelfShape(sh), nil
			}},
			{"joined default, SelectIn option", 2, allShelves, func(s *session.Session) ([]string, error) {
				shs, err := session.All(ctx, s, shelves, rel.SelectIn(ShelfVolumes))
				return shelfShape(shs...), err
			}},
			{"joined default, Lazy option", 1, []string{"s0: rel: shelf→volume of shelf(1) is not loaded: call Load(ctx), or load it eagerly with rel.SelectIn or rel.Joined"},
				func(s *session.Session) ([]string, error) {
					shs, err := session.All(ctx, s, shelves, rel.Lazy(ShelfVolumes))
					return shelfShape(shs[0]), err
				}},
			{"selectin default, All", 2, allAuthors, func(s *session.Session) ([]string, error) {
				as, err := session.All(ctx, s, authors)
				return authorShape(as...), err
			}},
			{"selectin default, First", 2, allAuthors[:1], func(s *session.Session) ([]string, error) {
				a, err := session.First(ctx, s, authors)
				if err != nil {
					return nil, err
				}
				return authorShape(a), nil
			}},
			{"selectin default, Joined option", 1, allAuthors, func(s *session.Session) ([]string, error) {
				as, err := session.All(ctx, s, authors, rel.Joined(AuthorBooks))
				return authorShape(as...), err
			}},
		}
		for _, c := range cases {
			env.Count.Reset()
			got, err := c.load(session.New(env.DB))
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
	})
}
