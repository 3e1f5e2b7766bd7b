package retort_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// TestInsertReturning: Insert(...).Returning() returns the rows as the
// database stored them (generated keys, read-only and generated columns),
// a given key kept; Returning1 returns one expression; with ON CONFLICT DO
// NOTHING a row not inserted is not returned, with DO UPDATE the updated
// row is. Bad values and too many values are errors before anything is
// sent. The statement, per dialect, is one VALUES list.
func TestInsertReturning(t *testing.T) {
	for _, c := range []struct {
		d    retort.Dialect
		want string
	}{
		{retort.Postgres, `INSERT INTO "line" ("id", "qty", "price") VALUES (DEFAULT, $1, $2), ($3, $4, $5) RETURNING "line"."id", "line"."qty", "line"."price", "line"."total", "line"."stamp"`},
		{retort.SQLite, `INSERT INTO "line" ("id", "qty", "price") VALUES (NULL, ?, ?), (?, ?, ?) RETURNING "line"."id", "line"."qty", "line"."price", "line"."total", "line"."stamp"`},
	} {
		got, args, err := retort.Insert(Lines, &Line{Qty: 1, Price: 2}, &Line{ID: 50, Qty: 3, Price: 4}).Returning().SQL(c.d)
		if err != nil || got != c.want || len(args) != 5 {
			t.Errorf("%s: %s %v, %v\nwant %s", c.d, got, args, err, c.want)
		}
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Lines)
		objs := []*Line{{Qty: 2, Price: 5, Total: -1, Stamp: "mine"}, {ID: 50, Qty: 3, Price: 7}}
		got, err := retort.Insert(Lines, objs...).Returning().All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var rows []Line
		for _, l := range got {
			rows = append(rows, *l)
		}
		want := []Line{{ID: 1, Qty: 2, Price: 5, Total: 10, Stamp: "fresh"}, {ID: 50, Qty: 3, Price: 7, Total: 21, Stamp: "fresh"}}
		if diff := cmp.Diff(want, rows, cmpopts.SortSlices(func(a, b Line) bool { return a.ID < b.ID })); diff != "" {
			t.Errorf("returned (-want +got):\n%s", diff)
		}
		if objs[0].ID != 0 || objs[0].Stamp != "mine" {
			t.Errorf("the object given: %+v, want it untouched", *objs[0])
		}
		total, err := retort.Returning1(retort.Insert(Lines, &Line{Qty: 4, Price: 4}), LineTotal).One(ctx, env.DB)
		if err != nil || total != 16 {
			t.Errorf("Returning1 of the total: %d, %v", total, err)
		}
		none, err := retort.Insert(Lines, &Line{ID: 50, Qty: 9, Price: 9}).OnConflict(LineID).DoNothing().Returning().All(ctx, env.DB)
		if err != nil || len(none) != 0 {
			t.Errorf("DO NOTHING of a taken key: %v, %v; want no row", none, err)
		}
		up, err := retort.Insert(Lines, &Line{ID: 50, Qty: 9, Price: 9}).OnConflict(LineID).DoUpdateSet(LineQty.ToExpr(retort.Excluded(LineQty))).Returning().One(ctx, env.DB)
		if err != nil || up.Qty != 9 || up.Price != 7 || up.Total != 63 {
			t.Errorf("DO UPDATE: %+v, %v; want qty 9, price 7, total 63", up, err)
		}
		if n, err := retort.Select(Lines).Count(ctx, env.DB); err != nil || n != 3 {
			t.Errorf("rows: %d, %v; want 3", n, err)
		}

		_, err = retort.Insert[Line](Lines).Returning().All(ctx, env.DB)
		if err == nil || !strings.Contains(err.Error(), "no objects") {
			t.Errorf("no objects: %v", err)
		}
		// More values than a statement takes: one statement is refused, All
		// splits it, in one transaction.
		many := make([]*Line, 2*(env.Dialect.MaxParams()/3)+7)
		for i := range many {
			many[i] = &Line{ID: int64(1000 + i), Qty: 1, Price: int64(i)}
		}
		if _, _, err := retort.Insert(Lines, many...).Returning().SQL(env.Dialect); err == nil || !strings.Contains(err.Error(), "which split it") {
			t.Errorf("one statement of %d objects: %v, want too many values", len(many), err)
		}
		many[len(many)-1].ID = 1000 // the first object's key, in the third statement
		_, err = retort.Insert(Lines, many...).Returning().All(ctx, env.DB)
		if err == nil {
			t.Errorf("%d objects, the last with the first's key: no error", len(many))
		}
		if n, err := retort.Select(Lines).Count(ctx, env.DB); err != nil || n != 3 {
			t.Errorf("rows after the failed statement: %d, %v; want 3 (the first statements rolled back)", n, err)
		}
		many[len(many)-1].ID = 0
		stored, err := retort.Insert(Lines, many...).Returning().All(ctx, env.DB)
		if err != nil || len(stored) != len(many) {
			t.Fatalf("%d objects: %d rows, %v", len(many), len(stored), err)
		}
		var sum, totals int64
		for _, l := range stored {
			sum += l.Price
			totals += l.Total
		}
		if want := int64(len(many)-1) * int64(len(many)) / 2; sum != want || totals != want {
			t.Errorf("prices %d and totals %d returned, want %d", sum, totals, want)
		}
		if _, err := retort.Delete(Lines).Where(LineQty.Eq(1)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		_, err = retort.Insert(Lines, &Line{Qty: 1}, nil).Returning().All(ctx, env.DB)
		if err == nil || !strings.Contains(err.Error(), "object 1 is nil") {
			t.Errorf("a nil object: %v", err)
		}
		if n, err := retort.Select(Lines).Count(ctx, env.DB); err != nil || n != 3 {
			t.Errorf("rows after the refusals: %d, %v; want 3", n, err)
		}
	})
}
