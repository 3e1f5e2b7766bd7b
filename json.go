package retort

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/retort-orm/retort/internal/rowcmp"
)

// Cloner is implemented by a [Type] whose values share memory when a
// struct holding them is copied: maps, slices, pointers. The session keeps
// a snapshot of every object it loads or flushes and finds changes by
// comparing the object with it; a value changed in place (a map entry set,
// a slice element replaced) would change the snapshot too, and the change
// would be lost. A column whose Type implements Cloner is copied into the
// snapshot through Clone, which must return a value sharing nothing
// mutable with v. [JSON] implements it.
type Cloner[V any] interface {
	Clone(v V) V
}

// JSON returns the Type of a column holding a V as JSON, written and read
// with encoding/json: jsonb on PostgreSQL, TEXT on SQLite with a CHECK
// (json_valid) so that rows written by other programs hold JSON too. V is
// anything encoding/json takes: a struct with json tags, a map, a slice.
//
//	Attrs = retort.ColType(Products, "attrs", func(p *Product) *map[string]any { return &p.Attrs }, retort.JSON[map[string]any]())
//
// Changes made in place are found: the session's snapshot holds a copy of
// the value made through JSON (Clone), and two values are equal when their
// encodings are (Equal), so a map's order never counts. The copy is what a
// read from the database gives: numbers in an any become float64, and
// unexported fields are not kept. A value encoding/json refuses (a channel,
// NaN) or one holding a string with a NUL, which jsonb refuses, is a
// [ColumnError] naming the column, wrapping the cause; NUL is
// [ErrInvalidText] on both databases.
//
// A predicate compares the stored JSON with v's encoding: on PostgreSQL
// as jsonb (key order and spacing do not matter), on SQLite as text, which
// matches what Retort wrote (encoding/json sorts map keys) but not JSON
// spelled differently by another program.
func JSON[V any]() Type[V] { return jsonType[V]{comparable: rowcmp.Comparable[V]()} }

// jsonType is JSON's Type. comparable: == compiles for V (a struct of
// scalars, for one), so two values == finds equal need no encoding.
type jsonType[V any] struct{ comparable bool }

func (jsonType[V]) SQLType(d Dialect, _ int) string {
	if d == Postgres {
		return "jsonb"
	}
	return "TEXT"
}

func (jsonType[V]) Encode(v V) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if i := jsonNUL(b); i >= 0 {
		return nil, fmt.Errorf(`%w: a NUL (\u0000) at offset %d of the JSON, which PostgreSQL's jsonb cannot hold (binary data belongs in a []byte field)`, ErrInvalidText, i)
	}
	return string(b), nil
}

func (jsonType[V]) Decode(src any) (V, error) {
	var v V
	var b []byte
	switch s := src.(type) {
	case []byte:
		b = s
	case string:
		b = []byte(s)
	default:
		return v, fmt.Errorf("cannot decode %T as JSON", src)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("JSON: %w", err)
	}
	return v, nil
}

// Equal reports whether a and b have the same encoding: values
// encoding/json refuses are never equal, so a flush tries to write them and
// reports the error. The session calls it for every loaded object at every
// flush, so values == finds equal, and maps and slices of what JSON decodes
// into (and of strings, integers, floats and booleans), are compared without
// encoding them. One difference with comparing encodings: in a value
// == compares (a struct), 0 and -0 are equal, as they are to Go (and to
// jsonb, which keeps no negative zero).
func (t jsonType[V]) Equal(a, b V) bool {
	if eq, sure := jsonEqual(any(a), any(b)); sure {
		return eq
	}
	if t.comparable && sameValue(a, b) {
		return true
	}
	ea, err := json.Marshal(a)
	if err != nil {
		return false
	}
	eb, err := json.Marshal(b)
	return err == nil && bytes.Equal(ea, eb)
}

// Clone implements [Cloner]: a deep copy of maps and slices of what JSON
// decodes into; for other values, v encoded and decoded into a new V. A
// value that does not encode is returned as it is (a flush will report it).
func (jsonType[V]) Clone(v V) V {
	if c, ok := jsonClone(any(v)); ok {
		cv, _ := c.(V) // V's zero value for nil, if V is an interface
		return cv
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var c V
	if json.Unmarshal(b, &c) != nil {
		return v
	}
	return c
}

// CreateTypeSQL implements [SchemaType]: JSON needs no type of its own.
func (jsonType[V]) CreateTypeSQL(Dialect) []string { return nil }

// DropTypeSQL implements [SchemaType].
func (jsonType[V]) DropTypeSQL(Dialect) []string { return nil }

// CheckSQL implements [SchemaType]: on SQLite the text must be JSON.
func (jsonType[V]) CheckSQL(d Dialect, quotedColumn string) string {
	if d == SQLite {
		return "json_valid(" + quotedColumn + ")"
	}
	return ""
}

// jsonNUL returns the offset of the first \u0000 escape in b, the output
// of json.Marshal (which escapes every control character), or -1.
func jsonNUL(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+5 < len(b) && string(b[i+1:i+6]) == "u0000" {
			return i
		}
		i++ // the escaped character: \\ is a backslash, not an escape
	}
	return -1
}

// sameValue reports whether a == b, false if == panics (an interface field
// holding a map).
func sameValue[V any](a, b V) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return any(a) == any(b)
}

// jsonEqual compares values of the types JSON decodes into (nil, bool,
// float64, string, []any, map[string]any) and common maps and slices of
// scalars, as their encodings would compare: nil maps and slices ("null")
// differ from empty ones, and -0 from 0. sure is false when a value of
// another type is met; the caller then compares encodings.
func jsonEqual(a, b any) (eq, sure bool) {
	if an, bn := jsonNull(a), jsonNull(b); an || bn {
		return an && bn, jsonScalar(a) && jsonScalar(b)
	}
	switch x := a.(type) {
	case bool:
		y, ok := b.(bool)
		return ok && x == y, ok || jsonScalar(b)
	case string:
		y, ok := b.(string)
		return ok && x == y, ok || jsonScalar(b)
	case float64:
		y, ok := b.(float64)
		return ok && floatSame(x, y), ok || jsonScalar(b)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false, false
		}
		if (x == nil) != (y == nil) || len(x) != len(y) {
			return false, true
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return false, true
			}
			if eq, sure := jsonEqual(xv, yv); !sure || !eq {
				return false, sure
			}
		}
		return true, true
	case []any:
		y, ok := b.([]any)
		if !ok {
			return false, false
		}
		if (x == nil) != (y == nil) || len(x) != len(y) {
			return false, true
		}
		for i := range x {
			if eq, sure := jsonEqual(x[i], y[i]); !sure || !eq {
				return false, sure
			}
		}
		return true, true
	case []string:
		return slicesSame(x, b)
	case []int:
		return slicesSame(x, b)
	case []int64:
		return slicesSame(x, b)
	case []float64:
		y, ok := b.([]float64)
		if !ok {
			return false, false
		}
		return (x == nil) == (y == nil) && slices.EqualFunc(x, y, floatSame), true
	case map[string]string:
		return mapsSame(x, b)
	case map[string]int:
		return mapsSame(x, b)
	case map[string]int64:
		return mapsSame(x, b)
	case map[string]bool:
		return mapsSame(x, b)
	case map[string]float64:
		y, ok := b.(map[string]float64)
		if !ok {
			return false, false
		}
		return (x == nil) == (y == nil) && maps.EqualFunc(x, y, floatSame), true
	}
	return false, false
}

// jsonNull reports whether v encodes as null among the types JSON decodes
// into: nil, and a nil map or slice.
func jsonNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return x == nil
	case []any:
		return x == nil
	}
	return false
}

// jsonScalar reports whether v is of a type jsonEqual compares itself, so
// that a scalar of one of them and one of another are known to differ.
func jsonScalar(v any) bool {
	switch v.(type) {
	case nil, bool, string, float64, map[string]any, []any:
		return true
	}
	return false
}

// floatSame: equal values with the same sign (JSON writes -0).
func floatSame(x, y float64) bool { return x == y && math.Signbit(x) == math.Signbit(y) }

func slicesSame[E comparable](x []E, b any) (eq, sure bool) {
	y, ok := b.([]E)
	if !ok {
		return false, false
	}
	return (x == nil) == (y == nil) && slices.Equal(x, y), true
}

func mapsSame[E comparable](x map[string]E, b any) (eq, sure bool) {
	y, ok := b.(map[string]E)
	if !ok {
		return false, false
	}
	return (x == nil) == (y == nil) && maps.Equal(x, y), true
}

// jsonClone deep-copies the values jsonEqual knows; ok is false for others.
func jsonClone(v any) (c any, ok bool) {
	switch x := v.(type) {
	case nil, bool, string, float64:
		return x, true
	case map[string]any:
		if x == nil {
			return x, true
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if out[k], ok = jsonClone(e); !ok {
				return nil, false
			}
		}
		return out, true
	case []any:
		if x == nil {
			return x, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			if out[i], ok = jsonClone(e); !ok {
				return nil, false
			}
		}
		return out, true
	case []string:
		return slices.Clone(x), true
	case []int:
		return slices.Clone(x), true
	case []int64:
		return slices.Clone(x), true
	case []float64:
		return slices.Clone(x), true
	case map[string]string:
		return maps.Clone(x), true
	case map[string]int:
		return maps.Clone(x), true
	case map[string]int64:
		return maps.Clone(x), true
	case map[string]bool:
		return maps.Clone(x), true
	case map[string]float64:
		return maps.Clone(x), true
	}
	return nil, false
}
