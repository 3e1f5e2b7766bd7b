package retort_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// Parcel's columns all have a COPY text: a large insert of parcels goes by
// COPY on PostgreSQL.
type Parcel struct {
	ID      int64
	Code    string
	Label   string
	Note    *string
	Weight  int32
	Ratio   float64
	Fragile bool
	Price   retort.Decimal
}

var (
	Parcels  = retort.NewTable[Parcel]("parcel")
	ParcelID = retort.Col(Parcels, "id", func(p *Parcel) *int64 { return &p.ID }, retort.PrimaryKey())
	_        = retort.Col(Parcels, "code", func(p *Parcel) *string { return &p.Code }, retort.Size(20), retort.Unique())
	_        = retort.Col(Parcels, "label", func(p *Parcel) *string { return &p.Label })
	_        = retort.NullCol(Parcels, "note", func(p *Parcel) **string { return &p.Note })
	_        = retort.Col(Parcels, "weight", func(p *Parcel) *int32 { return &p.Weight })
	_        = retort.Col(Parcels, "ratio", func(p *Parcel) *float64 { return &p.Ratio })
	_        = retort.Col(Parcels, "fragile", func(p *Parcel) *bool { return &p.Fragile })
	_        = retort.ColType(Parcels, "price", func(p *Parcel) *retort.Decimal { return &p.Price }, retort.Numeric(12, 2))
)

// copyRows is enough rows for PostgreSQL's COPY (2,000 and more).
const copyRows = 2500

// parcels makes n parcels whose text holds what COPY's text format escapes
// (tab, newline, carriage return, backslash, the spelling of NULL) and
// whose numbers include the extremes.
func parcels(n int, first int) []*Parcel {
	labels := []string{"tab\there", "new\nline", "cr\rhere", `back\slash`, `\N`, "", `"quoted"`, `é中🙂`, `a,b{c}`, "\\\t\n\\"}
	ratios := []float64{math.Inf(1), math.Inf(-1), 5e-324, math.MaxFloat64, 0.1, -123.456, 1e21, 0}
	out := make([]*Parcel, n)
	for i := range out {
		p := &Parcel{
			Code: fmt.Sprintf("p%06d", first+i), Label: labels[i%len(labels)], Weight: int32(i*7919 - 5_000_000),
			Ratio: ratios[i%len(ratios)], Fragile: i%3 == 0, Price: retort.NewDecimal(int64(i*37-40_000), 2),
		}
		switch i % 4 {
		case 1:
			p.Note = ptr(`\N`) // the text, not NULL
		case 2:
			p.Note = ptr(labels[(i+3)%len(labels)])
		}
		out[i] = p
	}
	out[0].Weight, out[1].Weight = math.MinInt32, math.MaxInt32
	return out
}

// TestInsertCopy inserts many rows through Exec and through Items, with
// generated keys and with given ones, and reads them back unchanged; the
// generated keys ascend in the objects' order. On PostgreSQL the rows go
// by COPY: three round trips (BEGIN and the keys, the COPY, COMMIT) where
// unnest statements take one.
func TestInsertCopy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Parcels)
		drawn := parcels(copyRows, 0)
		env.Count.Reset()
		if err := retort.Insert(Parcels, drawn...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); env.Dialect == retort.Postgres && n != 3 {
			t.Errorf("insert of %d rows took %d round trips, want 3", copyRows, n)
		}
		for i := 1; i < len(drawn); i++ {
			if drawn[i].ID <= drawn[i-1].ID {
				t.Fatalf("keys %d then %d: not ascending", drawn[i-1].ID, drawn[i].ID)
			}
		}

		given := parcels(copyRows, copyRows)
		for i, p := range given {
			p.ID = int64(1_000_000 + 2*i)
		}
		items, err := retort.Insert(Parcels, given...).Items(env.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.InTx(ctx, env.DB, func(tx retort.Tx) error { return retort.RunItems(ctx, tx, items) }); err != nil {
			t.Fatal(err)
		}
		if given[1].ID != 1_000_002 {
			t.Errorf("given key became %d", given[1].ID)
		}
		got, err := retort.Select(Parcels).OrderBy(ParcelID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(append(drawn, given...), got, cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("rows read back (-objects +rows):\n%s", diff)
		}

		// A table of nothing but its generated key: each row is its key.
		env.Create(t, KeyOnlys)
		keys := make([]*KeyOnly, copyRows)
		for i := range keys {
			keys[i] = &KeyOnly{}
		}
		if err := retort.Insert(KeyOnlys, keys...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(KeyOnlys).Count(ctx, env.DB); err != nil || n != copyRows || keys[copyRows-1].ID != copyRows {
			t.Errorf("%d key-only rows (%v), last key %d; want %d", n, err, keys[copyRows-1].ID, copyRows)
		}
	})
}

// plainDB hides the driver's batches (and with them COPY): items run one
// by one through RunItem, as on a DB wrapped by a program.
type plainDB struct{ retort.DB }

func (d plainDB) Begin(ctx context.Context) (retort.Tx, error) {
	tx, err := d.DB.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return plainTx{tx}, nil
}

type plainTx struct{ retort.Tx }

func (t plainTx) Begin(ctx context.Context) (retort.Tx, error) {
	tx, err := t.Tx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return plainTx{tx}, nil
}

// TestInsertCopyElsewhere: on a DB that cannot COPY, the same insert goes
// by unnest statements once the keys are drawn, with the same result.
func TestInsertCopyElsewhere(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Parcels)
		db := plainDB{env.DB}
		objs := parcels(copyRows, 0)
		if err := retort.Insert(Parcels, objs...).Exec(ctx, db); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Parcels).OrderBy(ParcelID.Asc()).All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(objs, got); diff != "" {
			t.Errorf("rows read back (-objects +rows):\n%s", diff)
		}
	})
}

// TestInsertCopyFails: a bad value is an error before any SQL is sent; a
// duplicate the database finds in the COPY, or a cancelled context, fails
// the whole insert: no row is written and no object keeps a key.
func TestInsertCopyFails(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Parcels)
		objs := parcels(copyRows, 0)
		objs[copyRows-3].Code = "way too long for twenty"
		env.Count.Reset()
		err := retort.Insert(Parcels, objs...).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.Is(err, retort.ErrTooLong) || !errors.As(err, &ce) || ce.Column != "code" {
			t.Errorf("insert with a long code: %v, want a ColumnError of column code matching ErrTooLong", err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips before the error, want 0", n)
		}

		objs = parcels(copyRows, 0)
		objs[copyRows-3].Code = objs[5].Code
		if err := retort.Insert(Parcels, objs...).Exec(ctx, env.DB); err == nil {
			t.Error("insert with a duplicate code succeeded")
		}
		for i, p := range objs {
			if p.ID != 0 {
				t.Fatalf("parcel %d kept key %d after the failed insert", i, p.ID)
			}
		}

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		objs = parcels(copyRows, 0)
		if err := retort.Insert(Parcels, objs...).Exec(cancelled, env.DB); !errors.Is(err, context.Canceled) {
			t.Errorf("insert with a cancelled context: %v, want context.Canceled", err)
		}
		if n, err := retort.Select(Parcels).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("%d rows after the failed inserts (%v), want 0", n, err)
		}
		if err := retort.Insert(Parcels, objs...).Exec(ctx, env.DB); err != nil {
			t.Fatalf("the same objects once fixed: %v", err)
		}
	})
}
