package delorder

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func key(v any) Key { return Key{v} }

// TestOrder: rows come after every row that references them, in their
// order otherwise; a cycle leaves the order to the caller; NULL (the zero
// Key) references nothing; a row referencing itself is no reference.
func TestOrder(t *testing.T) {
	// Rows 0..4: 0 is the root, 1 and 3 reference 0, 2 references 1, 4
	// references itself.
	ids := []Key{key(int64(10)), key(int64(11)), key(int64(12)), key(int64(13)), key(int64(14))}
	refs := []Key{{}, key(int64(10)), key(int64(11)), key(int64(10)), key(int64(14))}
	g := New(len(ids))
	g.Link(refs, ids)
	order, ok := g.Order()
	if !ok {
		t.Fatal("no order for a tree")
	}
	if diff := cmp.Diff([]int32{2, 1, 3, 0, 4}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	rows := []string{"a", "b", "c", "d", "e"}
	Permute(rows, order)
	if diff := cmp.Diff([]string{"c", "b", "d", "a", "e"}, rows); diff != "" {
		t.Errorf("permuted (-want +got):\n%s", diff)
	}

	cyc := New(2)
	cyc.Link([]Key{key("b"), key("a")}, []Key{key("a"), key("b")})
	if _, ok := cyc.Order(); ok {
		t.Error("a cycle was ordered")
	}
}

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want any
		ok   bool
	}{
		{int64(1), int64(1), true},
		{"x", "x", true},
		{[]byte("x"), "x", true},
		{nil, nil, true},
		{1.5, nil, false},
		{struct{}{}, nil, false},
	} {
		got, ok := Value(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Value(%#v) = %#v, %v; want %#v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
