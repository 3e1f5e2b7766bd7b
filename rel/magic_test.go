package rel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

func names[T any](seq func(func(*T) bool), name func(*T) string) []string {
	out := []string{}
	for x := range seq {
		out = append(out, name(x))
	}
	return out
}

func tagNames(c *Child) []string {
	n := names(c.Tags.All(), func(t *Tag) string { return t.Name })
	slices.Sort(n)
	return n
}

// TestMagic runs the seed's "Magic" scenario: a parent with children, each
// with a set of tags, saved by adding the parent alone, then read back.
func TestMagic(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
		p := &Parent{Name: "p1", Children: rel.ManyOf(
			&Child{Name: "c1", Tags: rel.SetOf(t1, t2)},
			&Child{Name: "c2", Tags: rel.SetOf(t1, t3)},
		)}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || t1.ID == 0 {
			t.Fatalf("keys not set: parent %d, tag %d", p.ID, t1.ID)
		}
		for c := range p.Children.All() {
			if c.ParentID == nil || *c.ParentID != p.ID {
				t.Errorf("child %s: parent_id %v, want %d", c.Name, c.ParentID, p.ID)
			}
			// The reverse side followed in memory.
			if got, err := c.Parent.Get(); err != nil || got != p {
				t.Errorf("child %s: Parent.Get() = %v, %v", c.Name, got, err)
			}
		}
		if got := names(t1.Children.All(), func(c *Child) string { return c.Name }); !cmp.Equal(got, []string{"c1", "c2"}) {
			t.Errorf("t1.Children = %v", got)
		}
		var links int64
		if err := retort.InTx(ctx, env.DB, func(tx retort.Tx) error {
			rows, err := tx.Query(ctx, `SELECT count(*) FROM "child_tag"`)
			if err != nil {
				return err
			}
			defer rows.Close()
			rows.Next()
			return rows.Scan(&links)
		}); err != nil {
			t.Fatal(err)
		}
		if links != 4 {
			t.Errorf("child_tag rows = %d, want 4", links)
		}

		// A new session reads it back, as the seed does.
		s2 := session.New(env.DB)
		p1, err := session.First(ctx, s2, retort.Select(Parents), rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for c := range p1.Children.All() {
			got[c.Name] = tagNames(c)
		}
		want := map[string][]string{"c1": {"t1", "t2"}, "c2": {"t1", "t3"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("children and tags (-want +got):\n%s", diff)
		}
	})
}
