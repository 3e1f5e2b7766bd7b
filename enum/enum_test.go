package enum_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
)

func TestAll(t *testing.T) {
	type pair struct {
		V EmployeeType
		D string
	}
	var got []pair
	for v, d := range EmployeeTypes.All() {
		got = append(got, pair{v, d})
	}
	want := []pair{{PartTime, "Part Time"}, {FullTime, "Full Time"}, {Contractor, "Contractor"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
	// Breaking out of the loop stops the iteration.
	n := 0
	for range EmployeeTypes.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("loop ran %d times after break, want 1", n)
	}
}

func TestAccessors(t *testing.T) {
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", EmployeeTypes.Name(), "employee_type"},
		{"Len", EmployeeTypes.Len(), 3},
		{"IsInt", EmployeeTypes.IsInt(), false},
		{"IsInt of an integer enum", Priorities.IsInt(), true},
		{"Values", EmployeeTypes.Values(), []EmployeeType{PartTime, FullTime, Contractor}},
		{"integer Values", Priorities.Values(), []Priority{Low, Normal, Urgent}},
		{"Labels", EmployeeTypes.Labels(), []string{"P", "F", "C"}},
		{"integer Labels", Priorities.Labels(), []string{"1", "2", "3"}},
		{"Members", EmployeeTypes.Members()[1], enum.Member[EmployeeType]{Value: FullTime, Description: "Full Time"}},
		{"Description", EmployeeTypes.Description(Contractor), "Contractor"},
		{"Description of an unknown value", EmployeeTypes.Description("X"), ""},
		{"Valid", EmployeeTypes.Valid(PartTime), true},
		{"Valid of the zero value", EmployeeTypes.Valid(""), false},
		{"Valid of an unknown integer", Priorities.Valid(0), false},
		{"String is the user's", fmt.Sprint(FullTime), "Full Time"},
		{"String of an unknown value", EmployeeTypes.String("X"), "employee_type(X)"},
		{"String of an unknown integer", Priorities.String(0), "priority(0)"},
		{"String of an integer", Priorities.String(Urgent), "Urgent"},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", c.name, diff)
		}
	}
	label, ok := Priorities.Label(Urgent)
	if label != "3" || !ok {
		t.Errorf("Label(Urgent) = %q, %v; want \"3\", true", label, ok)
	}
	if _, ok := EmployeeTypes.Label("X"); ok {
		t.Error("Label of an unknown value reported ok")
	}
	// The slices returned are copies.
	EmployeeTypes.Values()[0] = "X"
	EmployeeTypes.Labels()[0] = "X"
	if EmployeeTypes.Values()[0] != PartTime || EmployeeTypes.Labels()[0] != "P" {
		t.Error("changing a returned slice changed the enum")
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"P", "P"}, {"F", "F"}, {"C", "C"}} {
		got, err := EmployeeTypes.Parse(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want Priority
	}{{"1", Low}, {"3", Urgent}, {"02", Normal}, {" 2 ", Normal}} {
		got, err := Priorities.Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Priorities.Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	errs := []struct {
		name string
		err  func() error
		want string
	}{
		{"unknown code", func() error { _, err := EmployeeTypes.Parse("X"); return err },
			`enum: "X" is not a value of employee_type (valid: "P", "F", "C")`},
		{"case matters", func() error { _, err := EmployeeTypes.Parse("p"); return err },
			`enum: "p" is not a value of employee_type (valid: "P", "F", "C")`},
		{"a description is not a value", func() error { _, err := EmployeeTypes.Parse("Part Time"); return err },
			`enum: "Part Time" is not a value of employee_type (valid: "P", "F", "C")`},
		{"empty", func() error { _, err := EmployeeTypes.Parse(""); return err },
			`enum: "" is not a value of employee_type (valid: "P", "F", "C")`},
		{"undeclared integer", func() error { _, err := Priorities.Parse("4"); return err },
			`enum: "4" is not a value of priority (valid: 1, 2, 3)`},
		{"not a number", func() error { _, err := Priorities.Parse("Low"); return err },
			`enum: "Low" is not a value of priority (valid: 1, 2, 3)`},
	}
	for _, c := range errs {
		err := c.err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: error %q, want %q", c.name, err, c.want)
		}
		if !errors.Is(err, enum.ErrUnknown) {
			t.Errorf("%s: %v does not match ErrUnknown", c.name, err)
		}
		var ue *enum.UnknownError
		if !errors.As(err, &ue) || ue.Enum == "" {
			t.Errorf("%s: %v is not an *UnknownError", c.name, err)
		}
	}
	if got := EmployeeTypes.MustParse("C"); got != Contractor {
		t.Errorf("MustParse(C) = %v", got)
	}
	if msg := panicMessage(func() { EmployeeTypes.MustParse("X") }); !strings.Contains(msg, `"X" is not a value of employee_type`) {
		t.Errorf("MustParse(X) panicked with %q", msg)
	}
}

func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

type Code string

type Small uint8

type Huge uint64

// TestDeclarationPanics: a broken declaration is a programmer error, caught
// when the package-level variable is initialised.
func TestDeclarationPanics(t *testing.T) {
	cases := []struct {
		name    string
		declare func()
		want    string
	}{
		{"no name", func() { enum.New("", enum.Value(Code("a"), "A")) }, "enum: an enumeration needs a name"},
		{"no values", func() { enum.New[Code]("code") }, "enum: code has no values"},
		{"no integer values", func() { enum.NewInt[Small]("small") }, "enum: small has no values"},
		{"duplicate value", func() {
			enum.New("code", enum.Value(Code("a"), "A"), enum.Value(Code("b"), "B"), enum.Value(Code("a"), "Again"))
		}, `enum: code: value a listed twice ("A" and "Again")`},
		{"duplicate integer", func() { enum.NewInt("small", enum.Value(Small(1), "one"), enum.Value(Small(1), "uno")) },
			`enum: small: value 1 listed twice ("one" and "uno")`},
		{"empty string value", func() { enum.New("code", enum.Value(Code("a"), "A"), enum.Value(Code(""), "none")) },
			`enum: code: value 1 is the empty string; the zero value is reserved for "not set"`},
		{"value too long", func() { enum.New("code", enum.Value(Code(strings.Repeat("x", 64)), "long")) },
			"is longer than 63 bytes"},
		{"NUL in a value", func() { enum.New("code", enum.Value(Code("a\x00b"), "nul")) }, `value "a\x00b" contains a NUL byte`},
		{"name too long", func() { enum.New(strings.Repeat("n", 64), enum.Value(Code("a"), "A")) }, "is longer than 63 bytes (PostgreSQL would truncate it)"},
		{"NUL in the name", func() { enum.New("co\x00de", enum.Value(Code("a"), "A")) }, `name "co\x00de" contains a NUL byte`},
		{"integer beyond int64", func() { enum.NewInt("huge", enum.Value(Huge(1<<63), "big")) },
			"enum: huge: value 9223372036854775808 does not fit an int64"},
	}
	for _, c := range cases {
		msg := panicMessage(c.declare)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: panic %q, want it to contain %q", c.name, msg, c.want)
		}
	}
	// Zero is a valid integer value (iota starts there), and 63 bytes fit.
	enum.NewInt("small", enum.Value(Small(0), "zero"))
	enum.New("code", enum.Value(Code(strings.Repeat("x", 63)), "long"))
}

func TestEncodeDecode(t *testing.T) {
	type result struct {
		V   any
		Err string
	}
	res := func(v any, err error) result {
		if err != nil {
			return result{Err: err.Error()}
		}
		return result{V: v}
	}
	cases := []struct {
		name string
		got  result
		want result
	}{
		{"encode", res(EmployeeTypes.Encode(FullTime)), result{V: "F"}},
		{"encode integer", res(Priorities.Encode(Urgent)), result{V: int64(3)}},
		{"encode unknown", res(EmployeeTypes.Encode("X")), result{Err: `enum: "X" is not a value of employee_type (valid: "P", "F", "C")`}},
		{"encode zero", res(Priorities.Encode(0)), result{Err: `enum: 0 is not a value of priority (valid: 1, 2, 3)`}},
		{"decode text", res(EmployeeTypes.Decode("C")), result{V: Contractor}},
		{"decode bytes", res(EmployeeTypes.Decode([]byte("P"))), result{V: PartTime}},
		{"decode unknown bytes", res(EmployeeTypes.Decode([]byte("Q"))), result{Err: `enum: "Q" is not a value of employee_type (valid: "P", "F", "C")`}},
		{"decode integer into string enum", res(EmployeeTypes.Decode(int64(1))), result{Err: `enum: 1 is not a value of employee_type (valid: "P", "F", "C")`}},
		{"decode integer", res(Priorities.Decode(int64(2))), result{V: Normal}},
		{"decode integer text", res(Priorities.Decode("2")), result{V: Normal}},
		{"decode integral float", res(Priorities.Decode(float64(1))), result{V: Low}},
		{"decode fraction", res(Priorities.Decode(1.5)), result{Err: `enum: 1.5 is not a value of priority (valid: 1, 2, 3)`}},
		{"decode unknown integer", res(Priorities.Decode(int64(9))), result{Err: `enum: 9 is not a value of priority (valid: 1, 2, 3)`}},
		{"decode bool", res(Priorities.Decode(true)), result{Err: `enum: bool true is not a value of priority (valid: 1, 2, 3)`}},
		{"decode NULL", res(EmployeeTypes.Decode(nil)), result{Err: "enum: employee_type: " + retort.ErrNullValue.Error()}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", c.name, diff)
		}
	}
	if !EmployeeTypes.Equal(PartTime, "P") || EmployeeTypes.Equal(PartTime, FullTime) {
		t.Error("Equal is not ==")
	}
	// Encode does not allocate: the encoded values are boxed at declaration.
	if n := testing.AllocsPerRun(100, func() { _, _ = EmployeeTypes.Encode(FullTime) }); n != 0 {
		t.Errorf("Encode allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = EmployeeTypes.Decode("F") }); n != 0 {
		t.Errorf("Decode allocates %v times", n)
	}
}

func TestSQLTypes(t *testing.T) {
	type Wide int64
	wide := enum.NewInt("wide", enum.Value(Wide(1), "one"), enum.Value(Wide(1<<40), "big"))
	cases := []struct {
		name, got, want string
	}{
		{"string on postgres", EmployeeTypes.SQLType(retort.Postgres, 0), `"employee_type"`},
		{"string on sqlite", EmployeeTypes.SQLType(retort.SQLite, 0), "TEXT"},
		{"size is ignored", EmployeeTypes.SQLType(retort.SQLite, 10), "TEXT"},
		{"integer on postgres", Priorities.SQLType(retort.Postgres, 0), "integer"},
		{"wide integer on postgres", wide.SQLType(retort.Postgres, 0), "bigint"},
		{"integer on sqlite", Priorities.SQLType(retort.SQLite, 0), "INTEGER"},
		{"no check for a native type", EmployeeTypes.CheckSQL(retort.Postgres, `"type"`), ""},
		{"check on sqlite", EmployeeTypes.CheckSQL(retort.SQLite, `"type"`), `"type" IN ('P', 'F', 'C')`},
		{"integer check on postgres", Priorities.CheckSQL(retort.Postgres, `"p"`), `"p" IN (1, 2, 3)`},
		{"integer check on sqlite", Priorities.CheckSQL(retort.SQLite, `"p"`), `"p" IN (1, 2, 3)`},
		{"drop type on postgres", fmt.Sprint(len(EmployeeTypes.DropTypeSQL(retort.Postgres))), "1"},
		{"no type on sqlite", fmt.Sprint(EmployeeTypes.CreateTypeSQL(retort.SQLite), EmployeeTypes.DropTypeSQL(retort.SQLite)), "[] []"},
		{"no type for integers", fmt.Sprint(Priorities.CreateTypeSQL(retort.Postgres), Priorities.DropTypeSQL(retort.Postgres)), "[] []"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

// Person is what a JSON API would send: the enum fields marshal as their
// codes (a string) and their numbers.
type Person struct {
	Name     string        `json:"name"`
	Type     EmployeeType  `json:"type"`
	Backup   *EmployeeType `json:"backup"`
	Priority Priority      `json:"priority"`
	Seen     map[EmployeeType]int
}

func TestJSON(t *testing.T) {
	p := Person{Name: "ann", Type: FullTime, Backup: ptr(Contractor), Priority: Urgent, Seen: map[EmployeeType]int{PartTime: 2}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"ann","type":"F","backup":"C","priority":3,"Seen":{"P":2}}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back Person
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}

	// Null leaves fields as they are; an integer enum also reads a string.
	var q Person
	if err := json.Unmarshal([]byte(`{"type":"P","backup":null,"priority":"2"}`), &q); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Person{Type: PartTime, Priority: Normal}, q); diff != "" {
		t.Errorf("Unmarshal mismatch (-want +got):\n%s", diff)
	}

	bad := []struct{ name, in, want string }{
		{"unknown code", `{"type":"X"}`, `"X" is not a value of employee_type`},
		{"unknown pointer", `{"backup":"p"}`, `"p" is not a value of employee_type`},
		{"unknown number", `{"priority":7}`, `7 is not a value of priority`},
		{"not a number", `{"priority":true}`, `true is not a value of priority`},
		{"unknown map key", `{"Seen":{"Q":1}}`, `"Q" is not a value of employee_type`},
	}
	for _, c := range bad {
		var p Person
		err := json.Unmarshal([]byte(c.in), &p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, enum.ErrUnknown) {
			t.Errorf("%s: Unmarshal(%s) = %v, want an ErrUnknown containing %q", c.name, c.in, err, c.want)
		}
	}
	// Marshalling an undeclared value fails rather than writing it.
	if _, err := json.Marshal(Person{Type: "X", Priority: Low}); !errors.Is(err, enum.ErrUnknown) {
		t.Errorf("Marshal of an unknown code: %v, want ErrUnknown", err)
	}
	if _, err := json.Marshal(Person{Type: PartTime}); !errors.Is(err, enum.ErrUnknown) {
		t.Errorf("Marshal of a zero priority: %v, want ErrUnknown", err)
	}
	// A string enum's EncodeJSON/DecodeJSON, for types that prefer them.
	b, err = EmployeeTypes.EncodeJSON(`P`)
	if err != nil || string(b) != `"P"` {
		t.Errorf("EncodeJSON(P) = %s, %v", b, err)
	}
	var et EmployeeType
	if err := EmployeeTypes.DecodeJSON(&et, []byte(` "C" `)); err != nil || et != Contractor {
		t.Errorf("DecodeJSON = %v, %v", et, err)
	}
	if err := EmployeeTypes.DecodeJSON(&et, []byte(`1`)); !errors.Is(err, enum.ErrUnknown) || et != Contractor {
		t.Errorf("DecodeJSON(1) = %v, %v; want ErrUnknown and no change", et, err)
	}
}
