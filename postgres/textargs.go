package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// textMode reports whether pgx runs statements in mode without asking the
// server for their parameters' types: the simple protocol, or exec (the
// modes used behind a pooler such as PgBouncer in transaction mode). pgx
// then encodes every argument from its Go type alone.
func textMode(mode pgx.QueryExecMode) bool {
	return mode == pgx.QueryExecModeSimpleProtocol || mode == pgx.QueryExecModeExec
}

// typedArgs returns args with each []any (a list of keys, a column's values
// for an insert) as a slice of its elements' type, which pgx can encode
// without the parameter's type from the server: []int64, []string,
// [][]byte, []time.Time and the like, or a slice of pointers when some
// elements are NULL. Other arguments, and lists of mixed or other types,
// are left as they are. It copies args only when one changes, and only
// when the DB's connections run in a text mode (textMode).
func (db *DB) typedArgs(args []any) []any {
	if !db.textArgs {
		return args
	}
	var out []any
	for i, a := range args {
		vs, ok := a.([]any)
		if !ok {
			continue
		}
		typed, ok := typedSlice(vs)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = typed
	}
	if out == nil {
		return args
	}
	return out
}

// typedSlice is vs as a slice of the type of its non-NULL elements.
func typedSlice(vs []any) (any, bool) {
	var first any
	for _, v := range vs {
		if v != nil {
			first = v
			break
		}
	}
	switch first.(type) {
	case int64:
		return sliceOf[int64](vs)
	case int32:
		return sliceOf[int32](vs)
	case int16:
		return sliceOf[int16](vs)
	case int:
		return sliceOf[int](vs)
	case float64:
		return sliceOf[float64](vs)
	case float32:
		return sliceOf[float32](vs)
	case bool:
		return sliceOf[bool](vs)
	case string:
		return sliceOf[string](vs)
	case time.Time:
		return sliceOf[time.Time](vs)
	case []byte:
		return sliceOf[[]byte](vs)
	}
	return nil, false
}

// sliceOf is vs as []E, or as []*E when an element is nil (NULL); false
// when an element is of another type.
func sliceOf[E any](vs []any) (any, bool) {
	vals := make([]E, len(vs))
	nulls := false
	for i, v := range vs {
		if v == nil {
			nulls = true
			continue
		}
		e, ok := v.(E)
		if !ok {
			return nil, false
		}
		vals[i] = e
	}
	if !nulls {
		return vals, true
	}
	ptrs := make([]*E, len(vs))
	for i, v := range vs {
		if v != nil {
			ptrs[i] = &vals[i]
		}
	}
	return ptrs, true
}
