package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	zsqlite "zombiezen.com/go/sqlite"
)

// Writing association rows that the database refuses names the statement
// (*retort.StatementError): the INSERT or the DELETE of the association
// table. After the trigger is dropped, the same changes commit.
func TestManyToManyErrorNamesTable(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		tags := []*Tag{{Name: "a"}, {Name: "b"}, {Name: "c"}}
		c1 := &Child{Name: "c1", Tags: rel.SetOf(tags[:2]...)}
		s := session.New(env.DB)
		if err := session.Add(s, c1); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, tags[2]); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			refuse, op string
			change     func()
		}{
			{"DELETE", "delete from", func() { c1.Tags.Remove(tags[0]) }},
			{"INSERT", "insert", func() { c1.Tags.Add(tags[2]) }},
		} {
			drop := env.Refuse(t, "child_tag", c.refuse)
			c.change()
			env.CheckStatementError(t, s.Commit(ctx), "session: flush: ", c.op, "child_tag", "P0001", zsqlite.ResultConstraintTrigger)
			drop()
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("%s: retry: %v", c.refuse, err)
			}
		}
		got, err := session.All(ctx, session.New(env.DB), retort.Select(Children), rel.SelectIn(ChildTags))
		if err != nil || len(got) != 1 {
			t.Fatalf("children: %d, %v", len(got), err)
		}
		var names []string
		for x := range got[0].Tags.All() {
			names = append(names, x.Name)
		}
		if diff := cmp.Diff([]string{"b", "c"}, names); diff != "" {
			t.Errorf("tags after the retries (-want +got):\n%s", diff)
		}
	})
}
