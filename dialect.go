package retort

import (
	"strconv"
	"strings"
)

// Dialect names the SQL dialect a statement is compiled for. The root package
// knows how each dialect spells identifiers, placeholders and types; the driver
// packages only run the SQL it produces.
type Dialect int

const (
	// Postgres is PostgreSQL (through the postgres driver package).
	Postgres Dialect = iota + 1
	// SQLite is SQLite (through the sqlite driver package).
	SQLite
)

// String returns "postgres" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return "dialect(" + strconv.Itoa(int(d)) + ")"
}

// MaxParams is the largest number of bind parameters one statement may carry.
func (d Dialect) MaxParams() int {
	if d == Postgres {
		return 65535
	}
	return 32766
}

// QuoteIdent quotes an identifier for d: it is wrapped in double quotes and
// every double quote inside it is doubled, so no name can end the quoting.
// A NUL byte, which neither database accepts in a name, is dropped.
func QuoteIdent(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 2)
	appendIdent(&b, name)
	return b.String()
}

// QuoteTable quotes a table's name for SQL. The name of a table declared
// in a schema, "billing.invoice", becomes "billing"."invoice"; any other
// name is quoted as one identifier, as by [QuoteIdent].
func QuoteTable(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 4)
	appendTable(&b, name)
	return b.String()
}

func appendTable(b *strings.Builder, name string) {
	if schema, local, ok := strings.Cut(name, "."); ok {
		appendIdent(b, schema)
		b.WriteByte('.')
		appendIdent(b, local)
		return
	}
	appendIdent(b, name)
}

// SplitTable splits a table's name into its schema and the name within
// the schema: "billing.invoice" gives "billing" and "invoice", "users"
// gives "" and "users". Columns are qualified by the second (see
// [NewTable]).
func SplitTable(name string) (schema, table string) {
	if s, t, ok := strings.Cut(name, "."); ok {
		return s, t
	}
	return "", name
}

// localName is a table's name without its schema.
func localName(table string) string {
	_, t := SplitTable(table)
	return t
}

func appendIdent(b *strings.Builder, name string) {
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch c {
		case '"':
			b.WriteString(`""`)
		case 0:
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// quoteLiteral renders s as a SQL string literal. It is used only in DDL
// (DEFAULT clauses, CHECK constraints, enum labels), where neither database
// accepts bind parameters.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), "'", "''") + "'"
}

// QuoteLiteral is exported for packages that emit DDL (enum, for example).
func QuoteLiteral(s string) string { return quoteLiteral(s) }
