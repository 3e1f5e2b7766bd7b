package session

import (
	"errors"
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
