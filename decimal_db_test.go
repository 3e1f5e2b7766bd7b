package retort_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// DecRow holds Decimal columns of every kind: unconstrained, money, the
// largest scale, and NULL-able.
type DecRow struct {
	ID    int64
	Free  retort.Decimal
	Money retort.Decimal
	Fine  retort.Decimal
	Opt   *retort.Decimal
}

var (
	DecRows  = retort.NewTable[DecRow]("dec_row")
	DecID    = retort.Col(DecRows, "id", func(r *DecRow) *int64 { return &r.ID }, retort.PrimaryKey())
	DecFree  = retort.Col(DecRows, "free", func(r *DecRow) *retort.Decimal { return &r.Free })
	DecMoney = retort.ColType(DecRows, "money", func(r *DecRow) *retort.Decimal { return &r.Money }, retort.Numeric(12, 2))
	DecFine  = retort.ColType(DecRows, "fine", func(r *DecRow) *retort.Decimal { return &r.Fine }, retort.Numeric(19, 18))
	DecOpt   = retort.NullColType(DecRows, "opt", func(r *DecRow) **retort.Decimal { return &r.Opt }, retort.Numeric(18, 4))
)

// decEqual compares decimals exactly: the same value and the same scale.
var decEqual = cmp.Comparer(func(a, b retort.Decimal) bool { return a.Units() == b.Units() && a.Scale() == b.Scale() })

// TestDecimalRoundTripPostgres writes and reads Decimal edge values on
// PostgreSQL, where numeric is exact and values are read from the binary
// format: negative values, the largest scale, NULL, int64's extremes, values
// on both sides of base-10000 digit boundaries; through one-row and
// several-row inserts, whole-object selects, projections and aggregates.
func TestDecimalRoundTripPostgres(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		if env.Dialect != retort.Postgres {
			t.Skip("SQLite stores fractional NUMERIC values as 8-byte REAL (see Numeric)")
		}
		ctx := context.Background()
		env.Create(t, DecRows)
		d := retort.MustDecimal
		rows := []*DecRow{
			{Free: d("9223372036854775807"), Money: d("-9999999999.99"), Fine: d("9.223372036854775807"), Opt: ptr(d("-99999999999999.9999"))},
			{Free: d("-9223372036854775807"), Money: d("9999999999.99"), Fine: d("-0.000000000000000001"), Opt: nil},
			{Free: d("0.000000000000000001"), Money: d("0.01"), Fine: d("0.000000000000000000"), Opt: ptr(d("0.0001"))},
			{Free: d("-1.5"), Money: d("-0.10"), Fine: d("1.000000000000000000"), Opt: ptr(d("10000.0000"))},
			{Free: d("10000"), Money: d("0.00"), Fine: d("-9.223372036854775807"), Opt: ptr(d("-1.0000"))},
			{Free: d("99990000.00010000"), Money: d("12345.60"), Fine: d("0.999999999999999999"), Opt: ptr(d("0.0000"))},
		}
		// One-row inserts for the first two, one several-row insert for the rest.
		for _, r := range rows[:2] {
			if err := retort.Insert(DecRows, r).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
		if err := retort.Insert(DecRows, rows[2:]...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(DecRows).OrderBy(DecID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rows, got, decEqual); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}

		// A value read where the column's scale differs is rounded to it, as
		// Decode does: numeric(12,2) written from an unconstrained value.
		if _, err := env.DB.Exec(ctx, `UPDATE "dec_row" SET "money" = "free" WHERE "id" = 4`); err != nil {
			t.Fatal(err)
		}
		r4, err := retort.Select(DecRows).Where(DecID.Eq(4)).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if r4.Money.Units() != -150 || r4.Money.Scale() != 2 {
			t.Errorf("money from free -1.5 = %s, want -1.50", r4.Money)
		}

		// Projections and aggregates read numeric through the same path.
		sum, err := retort.Select1(retort.SumDecimal(DecMoney)).From(DecRows).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if want := d("12344.11"); !sum.Equal(want) {
			t.Errorf("sum of money = %s, want %s", sum, want)
		}
		vals, err := retort.Select1(DecFine).From(DecRows).OrderBy(DecID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if v.Units() != rows[i].Fine.Units() || v.Scale() != 18 {
				t.Errorf("Select1 fine[%d] = %s, want %s", i, v, rows[i].Fine)
			}
		}
	})
}

// TestDecimalReadOutOfRangePostgres: values PostgreSQL holds but a Decimal
// cannot are errors naming the column, never wrong numbers.
func TestDecimalReadOutOfRangePostgres(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		if env.Dialect != retort.Postgres {
			t.Skip("PostgreSQL's numeric holds more than int64")
		}
		ctx := context.Background()
		env.Create(t, DecRows)
		for _, c := range []struct {
			free string
			want error
		}{
			{"9223372036854775808", retort.ErrOutOfRange},
			{"-12345678901234567890123456", retort.ErrOutOfRange},
			{"'NaN'", nil},
			{"0.0000000000000000001", nil}, // 19 fraction digits
		} {
			if _, err := env.DB.Exec(ctx, `DELETE FROM "dec_row"`); err != nil {
				t.Fatal(err)
			}
			if _, err := env.DB.Exec(ctx, `INSERT INTO "dec_row" ("free", "money", "fine") VALUES (`+c.free+`, 0, 0)`); err != nil {
				t.Fatal(err)
			}
			_, err := retort.Select(DecRows).All(ctx, env.DB)
			if err == nil {
				t.Errorf("reading %s succeeded", c.free)
				continue
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("reading %s: %v, want %v", c.free, err, c.want)
			}
			if !strings.Contains(err.Error(), "free") {
				t.Errorf("reading %s: error %q does not name the column", c.free, err)
			}
		}
	})
}

// TestDecimalValInExpressions compares computed Decimal expressions with
// Val(Decimal). A Decimal travels as text; SQLite, where no column's
// affinity converts it, ranked the text above every number, so that
// balance * 2 > 10 matched no row on SQLite and one on PostgreSQL.
func TestDecimalValInExpressions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		if err := retort.Insert(Users, &User{Name: "a", Balance: retort.MustDecimal("10.50")}, &User{Name: "b", Balance: retort.MustDecimal("3.00")}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		two, ten := retort.Val(retort.MustDecimal("2")), retort.Val(retort.MustDecimal("10"))
		for _, c := range []struct {
			name string
			cond retort.Expr[bool]
			want []string
		}{
			{"balance * 2 > 10", retort.Gt(retort.Mul(UserBalance, two), ten), []string{"a"}},
			{"10 < balance + 2", retort.Lt(ten, retort.Add(UserBalance, two)), []string{"a"}},
			{"balance * 2 < 10", retort.Lt(retort.Mul(UserBalance, two), ten), []string{"b"}},
			{"balance > 10", retort.Gt(UserBalance, ten), []string{"a"}},
		} {
			got, err := retort.Select1(UserName).From(Users).Where(c.cond).OrderBy(UserName.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
	})
}
