package enum

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/retort-orm/retort"
)

// Integer is the constraint of [NewInt]: every Go integer type, and named
// types over them.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Member is one value of an enumeration with its description, as made by
// [Value].
type Member[V comparable] struct {
	Value       V
	Description string
}

// Value pairs a value with the description shown to users (in a dropdown, a
// report). It is the argument of [New] and [NewInt].
func Value[V comparable](v V, description string) Member[V] {
	return Member[V]{Value: v, Description: description}
}

// Enum is a declared enumeration over the Go type V: its values in
// declaration order, their descriptions, and how they are stored. Declare one
// as a package-level variable with [New] (string values) or [NewInt] (integer
// values); it is then read-only and safe for concurrent use. The zero Enum is
// not usable.
//
// *Enum[V] is a [retort.Type] of V (pass it to [retort.ColType]) and a
// [retort.SchemaType], so that retort.CreateAll creates the PostgreSQL type or
// the CHECK constraint the column needs.
type Enum[V comparable] struct {
	name    string
	members []Member[V]
	index   map[V]int

	// labels[i] is members[i].Value as text: the string itself, or the
	// integer in decimal. byLabel is its inverse.
	labels  []string
	byLabel map[string]int
	// enc[i] is what Encode returns for members[i], boxed once here so that
	// Encode does not allocate: a string, or an int64 for integer enums.
	enc []any
	// ints is nil for string enums; otherwise ints[i] is members[i].Value as
	// an int64 and byInt is its inverse.
	ints  []int64
	byInt map[int64]int
	valid string // the valid values for messages: "P", "F", "C" or 1, 2, 3
	// text renders any V, declared or not: the string itself, or the
	// integer in decimal.
	text func(V) string
}

// maxLabel is PostgreSQL's limit on an enum label and on a type name, in
// bytes (NAMEDATALEN-1).
const maxLabel = 63

// New declares an enumeration of string values, named name in the database
// (the PostgreSQL type's name). The values are listed in order, each with its
// description:
//
//	type EmployeeType string
//
//	const (
//		PartTime   EmployeeType = "P"
//		FullTime   EmployeeType = "F"
//		Contractor EmployeeType = "C"
//	)
//
//	var EmployeeTypes = enum.New("employee_type",
//		enum.Value(PartTime, "Part Time"),
//		enum.Value(FullTime, "Full Time"),
//		enum.Value(Contractor, "Contractor"),
//	)
//
// A name with a dot, "billing.severity", puts PostgreSQL's type in that
// schema (created with it if missing), as [retort.NewTable] does tables.
//
// New panics, as a declaration error, when name is empty, there are no
// values, a value is listed twice, a value is "" (the zero value is kept to
// mean "not set", so a forgotten field is caught when it is written), a value
// or name is longer than 63 bytes (PostgreSQL's limit for a label and a
// name; a schema and a type each), name has more than one dot or an empty
// schema or type, or name or a value contains a NUL byte.
func New[V ~string](name string, values ...Member[V]) *Enum[V] {
	e := newEnum(name, values)
	for i, m := range values {
		s := string(m.Value)
		if s == "" {
			panic(fmt.Sprintf("enum: %s: value %d is the empty string; the zero value is reserved for \"not set\"", name, i))
		}
		if len(s) > maxLabel {
			panic(fmt.Sprintf("enum: %s: value %q is longer than %d bytes", name, s, maxLabel))
		}
		if strings.IndexByte(s, 0) >= 0 {
			panic(fmt.Sprintf("enum: %s: value %q contains a NUL byte", name, s))
		}
		e.labels[i] = s
		e.enc[i] = s
	}
	e.text = func(v V) string { return string(v) }
	e.finish(strconv.Quote)
	return e
}

// NewInt declares an enumeration of integer values, named name in the
// database (the name appears in messages; integer enums are stored in an
// integer column with a CHECK constraint on every database). It panics as
// [New] does, and when a value does not fit an int64. Zero is an ordinary
// value here, since Go enumerations often start at iota.
//
// New and NewInt are two functions because Go cannot convert a type
// parameter whose constraint admits both strings and integers; both return
// the same [Enum].
func NewInt[V Integer](name string, values ...Member[V]) *Enum[V] {
	e := newEnum(name, values)
	e.ints = make([]int64, len(values))
	e.byInt = make(map[int64]int, len(values))
	for i, m := range values {
		n := int64(m.Value)
		if n < 0 && m.Value > 0 {
			panic(fmt.Sprintf("enum: %s: value %d does not fit an int64", name, uint64(m.Value)))
		}
		e.ints[i] = n
		e.byInt[n] = i
		e.labels[i] = strconv.FormatInt(n, 10)
		e.enc[i] = n
	}
	e.text = func(v V) string {
		if n := int64(v); n >= 0 || v < 0 {
			return strconv.FormatInt(n, 10)
		}
		return strconv.FormatUint(uint64(v), 10)
	}
	e.finish(func(s string) string { return s })
	return e
}

func newEnum[V comparable](name string, values []Member[V]) *Enum[V] {
	if name == "" {
		panic("enum: an enumeration needs a name")
	}
	if strings.IndexByte(name, 0) >= 0 {
		panic(fmt.Sprintf("enum: name %q contains a NUL byte", name))
	}
	schema, local := retort.SplitTable(name)
	if strings.Contains(name, ".") && (schema == "" || local == "" || strings.Contains(local, ".")) {
		panic(fmt.Sprintf("enum: name %q: give a schema and a type, \"schema.type\", with one dot", name))
	}
	if len(local) > maxLabel || len(schema) > maxLabel {
		panic(fmt.Sprintf("enum: name %q is longer than %d bytes (PostgreSQL would truncate it)", name, maxLabel))
	}
	if len(values) == 0 {
		panic(fmt.Sprintf("enum: %s has no values", name))
	}
	e := &Enum[V]{
		name:    name,
		members: append([]Member[V](nil), values...),
		index:   make(map[V]int, len(values)),
		labels:  make([]string, len(values)),
		byLabel: make(map[string]int, len(values)),
		enc:     make([]any, len(values)),
	}
	for i, m := range values {
		if j, dup := e.index[m.Value]; dup {
			panic(fmt.Sprintf("enum: %s: value %v listed twice (%q and %q)", name, m.Value, values[j].Description, m.Description))
		}
		e.index[m.Value] = i
	}
	return e
}

// finish builds the label index and the list of valid values for messages.
func (e *Enum[V]) finish(quote func(string) string) {
	q := make([]string, len(e.labels))
	for i, l := range e.labels {
		e.byLabel[l] = i
		q[i] = quote(l)
	}
	e.valid = strings.Join(q, ", ")
}

// Name is the enumeration's name: the PostgreSQL type's name for a string
// enum.
func (e *Enum[V]) Name() string { return e.name }

// IsInt reports whether the enumeration was declared with [NewInt].
func (e *Enum[V]) IsInt() bool { return e.ints != nil }

// Len is the number of values.
func (e *Enum[V]) Len() int { return len(e.members) }

// All iterates over the values and their descriptions in declaration order,
// as a dropdown lists them:
//
//	for v, desc := range EmployeeTypes.All() { ... }
func (e *Enum[V]) All() iter.Seq2[V, string] {
	return func(yield func(V, string) bool) {
		for _, m := range e.members {
			if !yield(m.Value, m.Description) {
				return
			}
		}
	}
}

// Members returns a copy of the values with their descriptions, in
// declaration order.
func (e *Enum[V]) Members() []Member[V] { return append([]Member[V](nil), e.members...) }

// Values returns the values in declaration order (a new slice each call).
func (e *Enum[V]) Values() []V {
	vs := make([]V, len(e.members))
	for i, m := range e.members {
		vs[i] = m.Value
	}
	return vs
}

// Valid reports whether v is a declared value.
func (e *Enum[V]) Valid(v V) bool {
	_, ok := e.index[v]
	return ok
}

// Description returns v's description, or "" when v is not a declared value
// (use [Enum.Valid] to tell the two apart).
func (e *Enum[V]) Description(v V) string {
	if i, ok := e.index[v]; ok {
		return e.members[i].Description
	}
	return ""
}

// String returns v's description; for a value that is not declared it
// returns the enumeration's name and the value, as employee_type(X), in the
// way the standard library's String methods show a value out of range. It is
// meant as the whole body of the type's own String method:
//
//	func (t EmployeeType) String() string { return EmployeeTypes.String(t) }
func (e *Enum[V]) String(v V) string {
	if i, ok := e.index[v]; ok {
		return e.members[i].Description
	}
	return e.name + "(" + e.text(v) + ")"
}

// Label returns v as the database stores it, as text: the string itself, or
// the integer in decimal. The second result is false when v is not declared.
func (e *Enum[V]) Label(v V) (string, bool) {
	if i, ok := e.index[v]; ok {
		return e.labels[i], true
	}
	return "", false
}

// Labels returns every value as text (see [Enum.Label]) in declaration order.
// Code that handles enums of any Go type (tools, migrations, an inheritance
// discriminator) reads them here.
func (e *Enum[V]) Labels() []string { return append([]string(nil), e.labels...) }

// Parse returns the value whose text form (see [Enum.Label]) is s. An unknown
// s is an [*UnknownError] that names the enumeration and lists the valid
// values; it matches [ErrUnknown] with errors.Is.
func (e *Enum[V]) Parse(s string) (V, error) {
	if i, ok := e.byLabel[s]; ok {
		return e.members[i].Value, nil
	}
	if e.ints != nil {
		// Accept other spellings of a declared integer: "+2", "02".
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			if i, ok := e.byInt[n]; ok {
				return e.members[i].Value, nil
			}
		}
	}
	var zero V
	return zero, e.unknown(strconv.Quote(s))
}

// MustParse is [Enum.Parse] for values known at compile time; it panics on an
// unknown s.
func (e *Enum[V]) MustParse(s string) V {
	v, err := e.Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// ErrUnknown is matched (with errors.Is) by every error about a value an
// enumeration does not declare.
var ErrUnknown = errors.New("enum: unknown value")

// UnknownError is a value an enumeration does not declare: given to
// [Enum.Parse], written to a column, or read from the database.
type UnknownError struct {
	Enum  string // the enumeration's name
	Value string // the value, quoted when it is text
	Valid string // the declared values, in order, as "P", "F", "C" or 1, 2, 3
}

// Error names the value, the enumeration and the valid values.
func (e *UnknownError) Error() string {
	return fmt.Sprintf("enum: %s is not a value of %s (valid: %s)", e.Value, e.Enum, e.Valid)
}

// Is reports whether target is [ErrUnknown].
func (e *UnknownError) Is(target error) bool { return target == ErrUnknown }

func (e *Enum[V]) unknown(value string) error {
	return &UnknownError{Enum: e.name, Value: value, Valid: e.valid}
}

// unknownValue reports v, which is not declared. String values are quoted;
// integers are written as numbers. The user's String method is not called:
// the message shows what would be stored.
func (e *Enum[V]) unknownValue(v V) error {
	if e.ints == nil {
		return e.unknown(strconv.Quote(e.text(v)))
	}
	return e.unknown(e.text(v))
}
