package inherit

import (
	"testing"

	"github.com/retort-orm/retort"
)

// odd is comparable, but == on two of them panics when both Extra fields
// hold slices (Extra is no column).
type odd struct {
	ID    int64
	Extra any
}

var odds = retort.NewTable[odd]("inherit_odd")

// A class's same compares whole objects with ==, and answers false, never
// panicking, when == panics: Changed then compares column by column.
func TestSameRecovers(t *testing.T) {
	n := newNode(&hierarchy{}, odds)
	if n.same == nil {
		t.Fatal("odd is comparable: same should be set")
	}
	for _, c := range []struct {
		name string
		a, b odd
		want bool
	}{
		{"equal", odd{ID: 1, Extra: "x"}, odd{ID: 1, Extra: "x"}, true},
		{"a field differs", odd{ID: 1}, odd{ID: 2}, false},
		{"== panics", odd{ID: 1, Extra: []int{1}}, odd{ID: 1, Extra: []int{1}}, false},
	} {
		if got := n.same(&c.a, &c.b); got != c.want {
			t.Errorf("%s: same = %v, want %v", c.name, got, c.want)
		}
	}
	type withSlice struct {
		ID   int64
		Tags []string
	}
	if newNode(&hierarchy{}, retort.NewTable[withSlice]("inherit_with_slice")).same != nil {
		t.Error("a struct with a slice field is not comparable: same should be nil")
	}
}
