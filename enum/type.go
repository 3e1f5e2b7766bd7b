package enum

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/retort-orm/retort"
)

// The Enum is a column type; these assertions keep it one.
var (
	_ retort.Type[string] = (*Enum[string])(nil)
	_ retort.SchemaType   = (*Enum[string])(nil)
)

// native reports whether the enumeration is a PostgreSQL ENUM type on d:
// string enums on PostgreSQL. Everything else is a plain column with a CHECK.
func (e *Enum[V]) native(d retort.Dialect) bool { return d == retort.Postgres && e.ints == nil }

// SQLType implements [retort.Type]: the quoted type name for a string enum on
// PostgreSQL, TEXT for a string enum on SQLite, and an integer type for an
// integer enum (integer or bigint on PostgreSQL, as the values need). The
// column's Size option is ignored: the values are known.
func (e *Enum[V]) SQLType(d retort.Dialect, _ int) string {
	switch {
	case e.native(d):
		return retort.QuoteTable(e.name)
	case e.ints == nil:
		return "TEXT"
	case d == retort.Postgres:
		for _, n := range e.ints {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return "bigint"
			}
		}
		return "integer"
	}
	return "INTEGER"
}

// Encode implements [retort.Type]: a declared value becomes its string (or
// its int64); any other value is an [*UnknownError], so that it is refused
// before any SQL is sent.
func (e *Enum[V]) Encode(v V) (any, error) {
	if i, ok := e.index[v]; ok {
		return e.enc[i], nil
	}
	return nil, e.unknownValue(v)
}

// Decode implements [retort.Type]. A value the enumeration does not declare
// (a row written by another program, or a value added to the database type
// but not to the Go declaration) is an [*UnknownError] naming the value and
// the valid ones; the column reading it adds the table and column.
func (e *Enum[V]) Decode(src any) (V, error) {
	var zero V
	switch s := src.(type) {
	case string:
		if i, ok := e.byLabel[s]; ok {
			return e.members[i].Value, nil
		}
		if e.ints != nil {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return e.decodeInt(n)
			}
		}
		return zero, e.unknown(strconv.Quote(s))
	case []byte:
		if i, ok := e.byLabel[string(s)]; ok {
			return e.members[i].Value, nil
		}
		return e.Decode(string(s))
	case int64:
		if e.ints == nil {
			return zero, e.unknown(strconv.FormatInt(s, 10))
		}
		return e.decodeInt(s)
	case float64:
		if e.ints != nil && s == math.Trunc(s) && s >= math.MinInt64 && s < math.MaxInt64 {
			return e.decodeInt(int64(s))
		}
		return zero, e.unknown(strconv.FormatFloat(s, 'g', -1, 64))
	case nil:
		return zero, fmt.Errorf("enum: %s: %w", e.name, retort.ErrNullValue)
	}
	return zero, e.unknown(fmt.Sprintf("%T %v", src, src))
}

func (e *Enum[V]) decodeInt(n int64) (V, error) {
	if i, ok := e.byInt[n]; ok {
		return e.members[i].Value, nil
	}
	var zero V
	return zero, e.unknown(strconv.FormatInt(n, 10))
}

// Equal implements [retort.Type].
func (e *Enum[V]) Equal(a, b V) bool { return a == b }

// CreateTypeSQL implements [retort.SchemaType]. On PostgreSQL a string enum is
// created as a native ENUM type, in a DO block that first looks for the type
// in the current schema, so that running CreateAll again (or for a second
// table using the same enum) does not fail. An existing type is left as it
// is, even when its values differ: [Sync] adds missing ones.
func (e *Enum[V]) CreateTypeSQL(d retort.Dialect) []string {
	if !e.native(d) {
		return nil
	}
	if s := e.createSchema(); s != "" {
		return []string{s, e.createIfMissing()}
	}
	return []string{e.createIfMissing()}
}

// createSQL is the plain CREATE TYPE statement.
func (e *Enum[V]) createSQL() string {
	return "CREATE TYPE " + retort.QuoteTable(e.name) + " AS ENUM (" + e.literals() + ")"
}

// typeMatch is the condition on pg_type finding the type: its name in the
// schema of a name "schema.type", or in the current schema.
func (e *Enum[V]) typeMatch() string {
	schema, local := retort.SplitTable(e.name)
	ns := "current_schema()::regnamespace"
	if schema != "" {
		ns = "(SELECT oid FROM pg_namespace WHERE nspname = " + retort.QuoteLiteral(schema) + ")"
	}
	return "typname = " + retort.QuoteLiteral(local) + " AND typnamespace = " + ns
}

// createSchema is the CREATE SCHEMA of a name "schema.type", or "".
func (e *Enum[V]) createSchema() string {
	if schema, _ := retort.SplitTable(e.name); schema != "" {
		return "CREATE SCHEMA IF NOT EXISTS " + retort.QuoteIdent(schema)
	}
	return ""
}

func (e *Enum[V]) createIfMissing() string {
	body := "\nBEGIN\n\tIF NOT EXISTS (SELECT 1 FROM pg_type WHERE " + e.typeMatch() + ") THEN\n\t\t" + e.createSQL() + ";\n\tEND IF;\nEND\n"
	return doBlock(body)
}

// doBlock wraps a PL/pgSQL body in DO, dollar-quoted with a tag that does not
// occur in the body (a label could hold "$enum$").
func doBlock(body string) string {
	tag := "$enum$"
	for strings.Contains(body, tag) {
		tag = tag[:len(tag)-1] + "_$"
	}
	return "DO " + tag + body + tag
}

// literals lists the labels as SQL literals: 'P', 'F', 'C' or 1, 2, 3.
func (e *Enum[V]) literals() string {
	var b strings.Builder
	for i, l := range e.labels {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.ints != nil {
			b.WriteString(l)
		} else {
			b.WriteString(retort.QuoteLiteral(l))
		}
	}
	return b.String()
}

// DropTypeSQL implements [retort.SchemaType]. On PostgreSQL a string enum's
// type is dropped after the tables, when nothing depends on it any more: a
// table outside the dropped set that still has a column of the type keeps it
// (DropAll of one of two tables sharing an enum must not fail), and so does a
// view or function using it. The check runs in a DO block against pg_depend
// in the current schema.
func (e *Enum[V]) DropTypeSQL(d retort.Dialect) []string {
	if !e.native(d) {
		return nil
	}
	body := "\nDECLARE\n\tt oid;\nBEGIN\n\tSELECT oid INTO t FROM pg_type WHERE " + e.typeMatch() + ";\n" +
		"\tIF t IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE refclassid = 'pg_type'::regclass AND refobjid = t AND deptype = 'n') THEN\n" +
		"\t\tDROP TYPE " + retort.QuoteTable(e.name) + ";\n\tEND IF;\nEND\n"
	return []string{doBlock(body)}
}

// CheckSQL implements [retort.SchemaType]: column IN (values) wherever the
// column is not a native enum. NULL passes the check, as in SQL.
func (e *Enum[V]) CheckSQL(d retort.Dialect, quotedColumn string) string {
	if e.native(d) {
		return ""
	}
	return quotedColumn + " IN (" + e.literals() + ")"
}
