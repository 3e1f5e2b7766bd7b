package retort

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNotAddable is matched (errors.Is) by the error of [Migrate] for a
// column it cannot add to an existing table.
var ErrNotAddable = errors.New("cannot be added to an existing table")

// Migrate brings the database up to tables as declared by adding what it
// lacks, never dropping, renaming or changing anything (GORM's
// AutoMigrate; SQLAlchemy leaves this to Alembic):
//
//   - the tables that do not exist, created as [CreateAll] creates them;
//   - the columns an existing table lacks, with ALTER TABLE ... ADD COLUMN:
//     their type (a PostgreSQL enum type created if missing), NOT NULL,
//     database default, CHECK and a single-column foreign key; a
//     foreign key of several columns with a new one among them (PostgreSQL
//     only) and the unique constraints a new column is part of, as unique
//     indexes;
//   - the declared indexes an existing table lacks (by name).
//
// A column it cannot add is an error matching [ErrNotAddable] that names
// it, before any change: a primary-key column, a NOT NULL column without a
// database default ([DefaultSQL]; the table's rows would have no value:
// declare it with NullCol, or give it one), and on SQLite a [Generated]
// column or one in a foreign key of several columns. Once the rest is done
// it runs [CheckSchema]: what Migrate does not change (a column's type, a
// column allowing NULL that its field cannot hold, an unmapped NOT NULL
// column) comes back as its *[SchemaError], and nothing is changed.
// Everything happens in one transaction (on PostgreSQL holding an advisory
// lock, so that programs migrating at once wait for each other, the later
// finding nothing to do; SQLite's transactions take the write lock). It
// returns the statements it ran;
// none when the database was up to date.
//
//	applied, err := retort.Migrate(ctx, db, Users, Orders)
func Migrate(ctx context.Context, db DB, tables ...Schema) (applied []string, err error) {
	return migrate(ctx, db, tables, false)
}

// MigratePlan returns the statements [Migrate] would run, having run them
// in a transaction it rolls back: the plan is checked by the database
// itself (a statement it would refuse is the error), and nothing is
// changed. Print it, or review it before deploying.
func MigratePlan(ctx context.Context, db DB, tables ...Schema) ([]string, error) {
	return migrate(ctx, db, tables, true)
}

// errPlanned ends MigratePlan's transaction.
var errPlanned = errors.New("planned")

func migrate(ctx context.Context, db DB, tables []Schema, plan bool) (applied []string, err error) {
	d := db.Dialect()
	err = InTx(ctx, db, func(tx Tx) error {
		missing, present, err := ddlStart(ctx, tx, "migrate", tables)
		if err != nil {
			return err
		}
		stmts := CreateSQL(d, missing...)
		for _, info := range present {
			cols, indexes, err := tableContents(ctx, tx, info.Name)
			if err != nil {
				return err
			}
			more, err := additions(d, info, cols, indexes)
			if err != nil {
				return err
			}
			stmts = append(stmts, more...)
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("retort: migrate: %s: %w", firstLine(s), err)
			}
		}
		if err := CheckSchema(ctx, tx, tables...); err != nil {
			return fmt.Errorf("retort: migrate: nothing was changed; the database differs where Migrate does not change it: %w", err)
		}
		applied = stmts
		if plan {
			return errPlanned
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPlanned) {
		return nil, err
	}
	return applied, nil
}

// ddlLock is the key of the PostgreSQL advisory lock Migrate and
// CreateAll hold.
const ddlLock int64 = 0x7265746f72744d67 // "retortMg"

// lockDDL makes tx wait for the other transactions of Migrate and
// CreateAll on PostgreSQL (programs creating their tables as they start),
// so that it sees what they made. SQLite's transactions take the write
// lock already.
func lockDDL(ctx context.Context, tx Tx) error {
	if tx.Dialect() != Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", ddlLock)
	return err
}

// additions returns the statements that add to the existing table info
// the columns it lacks (cols holds those it has), with their constraints,
// and the indexes it lacks (indexes holds the names of those it has).
func additions(d Dialect, info TableInfo, cols, indexes map[string]bool) ([]string, error) {
	var out []string
	added := map[string]bool{}
	table := QuoteTable(info.Name)
	for _, c := range info.Columns {
		if cols[c.Name] {
			continue
		}
		var why string
		switch {
		case c.PrimaryKey || c.AutoKey:
			why = "it is part of the primary key"
		case !c.Nullable && c.DefaultSQL == "" && c.Generated == "":
			why = "it is NOT NULL without a database default, which the table's rows would need (declare it with NullCol, or give it DefaultSQL)"
		case c.Generated != "" && d == SQLite:
			why = "SQLite cannot add a stored generated column"
		}
		if why != "" {
			return nil, fmt.Errorf("retort: migrate: table %q column %q %w: %s", info.Name, c.Name, ErrNotAddable, why)
		}
		if c.Schema != nil {
			out = append(out, c.Schema.CreateTypeSQL(d)...)
		}
		def, _ := columnDef(d, info.Name, c)
		for _, fk := range info.ForeignKeys {
			if len(fk.Columns) != 1 || fk.Columns[0] != c.Name {
				continue
			}
			from, _ := SplitTable(info.Name)
			if to, _ := SplitTable(fk.RefTable); d == SQLite && cmp.Or(from, "main") != cmp.Or(to, "main") {
				return nil, fmt.Errorf("retort: migrate: table %q column %q %w: its foreign key references %s, in another database: SQLite's foreign keys stay within one database (schema)",
					info.Name, c.Name, ErrNotAddable, fk.RefTable)
			}
			def += " CONSTRAINT " + QuoteIdent(fk.ConstraintName()) + " " + fkReferences(d, fk)
		}
		out = append(out, "ALTER TABLE "+table+" ADD COLUMN "+def)
		added[c.Name] = true
	}
	if len(added) > 0 {
		for _, fk := range info.ForeignKeys {
			if len(fk.Columns) < 2 || !anyOf(fk.Columns, added) {
				continue
			}
			if d == SQLite {
				return nil, fmt.Errorf("retort: migrate: table %q columns %s %w: SQLite cannot add the foreign key %s to a table",
					info.Name, identList(fk.Columns), ErrNotAddable, fk.ConstraintName())
			}
			out = append(out, "ALTER TABLE "+table+" ADD "+fkClause(d, fk))
		}
		for _, u := range info.Uniques {
			if anyOf(u, added) {
				ix := Index{Name: localName(info.Name) + "_" + strings.Join(u, "_") + "_key", Columns: u, Unique: true}
				out = append(out, createIndex(d, ix, info.Name))
				indexes[ix.Name] = true
			}
		}
	}
	for _, ix := range info.Indexes {
		if !indexes[ix.Name] {
			out = append(out, createIndex(d, ix, info.Name))
		}
	}
	return out, nil
}

func anyOf(names []string, set map[string]bool) bool {
	for _, n := range names {
		if set[n] {
			return true
		}
	}
	return false
}

// tableContents reads the names of the columns and of the indexes of the
// existing table.
func tableContents(ctx context.Context, db DB, table string) (cols, indexes map[string]bool, err error) {
	schema, local := SplitTable(table)
	var colQ, ixQ string
	var args []any
	if db.Dialect() == Postgres {
		colQ = `SELECT attname::text FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`
		ixQ = `SELECT c.relname::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`
		args = []any{QuoteTable(table)}
	} else {
		if schema == "" {
			schema = "main"
		}
		colQ = `SELECT name FROM pragma_table_xinfo(?1, ?2)`
		ixQ = `SELECT name FROM pragma_index_list(?1, ?2)`
		args = []any{local, schema}
	}
	names := func(q string) (map[string]bool, error) {
		rows, err := db.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("retort: migrate: read table %q: %w", table, err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, fmt.Errorf("retort: migrate: read table %q: %w", table, err)
			}
			out[n] = true
		}
		return out, rows.Err()
	}
	if cols, err = names(colQ); err != nil {
		return nil, nil, err
	}
	if indexes, err = names(ixQ); err != nil {
		return nil, nil, err
	}
	return cols, indexes, nil
}
