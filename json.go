package retort

import (
	"bytes"
	"encoding/json"
	"fmt"
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
func JSON[V any]() Type[V] { return jsonType[V]{} }

type jsonType[V any] struct{}

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

// Equal compares encodings: values encoding/json refuses are never equal,
// so a flush tries to write them and reports the error.
func (jsonType[V]) Equal(a, b V) bool {
	ea, err := json.Marshal(a)
	if err != nil {
		return false
	}
	eb, err := json.Marshal(b)
	return err == nil && bytes.Equal(ea, eb)
}

// Clone implements [Cloner]: v encoded and decoded into a new V. A value
// that does not encode is returned as it is (a flush will report it).
func (jsonType[V]) Clone(v V) V {
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
