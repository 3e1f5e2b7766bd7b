package enum

import (
	"context"
	"errors"
	"fmt"

	"github.com/retort-orm/retort"
)

// Sync brings the PostgreSQL type of the string enumeration e up to date with
// its declaration, a small step toward migrations: it reads the labels the
// database has for the type (pg_enum, in the current schema) and adds each
// declared value that is missing with ALTER TYPE ... ADD VALUE, placed after
// the value declared before it, so that the type's sort order follows the
// declaration. When the type does not exist, Sync creates it. It returns the
// values it added, in declaration order; after an error, those it added
// before the error.
//
// Sync never removes or renames a value: PostgreSQL cannot drop an enum
// label. A label the database has and the declaration lacks stays; reading a
// row that holds it is an [*UnknownError].
//
// Transactions: Sync opens none; each ALTER TYPE runs on db as given. Run it on
// a pool or connection, before the program writes the new values. PostgreSQL
// 12 and later accept ALTER TYPE ... ADD VALUE inside a transaction block, but
// the new value cannot be used (inserted, compared) until that transaction
// commits ("unsafe use of new value"); PostgreSQL 11 and earlier refuse it
// inside a transaction block altogether.
//
// On SQLite, and for integer enums on any database, the values live in a
// CHECK constraint, which cannot be altered in place (SQLite would need the
// table rebuilt); Sync returns an error matching errors.ErrUnsupported and
// changes nothing.
func Sync[V comparable](ctx context.Context, db retort.DB, e *Enum[V]) (added []V, err error) {
	switch {
	case db.Dialect() != retort.Postgres:
		return nil, fmt.Errorf("enum: sync %s: %w: on %s an enum is a CHECK constraint, which cannot be altered without rebuilding the table", e.name, errors.ErrUnsupported, db.Dialect())
	case e.ints != nil:
		return nil, fmt.Errorf("enum: sync %s: %w: an integer enum is a CHECK constraint, not a PostgreSQL type", e.name, errors.ErrUnsupported)
	}
	have, exists, err := e.dbLabels(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("enum: sync %s: %w", e.name, err)
	}
	if !exists {
		for _, stmt := range e.CreateTypeSQL(retort.Postgres) {
			if _, err := db.Exec(ctx, stmt); err != nil {
				return nil, fmt.Errorf("enum: sync %s: create type: %w", e.name, err)
			}
		}
		return e.Values(), nil
	}
	present := make(map[string]bool, len(have))
	for _, l := range have {
		present[l] = true
	}
	for i, l := range e.labels {
		if present[l] {
			continue
		}
		stmt := "ALTER TYPE " + retort.QuoteTable(e.name) + " ADD VALUE IF NOT EXISTS " + retort.QuoteLiteral(l)
		switch {
		case i > 0:
			// The value before it is in the type by now: present, or
			// added in an earlier turn of this loop.
			stmt += " AFTER " + retort.QuoteLiteral(e.labels[i-1])
		case len(have) > 0:
			stmt += " BEFORE " + retort.QuoteLiteral(have[0])
		}
		if _, err := db.Exec(ctx, stmt); err != nil {
			return added, fmt.Errorf("enum: sync %s: add value %q: %w", e.name, l, err)
		}
		present[l] = true
		added = append(added, e.members[i].Value)
	}
	return added, nil
}

// dbLabels returns the labels of the type named e.name (in its schema, or
// the current one), in the type's sort order, and whether the type exists.
func (e *Enum[V]) dbLabels(ctx context.Context, db retort.DB) (labels []string, exists bool, err error) {
	schema, local := retort.SplitTable(e.name)
	rows, err := db.Query(ctx, `SELECT t.typtype::text, e.enumlabel FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typname = $1 AND t.typnamespace = CASE WHEN $2 = '' THEN current_schema()::regnamespace
	ELSE (SELECT oid FROM pg_namespace WHERE nspname = $2) END ORDER BY e.enumsortorder`, local, schema)
	if err != nil {
		return nil, false, fmt.Errorf("read labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var label *string
		if err := rows.Scan(&kind, &label); err != nil {
			return nil, false, fmt.Errorf("read labels: %w", err)
		}
		if kind != "e" {
			where := "the current schema"
			if schema != "" {
				where = "schema " + retort.QuoteIdent(schema)
			}
			return nil, false, fmt.Errorf("%s exists in %s and is not an enum type", retort.QuoteIdent(local), where)
		}
		exists = true
		if label != nil {
			labels = append(labels, *label)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read labels: %w", err)
	}
	return labels, exists, rows.Close()
}
