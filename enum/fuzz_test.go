package enum_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retort-orm/retort/enum"
)

// checkParse checks that e.Parse accepts exactly the declared values: s is
// accepted when it is a declared label or (integer enums) another spelling of
// a declared integer, and refused with an error matching enum.ErrUnknown
// otherwise. Decode, UnmarshalText and DecodeJSON never panic and accept
// only declared values.
func checkParse[V comparable](t *testing.T, e *enum.Enum[V], s string, ints []int64) {
	t.Helper()
	v, err := e.Parse(s)
	want := slices.Contains(e.Labels(), s)
	if !want && ints != nil {
		n, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		want = perr == nil && slices.Contains(ints, n)
	}
	if want != (err == nil) {
		t.Fatalf("%s.Parse(%q) = %v, %v; declared: %v", e.Name(), s, v, err, want)
	}
	if err != nil {
		var ue *enum.UnknownError
		if !errors.Is(err, enum.ErrUnknown) || !errors.As(err, &ue) || ue.Enum != e.Name() {
			t.Fatalf("%s.Parse(%q): error %v does not match ErrUnknown for this enum", e.Name(), s, err)
		}
	} else if !e.Valid(v) {
		t.Fatalf("%s.Parse(%q) = %v, which is not declared", e.Name(), s, v)
	}
	for _, src := range []any{s, []byte(s)} {
		if d, err := e.Decode(src); err == nil && !e.Valid(d) {
			t.Fatalf("%s.Decode(%q) = %v, which is not declared", e.Name(), s, d)
		}
	}
	// Start from a declared value: JSON null leaves it as it is.
	p := e.Values()[0]
	if err := e.UnmarshalText(&p, []byte(s)); err == nil && !e.Valid(p) {
		t.Fatalf("%s.UnmarshalText(%q) = %v, which is not declared", e.Name(), s, p)
	} else if err != nil && p != e.Values()[0] {
		t.Fatalf("%s.UnmarshalText(%q) failed but changed the value to %v", e.Name(), s, p)
	}
	p = e.Values()[0]
	if err := e.DecodeJSON(&p, []byte(s)); err == nil && !e.Valid(p) {
		t.Fatalf("%s.DecodeJSON(%q) = %v, which is not declared", e.Name(), s, p)
	} else if err != nil && p != e.Values()[0] {
		t.Fatalf("%s.DecodeJSON(%q) failed but changed the value to %v", e.Name(), s, p)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"P", "F", "C", "p", " P", "P ", "PP", "", "\x00", "P\x00", "Part Time", `"P"`, "null",
		"1", "2", "3", "+2", "02", " 3 ", "0", "-1", "4", "1.0", "1e0", "0x1", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "１", "٣",
		"it's fine", "$enum$", "$enum_$", "it''s fine", `"it's fine"`, "\xff", strings.Repeat("P", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, EmployeeTypes, s, nil)
		checkParse(t, Moods, s, nil)
		checkParse(t, Priorities, s, []int64{1, 2, 3})
	})
}

// FuzzDecodeInt decodes fuzzed integers and floats, as the drivers hand
// them over: accepted exactly when they are declared values.
func FuzzDecodeInt(f *testing.F) {
	for _, n := range []int64{0, 1, 2, 3, 4, -1, math.MaxInt64, math.MinInt64, 65537, 1 << 32} {
		f.Add(n, float64(n))
	}
	f.Add(int64(2), 2.5)
	f.Add(int64(2), math.NaN())
	f.Add(int64(2), math.Inf(1))
	f.Add(int64(2), 9.3e18)
	f.Fuzz(func(t *testing.T, n int64, x float64) {
		declared := n >= 1 && n <= 3
		if v, err := Priorities.Decode(n); (err == nil) != declared || (err == nil && int64(v) != n) {
			t.Fatalf("Priorities.Decode(%d) = %v, %v", n, v, err)
		}
		if v, err := Priorities.Decode(x); err == nil && (float64(v) != x || !Priorities.Valid(v)) {
			t.Fatalf("Priorities.Decode(%v) = %v", x, v)
		}
		for _, src := range []any{n, x} {
			if v, err := EmployeeTypes.Decode(src); err == nil {
				t.Fatalf("EmployeeTypes.Decode(%v) = %v, want an error", src, v)
			}
		}
	})
}
