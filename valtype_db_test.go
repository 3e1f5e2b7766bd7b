package retort_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type payday struct {
	ID  int64
	Day time.Time
}

var (
	paydays   = retort.NewTable[payday]("payday")
	paydayID  = retort.Col(paydays, "id", func(p *payday) *int64 { return &p.ID }, retort.PrimaryKey())
	paydayDay = retort.ColType(paydays, "day", func(p *payday) *time.Time { return &p.Day }, retort.Date())
)

// TestValTakesColumnType compares a Date column with Val(time): the value
// travels as a date, on either side of the comparison and in Coalesce, so
// both databases compare dates. Before, Val sent a timestamp, which SQLite
// compared as text with the column's '2024-01-02' (= and >= matched no row
// on SQLite and the row on PostgreSQL).
func TestValTakesColumnType(t *testing.T) {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	noon := day.Add(12 * time.Hour)

	// The SQL: the value is a date on both.
	sqlText, args, err := retort.Select1(paydayID).Where(retort.Ge(paydayDay, retort.Val(noon))).SQL(retort.Postgres)
	if err != nil || !strings.Contains(sqlText, "CAST($1 AS date)") {
		t.Errorf("PostgreSQL: %s %v, %v; want the value cast to date", sqlText, args, err)
	}
	_, args, err = retort.Select1(paydayID).Where(retort.Ge(retort.Val(noon), paydayDay)).SQL(retort.SQLite)
	if err != nil || !cmp.Equal(args, []any{"2024-01-02"}) {
		t.Errorf("SQLite: args %v, %v; want [2024-01-02]", args, err)
	}

	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, paydays)
		if err := retort.Insert(paydays, &payday{Day: day}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			cond retort.Expr[bool]
			want int64
		}{
			{"eq", retort.Eq(paydayDay, retort.Val(day)), 1},
			{"ge", retort.Ge(paydayDay, retort.Val(day)), 1},
			{"gt", retort.Gt(paydayDay, retort.Val(day)), 0},
			{"value first", retort.Le(retort.Val(day), paydayDay), 1},
			{"noon is the day", retort.Eq(paydayDay, retort.Val(noon)), 1},
			{"next day", retort.Lt(paydayDay, retort.Val(day.AddDate(0, 0, 1))), 1},
			{"coalesce", retort.Eq(retort.Coalesce(paydayDay, retort.Val(day)), retort.Val(day)), 1},
		} {
			n, err := retort.Select(paydays).Where(c.cond).Count(ctx, env.DB)
			if err != nil || n != c.want {
				t.Errorf("%s: %d rows, %v; want %d", c.name, n, err, c.want)
			}
		}
	})
}
