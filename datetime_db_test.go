package retort_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
)

// Visit has a calendar date, a wall-clock time and a nullable one: the
// date and timestamp columns of many existing schemas.
type Visit struct {
	ID   int64
	Code string
	On   time.Time
	At   time.Time
	Left *time.Time
}

var (
	Visits    = retort.NewTable[Visit]("visit")
	VisitID   = retort.Col(Visits, "id", func(v *Visit) *int64 { return &v.ID }, retort.PrimaryKey())
	VisitCode = retort.Col(Visits, "code", func(v *Visit) *string { return &v.Code }, retort.Unique())
	VisitOn   = retort.ColType(Visits, "on", func(v *Visit) *time.Time { return &v.On }, retort.Date())
	VisitAt   = retort.ColType(Visits, "at", func(v *Visit) *time.Time { return &v.At }, retort.Timestamp())
	VisitLeft = retort.NullColType(Visits, "left", func(v *Visit) **time.Time { return &v.Left }, retort.Timestamp())
)

// TestDateTimestamp writes dates and wall-clock times given in zones far
// from UTC, on PostgreSQL through a session whose TimeZone is New York's,
// by every path: one row, arrays (3 rows), COPY (2,100 rows), an upsert,
// an update; and reads them back unshifted: the date the value shows in its
// own zone, and its clock to the microsecond, in UTC. Predicates and IN
// lists find them; years beyond 9999 are refused, naming the column.
func TestDateTimestamp(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Visits)
		db := env.DB
		if env.Dialect == retort.Postgres {
			rows, err := db.Query(ctx, `SELECT data_type FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = 'visit' ORDER BY ordinal_position`)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				types = append(types, s)
			}
			rows.Close()
			want := []string{"bigint", "text", "date", "timestamp without time zone", "timestamp without time zone"}
			if diff := cmp.Diff(want, types); diff != "" {
				t.Errorf("column types (-want +got):\n%s", diff)
			}
			ny, err := postgres.Open(ctx, env.URL+"&timezone=America/New_York")
			if err != nil {
				t.Fatal(err)
			}
			defer ny.Close()
			db = ny
		}
		east := time.FixedZone("+14", 14*3600) // its midnight is the day before in UTC
		plus2 := time.FixedZone("+02", 2*3600)
		var objs, want []*Visit
		add := func(n int) []*Visit {
			batch := make([]*Visit, n)
			for i := range batch {
				k := len(objs)
				left := time.Date(2026, 12, 6, 23, 30, 0, 0, plus2).Add(time.Duration(k) * time.Minute)
				v := &Visit{Code: fmt.Sprint("v", k),
					On: time.Date(2026, 12, 6, 0, 0, 0, 0, east).AddDate(0, 0, k%400),
					At: time.Date(2026, 12, 6, 14, 0, 0, 123456789, plus2).Add(time.Duration(k) * time.Second)}
				if k%2 == 0 {
					v.Left = &left
				}
				w := *v
				w.On = time.Date(2026, 12, 6+k%400, 0, 0, 0, 0, time.UTC)
				w.At = time.Date(2026, 12, 6, 14, 0, k, 123456000, time.UTC)
				if v.Left != nil {
					l := time.Date(2026, 12, 6, 23, 30+k, 0, 0, time.UTC)
					w.Left = &l
				}
				batch[i] = v
				objs = append(objs, v)
				want = append(want, &w)
			}
			return batch
		}
		for _, n := range []int{1, 3, 2100} { // one row, arrays, COPY
			if err := retort.Insert(Visits, add(n)...).Exec(ctx, db); err != nil {
				t.Fatalf("%d rows: %v", n, err)
			}
		}
		for i, o := range objs {
			want[i].ID = o.ID
		}
		// An upsert of two rows (arrays) whose dates change by a day.
		again := []*Visit{{Code: objs[1].Code, On: objs[1].On.AddDate(0, 0, 1), At: objs[1].At},
			{Code: objs[2].Code, On: objs[2].On.AddDate(0, 0, 1), At: objs[2].At}}
		if err := retort.Insert(Visits, again...).OnConflict(VisitCode).
			DoUpdateSet(VisitOn.ToExpr(retort.Excluded(VisitOn))).Exec(ctx, db); err != nil {
			t.Fatal(err)
		}
		want[1].On = want[1].On.AddDate(0, 0, 1)
		want[2].On = want[2].On.AddDate(0, 0, 1)
		moved := time.Date(2027, 1, 2, 3, 4, 5, 6789, plus2)
		if _, err := retort.Update(Visits).Set(VisitLeft.To(moved)).Where(VisitID.Eq(objs[3].ID)).Exec(ctx, db); err != nil {
			t.Fatal(err)
		}
		m := time.Date(2027, 1, 2, 3, 4, 5, 6000, time.UTC)
		want[3].Left = &m

		got, err := retort.Select(Visits).OrderBy(VisitID.Asc()).All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}

		// Predicates take values as the columns store them: a date in any
		// zone matches by its own calendar day, a time by its clock.
		count := func(where retort.Expr[bool]) int64 {
			t.Helper()
			n, err := retort.Select(Visits).Where(where).Count(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		day := time.Date(2026, 12, 10, 0, 0, 0, 0, time.FixedZone("-11", -11*3600))
		wantDay := int64(0)
		for _, w := range want {
			if w.On.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)) {
				wantDay++
			}
		}
		if wantDay == 0 {
			t.Fatal("no row on the day the predicates look for")
		}
		tests := []struct {
			name  string
			where retort.Expr[bool]
			want  int64
		}{
			{"date =", VisitOn.Eq(day), wantDay},
			{"date IN", VisitOn.In(day, day.AddDate(0, 0, 1000)), wantDay},
			{"timestamp = its clock in another zone", VisitAt.Eq(time.Date(2026, 12, 6, 14, 0, 5, 123456999, time.UTC)), 1},
			{"timestamp IN", VisitAt.In(want[0].At, want[7].At.In(plus2)), 1}, // plus2's clock is another time
			{"timestamp <", VisitAt.Lt(time.Date(2026, 12, 6, 14, 0, 10, 0, east)), 10},
		}
		for _, tc := range tests {
			if n := count(tc.where); n != tc.want {
				t.Errorf("%s: %d rows, want %d", tc.name, n, tc.want)
			}
		}

		if env.Dialect == retort.SQLite { // the text SQLite's own functions read
			rows, err := db.Query(ctx, `SELECT "on", "at", date("on"), datetime("at") FROM "visit" WHERE "id" = ?`, objs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			var s [4]string
			for rows.Next() {
				if err := rows.Scan(&s[0], &s[1], &s[2], &s[3]); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			if want := [4]string{"2026-12-06", "2026-12-06 14:00:00.123456", "2026-12-06", "2026-12-06 14:00:00"}; s != want {
				t.Errorf("stored %q, want %q", s, want)
			}
		}

		// Years a column cannot hold: an error naming the column, nothing written.
		for _, bad := range []struct {
			column string
			v      *Visit
		}{
			{"on", &Visit{Code: "y10000", On: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), At: want[0].At}},
			{"at", &Visit{Code: "y0", On: want[0].On, At: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}},
		} {
			err := retort.Insert(Visits, &Visit{Code: "ok" + bad.v.Code, On: want[0].On, At: want[0].At}, bad.v).Exec(ctx, db)
			var ce *retort.ColumnError
			if !errors.Is(err, retort.ErrOutOfRange) || !errors.As(err, &ce) || ce.Table != "visit" || ce.Column != bad.column {
				t.Errorf("%s: %v, want ErrOutOfRange naming visit.%s", bad.v.Code, err, bad.column)
			}
		}
		if n, err := retort.Select(Visits).Count(ctx, db); err != nil || n != int64(len(want)) {
			t.Errorf("%d rows after refused inserts (%v), want %d", n, err, len(want))
		}
	})
}
