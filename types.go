package retort

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Type describes how values of the Go type V are stored in a column: the
// column's SQL type per dialect, how a value is turned into something a driver
// binds, how a value read back is turned into V, and when two values are equal
// (for change tracking).
//
// Encode returns one of: nil, int64, float64, bool, string, []byte or
// time.Time (the built-in types may also return their own Go value, which both
// drivers bind directly). Decode receives one of nil, int64, float64, bool,
// string, []byte or time.Time, as the driver read it.
//
// Retort has a Type for every built-in column type; users implement Type for
// their own (see [Numeric] for a complete one) and pass it to [ColType].
type Type[V any] interface {
	// SQLType is the type name used in CREATE TABLE for d. size is the
	// column's Size option, 0 when none was given.
	SQLType(d Dialect, size int) string
	// Encode turns v into a value a driver binds (see above); an error
	// stops the statement before it is sent.
	Encode(v V) (any, error)
	// Decode turns a value the driver read into V; NULL never reaches it.
	Decode(src any) (V, error)
	// Equal reports whether a and b are the same value, for change tracking.
	Equal(a, b V) bool
}

// SchemaType is implemented by a Type that needs DDL of its own: PostgreSQL
// types created before the tables that use them (CREATE TYPE ... AS ENUM), and
// CHECK constraints on the column. CreateAll and DropAll call it.
type SchemaType interface {
	// CreateTypeSQL returns statements run before any table is created.
	CreateTypeSQL(d Dialect) []string
	// DropTypeSQL returns statements run after every table is dropped.
	DropTypeSQL(d Dialect) []string
	// CheckSQL returns a CHECK constraint body for the column (without the
	// CHECK keyword), or "" for none. quotedColumn is the column's quoted name.
	CheckSQL(d Dialect, quotedColumn string) string
}

// native marks the built-in types: their values are bound as they are and
// scanned straight into the field, with no conversion on the Retort side.
type native interface{ native() }

type nativeType[V comparable] struct {
	pg, lite string
	decode   func(any) (V, error)
}

func (nativeType[V]) native() {}

func (t nativeType[V]) SQLType(d Dialect, size int) string {
	s := t.lite
	if d == Postgres {
		s = t.pg
	}
	if size > 0 && (s == "text" || s == "TEXT") {
		if d == Postgres {
			return "varchar(" + strconv.Itoa(size) + ")"
		}
		return "VARCHAR(" + strconv.Itoa(size) + ")"
	}
	return s
}

func (nativeType[V]) Encode(v V) (any, error) { return v, nil }
func (t nativeType[V]) Decode(src any) (V, error) {
	return t.decode(src)
}
func (nativeType[V]) Equal(a, b V) bool { return a == b }

type bytesType struct{}

func (bytesType) native() {}
func (bytesType) SQLType(d Dialect, _ int) string {
	if d == Postgres {
		return "bytea"
	}
	return "BLOB"
}
func (bytesType) Encode(v []byte) (any, error) { return v, nil }
func (bytesType) Decode(src any) ([]byte, error) {
	switch s := src.(type) {
	case nil:
		return nil, nil
	case []byte:
		return bytes.Clone(s), nil
	case string:
		return []byte(s), nil
	}
	return nil, fmt.Errorf("cannot decode %T into []byte", src)
}
func (bytesType) Equal(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) }

type timeType struct{}

func (timeType) native() {}
func (timeType) SQLType(d Dialect, _ int) string {
	if d == Postgres {
		return "timestamptz"
	}
	return "TIMESTAMP"
}
func (timeType) Encode(v time.Time) (any, error) { return v, nil }
func (timeType) Decode(src any) (time.Time, error) {
	switch s := src.(type) {
	case time.Time:
		return s, nil
	case string:
		return ParseTime(s)
	case int64:
		return time.Unix(s, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot decode %T into time.Time", src)
}
func (timeType) Equal(a, b time.Time) bool { return a.Equal(b) }

// TimeFormat is how time.Time values are stored in SQLite: UTC, fixed width,
// so that text order is time order and comparisons in SQL work. It spells
// years 0 to 9999, so a write of a time.Time whose year in UTC is outside
// them is [ErrOutOfRange] on both databases.
const TimeFormat = "2006-01-02 15:04:05.000000000Z"

// FormatTime renders t in [TimeFormat], to the microsecond (the last three
// digits are zeros): PostgreSQL keeps microseconds, and pgx drops the
// nanoseconds below them, so a time travels to the same value on both
// databases, in rows and in conditions.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(TimeFormat)
}

// ParseTime reads a time stored in SQLite: [TimeFormat], RFC 3339, the
// "YYYY-MM-DD HH:MM:SS" and "YYYY-MM-DD" forms SQLite's own functions
// produce, or ISO 8601 without a zone ("YYYY-MM-DDTHH:MM:SS"). A time
// without a zone is read as UTC.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range [...]string{TimeFormat, time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a time", s)
}

func decodeInt[I int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64](src any) (I, error) {
	var n int64
	switch s := src.(type) {
	case int64:
		n = s
	case float64:
		if s != math.Trunc(s) {
			return 0, fmt.Errorf("%v is not an integer", s)
		}
		if s >= 0x1p63 || s < -0x1p63 { // int64(s) would be undefined (MinInt64 on amd64)
			return 0, fmt.Errorf("%v: %w", s, ErrOutOfRange)
		}
		n = int64(s)
	case string:
		var err error
		if n, err = strconv.ParseInt(s, 10, 64); err != nil {
			return 0, err
		}
	case bool:
		if s {
			n = 1
		}
	default:
		return 0, fmt.Errorf("cannot decode %T into %T", src, I(0))
	}
	i := I(n)
	if int64(i) != n || (n < 0) != (i < 0) {
		return 0, fmt.Errorf("%d is out of range for %T", n, i)
	}
	return i, nil
}

func decodeFloat[F float32 | float64](src any) (F, error) {
	var f float64
	switch s := src.(type) {
	case float64:
		f = s
	case int64:
		f = float64(s)
	case string:
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("cannot decode %T into float", src)
	}
	v := F(f)
	if math.IsInf(float64(v), 0) && !math.IsInf(f, 0) { // beyond float32's range
		return 0, fmt.Errorf("%v: %w", f, ErrOutOfRange)
	}
	return v, nil
}

func decodeBool(src any) (bool, error) {
	switch s := src.(type) {
	case bool:
		return s, nil
	case int64:
		return s != 0, nil
	case string:
		return strconv.ParseBool(s)
	}
	return false, fmt.Errorf("cannot decode %T into bool", src)
}

func decodeString(src any) (string, error) {
	switch s := src.(type) {
	case string:
		return s, nil
	case []byte:
		return string(s), nil
	case int64:
		return strconv.FormatInt(s, 10), nil
	case float64:
		return strconv.FormatFloat(s, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("cannot decode %T into string", src)
}

func intType[I int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64](pg string) nativeType[I] {
	return nativeType[I]{pg: pg, lite: "INTEGER", decode: decodeInt[I]}
}

// DefaultType returns the Type Retort uses for V when a column is declared
// with [Col] or [NullCol]: every Go integer width, float32, float64, bool,
// string, []byte, time.Time, [Decimal] and [UUID]. It reports false for other types,
// which need [ColType].
func DefaultType[V any]() (Type[V], bool) {
	var zero V
	var t any
	switch any(zero).(type) {
	case int:
		t = intType[int]("bigint")
	case int8:
		t = intType[int8]("smallint")
	case int16:
		t = intType[int16]("smallint")
	case int32:
		t = intType[int32]("integer")
	case int64:
		t = intType[int64]("bigint")
	case uint:
		t = intType[uint]("bigint")
	case uint8:
		t = intType[uint8]("smallint")
	case uint16:
		t = intType[uint16]("integer")
	case uint32:
		t = intType[uint32]("bigint")
	case uint64:
		t = intType[uint64]("bigint")
	case float32:
		t = nativeType[float32]{pg: "real", lite: "REAL", decode: decodeFloat[float32]}
	case float64:
		t = nativeType[float64]{pg: "double precision", lite: "REAL", decode: decodeFloat[float64]}
	case bool:
		t = nativeType[bool]{pg: "boolean", lite: "BOOLEAN", decode: decodeBool}
	case string:
		t = nativeType[string]{pg: "text", lite: "TEXT", decode: decodeString}
	case []byte:
		t = bytesType{}
	case time.Time:
		t = timeType{}
	case Decimal:
		t = Numeric(0, 0)
	case UUID:
		t = uuidType[UUID]{}
	}
	typ, ok := t.(Type[V])
	return typ, ok
}

// isInteger reports whether V is one of Go's integer types (a candidate for an
// auto-incrementing key).
func isInteger[V any]() bool {
	var zero V
	switch any(zero).(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}

// setInt stores a generated key into an integer field.
func setInt(p any, id int64) error {
	switch p := p.(type) {
	case *int64:
		*p = id
	case *int:
		*p = int(id)
	case *int32:
		if id > math.MaxInt32 {
			return fmt.Errorf("generated key %d is out of range for int32", id)
		}
		*p = int32(id)
	case *int16:
		if id > math.MaxInt16 {
			return fmt.Errorf("generated key %d is out of range for int16", id)
		}
		*p = int16(id)
	case *int8:
		if id > math.MaxInt8 {
			return fmt.Errorf("generated key %d is out of range for int8", id)
		}
		*p = int8(id)
	case *uint64:
		*p = uint64(id)
	case *uint:
		*p = uint(id)
	case *uint32:
		*p = uint32(id)
	case *uint16:
		*p = uint16(id)
	case *uint8:
		*p = uint8(id)
	default:
		return fmt.Errorf("cannot store a generated key in %T", p)
	}
	return nil
}
