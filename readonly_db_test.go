package retort_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Line has a column the database computes (Generated) and one it fills
// (ReadOnly with a DDL default): Retort reads both and writes neither.
type Line struct {
	ID    int64
	Qty   int64
	Price int64
	Total int64
	Stamp string
}

var (
	Lines     = retort.NewTable[Line]("line")
	LineID    = retort.Col(Lines, "id", func(l *Line) *int64 { return &l.ID }, retort.PrimaryKey())
	LineQty   = retort.Col(Lines, "qty", func(l *Line) *int64 { return &l.Qty })
	LinePrice = retort.Col(Lines, "price", func(l *Line) *int64 { return &l.Price })
	LineTotal = retort.Col(Lines, "total", func(l *Line) *int64 { return &l.Total }, retort.Generated(`"qty" * "price"`))
	LineStamp = retort.Col(Lines, "stamp", func(l *Line) *string { return &l.Stamp }, retort.ReadOnly(), retort.DefaultSQL("'fresh'"))
)

// TestReadOnlyColumnsStatements: inserts of 1, 3 and 2,100 rows (one row,
// arrays or multi-row VALUES, COPY) and an upsert leave the read-only
// columns out, whatever the objects hold there; a query reads what the
// database made; an assignment to a read-only column is a ColumnError
// matching ErrReadOnly, before any SQL is sent. Declarations that cannot
// work panic.
func TestReadOnlyColumnsStatements(t *testing.T) {
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		ddl := strings.Join(retort.CreateSQL(d, Lines), "\n")
		if !strings.Contains(ddl, `"total" bigint NOT NULL GENERATED ALWAYS AS ("qty" * "price") STORED`) &&
			!strings.Contains(ddl, `"total" INTEGER NOT NULL GENERATED ALWAYS AS ("qty" * "price") STORED`) {
			t.Errorf("%s DDL:\n%s", d, ddl)
		}
	}
	for name, decl := range map[string]func(){
		"key": func() {
			retort.Col(retort.NewTable[Line]("bad_ro1"), "id", func(l *Line) *int64 { return &l.ID }, retort.PrimaryKey(), retort.ReadOnly())
		},
		"Default": func() {
			retort.Col(retort.NewTable[Line]("bad_ro2"), "qty", func(l *Line) *int64 { return &l.Qty }, retort.ReadOnly(), retort.Default(int64(1)))
		},
		"UpdateDefault": func() {
			retort.Col(retort.NewTable[Line]("bad_ro3"), "qty", func(l *Line) *int64 { return &l.Qty }, retort.ReadOnly(), retort.UpdateDefault(int64(1)))
		},
		"DefaultSQL": func() {
			retort.Col(retort.NewTable[Line]("bad_ro4"), "qty", func(l *Line) *int64 { return &l.Qty }, retort.Generated("1"), retort.DefaultSQL("2"))
		},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, "read-only") && !strings.Contains(msg, "generated") {
					t.Errorf("a read-only column with %s: panic %q", name, msg)
				}
			}()
			decl()
		}()
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Lines)
		if err := retort.CheckSchema(ctx, env.DB, Lines); err != nil {
			t.Errorf("CheckSchema: %v", err)
		}
		var want int64
		for _, n := range []int{1, 3, 2100} {
			objs := make([]*Line, n)
			for i := range objs {
				objs[i] = &Line{Qty: int64(i + 1), Price: 3, Total: -1, Stamp: "mine"}
				want += int64(i+1) * 3
			}
			if err := retort.Insert(Lines, objs...).Exec(ctx, env.DB); err != nil {
				t.Fatalf("insert %d rows: %v", n, err)
			}
		}
		up := &Line{ID: 1, Qty: 10, Price: 10, Total: -1, Stamp: "mine"}
		if err := retort.Insert(Lines, up).OnConflict(LineID).DoUpdateSet(LineQty.To(10), LinePrice.To(10)).Exec(ctx, env.DB); err != nil {
			t.Fatalf("upsert: %v", err)
		}
		want += 100 - 3
		got, err := retort.Select(Lines).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, l := range got {
			if l.Total != l.Qty*l.Price || l.Stamp != "fresh" {
				t.Fatalf("row %+v: not what the database made", l)
			}
			sum += l.Total
		}
		if sum != want {
			t.Errorf("sum of totals %d, want %d", sum, want)
		}
		for name, run := range map[string]func() error{
			"Update.Set": func() error {
				_, err := retort.Update(Lines).Set(LineTotal.To(5)).Where(LineID.Eq(1)).Exec(ctx, env.DB)
				return err
			},
			"Update.Set expr": func() error {
				_, err := retort.Update(Lines).Set(LineStamp.ToExpr(retort.Val("x"))).Where(LineID.Eq(1)).Exec(ctx, env.DB)
				return err
			},
			"DoUpdateSet": func() error {
				return retort.Insert(Lines, up).OnConflict(LineID).DoUpdateSet(LineStamp.To("x")).Exec(ctx, env.DB)
			},
		} {
			err := run()
			var ce *retort.ColumnError
			if !errors.Is(err, retort.ErrReadOnly) || !errors.As(err, &ce) || ce.Table != "line" {
				t.Errorf("%s of a read-only column: %v, want a ColumnError matching ErrReadOnly", name, err)
			}
		}
	})
}

// TestReadOnlyColumnsSession: a session's flush reads the read-only columns
// of the rows it inserted or updated back into the objects (one query per
// table, in the flush's transaction), so that they show what the database
// made; a change the program made to such a field is not written and is
// replaced; the snapshots take the values read, so the next commit sends
// nothing.
func TestReadOnlyColumnsSession(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Lines)
		s := session.New(env.DB)
		lines := []*Line{{Qty: 2, Price: 5, Total: -1, Stamp: "mine"}, {Qty: 3, Price: 7}}
		if err := session.AddAll(s, lines...); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := []Line{{ID: 1, Qty: 2, Price: 5, Total: 10, Stamp: "fresh"}, {ID: 2, Qty: 3, Price: 7, Total: 21, Stamp: "fresh"}}
		if diff := cmp.Diff(want, []Line{*lines[0], *lines[1]}); diff != "" {
			t.Fatalf("after the insert (-want +objects):\n%s", diff)
		}
		lines[0].Qty = 4     // written, and total follows
		lines[1].Total = 999 // read-only: not written, replaced
		// One UPDATE (none for the read-only change), one query reading
		// both rows back, COMMIT on its own: PostgreSQL sends BEGIN with
		// the UPDATE; SQLite counts each statement.
		wantTrips := map[retort.Dialect]int64{retort.Postgres: 3, retort.SQLite: 4}[env.Dialect]
		if n := commitCounted(t, env, s); n != wantTrips {
			t.Errorf("the update's commit: %d round trips, want %d", n, wantTrips)
		}
		want[0].Qty, want[0].Total = 4, 20
		if diff := cmp.Diff(want, []Line{*lines[0], *lines[1]}); diff != "" {
			t.Fatalf("after the update (-want +objects):\n%s", diff)
		}
		stored, err := retort.Select(Lines).OrderBy(LineID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, []Line{*stored[0], *stored[1]}); diff != "" {
			t.Fatalf("stored (-want +rows):\n%s", diff)
		}
		if n := commitCounted(t, env, s); n != 0 {
			t.Errorf("a commit with nothing changed: %d round trips, want 0", n)
		}

		// An autoflush before a query reads them back too.
		third := &Line{Qty: 5, Price: 5}
		if err := session.Add(s, third); err != nil {
			t.Fatal(err)
		}
		got, err := session.First(ctx, s, retort.Select(Lines).Where(LineTotal.Eq(25)))
		if err != nil {
			t.Fatal(err)
		}
		if got != third || third.Total != 25 || third.Stamp != "fresh" {
			t.Errorf("after the autoflush: %+v (same object: %v)", third, got == third)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadOnlyInsertReturning: on PostgreSQL a flush inserting up to 500
// objects of a table with read-only columns reads them back with RETURNING
// on the INSERT itself, so a commit of them is one round trip (COMMIT goes
// with the INSERT); the snapshots hold the values, so the next commit
// sends nothing. Before: three round trips (the INSERT, the query reading
// back, COMMIT). Given and generated keys mixed, and 501 objects, are still
// read back after the flush, as everything on SQLite is (where that is as
// fast). A failing insert leaves the object pending, its generated key
// zero, the error naming the table.
func TestReadOnlyInsertReturning(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Lines)
		s := session.New(env.DB)
		l := &Line{Qty: 2, Price: 6, Total: -1, Stamp: "mine"}
		if err := session.Add(s, l); err != nil {
			t.Fatal(err)
		}
		want := map[retort.Dialect]int64{retort.Postgres: 1, retort.SQLite: 4}[env.Dialect]
		if n := commitCounted(t, env, s); n != want {
			t.Errorf("commit of one line: %d round trips, want %d", n, want)
		}
		if diff := cmp.Diff(Line{ID: 1, Qty: 2, Price: 6, Total: 12, Stamp: "fresh"}, *l); diff != "" {
			t.Errorf("the object (-want +got):\n%s", diff)
		}
		if n := commitCounted(t, env, s); n != 0 {
			t.Errorf("commit with nothing changed: %d round trips", n)
		}
		// Several objects: keys all generated, all given, mixed (read back
		// after the flush), and more than a RETURNING insert takes.
		for _, c := range []struct {
			name  string
			ids   []int64
			trips map[retort.Dialect]int64
		}{
			{"generated", []int64{0, 0, 0}, map[retort.Dialect]int64{retort.Postgres: 1, retort.SQLite: 6}},
			{"given", []int64{3000, 2000, 1000}, map[retort.Dialect]int64{retort.Postgres: 1, retort.SQLite: 4}},
			{"mixed", []int64{0, 4000, 0}, map[retort.Dialect]int64{retort.Postgres: 3, retort.SQLite: 6}},
			{"many", make([]int64, 501), map[retort.Dialect]int64{retort.Postgres: 3, retort.SQLite: 5}},
		} {
			objs := make([]*Line, len(c.ids))
			for i, id := range c.ids {
				objs[i] = &Line{ID: id, Qty: int64(i + 1), Price: 10, Total: -1, Stamp: "mine"}
				if err := session.Add(s, objs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if n := commitCounted(t, env, s); n != c.trips[env.Dialect] {
				t.Errorf("%s: commit of %d lines: %d round trips, want %d", c.name, len(objs), n, c.trips[env.Dialect])
			}
			for i, o := range objs {
				if o.ID == 0 || c.ids[i] != 0 && o.ID != c.ids[i] || o.Total != int64(i+1)*10 || o.Stamp != "fresh" {
					t.Errorf("%s: line %d: %+v", c.name, i, *o)
				}
				if i > 0 && c.ids[i] == 0 && c.ids[i-1] == 0 && o.ID <= objs[i-1].ID {
					t.Errorf("%s: generated keys not ascending: %d after %d", c.name, o.ID, objs[i-1].ID)
				}
			}
			stored, err := retort.Select(Lines).Where(LineID.In(objs[0].ID, objs[len(objs)-1].ID)).OrderBy(LineID.Asc()).All(ctx, env.DB)
			if err != nil || len(stored) != 2 || len(objs) > 1 && stored[0].Qty+stored[1].Qty != 1+int64(len(objs)) {
				t.Errorf("%s: stored %v, %v", c.name, stored, err)
			}
			if n := commitCounted(t, env, s); n != 0 {
				t.Errorf("%s: commit with nothing changed: %d round trips", c.name, n)
			}
		}
		// A key given, and one already taken.
		keyed := &Line{ID: 7000, Qty: 1, Price: 1}
		if err := session.Add(s, keyed); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil || keyed.Total != 1 || keyed.Stamp != "fresh" {
			t.Errorf("keyed: %+v, %v", *keyed, err)
		}
		dup := &Line{ID: 7000, Qty: 3, Price: 3}
		other := session.New(env.DB)
		if err := session.Add(other, dup); err != nil {
			t.Fatal(err)
		}
		err := other.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), `insert "line"`) {
			t.Errorf("a taken key: %v, want an error naming the insert into line", err)
		}
		if other.StatusOf(dup) != session.Pending || dup.Total != 0 {
			t.Errorf("after the failed insert: %v, %+v; want pending, untouched", other.StatusOf(dup), *dup)
		}
		gen := &Line{Qty: 5, Price: 5}
		if err := session.Add(other, gen); err != nil {
			t.Fatal(err)
		}
		if err := other.Commit(ctx); err == nil || gen.ID != 0 {
			t.Errorf("second try with the taken key still there: %v, generated key %d; want an error, 0", err, gen.ID)
		}
		other.Expunge(dup)
		if err := other.Commit(ctx); err != nil || gen.ID == 0 || gen.Total != 25 {
			t.Errorf("without it: %+v, %v", *gen, err)
		}
	})
}

// TestReadOnlyUpdateReturning: on PostgreSQL an UPDATE of a row with
// read-only columns returns them (RETURNING), so a commit of one changed
// object is one round trip (the UPDATE, the transaction's only statement,
// runs on its own), three before (the UPDATE, the query reading back,
// COMMIT); with a second object changed, two (the UPDATEs with BEGIN, then
// COMMIT once their row counts are checked). SQLite reads them back after
// the flush. A row gone meanwhile is a StaleError on both, the object
// keeping its change.
func TestReadOnlyUpdateReturning(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Lines)
		s := session.New(env.DB)
		l := &Line{Qty: 2, Price: 6}
		if err := session.Add(s, l); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		l.Qty, l.Stamp = 3, "mine"
		want := map[retort.Dialect]int64{retort.Postgres: 1, retort.SQLite: 4}[env.Dialect]
		if n := commitCounted(t, env, s); n != want {
			t.Errorf("commit of one update: %d round trips, want %d", n, want)
		}
		if diff := cmp.Diff(Line{ID: l.ID, Qty: 3, Price: 6, Total: 18, Stamp: "fresh"}, *l); diff != "" {
			t.Errorf("after the update (-want +got):\n%s", diff)
		}
		l2 := &Line{Qty: 1, Price: 1}
		if err := session.Add(s, l2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		l.Qty, l2.Qty = 5, 7
		want = map[retort.Dialect]int64{retort.Postgres: 2, retort.SQLite: 5}[env.Dialect]
		if n := commitCounted(t, env, s); n != want {
			t.Errorf("commit of two updates: %d round trips, want %d", n, want)
		}
		if l.Total != 30 || l2.Total != 7 {
			t.Errorf("totals after two updates: %d, %d; want 30, 7", l.Total, l2.Total)
		}
		if n := commitCounted(t, env, s); n != 0 {
			t.Errorf("commit with nothing changed: %d round trips", n)
		}
		if _, err := retort.Delete(Lines).Where(LineID.Eq(l.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		l.Qty = 4
		err := s.Commit(ctx)
		var stale *session.StaleError
		if !errors.As(err, &stale) || stale.Matched != 0 {
			t.Fatalf("updating a row deleted meanwhile: %v, want a StaleError matching 0 rows", err)
		}
		if l.Qty != 4 || l.Total != 30 || !s.IsModified(l) {
			t.Errorf("after the stale update: %+v, modified %v", *l, s.IsModified(l))
		}
	})
}
