package inherit

import (
	"time"
)

// A polymorphic query LEFT JOINs the subclass tables, so a row of one class
// has NULL in the columns of every other class. Those columns are scanned
// through tolerant destinations: NULL leaves the field alone instead of
// failing on a NOT NULL field.

// fixer completes a tolerant destination after the row is scanned.
type fixer interface{ fix() }

// nullable scans a NOT NULL field of a built-in type through a pointer that
// NULL may leave nil.
type nullable[V any] struct {
	dst *V
	tmp *V
}

func (n *nullable[V]) fix() {
	if n.tmp != nil {
		*n.dst = *n.tmp
	}
}

func tolerantOf[V any](p *V, fixes *[]fixer) any {
	n := &nullable[V]{dst: p}
	*fixes = append(*fixes, n)
	return &n.tmp
}

// skipNull wraps a Scanner (a column with a Type of its own) so that NULL is
// skipped.
type skipNull struct {
	s interface{ Scan(src any) error }
}

func (s skipNull) Scan(src any) error {
	if src == nil {
		return nil
	}
	return s.s.Scan(src)
}

// tolerant returns a destination that accepts NULL in place of dest, which
// is what a column's Dest returned: a pointer to a field of a built-in type,
// a pointer to a pointer (a NULL-able column, tolerant already), or a
// Scanner.
func tolerant(dest any, fixes *[]fixer) any {
	switch p := dest.(type) {
	case *string:
		return tolerantOf(p, fixes)
	case *int64:
		return tolerantOf(p, fixes)
	case *int:
		return tolerantOf(p, fixes)
	case *int32:
		return tolerantOf(p, fixes)
	case *int16:
		return tolerantOf(p, fixes)
	case *int8:
		return tolerantOf(p, fixes)
	case *uint64:
		return tolerantOf(p, fixes)
	case *uint:
		return tolerantOf(p, fixes)
	case *uint32:
		return tolerantOf(p, fixes)
	case *uint16:
		return tolerantOf(p, fixes)
	case *uint8:
		return tolerantOf(p, fixes)
	case *float64:
		return tolerantOf(p, fixes)
	case *float32:
		return tolerantOf(p, fixes)
	case *bool:
		return tolerantOf(p, fixes)
	case *[]byte:
		return tolerantOf(p, fixes)
	case *time.Time:
		return tolerantOf(p, fixes)
	case interface{ Scan(src any) error }:
		return skipNull{p}
	}
	return dest
}
