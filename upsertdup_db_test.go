package retort_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type stock struct {
	ID   int64
	Code *string
	Qty  int64
}

var (
	stocks    = retort.NewTable[stock]("stock")
	stockID   = retort.Col(stocks, "id", func(s *stock) *int64 { return &s.ID }, retort.PrimaryKey())
	stockCode = retort.NullCol(stocks, "code", func(s *stock) **string { return &s.Code }, retort.Unique())
	stockQty  = retort.Col(stocks, "qty", func(s *stock) *int64 { return &s.Qty })
)

type keyed struct {
	ID   int64
	Code int32
	Qty  int64
}

var (
	keyeds    = retort.NewTable[keyed]("keyed")
	_         = retort.Col(keyeds, "id", func(k *keyed) *int64 { return &k.ID }, retort.PrimaryKey())
	keyedCode = retort.Col(keyeds, "code", func(k *keyed) *int32 { return &k.Code }, retort.Unique())
	keyedQty  = retort.Col(keyeds, "qty", func(k *keyed) *int64 { return &k.Qty })
)

// TestUpsertDuplicateConflictKeys: one upsert whose rows repeat a value of
// its conflict columns. DO UPDATE is refused before anything is sent, with
// a ColumnError naming the column and the value (PostgreSQL refuses such a
// statement, "cannot affect row a second time", while SQLite, which runs a
// statement a row, applied both rows: the databases disagreed). DO NOTHING
// inserts the first and skips the rest on both. NULLs never conflict.
func TestUpsertDuplicateConflictKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, stocks, keyeds)
		code := func(s string) *string { return &s }
		if err := retort.Insert(stocks, &stock{Code: code("a"), Qty: 1}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		add := stockQty.ToExpr(retort.Add(stockQty, retort.Excluded(stockQty)))

		env.Count.Reset()
		rows := []*stock{{Code: code("b"), Qty: 2}, {Code: code("a"), Qty: 3}, {Code: code("b"), Qty: 4}}
		err := retort.Insert(stocks, rows...).OnConflict(stockCode).DoUpdateSet(add).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.Is(err, retort.ErrDuplicateConflict) || !errors.As(err, &ce) || ce.Table != "stock" || ce.Column != "code" || ce.Value != "b" {
			t.Errorf("DO UPDATE with code b twice: %v; want a ColumnError on stock.code, value b, matching ErrDuplicateConflict", err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips for the refused upsert, want 0", n)
		}
		for _, r := range rows {
			if r.ID != 0 {
				t.Errorf("refused upsert gave an object key %d", r.ID)
			}
		}
		// Several conflict columns: the repeat is of all of them together
		// (checked before sending, so no constraint on them is needed).
		pair := []*stock{{Code: code("b"), Qty: 2}, {Code: code("b"), Qty: 3}, {Code: code("b"), Qty: 2}}
		err = retort.Insert(stocks, pair...).OnConflict(stockCode, stockQty).DoUpdateSet(add).Exec(ctx, env.DB)
		if !errors.Is(err, retort.ErrDuplicateConflict) || !errors.As(err, &ce) || ce.Column != "code, qty" || ce.Value != "[b 2]" {
			t.Errorf("DO UPDATE with (b, 2) twice: %v; want a ColumnError on stock.\"code, qty\", value [b 2]", err)
		}
		// A column of another integer type is compared as well.
		ks := []*keyed{{Code: 7, Qty: 1}, {Code: 7, Qty: 2}}
		err = retort.Insert(keyeds, ks...).OnConflict(keyedCode).DoUpdateSet(keyedQty.ToExpr(retort.Excluded(keyedQty))).Exec(ctx, env.DB)
		if !errors.Is(err, retort.ErrDuplicateConflict) || !errors.As(err, &ce) || ce.Column != "code" || ce.Value != int32(7) {
			t.Errorf("DO UPDATE with int32 code 7 twice: %v; want a ColumnError on keyed.code, value 7", err)
		}
		// Without the repeat the same upsert runs, and the existing row adds.
		if err := retort.Insert(stocks, rows[:2]...).OnConflict(stockCode).DoUpdateSet(add).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}

		// DO NOTHING: the first of the repeated rows is inserted.
		c1, c2 := &stock{Code: code("c"), Qty: 5}, &stock{Code: code("c"), Qty: 6}
		if err := retort.Insert(stocks, c1, c2).OnConflict(stockCode).DoNothing().Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if c1.ID == 0 || c2.ID != 0 {
			t.Errorf("DO NOTHING with code c twice: keys %d, %d; want the first inserted, the second skipped (0)", c1.ID, c2.ID)
		}

		// NULLs never conflict: both rows are inserted.
		n1, n2 := &stock{Qty: 7}, &stock{Qty: 8}
		if err := retort.Insert(stocks, n1, n2).OnConflict(stockCode).DoUpdateSet(add).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if n1.ID == 0 || n2.ID == 0 {
			t.Errorf("rows with NULL codes got keys %d, %d; want both inserted", n1.ID, n2.ID)
		}

		type line struct {
			Code string
			Qty  int64
		}
		all, err := retort.Select(stocks).OrderBy(stockID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var got []line
		for _, s := range all {
			l := line{Qty: s.Qty}
			if s.Code != nil {
				l.Code = *s.Code
			}
			got = append(got, l)
		}
		want := []line{{"a", 4}, {"b", 2}, {"c", 5}, {"", 7}, {"", 8}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}
