package enum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// MarshalText returns v's text form (see [Enum.Label]), or an
// [*UnknownError] when v is not declared. With it and [Enum.UnmarshalText]
// the enum's Go type implements encoding.TextMarshaler and
// encoding.TextUnmarshaler in one line each, and encoding/json writes the
// value as a JSON string ("P") and refuses an unknown one:
//
//	func (t EmployeeType) MarshalText() ([]byte, error)  { return EmployeeTypes.MarshalText(t) }
//	func (t *EmployeeType) UnmarshalText(b []byte) error { return EmployeeTypes.UnmarshalText(t, b) }
func (e *Enum[V]) MarshalText(v V) ([]byte, error) {
	if i, ok := e.index[v]; ok {
		return []byte(e.labels[i]), nil
	}
	return nil, e.unknownValue(v)
}

// UnmarshalText parses b (see [Enum.Parse]) into *p. On error *p is left
// unchanged.
func (e *Enum[V]) UnmarshalText(p *V, b []byte) error {
	v, err := e.Parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// EncodeJSON returns v as JSON: a string for a string enum, a number for an
// integer enum; an [*UnknownError] when v is not declared. An integer enum
// that should stay a JSON number implements json.Marshaler with it (and
// json.Unmarshaler with [Enum.DecodeJSON]):
//
//	func (p Priority) MarshalJSON() ([]byte, error)  { return Priorities.EncodeJSON(p) }
//	func (p *Priority) UnmarshalJSON(b []byte) error { return Priorities.DecodeJSON(p, b) }
func (e *Enum[V]) EncodeJSON(v V) ([]byte, error) {
	i, ok := e.index[v]
	if !ok {
		return nil, e.unknownValue(v)
	}
	if e.ints != nil {
		return []byte(e.labels[i]), nil
	}
	return json.Marshal(e.labels[i])
}

// DecodeJSON reads a JSON string (or, for an integer enum, a number or a
// string holding one) into *p. JSON null leaves *p unchanged, as
// encoding/json does for other types. On error *p is left unchanged.
func (e *Enum[V]) DecodeJSON(p *V, b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("enum: %s: %w", e.name, err)
		}
		return e.UnmarshalText(p, []byte(s))
	}
	if e.ints == nil {
		return e.unknown(string(b))
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return e.unknown(string(b))
	}
	v, err := e.decodeInt(n)
	if err != nil {
		return err
	}
	*p = v
	return nil
}
