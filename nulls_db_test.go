package retort_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type rank struct {
	ID    int64
	Score *int64
}

var (
	ranks     = retort.NewTable[rank]("rank")
	rankID    = retort.Col(ranks, "id", func(r *rank) *int64 { return &r.ID }, retort.PrimaryKey())
	rankScore = retort.NullCol(ranks, "score", func(r *rank) **int64 { return &r.Score })
)

// TestOrderNulls orders rows with NULLs: NullsFirst and NullsLast put them
// in the same place on both databases, ascending and descending, in a
// query of objects and of a projection; without them each database keeps
// its own default (PostgreSQL: NULLs after every value; SQLite: before).
func TestOrderNulls(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, ranks)
		two, one := int64(2), int64(1)
		if err := retort.Insert(ranks, &rank{ID: 1, Score: &two}, &rank{ID: 2}, &rank{ID: 3, Score: &one}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		pgFirst := env.DB.Dialect() == retort.Postgres // where a DESC puts NULLs by default
		for _, c := range []struct {
			name string
			term retort.Ordering
			want []int64 // ids
		}{
			{"asc nulls first", rankScore.Asc().NullsFirst(), []int64{2, 3, 1}},
			{"asc nulls last", rankScore.Asc().NullsLast(), []int64{3, 1, 2}},
			{"desc nulls first", rankScore.Desc().NullsFirst(), []int64{2, 1, 3}},
			{"desc nulls last", rankScore.Desc().NullsLast(), []int64{1, 3, 2}},
			{"expression", retort.Desc(retort.Coalesce(rankScore, rankScore)).NullsLast(), []int64{1, 3, 2}},
			{"asc default", rankScore.Asc(), map[bool][]int64{true: {3, 1, 2}, false: {2, 3, 1}}[pgFirst]},
			{"desc default", rankScore.Desc(), map[bool][]int64{true: {2, 1, 3}, false: {1, 3, 2}}[pgFirst]},
		} {
			rows, err := retort.Select(ranks).OrderBy(c.term, rankID.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s: ids (-want +got):\n%s", c.name, diff)
			}
			ids, err := retort.Select1(rankID).OrderBy(c.term).All(ctx, env.DB)
			if err != nil {
				t.Fatalf("%s, projection: %v", c.name, err)
			}
			if diff := cmp.Diff(c.want, ids); diff != "" {
				t.Errorf("%s, projection: ids (-want +got):\n%s", c.name, diff)
			}
		}
	})
}
