package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Tag is comparable and has no NULL-able column, so a flush compares its
// objects with their snapshots whole (==), a run of them in one call. Memo
// is a field that is no column.
type Tag struct {
	ID    int64
	Label string
	Uses  int64
	Memo  string
}

var (
	Tags  = retort.NewTable[Tag]("tag")
	TagID = retort.Col(Tags, "id", func(g *Tag) *int64 { return &g.ID }, retort.PrimaryKey())
	_     = retort.Col(Tags, "label", func(g *Tag) *string { return &g.Label })
	_     = retort.Col(Tags, "uses", func(g *Tag) *int64 { return &g.Uses })
)

// Change detection of comparable objects: changed columns are written, a
// changed field that is no column is not, and an object of another table in
// between splits the run without losing any. (When == panics, see
// TestAppendChangedPanic.)
func TestChangeDetectionWhole(t *testing.T) {
	rec := &recorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Tags, Authors)
		s := session.New(env.DB)
		var tags []*Tag
		author := &Author{Name: "between"}
		for i := range 8 {
			g := &Tag{Label: "t" + string(rune('a'+i))}
			tags = append(tags, g)
			if err := session.Add(s, g); err != nil {
				t.Fatal(err)
			}
			if i == 3 {
				// An author in the middle: two runs of tags.
				if err := session.Add(s, author); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		authorUpdates := 0
		updates := func() int {
			n := 0
			for _, q := range rec.take() {
				n += strings.Count(q, `UPDATE "tag"`)
				authorUpdates += strings.Count(q, `UPDATE "author"`)
			}
			return n
		}
		rec.take()

		// A field that is no column alone: the flush sends nothing.
		tags[2].Memo = "memo"
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if q := rec.take(); len(q) != 0 {
			t.Errorf("Memo changed: statements %q; want none", q)
		}

		// Round 1: a column in each run, and a field that is no column.
		tags[1].Uses, tags[6].Label, tags[7].Memo = 10, "renamed", "memo"
		author.Name = "renamed author"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := updates(); n != 2 {
			t.Errorf("round 1: %d UPDATEs of tag, want 2 (Memo is no column)", n)
		}
		// Round 2: the first and last object of each run.
		tags[0].Uses, tags[3].Label, tags[4].Uses, tags[7].Label = 20, "three", 40, "seven"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := updates(); n != 4 {
			t.Errorf("round 2: %d UPDATEs of tag, want 4", n)
		}

		if authorUpdates != 1 {
			t.Errorf("%d UPDATEs of the author between the runs, want 1", authorUpdates)
		}
		got, err := retort.Select(Tags).OrderBy(TagID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var want []*Tag
		for _, g := range tags {
			want = append(want, &Tag{ID: g.ID, Label: g.Label, Uses: g.Uses})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}
