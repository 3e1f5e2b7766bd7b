package rel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Tables whose foreign keys form a cycle: a member's favourite note, a
// note's author; and a folder inside a folder.
type cycMember struct {
	ID    int64
	Name  string
	FavID *int64
	Fav   rel.One[cycNote]
	Notes rel.Many[cycNote]
}

type cycNote struct {
	ID       int64
	Title    string
	AuthorID int64
	Author   rel.One[cycMember]
}

type cycFolder struct {
	ID       int64
	Name     string
	ParentID *int64
	Parent   rel.One[cycFolder]
}

var (
	cycMembers   = retort.NewTable[cycMember]("cyc_member")
	cycMemberID  = retort.Col(cycMembers, "id", func(m *cycMember) *int64 { return &m.ID }, retort.PrimaryKey())
	_            = retort.Col(cycMembers, "name", func(m *cycMember) *string { return &m.Name })
	cycMemberFav = retort.NullCol(cycMembers, "fav_id", func(m *cycMember) **int64 { return &m.FavID })
	cycNotes     = retort.NewTable[cycNote]("cyc_note")
	cycNoteID    = retort.Col(cycNotes, "id", func(n *cycNote) *int64 { return &n.ID }, retort.PrimaryKey())
	cycNoteTitle = retort.Col(cycNotes, "title", func(n *cycNote) *string { return &n.Title })
	cycNoteBy    = retort.Col(cycNotes, "author_id", func(n *cycNote) *int64 { return &n.AuthorID })
	cycFolders   = retort.NewTable[cycFolder]("cyc_folder")
	cycFolderID  = retort.Col(cycFolders, "id", func(f *cycFolder) *int64 { return &f.ID }, retort.PrimaryKey())
	_            = retort.Col(cycFolders, "name", func(f *cycFolder) *string { return &f.Name })
	cycFolderIn  = retort.NullCol(cycFolders, "parent_id", func(f *cycFolder) **int64 { return &f.ParentID })

	cycFav         = rel.ManyToOne(cycMemberFav, cycNoteID, func(m *cycMember) *rel.One[cycNote] { return &m.Fav })
	cycAuthor      = rel.ManyToOne(cycNoteBy, cycMemberID, func(n *cycNote) *rel.One[cycMember] { return &n.Author })
	_              = cycAuthor.Backref(func(m *cycMember) *rel.Many[cycNote] { return &m.Notes })
	cycFolderOuter = rel.ManyToOne(cycFolderIn, cycFolderID, func(f *cycFolder) *rel.One[cycFolder] { return &f.Parent })
)

// A flush over tables that reference each other orders the tables by the
// rows' references: a new note of a new member goes after the member,
// whichever was added first. Before, the order objects entered the session
// decided, and the note was written with author_id 0 (refused by the
// foreign key, or stored when the table had none). Rows that reference
// each other in a cycle, or a new row that references itself, are an error
// naming the tables, and nothing is written; set one reference after a
// first flush.
func TestForeignKeyCycles(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, cycMembers, cycNotes, cycFolders)
		for _, noteFirst := range []bool{false, true} {
			s := session.New(env.DB)
			m := &cycMember{Name: "ann"}
			n := &cycNote{Title: "hello"}
			cycAuthor.Set(n, m)
			var err error
			if noteFirst {
				err = session.Add(s, n)
			} else {
				err = session.Add(s, m)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("note added first %v: %v", noteFirst, err)
			}
			got, err := retort.Select(cycNotes).Where(cycNoteID.Eq(n.ID)).One(ctx, env.DB)
			if err != nil || got.AuthorID != m.ID || n.AuthorID != m.ID || m.ID == 0 {
				t.Errorf("note added first %v: stored %+v, %v; member %d, in memory %d", noteFirst, got, err, m.ID, n.AuthorID)
			}
		}

		// Each new row references the other.
		s := session.New(env.DB)
		m := &cycMember{Name: "bob"}
		n := &cycNote{Title: "mine"}
		cycAuthor.Set(n, m)
		cycFav.Set(m, n)
		if err := session.Add(s, m); err != nil {
			t.Fatal(err)
		}
		err := s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), "reference each other in a cycle") {
			t.Fatalf("a cycle of new rows: %v, want an error", err)
		}
		if c, err := retort.Select(cycNotes).Where(cycNoteTitle.Eq("mine")).Count(ctx, env.DB); err != nil || c != 0 || m.ID != 0 || n.ID != 0 {
			t.Errorf("after the refused flush: %d notes stored (%v), keys %d and %d", c, err, m.ID, n.ID)
		}
		cycFav.Set(m, nil)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		cycFav.Set(m, n)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(cycMembers).Where(cycMemberID.Eq(m.ID)).One(ctx, env.DB)
		if err != nil || got.FavID == nil || *got.FavID != n.ID {
			t.Errorf("member stored %+v, %v; want fav %d", got, err, n.ID)
		}

		// A new folder inside itself.
		f := &cycFolder{Name: "loop"}
		cycFolderOuter.Set(f, f)
		if err := session.Add(s, f); err != nil {
			t.Fatal(err)
		}
		err = s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), `a new row of cyc_folder references itself`) {
			t.Fatalf("a new row referencing itself: %v, want an error", err)
		}
		cycFolderOuter.Set(f, nil)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		cycFolderOuter.Set(f, f)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		gf, err := retort.Select(cycFolders).Where(cycFolderID.Eq(f.ID)).One(ctx, env.DB)
		if err != nil || gf.ParentID == nil || *gf.ParentID != f.ID {
			t.Errorf("folder stored %+v, %v; want its own key %d as parent", gf, err, f.ID)
		}
	})
}
