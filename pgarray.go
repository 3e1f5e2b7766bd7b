package retort

import (
	"math"
	"strconv"
	"strings"
)

// The PostgreSQL insert of several rows sends one array per column. Most
// columns travel as one array literal in text form ('{1,2,NULL}'), built
// here straight from the objects' fields: no value is boxed into an
// interface, and the driver sends the text as it is (pgx sends a string
// parameter in text format), where a []any of boxed values costs an
// allocation and an encoding step per value. The literal is still a bind
// parameter: the server parses it as an array of the column's type.
// Columns whose values have no exact text form here (times, bytes) travel
// as []any, as before.

// appendArray appends the column's values in objs to b as a PostgreSQL array
// literal. With auto, a zero value is NULL (the database generates it). It
// checks each value as a write does and reports false, with b to be
// discarded, when a value has no text form here.
func (c *Column[T, V]) appendArray(b []byte, objs []*T, auto bool) ([]byte, bool, error) {
	nt, isNumeric := any(c.typ).(numericType)
	var zero V
	b = append(b, '{')
	for i, obj := range objs {
		if i > 0 {
			b = append(b, ',')
		}
		v, ok := c.Get(obj)
		if !ok || (auto && c.typ.Equal(v, zero)) {
			b = append(b, "NULL"...)
			continue
		}
		switch {
		case c.native:
			if err := c.check(v); err != nil {
				return b, false, err
			}
			if b, ok = appendArrayElem(b, v); !ok {
				return b, false, nil
			}
		case isNumeric:
			d := any(v).(Decimal)
			if err := nt.check(d); err != nil {
				return b, false, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
			}
			b = d.appendTo(b)
		default:
			e, err := c.encode(v)
			if err != nil {
				return b, false, err
			}
			if b, ok = appendArrayElem(b, e); !ok {
				return b, false, nil
			}
		}
	}
	return append(b, '}'), true, nil
}

// appendArrayElem appends one element of an array literal.
func appendArrayElem(b []byte, v any) ([]byte, bool) {
	if out, ok := appendInteger(b, v); ok {
		return out, true
	}
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...), true
	case string:
		return appendQuotedElem(b, x), true
	case float64:
		return appendFloatElem(b, x, 64), true
	case float32:
		return appendFloatElem(b, float64(x), 32), true
	case bool:
		if x {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case Decimal:
		return x.appendTo(b), true
	}
	return b, false
}

// appendInteger appends v in decimal when it is a Go integer of any size;
// ok is false for other types.
func appendInteger(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case int16:
		return strconv.AppendInt(b, int64(x), 10), true
	case int8:
		return strconv.AppendInt(b, int64(x), 10), true
	case uint64:
		return strconv.AppendUint(b, x, 10), true
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), true
	}
	return b, false
}

// appendFloatElem writes the shortest text that reads back as the same
// float, in the spelling PostgreSQL's float input accepts.
func appendFloatElem(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// appendQuotedElem writes s as a double-quoted array element: a double quote
// or a backslash inside is escaped with a backslash; everything else,
// commas, braces and white space included, is taken literally.
func appendQuotedElem(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		b = append(b, '\\', s[i])
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}
