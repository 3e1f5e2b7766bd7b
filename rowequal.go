package retort

import (
	"sync/atomic"

	"github.com/retort-orm/retort/internal/rowcmp"
)

// RowEqual returns a function that reports whether a and b hold equal
// values in every column of cols, as the columns' Equal methods would, but
// faster: change tracking (package session) compares every loaded object
// with its snapshot at every flush.
//
// When T is a comparable struct and no column of cols is NULL-able (a
// snapshot's NULL-able values sit behind pointers of its own), a and b are
// first compared whole with ==, which Go compiles into one comparison of
// all fields: equal structs hold equal column values (a column's accessor
// points into the struct), so most unchanged objects are settled there.
// Otherwise, or when == finds a difference (a changed column, a field that
// is no column, a NaN), the columns are compared one by one: those of the
// common native types directly through their accessors, the others through
// Equal.
func RowEqual[T any](cols []ColumnOf[T]) func(a, b *T) bool {
	cmp := columnsEqual(cols)
	if !rowcmp.Comparable[T]() {
		return cmp
	}
	for _, c := range cols {
		if c.Info().Nullable {
			// A snapshot holds copies of NULL-able values behind pointers
			// of its own (package session): == would fail on every row
			// with a value there.
			return cmp
		}
	}
	// whole is cleared, once, if == panics: an interface field holding a
	// value of an incomparable type.
	var whole atomic.Bool
	whole.Store(true)
	return func(a, b *T) bool {
		if whole.Load() {
			eq, ok := structEqual(a, b)
			if eq {
				return true
			}
			if !ok {
				whole.Store(false)
			}
		}
		return cmp(a, b)
	}
}

// structEqual compares *a and *b with ==; ok is false when that panicked (an
// interface field holding an incomparable value).
func structEqual[T any](a, b *T) (eq, ok bool) {
	defer func() {
		if recover() != nil {
			eq, ok = false, false
		}
	}()
	return any(*a) == any(*b), true
}

// columnsEqual compares cols one by one.
func columnsEqual[T any](cols []ColumnOf[T]) func(a, b *T) bool {
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
