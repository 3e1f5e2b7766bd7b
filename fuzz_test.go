package retort_test

// Fuzz tests for hostile input: identifiers that try to end their quoting,
// values that try to become SQL, and database values that do not fit the Go
// type they are decoded into. Seeds are added with f.Add and, for inputs
// found by fuzzing, kept in testdata/fuzz/<FuzzName>/. CI runs each target
// for a few seconds (.ci/run); `go test` runs the seeds.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// hostileNames are identifiers that try to break out of quoting, in both
// dialects' syntaxes.
var hostileNames = []string{
	"", "users", `a"b`, `"`, `""`, `"""`, `x" OR "1"="1`, `"; DROP TABLE users; --`,
	`'; DROP TABLE users; --`, "a\x00b", "\x00", "\xff\xfe\xfd", "snow ☃ man", "🦫",
	"$1", "?", "?1", ":name", "@p1", "--", "-- comment", "/*", "*/", "/* x */", "a\nb", "a\r\nb",
	`\`, `\"`, `a\`, "`", "[x]", ";", "a;b", "\t", " ", "ª", "ȿ", "\u202e", "\ufeff",
	strings.Repeat("x", 63), strings.Repeat("y", 64), strings.Repeat(`"`, 100), strings.Repeat("é", 500),
}

// hostileValues are values that try to become SQL.
var hostileValues = []string{
	"", "v", "'", "''", `"`, "' OR '1'='1", "'); DROP TABLE users; --", "$1", "$2", "?", "\x00",
	"a\x00b", "\xff", "\xc3\x28", "\xed\xa0\x80", "☃", "\\", `\'`, "--", "/*", "\n", "E'\\x00'",
	strings.Repeat("v", 10000),
}

// scanIdents reads SQL text the way a database's lexer reads identifiers and
// string literals: it returns the text with every quoted identifier replaced
// by "I" and every string literal by "L", and the identifiers, unquoted. It
// fails on an unterminated identifier or literal.
func scanIdents(sql string) (skeleton string, idents []string, err error) {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c != '"' && c != '\'' {
			b.WriteByte(c)
			continue
		}
		var name strings.Builder
		closed := false
		for i++; i < len(sql); i++ {
			if sql[i] == c {
				if i+1 < len(sql) && sql[i+1] == c {
					name.WriteByte(c)
					i++
					continue
				}
				closed = true
				break
			}
			name.WriteByte(sql[i])
		}
		if !closed {
			return "", nil, fmt.Errorf("unterminated %c in %q", c, sql)
		}
		if c == '"' {
			b.WriteString("I")
			idents = append(idents, name.String())
		} else {
			b.WriteString("L")
		}
	}
	return b.String(), idents, nil
}

func FuzzQuoteIdent(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		q := retort.QuoteIdent(name)
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			t.Fatalf("QuoteIdent(%q) = %q, not wrapped in double quotes", name, q)
		}
		if strings.IndexByte(q, 0) >= 0 {
			t.Fatalf("QuoteIdent(%q) = %q holds a NUL byte", name, q)
		}
		// Inside, every double quote is doubled: the identifier ends only
		// at the last byte.
		inner := q[1 : len(q)-1]
		var unq strings.Builder
		for i := 0; i < len(inner); i++ {
			if inner[i] == '"' {
				if i+1 == len(inner) || inner[i+1] != '"' {
					t.Fatalf("QuoteIdent(%q) = %q: a lone quote at %d ends the identifier early", name, q, i+1)
				}
				i++
			}
			unq.WriteByte(inner[i])
		}
		if want := strings.ReplaceAll(name, "\x00", ""); unq.String() != want {
			t.Fatalf("QuoteIdent(%q) = %q reads back as %q, want %q", name, q, unq.String(), want)
		}
		skel, idents, err := scanIdents(q + " x")
		if err != nil || skel != "I x" || len(idents) != 1 || idents[0] != unq.String() {
			t.Fatalf("QuoteIdent(%q) = %q: a lexer reads %q %q %v", name, q, skel, idents, err)
		}
	})
}

// fzRow is the Go type of the tables FuzzStatementSQL declares on the fly.
type fzRow struct {
	ID  int64
	Val string
}

// fzTable declares a table and a string column with the given names.
func fzTable(table, column string) (*retort.Table[fzRow], *retort.Column[fzRow, int64], *retort.Column[fzRow, string]) {
	t := retort.NewTable[fzRow](table)
	id := retort.Col(t, "id", func(r *fzRow) *int64 { return &r.ID }, retort.PrimaryKey())
	val := retort.Col(t, column, func(r *fzRow) *string { return &r.Val })
	return t, id, val
}

// fzStatements builds every kind of statement over the table with v and n
// as values.
func fzStatements(table, column, v string, n int64) map[string]func(retort.Dialect) (string, []any, error) {
	t, id, val := fzTable(table, column)
	return map[string]func(retort.Dialect) (string, []any, error){
		"select": retort.Select(t).Where(val.Eq(v), id.Gt(n)).OrderBy(val.Desc()).Limit(3).SQL,
		"in":     retort.Select(t).Where(val.In(v, v+"x"), retort.Not(id.In(n))).SQL,
		"like":   retort.Select(t).Where(retort.Like(val, v), retort.ILike(val, v)).SQL,
		"insert": retort.Insert(t, &fzRow{ID: n, Val: v}).SQL,
		"update": retort.Update(t).Set(val.To(v)).Where(id.Eq(n)).SQL,
		"delete": retort.Delete(t).Where(val.Ne(v)).SQL,
		"upsert": retort.Insert(t, &fzRow{ID: n, Val: v}).OnConflict(id).DoUpdateSet(val.To(v)).SQL,
	}
}

// flatten lists a statement's arguments, with array arguments (PostgreSQL
// inserts, = ANY) spread out; an array literal (a string in braces, as
// PostgreSQL inserts send most columns) is read back into its elements.
func flatten(args []any) []any {
	var out []any
	for _, a := range args {
		if xs, ok := a.([]any); ok {
			out = append(out, flatten(xs)...)
			continue
		}
		if s, ok := a.(string); ok && strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if elems, ok := readArrayLiteral(s); ok {
				out = append(out, elems...)
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// readArrayLiteral reads a one-dimensional PostgreSQL array literal as
// PostgreSQL does: elements separated by commas, double-quoted ones with
// backslash escapes, NULL unquoted. Unquoted elements are kept as text.
func readArrayLiteral(s string) ([]any, bool) {
	s = s[1 : len(s)-1]
	var out []any
	if s == "" {
		return out, true
	}
	for {
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
					if i == len(s) {
						return nil, false
					}
				}
				b.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, false
			}
			out = append(out, b.String())
			s = s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			if e := s[:end]; e == "NULL" {
				out = append(out, nil)
			} else {
				out = append(out, e)
			}
			s = s[end:]
		}
		if s == "" {
			return out, true
		}
		if s[0] != ',' {
			return nil, false
		}
		s = s[1:]
	}
}

// FuzzStatementSQL compiles statements whose table name, column name and
// values are fuzzed. The SQL text never depends on the values (they are bind
// parameters, found among the arguments), and the names stay identifiers: a
// lexer reads the same statement structure as with plain names, and the
// identifiers it reads are the names given.
func FuzzStatementSQL(f *testing.F) {
	for i, n := range hostileNames {
		f.Add(n, hostileNames[(i+7)%len(hostileNames)], hostileValues[i%len(hostileValues)], int64(i))
	}
	for i, v := range hostileValues {
		f.Add("t", "c", v, int64(-i))
	}
	for _, table := range []string{"s.t", `a"b.c"d`, "a\x00.b", "a.b.c", "x.", "."} {
		f.Add(table, "c", "v", int64(1))
	}
	f.Fuzz(func(t *testing.T, table, column, v string, n int64) {
		if column == "id" || strings.ReplaceAll(column, "\x00", "") == "id" {
			t.Skip("the fuzzed column would repeat the key column's name")
		}
		// A dot in a table's name separates its schema (NewTable): a name
		// that is not "schema.table" panics at declaration; one that is
		// keeps the statement's structure of a plain schema and table.
		plainTable := "plain_table"
		schema, local, dotted := strings.Cut(table, ".")
		if dotted {
			if schema == "" || local == "" || strings.Contains(local, ".") {
				func() {
					defer func() {
						if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "schema.table") {
							t.Fatalf("NewTable(%q): panic %v, want one naming schema.table", table, r)
						}
					}()
					retort.NewTable[fzRow](table)
				}()
				return
			}
			plainTable = "plain_schema.plain_table"
		}
		plain := fzStatements(plainTable, "plain_col", "a value", 12345)
		benign := fzStatements(table, column, "a value", 12345)
		fuzzed := fzStatements(table, column, v, n)
		// Text that neither database can hold as text is refused in writes,
		// naming the column, and in predicates and LIKE patterns on
		// PostgreSQL (which cannot carry it); SQLite's predicates carry it.
		badText := strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v)
		for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
			for kind, build := range fuzzed {
				sql, args, err := build(d)
				write := kind == "insert" || kind == "update" || kind == "upsert"
				if badText && (write || d == retort.Postgres) {
					var ce *retort.ColumnError
					if !errors.Is(err, retort.ErrInvalidText) || !errors.As(err, &ce) || ce.Column != column {
						t.Fatalf("%s %s: value %q: error %v, want a ColumnError of %q matching ErrInvalidText", d, kind, v, err, column)
					}
					continue
				}
				if kind == "like" && (len(v)-len(strings.TrimRight(v, `\`)))%2 == 1 {
					// A pattern ending in the escape character.
					var ce *retort.ColumnError
					if !errors.As(err, &ce) || ce.Column != column {
						t.Fatalf("%s like: pattern %q: error %v, want a ColumnError of %q", d, v, err, column)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s %s: %v", d, kind, err)
				}
				same, _, err := benign[kind](d)
				if err != nil {
					t.Fatalf("%s %s: %v", d, kind, err)
				}
				if sql != same {
					t.Fatalf("%s %s: the SQL text depends on the value %q:\n%s\n%s", d, kind, v, sql, same)
				}
				if !slices.Contains(flatten(args), any(v)) {
					t.Fatalf("%s %s: the value %q is not a bind argument: %#v", d, kind, v, args)
				}
				skel, idents, err := scanIdents(sql)
				if err != nil {
					t.Fatalf("%s %s: %v", d, kind, err)
				}
				plainSQL, _, _ := plain[kind](d)
				wantSkel, wantIdents, _ := scanIdents(plainSQL)
				if skel != wantSkel {
					t.Fatalf("%s %s: names %q, %q change the statement's structure:\n%s\nwant\n%s", d, kind, table, column, skel, wantSkel)
				}
				strip := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
				repl := strings.NewReplacer("plain_table", strip(table), "plain_col", strip(column))
				if dotted {
					repl = strings.NewReplacer("plain_schema", strip(schema), "plain_table", strip(local), "plain_col", strip(column))
				}
				for i := range wantIdents {
					wantIdents[i] = repl.Replace(wantIdents[i])
				}
				if !slices.Equal(idents, wantIdents) {
					t.Fatalf("%s %s: identifiers read %q, want %q", d, kind, idents, wantIdents)
				}
			}
		}
	})
}

// decodeChecks decodes src into every built-in column type: no Decode
// panics, and a value it accepts is the value given.
func decodeChecks(t *testing.T, src any) {
	t.Helper()
	checkInt[int](t, src)
	checkInt[int8](t, src)
	checkInt[int16](t, src)
	checkInt[int32](t, src)
	checkInt[int64](t, src)
	checkInt[uint](t, src)
	checkInt[uint8](t, src)
	checkInt[uint16](t, src)
	checkInt[uint32](t, src)
	checkInt[uint64](t, src)
	checkFloat[float32](t, src)
	checkFloat[float64](t, src)
	if typ, _ := retort.DefaultType[bool](); typ != nil {
		if v, err := typ.Decode(src); err == nil {
			if n, ok := src.(int64); ok && v != (n != 0) {
				t.Fatalf("bool Decode(%d) = %v", n, v)
			}
		}
	}
	if typ, _ := retort.DefaultType[string](); typ != nil {
		if v, err := typ.Decode(src); err == nil {
			switch s := src.(type) {
			case string:
				if v != s {
					t.Fatalf("string Decode(%q) = %q", s, v)
				}
			case []byte:
				if v != string(s) {
					t.Fatalf("string Decode(%q) = %q", s, v)
				}
			}
		}
	}
	if typ, _ := retort.DefaultType[[]byte](); typ != nil {
		if v, err := typ.Decode(src); err == nil {
			if s, ok := src.(string); ok && string(v) != s {
				t.Fatalf("[]byte Decode(%q) = %q", s, v)
			}
		}
	}
	if typ, _ := retort.DefaultType[time.Time](); typ != nil {
		_, _ = typ.Decode(src)
	}
	// A UUID read back writes the same value again; text that is not a
	// UUID is ErrInvalidUUID.
	if typ, _ := retort.DefaultType[retort.UUID](); typ != nil {
		u, err := typ.Decode(src)
		if err == nil {
			e, _ := typ.Encode(u)
			if again, err := typ.Decode(e); err != nil || again != u {
				t.Fatalf("UUID Decode(%#v) = %s, which reads back as %s, %v", src, u, again, err)
			}
		} else if _, isText := src.(string); isText && !errors.Is(err, retort.ErrInvalidUUID) {
			t.Fatalf("UUID Decode(%q): %v, not ErrInvalidUUID", src, err)
		}
	}
	// JSON: what decodes encodes again, and reads back as an equal value.
	for _, typ := range []retort.Type[any]{retort.JSON[any]()} {
		v, err := typ.Decode(src)
		if err != nil {
			continue
		}
		e, err := typ.Encode(v)
		if err != nil {
			if errors.Is(err, retort.ErrInvalidText) {
				continue // a NUL inside, which jsonb cannot hold
			}
			t.Fatalf("JSON Decode(%#v) = %#v, which does not encode: %v", src, v, err)
		}
		again, err := typ.Decode(e)
		if err != nil || !typ.Equal(again, v) {
			t.Fatalf("JSON Decode(%#v) = %#v, encoded %q, reads back as %#v, %v", src, v, e, again, err)
		}
	}
	for _, typ := range []retort.Type[retort.Decimal]{retort.Numeric(0, 0), retort.Numeric(12, 2), retort.Numeric(18, 18), retort.Numeric(1, 0)} {
		d, err := typ.Decode(src)
		if err != nil {
			continue
		}
		again, err := retort.ParseDecimal(d.String())
		if err != nil || !again.Equal(d) {
			t.Fatalf("Decode(%#v) = %v, whose text %q reads back as %v, %v", src, d, d.String(), again, err)
		}
		if n, ok := src.(int64); ok {
			if u := d.Units(); d.Scale() == 0 && u != n {
				t.Fatalf("Decode(%d) = %v", n, d)
			}
		}
	}
}

func checkInt[I int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64](t *testing.T, src any) {
	t.Helper()
	typ, _ := retort.DefaultType[I]()
	v, err := typ.Decode(src)
	if err != nil {
		return
	}
	switch s := src.(type) {
	case int64:
		if int64(v) != s || (s < 0) != (v < 0) {
			t.Fatalf("%T Decode(%d) = %d", v, s, v)
		}
	case float64:
		if float64(v) != s {
			t.Fatalf("%T Decode(%v) = %d", v, s, v)
		}
	case string:
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || int64(v) != n || (n < 0) != (v < 0) {
			t.Fatalf("%T Decode(%q) = %d (ParseInt: %d, %v)", v, s, v, n, perr)
		}
	case bool:
		if (v == 1) != s || v > 1 {
			t.Fatalf("%T Decode(%v) = %d", v, s, v)
		}
	default:
		t.Fatalf("%T Decode(%#v) = %d: accepted a %T", v, src, v, src)
	}
}

func checkFloat[F float32 | float64](t *testing.T, src any) {
	t.Helper()
	typ, _ := retort.DefaultType[F]()
	v, err := typ.Decode(src)
	if err != nil {
		return
	}
	switch s := src.(type) {
	case float64:
		if math.IsNaN(s) {
			if !math.IsNaN(float64(v)) {
				t.Fatalf("%T Decode(NaN) = %v", v, v)
			}
			return
		}
		if math.IsInf(float64(v), 0) && !math.IsInf(s, 0) {
			t.Fatalf("%T Decode(%v) = %v: out of range, want an error", v, s, v)
		}
		if float64(F(s)) != float64(v) {
			t.Fatalf("%T Decode(%v) = %v", v, s, v)
		}
	case int64:
		if float64(v) != float64(F(s)) {
			t.Fatalf("%T Decode(%d) = %v", v, s, v)
		}
	}
}

// FuzzDecode decodes fuzzed database values (as either driver hands them
// over: string, []byte, int64, float64, bool, time, nil) into every built-in
// column type and Numeric.
func FuzzDecode(f *testing.F) {
	f.Add("12", int64(12), 12.0, true)
	f.Add("-129", int64(-129), -129.5, false)
	f.Add("9223372036854775807", int64(math.MaxInt64), 9.223372036854775e18, true)
	f.Add("-9223372036854775808", int64(math.MinInt64), -9.223372036854775e18, false)
	f.Add("18446744073709551615", int64(-1), 1.8446744073709552e19, true)
	f.Add("1e400", int64(256), math.Inf(1), false)
	f.Add("NaN", int64(65536), math.NaN(), false)
	f.Add("0.1", int64(4294967296), 0.1, true)
	f.Add("12345678901234567890.123", int64(1), 1e-300, false)
	f.Add("2024-02-29 12:00:00.000000000Z", int64(1709208000), 3.4028234663852886e38, true)
	f.Add("9999-12-31", int64(-62135596800), -3.5e38, false)
	f.Add("\x00\xff", int64(0), -0.0, false)
	f.Add(" 1", int64(1), 1.0000000000000002, true)
	f.Add("+.5", int64(5), 5e-324, false)
	f.Add("1_000", int64(math.MaxInt32+1), float64(math.MaxInt32), true)
	f.Add("t", int64(2), 2.0, true)
	f.Add("9223372036854775808", int64(math.MaxInt64), 9223372036854775808.0, false)   // 2^63: just beyond int64
	f.Add("-9223372036854775809", int64(math.MinInt64), -9223372036854775808.0, false) // -2^63: int64's least
	f.Add("3.4028235e38", int64(math.MaxUint32), 3.4028235677973366e38, true)          // float32's largest
	f.Add("0192f5a0-7c3e-7b21-9d4e-5f6a7b8c9d0e", int64(7), 1.0, true)                 // a UUID
	f.Add(`{"a": [1, "x\u0000", null, -0, {"b": true}]}`, int64(8), -0.0, false)       // JSON
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, b bool) {
		for _, src := range []any{s, []byte(s), n, x, b, nil, time.Unix(n%(1<<40), 0)} {
			decodeChecks(t, src)
		}
	})
}

// FuzzNumeric decodes fuzzed values with a Numeric of fuzzed precision and
// scale: no panic, an error or a value of the requested scale that fits its
// precision when it came from text, and a value that encodes again.
func FuzzNumeric(f *testing.F) {
	f.Add("123.456", int64(123456), 123.456, uint8(10), uint8(2))
	f.Add("-0.005", int64(-5), -0.005, uint8(3), uint8(2))
	f.Add("99999999999999999999", int64(math.MaxInt64), 1e19, uint8(38), uint8(0))
	f.Add("1e5", int64(math.MinInt64), 1e-19, uint8(0), uint8(0))
	f.Add("0.000000000000000001", int64(1), 5e-19, uint8(18), uint8(18))
	f.Add("12.5", int64(125), 12.5, uint8(1), uint8(30))
	f.Add("", int64(0), math.NaN(), uint8(5), uint8(5))
	f.Add("-", int64(-1), math.Inf(-1), uint8(19), uint8(19))
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, precision, scale uint8) {
		p, sc := int(precision%40), int(scale%25)
		typ := retort.Numeric(p, sc)
		for _, src := range []any{s, []byte(s), n, x, nil, true} {
			d, err := typ.Decode(src)
			if err != nil {
				continue
			}
			if p > 0 && d.Scale() != sc {
				t.Fatalf("Numeric(%d, %d).Decode(%#v) = %v of scale %d", p, sc, src, d, d.Scale())
			}
			again, err := retort.ParseDecimal(d.String())
			if err != nil || !again.Equal(d) {
				t.Fatalf("Numeric(%d, %d).Decode(%#v) = %v, which does not read back: %v", p, sc, src, d, err)
			}
			if _, err := typ.Encode(d); err != nil && !errors.Is(err, retort.ErrDecimalRange) {
				t.Fatalf("Numeric(%d, %d).Encode(%v): %v", p, sc, d, err)
			}
			if str, ok := src.(string); ok && utf8.ValidString(str) && p == 0 {
				if want, err := retort.ParseDecimal(str); err == nil && !want.Equal(d) {
					t.Fatalf("Numeric(0, 0).Decode(%q) = %v, want %v", str, d, want)
				}
			}
		}
	})
}

// A float beyond the range of int64 (a REAL read from SQLite into an int64
// field, say) must be an error, not math.MinInt64.
func TestDecodeHugeFloatIntoInt(t *testing.T) {
	for _, x := range []float64{1e19, -1e19, 9.3e18, math.Inf(1), math.Inf(-1), 1e300} {
		typ, _ := retort.DefaultType[int64]()
		if v, err := typ.Decode(x); err == nil {
			t.Errorf("int64 Decode(%v) = %d, want an error", x, v)
		}
		ityp, _ := retort.DefaultType[int]()
		if v, err := ityp.Decode(x); err == nil {
			t.Errorf("int Decode(%v) = %d, want an error", x, v)
		}
	}
}

// A float64 beyond float32's range must be an error, not ±Inf.
func TestDecodeFloat32Overflow(t *testing.T) {
	typ, _ := retort.DefaultType[float32]()
	for _, x := range []float64{1e39, -1e39, math.MaxFloat64} {
		if v, err := typ.Decode(x); err == nil {
			t.Errorf("float32 Decode(%v) = %v, want an error matching retort.ErrOutOfRange", x, v)
		}
	}
}

// Numeric decodes an int64 into a Decimal only when the Decimal can be
// written and read again: math.MinInt64 units print as a number ParseDecimal
// (and so a PostgreSQL round trip) refuses.
func TestNumericDecodeMinInt64(t *testing.T) {
	d, err := retort.Numeric(0, 0).Decode(int64(math.MinInt64))
	if err == nil {
		if _, perr := retort.ParseDecimal(d.String()); perr != nil {
			t.Errorf("Decode(MinInt64) = %v, which does not parse: %v; want an error matching ErrDecimalRange", d, perr)
		}
	}
}

// hzRow is the Go type of the hostile tables TestHostileIdentifiers
// creates.
type hzRow struct {
	ID    int64
	Val   string
	Other string
}

// hzCanary is a table the hostile names' statements must leave alone.
type hzCanary struct {
	ID   int64
	Note string
}

var (
	hzCanaries  = retort.NewTable[hzCanary]("hz_canary")
	hzCanaryID  = retort.Col(hzCanaries, "id", func(c *hzCanary) *int64 { return &c.ID }, retort.PrimaryKey())
	hzCanaryVal = retort.Col(hzCanaries, "note", func(c *hzCanary) *string { return &c.Note })
)

// Tables and columns named to break out of quoting (quotes, semicolons,
// comments, placeholders of both dialects, backslashes, newlines, unicode,
// reserved words) are created, written, read, updated, deleted from and
// dropped on both databases; the catalog holds each name as given, the
// values round-trip, and a canary table is untouched.
func TestHostileIdentifiers(t *testing.T) {
	// A dot separates a schema from the table (NewTable); hostile schema
	// names are TestSchemaTables' (package rel) and TestSchemaNames'.
	names := []string{
		`a"b`, `"`, `""`, `x" OR "1"="1`, `"; DROP TABLE hz_canary; --`, `'; DROP TABLE hz_canary; --`,
		`x"); DROP TABLE "hz_canary"; --`, "a\x00b", "snow ☃ man", "🦫", "$1", "$2", "?", "?1", ":name", "@p1",
		"--", "-- comment", "/*", "*/", "/* x */", "a\nb", "a\r\nb", `\`, `\"`, `a\`, "`", "[x]", ";", "a;b",
		"\t", " ", "\u202e", "select", "order", "Mixed Case", "UPPER", "é",
		strings.Repeat(`"`, 30), strings.Repeat("n", 63), strings.Repeat("é", 31) + "x", strings.Repeat("L", 100),
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, hzCanaries)
		if err := retort.Insert(hzCanaries, &hzCanary{Note: "still here"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for i, name := range names {
			table := retort.NewTable[hzRow](name)
			id := retort.Col(table, "id", func(r *hzRow) *int64 { return &r.ID }, retort.PrimaryKey())
			// The column shares the table's name; a second one is named
			// after another hostile name.
			val := retort.Col(table, name, func(r *hzRow) *string { return &r.Val }, retort.Unique(), retort.Indexed())
			other := retort.Col(table, names[(i+1)%len(names)]+" 2", func(r *hzRow) *string { return &r.Other })
			stored := strings.ReplaceAll(name, "\x00", "") // QuoteIdent drops NUL, which neither database accepts
			inCatalog := stored
			if env.Dialect == retort.Postgres && len(inCatalog) > 63 {
				inCatalog = inCatalog[:63] // PostgreSQL truncates names to 63 bytes (with a NOTICE)
			}
			if err := retort.CreateAll(ctx, env.DB, table); err != nil {
				t.Errorf("%q: create: %v", name, err)
				continue
			}
			if n := catalogCount(t, env, inCatalog); n != 1 {
				t.Errorf("%q: %d tables of that name in the catalog, want 1", name, n)
			}
			row := &hzRow{Val: stored + "' OR '1'='1", Other: stored} // PostgreSQL text holds no NUL
			if err := retort.Insert(table, row).Exec(ctx, env.DB); err != nil {
				t.Errorf("%q: insert: %v", name, err)
				continue
			}
			got, err := retort.Select(table).Where(val.Eq(row.Val), other.Eq(stored), id.Eq(row.ID)).One(ctx, env.DB)
			if err != nil || *got != *row {
				t.Errorf("%q: select: %+v, %v; want %+v", name, got, err, row)
			}
			if n, err := retort.Update(table).Set(val.To("changed")).Where(id.Eq(row.ID)).Exec(ctx, env.DB); err != nil || n != 1 {
				t.Errorf("%q: update: %d rows, %v", name, n, err)
			}
			if n, err := retort.Select(table).Where(retort.Like(val, "chan%")).Count(ctx, env.DB); err != nil || n != 1 {
				t.Errorf("%q: count: %d, %v", name, n, err)
			}
			if n, err := retort.Delete(table).Where(val.Eq("changed")).Exec(ctx, env.DB); err != nil || n != 1 {
				t.Errorf("%q: delete: %d rows, %v", name, n, err)
			}
			if err := retort.DropAll(ctx, env.DB, table); err != nil {
				t.Errorf("%q: drop: %v", name, err)
			}
			if n := catalogCount(t, env, inCatalog); n != 0 {
				t.Errorf("%q: still in the catalog after DropAll", name)
			}
		}
		canaries, err := retort.Select(hzCanaries).All(ctx, env.DB)
		if err != nil || len(canaries) != 1 || canaries[0].Note != "still here" {
			t.Errorf("canary table harmed: %v, %v", canaries, err)
		}
	})
}

// catalogCount counts the tables named name in the test's schema.
func catalogCount(t *testing.T, env *dbtest.Env, name string) int64 {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if env.Dialect == retort.Postgres {
		q = `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname = $1`
	}
	rows, err := env.DB.Query(context.Background(), q, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
