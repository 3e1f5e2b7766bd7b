package retort_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type meter struct {
	ID    int64
	Hits  uint64
	Ratio float64
}

var (
	meters     = retort.NewTable[meter]("meter")
	meterID    = retort.Col(meters, "id", func(m *meter) *int64 { return &m.ID }, retort.PrimaryKey())
	meterHits  = retort.Col(meters, "hits", func(m *meter) *uint64 { return &m.Hits })
	meterRatio = retort.Col(meters, "ratio", func(m *meter) *float64 { return &m.Ratio })
)

// TestConditionValuesChecked: a value in a condition that no column of its
// type can hold on both databases alike (a uint64 above bigint's range, a
// NaN) is a ColumnError naming the column, with nothing sent, as it is in
// a write. Before, the uint64 failed in the driver with an error naming no
// column, and NaN matched no row on SQLite (bound as NULL) but every NaN
// row on PostgreSQL.
func TestConditionValuesChecked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, meters)
		if err := retort.Insert(meters, &meter{Hits: 1 << 62, Ratio: 0.5}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			cond   retort.Expr[bool]
			column string
		}{
			{"uint64 above bigint", meterHits.Lt(math.MaxUint64), "hits"},
			{"uint64 in a list", meterHits.In(1, math.MaxUint64), "hits"},
			{"NaN", meterRatio.Eq(math.NaN()), "ratio"},
			{"NaN in a range", meterRatio.Between(math.NaN(), 1), "ratio"},
		} {
			env.Count.Reset()
			n, err := retort.Select(meters).Where(c.cond).Count(ctx, env.DB)
			var ce *retort.ColumnError
			if !errors.Is(err, retort.ErrOutOfRange) || !errors.As(err, &ce) || ce.Table != "meter" || ce.Column != c.column {
				t.Errorf("%s: %d, %v; want a ColumnError on meter.%s matching ErrOutOfRange", c.name, n, err, c.column)
			}
			if rt := env.Count.RoundTrips(); rt != 0 {
				t.Errorf("%s: %d round trips, want 0", c.name, rt)
			}
		}
		// Values in range compare as before.
		n, err := retort.Select(meters).Where(meterHits.Lt(math.MaxInt64), meterRatio.Lt(math.Inf(1))).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("in-range conditions: %d, %v; want 1", n, err)
		}
	})
}

// TestLikePatternEndingInEscape: a LIKE pattern ending in a lone backslash
// (the escape character) is an error naming the column before anything is
// sent, on both databases; before, PostgreSQL refused it when the query ran
// and SQLite matched nothing. An escaped backslash at the end matches one.
func TestLikePatternEndingInEscape(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		if err := retort.Insert(Users, &User{Name: `a\`}, &User{Name: `ab`}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, p := range []retort.Expr[bool]{
			retort.Like(UserName, `a\`),
			retort.ILike(UserName, `%\\\`),
			retort.NotLike(UserName, `\`),
		} {
			env.Count.Reset()
			n, err := retort.Select(Users).Where(p).Count(ctx, env.DB)
			var ce *retort.ColumnError
			if !errors.As(err, &ce) || ce.Table != "users" || ce.Column != "name" {
				t.Errorf("pattern ending in the escape character: %d, %v; want a ColumnError on users.name", n, err)
			}
			if rt := env.Count.RoundTrips(); rt != 0 {
				t.Errorf("%d round trips, want 0", rt)
			}
		}
		n, err := retort.Select(Users).Where(retort.Like(UserName, `a\\`)).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf(`LIKE 'a\\': %d, %v; want 1`, n, err)
		}
		n, err = retort.Select(Users).Where(retort.Like(UserName, retort.EscapeLike(`a\`)+"%")).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf(`LIKE EscapeLike('a\')%%: %d, %v; want 1`, n, err)
		}
	})
}
