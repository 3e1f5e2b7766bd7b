package session

import (
	"errors"
	"math"
	"testing"

	"github.com/retort-orm/retort"
)

// KeyOf of a table keyed by one int64 column answers without a probe
// object what the probe gives: the key an object with that ID has, and the
// probe's errors for values that do not fit.
func TestKeyOfInt64(t *testing.T) {
	m := TableMapper(odds)
	if !m.int64Key {
		t.Fatal("odd's key should take KeyOf's int64 path")
	}
	for _, v := range []any{int64(7), int64(-3), int64(0), 7, int32(7), uint8(7)} {
		got, err := m.KeyOf([]any{v})
		if err != nil {
			t.Errorf("KeyOf(%T %v): %v", v, v, err)
			continue
		}
		var probe odd
		if err := odds.Columns()[0].SetValue(&probe, v); err != nil {
			t.Fatal(err)
		}
		want := Key{Table: "odd", Int: probe.ID}
		if got != want {
			t.Errorf("KeyOf(%T %v) = %v, want %v", v, v, got, want)
		}
		if k, ok := m.KeyOfObject(&probe); ok && k != got {
			t.Errorf("KeyOf(%T %v) = %v, the object's key is %v", v, v, got, k)
		}
	}
	for _, v := range []any{"7", 7.5, nil} {
		k, err := m.KeyOf([]any{v})
		var ce *retort.ColumnError
		if !errors.As(err, &ce) {
			t.Errorf("KeyOf(%T %v) = %v, %v; want a ColumnError", v, v, k, err)
		}
	}
}

// oddNote's key is also a foreign key, so the database does not generate
// it: 0 is a key like any other.
type oddNote struct {
	OddID int64
	Text  string
}

var (
	oddNotes = retort.NewTable[oddNote]("odd_note")
	_        = retort.Col(oddNotes, "odd_id", func(o *oddNote) *int64 { return &o.OddID }, retort.PrimaryKey()).References(odds.Columns()[0].(*retort.Column[odd, int64]))
	_        = retort.Col(oddNotes, "text", func(o *oddNote) *string { return &o.Text })
)

// KeyOfObject's path for one int64 key column gives what the general path
// gives, for a generated key (0: no key yet) and for one that is not.
func TestKeyOfObjectInt64(t *testing.T) {
	checkKey64(t, odds, func(o *odd, n int64) { o.ID = n }, false)
	checkKey64(t, oddNotes, func(o *oddNote, n int64) { o.OddID = n }, true)
}

func checkKey64[T any](t *testing.T, tbl *retort.Table[T], set func(*T, int64), zeroIsKey bool) {
	t.Helper()
	fast, slow := TableMapper(tbl), TableMapper(tbl)
	if fast.key64 == nil {
		t.Fatalf("%s: the key should take the int64 column path", tbl.Name())
	}
	slow.key64 = nil
	for _, n := range []int64{0, 1, -5, math.MaxInt64, math.MinInt64} {
		var o T
		set(&o, n)
		got, gotOK := fast.KeyOfObject(&o)
		want, wantOK := slow.KeyOfObject(&o)
		if got != want || gotOK != wantOK {
			t.Errorf("%s: key of %d = %v, %v; the general path gives %v, %v", tbl.Name(), n, got, gotOK, want, wantOK)
		}
		if wantIs := n != 0 || zeroIsKey; gotOK != wantIs {
			t.Errorf("%s: key of %d found = %v, want %v", tbl.Name(), n, gotOK, wantIs)
		}
	}
}
