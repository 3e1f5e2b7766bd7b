package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Link is a row of a chain: each link references the one before it through
// a plain foreign key (no relationship), so only the key values order the
// rows.
type Link struct {
	ID     int64
	PrevID *int64
}

var (
	Links      = retort.NewTable[Link]("link")
	LinkID     = retort.Col(Links, "id", func(l *Link) *int64 { return &l.ID }, retort.PrimaryKey())
	LinkPrevID = retort.NullCol(Links, "prev_id", func(l *Link) **int64 { return &l.PrevID }).References(LinkID)
)

// Step is Link with a version column: its rows are deleted one statement
// each (the version is checked per row), on both databases.
type Step struct {
	ID      int64
	PrevID  *int64
	Version int64
}

var (
	Steps       = retort.NewTable[Step]("step")
	StepID      = retort.Col(Steps, "id", func(s *Step) *int64 { return &s.ID }, retort.PrimaryKey())
	StepPrevID  = retort.NullCol(Steps, "prev_id", func(s *Step) **int64 { return &s.PrevID }).References(StepID)
	StepVersion = retort.Col(Steps, "version", func(s *Step) *int64 { return &s.Version })
)

func init() { session.Versioned(Steps, StepVersion) }

// TestDeleteSelfReferencingRows deletes whole chains of self-referencing
// rows, loaded root first, in one flush: a row's delete must come after the
// delete of every row that references it, whether the rows go in chunks
// (SQLite's 500 keys a statement) or one statement each (a version column).
// Before, SQLite failed the chain of 1,201 links (the first chunk, the
// roots, went first) and both databases failed the versioned chain of 3.
func TestDeleteSelfReferencingRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Links, Steps)
		for _, n := range []int{2, 501, 1201} {
			t.Run(fmt.Sprint("links-", n), func(t *testing.T) {
				s := session.New(env.DB)
				var prev *Link
				for i := range n {
					l := &Link{ID: int64(n*10000 + i + 1)} // keys of their own: the subtests share the table
					if prev != nil {
						l.PrevID = &prev.ID
					}
					if err := session.Add(s, l); err != nil {
						t.Fatal(err)
					}
					prev = l
				}
				if err := s.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				s = session.New(env.DB)
				links, err := session.All(ctx, s, retort.Select(Links).OrderBy(LinkID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				if len(links) != n {
					t.Fatalf("loaded %d links, want %d", len(links), n)
				}
				for _, l := range links {
					if err := session.Delete(s, l); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Commit(ctx); err != nil {
					t.Fatalf("deleting a chain of %d links: %v", n, err)
				}
				left, err := retort.Select(Links).Count(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				if left != 0 {
					t.Errorf("%d links left, want 0", left)
				}
			})
		}
		t.Run("cycle", func(t *testing.T) {
			// Two links referencing each other: no order suits, and one
			// statement deletes both (its constraints are checked at its
			// end); the order is left as it is.
			s := session.New(env.DB)
			a, b := &Link{ID: 1}, &Link{ID: 2}
			b.PrevID = &a.ID
			if err := session.AddAll(s, a, b); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			a.PrevID = &b.ID
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for _, l := range []*Link{a, b} {
				if err := session.Delete(s, l); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("deleting two links referencing each other: %v", err)
			}
		})
		t.Run("versioned", func(t *testing.T) {
			s := session.New(env.DB)
			a := &Step{ID: 1}
			b := &Step{ID: 2, PrevID: &a.ID}
			c := &Step{ID: 3, PrevID: &b.ID}
			d := &Step{ID: 4} // references nothing, referenced by nothing
			if err := session.AddAll(s, a, b, c, d); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for _, st := range []*Step{d, a, c, b} { // a before the rows referencing it
				if err := session.Delete(s, st); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("deleting a versioned chain: %v", err)
			}
			left, err := retort.Select(Steps).Count(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			if left != 0 {
				t.Errorf("%d steps left, want 0", left)
			}
		})
	})
}
