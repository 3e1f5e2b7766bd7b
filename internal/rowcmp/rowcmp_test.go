package rowcmp

import "testing"

func TestComparable(t *testing.T) {
	type plain struct {
		ID   int64
		Name string
		Note *string
		Any  any
	}
	type withSlice struct {
		ID   int64
		Data []byte
	}
	type withMap struct{ M map[string]int }
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"plain", Comparable[plain](), true},
		{"int", Comparable[int](), true},
		{"slice field", Comparable[withSlice](), false},
		{"map field", Comparable[withMap](), false},
	} {
		if c.got != c.want {
			t.Errorf("Comparable[%s] = %v, want %v", c.name, c.got, c.want)
		}
	}
}
