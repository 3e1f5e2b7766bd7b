package retort

// RowEqual returns a function that reports whether a and b hold equal
// values in every column of cols, as the columns' Equal methods would, but
// faster: change tracking (package session) compares every loaded object
// with its snapshot at every flush. Columns of the common native types are
// compared directly through their accessors; the others through Equal.
func RowEqual[T any](cols []ColumnOf[T]) func(a, b *T) bool {
	var (
		ints     []func(*T) *int64
		strs     []func(*T) *string
		nullInts []func(*T) **int64
		nullStrs []func(*T) **string
		decs     []func(*T) *Decimal
		rest     []ColumnOf[T]
	)
	for _, c := range cols {
		switch c := c.(type) {
		case *Column[T, int64]:
			if c.native {
				if c.getNull == nil {
					ints = append(ints, c.get)
				} else {
					nullInts = append(nullInts, c.getNull)
				}
				continue
			}
		case *Column[T, Decimal]:
			if _, ok := c.typ.(numericType); ok && c.getNull == nil {
				decs = append(decs, c.get)
				continue
			}
		case *Column[T, string]:
			if c.native {
				if c.getNull == nil {
					strs = append(strs, c.get)
				} else {
					nullStrs = append(nullStrs, c.getNull)
				}
				continue
			}
		}
		rest = append(rest, c)
	}
	return func(a, b *T) bool {
		for _, g := range ints {
			if *g(a) != *g(b) {
				return false
			}
		}
		for _, g := range strs {
			if *g(a) != *g(b) {
				return false
			}
		}
		for _, g := range decs {
			if !(*g(a)).Equal(*g(b)) {
				return false
			}
		}
		for _, g := range nullInts {
			if !equalPtr(*g(a), *g(b)) {
				return false
			}
		}
		for _, g := range nullStrs {
			if !equalPtr(*g(a), *g(b)) {
				return false
			}
		}
		for _, c := range rest {
			if !c.Equal(a, b) {
				return false
			}
		}
		return true
	}
}

// equalPtr compares two NULL-able values: both NULL, or both set and equal.
func equalPtr[V comparable](a, b *V) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
