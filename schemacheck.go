package retort

import (
	"cmp"
	"context"
	"fmt"
	"strings"
)

// SchemaMismatch is one difference [CheckSchema] found between a table as
// Retort maps it and the table in the database.
type SchemaMismatch struct {
	Table  string
	Column string // "" when the whole table is missing
	Reason string
}

func (m SchemaMismatch) String() string {
	if m.Column == "" {
		return fmt.Sprintf("table %q: %s", m.Table, m.Reason)
	}
	return fmt.Sprintf("table %q column %q: %s", m.Table, m.Column, m.Reason)
}

// SchemaError is the error [CheckSchema] returns: every mismatch it found.
type SchemaError struct {
	Mismatches []SchemaMismatch
}

func (e *SchemaError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "retort: schema: %d mismatch", len(e.Mismatches))
	if len(e.Mismatches) != 1 {
		b.WriteString("es")
	}
	for _, m := range e.Mismatches {
		b.WriteString("\n\t")
		b.WriteString(m.String())
	}
	return b.String()
}

// CheckSchema compares tables, as declared, with the database's tables (a
// schema made by migrations rather than [CreateAll]) and returns a
// *[SchemaError] listing what would make reads or writes fail or change
// values, or nil. It reports a missing table or column, a column that
// allows NULL where its field cannot hold one, and a NOT NULL column
// without a default that is not mapped (every insert would fail). On
// PostgreSQL it also
// reports a column whose type does not take Retort's values as they travel
// in arrays (many rows at once): a uuid or jsonb held in a string without
// [PGType], and a date or timestamp column declared as time.Time, whose
// values the server would shift by its TimeZone (use [Date] or
// [Timestamp]). Narrower numbers (an integer column for an int64 field)
// are not reported: PostgreSQL converts them, and refuses a value that
// does not fit. Types are not compared on SQLite, whose column types are
// affinities. One query on each database.
//
//	if err := retort.CheckSchema(ctx, db, Users, Orders); err != nil {
//		log.Fatal(err) // at start-up
//	}
func CheckSchema(ctx context.Context, db DB, tables ...Schema) error {
	var tbls, cols, decls, quoted, locals, schemas []string
	var nullable, key []bool
	for _, t := range tables {
		info := t.Info()
		for _, c := range info.Columns {
			tbls = append(tbls, info.Name)
			schema, local := SplitTable(info.Name)
			quoted, locals, schemas = append(quoted, QuoteTable(info.Name)), append(locals, local), append(schemas, cmp.Or(schema, "main"))
			cols = append(cols, c.Name)
			decls = append(decls, c.SQLType(db.Dialect()))
			nullable = append(nullable, c.Nullable)
			key = append(key, c.PrimaryKey)
		}
	}
	var rows Rows
	var err error
	if db.Dialect() == Postgres {
		rows, err = db.Query(ctx, pgSchemaQuery, tbls, cols, decls, quoted)
	} else {
		rows, err = db.Query(ctx, sqliteSchemaQuery, jsonStrings(tbls), jsonStrings(cols), jsonStrings(locals), jsonStrings(schemas))
	}
	if err != nil {
		return fmt.Errorf("retort: schema: %w", err)
	}
	defer rows.Close()
	var out []SchemaMismatch
	missing := map[string]bool{}
	for i := 0; rows.Next(); {
		var table, col, actual string
		var unmapped, hasTable, hasCol, notNull, known, assignable, shifts bool
		var ord, num int64
		if err := rows.Scan(&table, &col, &unmapped, &hasTable, &hasCol, &notNull, &actual, &known, &assignable, &shifts, &ord, &num); err != nil {
			return fmt.Errorf("retort: schema: %w", err)
		}
		m := SchemaMismatch{Table: table, Column: col}
		if unmapped {
			m.Reason = "is NOT NULL without a default and not mapped: inserts fail; map it, or give it a default"
			out = append(out, m)
			continue
		}
		if i >= len(tbls) {
			break
		}
		decl, isNull, isKey := decls[i], nullable[i], key[i]
		i++
		switch {
		case !hasTable:
			if missing[table] {
				continue
			}
			missing[table] = true
			m.Column, m.Reason = "", "does not exist"
		case !hasCol:
			m.Reason = "does not exist"
		case !known:
			m.Reason = fmt.Sprintf("Retort's type %s does not exist in the database", decl)
		case shifts:
			fix := "retort.Timestamp()"
			if actual == "date" {
				fix = "retort.Date()"
			}
			m.Reason = fmt.Sprintf("is %s, declared %s: values written many at once would be shifted by the server's TimeZone; declare it with %s", actual, decl, fix)
		case !assignable:
			m.Reason = fmt.Sprintf("is %s, declared %s, which PostgreSQL does not assign to it: declare it with retort.PGType(%q) or a Type of that type", actual, decl, actual)
		case !notNull && !isNull && !isKey:
			m.Reason = "allows NULL, which its field cannot hold: declare it with NullCol"
		default:
			continue
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("retort: schema: %w", err)
	}
	if len(out) > 0 {
		return &SchemaError{Mismatches: out}
	}
	return nil
}

// pgSchemaQuery reads, for each table $1[i] (quoted for SQL: $4[i]) and
// column $2[i] declared as
// type $3[i], whether they exist, whether the column is NOT NULL, its
// type, whether the declared type exists, whether an array of it can be
// assigned to the column (the same type, the base type of a domain, or an
// implicit or assignment cast), and whether it is a timestamptz going
// into a timestamp or date; then, after each table's columns, the NOT NULL
// columns without a default (nor identity, nor generated) not among them.
const pgSchemaQuery = `SELECT * FROM (SELECT d.tbl, d.col, false AS unmapped, r.oid IS NOT NULL, a.attnum IS NOT NULL,
	coalesce(a.attnotnull, false), coalesce(format_type(a.atttypid, NULL), ''), to_regtype(d.decl) IS NOT NULL,
	coalesce(a.atttypid = to_regtype(d.decl) OR ty.typbasetype = to_regtype(d.decl) OR EXISTS (
		SELECT 1 FROM pg_catalog.pg_cast k WHERE k.castsource = to_regtype(d.decl)
		AND k.casttarget IN (a.atttypid, ty.typbasetype) AND k.castcontext IN ('a', 'i')), false),
	coalesce(to_regtype(d.decl) = 'timestamptz'::regtype AND a.atttypid IN ('timestamp'::regtype, 'date'::regtype), false),
	d.ord, 0 AS attnum
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS d (tbl, col, decl, q, ord)
LEFT JOIN pg_catalog.pg_class r ON r.oid = to_regclass(d.q)
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attname = d.col AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
UNION ALL
SELECT t.tbl, a.attname::text, true, true, true, true, format_type(a.atttypid, NULL), true, true, false, t.ord, a.attnum
FROM (SELECT tbl, q, max(ord) AS ord FROM unnest($1::text[], $4::text[]) WITH ORDINALITY AS u (tbl, q, ord) GROUP BY tbl, q) AS t
JOIN pg_catalog.pg_attribute a ON a.attrelid = to_regclass(t.q) AND a.attnum > 0 AND NOT a.attisdropped
	AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS m (tbl, col) WHERE m.tbl = t.tbl AND m.col = a.attname)
) AS x ORDER BY ord, unmapped, attnum`

// sqliteSchemaQuery reads, for each table and column of the JSON arrays ?1
// and ?2 (the table's name in its database ?3, the database ?4), whether they exist (generated columns too: table_xinfo) and
// whether the column is NOT NULL, then the
// NOT NULL columns without a default not among them, in the rows
// pgSchemaQuery gives.
const sqliteSchemaQuery = `SELECT * FROM (SELECT t.value AS tbl, c.value AS col, 0 AS unmapped, m.name IS NOT NULL,
	p.name IS NOT NULL, coalesce(p."notnull", 0) != 0, coalesce(p.type, ''), 1, 1, 0, t.key AS ord, 0 AS cid
FROM json_each(?1) AS t JOIN json_each(?2) AS c ON c.key = t.key
JOIN json_each(?3) AS l ON l.key = t.key JOIN json_each(?4) AS s ON s.key = t.key
LEFT JOIN pragma_table_list AS m ON m.type = 'table' AND m.schema = s.value AND m.name = l.value
LEFT JOIN pragma_table_xinfo(l.value, s.value) AS p ON m.name IS NOT NULL AND p.name = c.value
UNION ALL
SELECT t.value, p.name, 1, 1, 1, 1, p.type, 1, 1, 0, max(t.key), p.cid
FROM json_each(?1) AS t JOIN json_each(?3) AS l ON l.key = t.key JOIN json_each(?4) AS s ON s.key = t.key
JOIN pragma_table_info(l.value, s.value) AS p
WHERE p."notnull" AND p.dflt_value IS NULL AND NOT p.pk
	AND NOT EXISTS (SELECT 1 FROM json_each(?1) AS mt JOIN json_each(?2) AS mc ON mc.key = mt.key
		WHERE mt.value = t.value AND mc.value = p.name)
GROUP BY t.value, p.name
) ORDER BY ord, unmapped, cid`

// jsonStrings writes ss as a JSON array of strings.
func jsonStrings(ss []string) string {
	b := []byte{'['}
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return string(append(b, ']'))
}
