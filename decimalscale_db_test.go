package retort_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type tally struct {
	ID  int64
	Amt retort.Decimal
}

var (
	tallies  = retort.NewTable[tally]("tally")
	tallyID  = retort.Col(tallies, "id", func(t *tally) *int64 { return &t.ID }, retort.PrimaryKey())
	tallyAmt = retort.ColType(tallies, "amt", func(t *tally) *retort.Decimal { return &t.Amt }, retort.Numeric(8, 2))
)

// TestDecimalRoundedToScale writes Decimals with more places than their
// column's scale (2): both databases hold them rounded half away from zero,
// so sums and comparisons agree. Before, SQLite kept every digit (reading
// them back rounded): its sum read 0.22 against PostgreSQL's 0.35 (no row
// matched amt = 0.00 for the UPDATE, the 0.004 being kept), and amt = 1.555
// matched a row on SQLite only.
func TestDecimalRoundedToScale(t *testing.T) {
	dec := retort.MustDecimal
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tallies)
		rows := []*tally{{Amt: dec("1.555")}, {Amt: dec("1.005")}, {Amt: dec("-2.345")}}
		if err := retort.Insert(tallies, rows...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(tallies, &tally{Amt: dec("0.004")}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(tallies).Set(tallyAmt.To(dec("0.125"))).Where(tallyAmt.Eq(dec("0.00"))).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		sum, err := retort.Select1(retort.SumDecimal(tallyAmt)).From(tallies).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		// 1.56 + 1.01 - 2.35 + 0.13
		if got := sum.String(); got != "0.35" {
			t.Errorf("sum %s, want 0.35", got)
		}
		for _, c := range []struct {
			v    string
			want int64
		}{{"1.555", 0}, {"1.56", 1}, {"-2.35", 1}, {"0.13", 1}, {"0.125", 0}} {
			n, err := retort.Select(tallies).Where(tallyAmt.Eq(dec(c.v))).Count(ctx, env.DB)
			if err != nil || n != c.want {
				t.Errorf("amt = %s: %d rows, %v; want %d", c.v, n, err, c.want)
			}
		}
		if rows[0].Amt.String() != "1.555" {
			t.Errorf("the object's value changed to %s; it keeps what the program gave", rows[0].Amt)
		}
	})
}
