package retort

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Schema is a table as DDL sees it. *Table[T] implements it; CreateAll and
// DropAll take a list of them.
type Schema interface {
	// Info describes the table: columns, keys, constraints, indexes.
	Info() TableInfo
}

// TableInfo describes a table for DDL and tools.
type TableInfo struct {
	Name        string
	Columns     []ColumnInfo
	PrimaryKey  []string
	ForeignKeys []*ForeignKey
	Uniques     [][]string
	Indexes     []Index
	Checks      []string
}

// Info describes the table.
func (t *Table[T]) Info() TableInfo {
	o := t.origin()
	info := TableInfo{Name: o.name, ForeignKeys: o.fks, Uniques: o.uniques, Indexes: o.indexes, Checks: o.checks}
	for _, c := range o.cols {
		info.Columns = append(info.Columns, c.Info())
	}
	for _, c := range o.pk {
		info.PrimaryKey = append(info.PrimaryKey, c.Name())
	}
	return info
}

// ddlPlan is the creation order of a set of tables and the foreign keys that
// must be added after all tables exist because they close a cycle.
type ddlPlan struct {
	order    []TableInfo
	deferred map[*ForeignKey]bool
}

func plan(d Dialect, tables []Schema) ddlPlan {
	infos := make([]TableInfo, 0, len(tables))
	index := map[string]int{}
	for _, s := range tables {
		info := s.Info()
		if _, dup := index[info.Name]; dup {
			continue
		}
		index[info.Name] = len(infos)
		infos = append(infos, info)
	}
	p := ddlPlan{deferred: map[*ForeignKey]bool{}}
	done := make([]bool, len(infos))
	created := map[string]bool{}
	ready := func(i int) bool {
		for _, fk := range infos[i].ForeignKeys {
			if _, inSet := index[fk.RefTable]; inSet && fk.RefTable != infos[i].Name && !created[fk.RefTable] && !p.deferred[fk] {
				return false
			}
		}
		return true
	}
	for len(p.order) < len(infos) {
		progress := false
		for i := range infos {
			if !done[i] && ready(i) {
				done[i], created[infos[i].Name], progress = true, true, true
				p.order = append(p.order, infos[i])
			}
		}
		if progress {
			continue
		}
		// A cycle: create the first remaining table now and add its foreign
		// keys to tables not yet created afterwards (SQLite does not check a
		// REFERENCES target at CREATE time, so it keeps them inline).
		for i := range infos {
			if done[i] {
				continue
			}
			for _, fk := range infos[i].ForeignKeys {
				if _, inSet := index[fk.RefTable]; inSet && !created[fk.RefTable] && fk.RefTable != infos[i].Name {
					p.deferred[fk] = true
				}
			}
			break
		}
	}
	if d == SQLite {
		clear(p.deferred)
	}
	return p
}

// CreateSQL returns the statements that create tables, in an order that
// satisfies their foreign keys: on PostgreSQL the schemas of tables named
// "schema.table" (CREATE SCHEMA IF NOT EXISTS) and types (enums), then
// tables, then indexes, then foreign keys that close a cycle.
func CreateSQL(d Dialect, tables ...Schema) []string {
	p := plan(d, tables)
	var out []string
	seen := map[string]bool{}
	if d == Postgres {
		for _, t := range p.order {
			if schema, _ := SplitTable(t.Name); schema != "" && !seen[schema] {
				seen[schema] = true
				out = append(out, "CREATE SCHEMA IF NOT EXISTS "+QuoteIdent(schema))
			}
		}
		clear(seen)
	}
	for _, t := range p.order {
		for _, c := range t.Columns {
			if c.Schema == nil {
				continue
			}
			for _, s := range c.Schema.CreateTypeSQL(d) {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	for _, t := range p.order {
		out = append(out, createTable(d, t, p.deferred))
	}
	for _, t := range p.order {
		for _, ix := range t.Indexes {
			out = append(out, createIndex(d, ix, t.Name))
		}
	}
	for _, t := range p.order {
		for _, fk := range t.ForeignKeys {
			if p.deferred[fk] {
				out = append(out, "ALTER TABLE "+QuoteTable(t.Name)+" ADD "+fkClause(d, fk))
			}
		}
	}
	return out
}

func createTable(d Dialect, t TableInfo, deferred map[*ForeignKey]bool) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(QuoteTable(t.Name))
	b.WriteString(" (")
	var parts []string
	inlinePK := false
	for _, c := range t.Columns {
		def, pk := columnDef(d, t.Name, c)
		inlinePK = inlinePK || pk
		parts = append(parts, def)
	}
	if len(t.PrimaryKey) > 0 && !inlinePK {
		parts = append(parts, "PRIMARY KEY ("+identList(t.PrimaryKey)+")")
	}
	for _, u := range t.Uniques {
		parts = append(parts, "UNIQUE ("+identList(u)+")")
	}
	for _, fk := range t.ForeignKeys {
		if !deferred[fk] {
			parts = append(parts, fkClause(d, fk))
		}
	}
	for _, chk := range t.Checks {
		parts = append(parts, "CHECK ("+chk+")")
	}
	b.WriteString("\n\t")
	b.WriteString(strings.Join(parts, ",\n\t"))
	b.WriteString("\n)")
	return b.String()
}

// columnDef writes the definition of column c of table, and reports
// whether it declares the primary key (SQLite's INTEGER PRIMARY KEY).
func columnDef(d Dialect, table string, c ColumnInfo) (string, bool) {
	var cb strings.Builder
	inlinePK := false
	cb.WriteString(QuoteIdent(c.Name))
	cb.WriteByte(' ')
	switch {
	case c.AutoKey && d == SQLite:
		cb.WriteString("INTEGER PRIMARY KEY")
		inlinePK = true
	case c.AutoKey:
		cb.WriteString(c.SQLType(d))
		cb.WriteString(" GENERATED BY DEFAULT AS IDENTITY")
	default:
		cb.WriteString(c.SQLType(d))
		if !c.Nullable {
			cb.WriteString(" NOT NULL")
		}
		if c.Generated != "" {
			cb.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ") STORED")
		}
	}
	if c.DefaultSQL != "" {
		cb.WriteString(" DEFAULT ")
		cb.WriteString(c.DefaultSQL)
	}
	if c.Schema != nil {
		if chk := c.Schema.CheckSQL(d, QuoteIdent(c.Name)); chk != "" {
			cb.WriteString(" CONSTRAINT ")
			cb.WriteString(QuoteIdent(localName(table) + "_" + c.Name + "_check"))
			cb.WriteString(" CHECK (")
			cb.WriteString(chk)
			cb.WriteString(")")
		}
	}
	return cb.String(), inlinePK
}

// fkClause writes a foreign key's constraint. SQLite's REFERENCES names a
// table of the referring table's own database, without its schema (see
// sqliteCrossSchema).
func fkClause(d Dialect, fk *ForeignKey) string {
	return "CONSTRAINT " + QuoteIdent(fk.ConstraintName()) + " FOREIGN KEY (" + identList(fk.Columns) + ") " + fkReferences(d, fk)
}

// fkReferences writes a foreign key's REFERENCES clause and its actions.
func fkReferences(d Dialect, fk *ForeignKey) string {
	ref := QuoteTable(fk.RefTable)
	if d == SQLite {
		ref = QuoteIdent(localName(fk.RefTable))
	}
	s := "REFERENCES " + ref + " (" + identList(fk.RefColumns) + ")"
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	if fk.Deferred {
		s += " DEFERRABLE INITIALLY DEFERRED"
	}
	return s
}

// createIndex writes CREATE INDEX. PostgreSQL puts an index in its
// table's schema and takes the table's name qualified; SQLite takes the
// index's name qualified and the table's bare.
func createIndex(d Dialect, ix Index, table string) string {
	s := "CREATE "
	if ix.Unique {
		s += "UNIQUE "
	}
	schema, local := SplitTable(table)
	if d == SQLite {
		name := QuoteIdent(ix.Name)
		if schema != "" {
			name = QuoteIdent(schema) + "." + name
		}
		return s + "INDEX " + name + " ON " + QuoteIdent(local) + " (" + identList(ix.Columns) + ")"
	}
	return s + "INDEX " + QuoteIdent(ix.Name) + " ON " + QuoteTable(table) + " (" + identList(ix.Columns) + ")"
}

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// DropSQL returns the statements that drop tables, dependents first. On
// SQLite it begins by deferring foreign-key checks to the end of the
// transaction, since dropping a table deletes its rows and a cycle of
// references would otherwise fail.
func DropSQL(d Dialect, tables ...Schema) []string {
	p := plan(d, tables)
	var out []string
	if d == SQLite {
		out = append(out, "PRAGMA defer_foreign_keys = ON")
	}
	for _, t := range p.order {
		for _, fk := range t.ForeignKeys {
			if p.deferred[fk] {
				out = append(out, "ALTER TABLE IF EXISTS "+QuoteTable(t.Name)+" DROP CONSTRAINT IF EXISTS "+QuoteIdent(fk.ConstraintName()))
			}
		}
	}
	for _, t := range slices.Backward(p.order) {
		out = append(out, "DROP TABLE IF EXISTS "+QuoteTable(t.Name))
	}
	seen := map[string]bool{}
	for _, t := range slices.Backward(p.order) {
		for _, c := range t.Columns {
			if c.Schema == nil {
				continue
			}
			for _, s := range c.Schema.DropTypeSQL(d) {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// CreateAll creates the tables that do not exist yet (with their indexes and
// types), in one transaction, ordered by foreign keys. Existing tables are
// left as they are, as SQLAlchemy's create_all does. Programs that call it
// at once wait for each other (see [Migrate]).
func CreateAll(ctx context.Context, db DB, tables ...Schema) error {
	return InTx(ctx, db, func(tx Tx) error {
		missing, _, err := ddlStart(ctx, tx, "create", tables)
		if err != nil {
			return err
		}
		for _, s := range CreateSQL(db.Dialect(), missing...) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("retort: create: %s: %w", firstLine(s), err)
			}
		}
		return nil
	})
}

// ddlStart begins CreateAll's and Migrate's work (op) in tx: it waits for
// the others (lockDDL) and sorts tables into those the database lacks and
// those it has; on SQLite a missing table with a foreign key into another
// database is an error.
func ddlStart(ctx context.Context, tx Tx, op string, tables []Schema) (missing []Schema, present []TableInfo, err error) {
	if err := lockDDL(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("retort: %s: %w", op, err)
	}
	existing, err := existingTables(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range tables {
		if info := t.Info(); existing[info.Name] {
			present = append(present, info)
		} else {
			missing = append(missing, t)
		}
	}
	if tx.Dialect() == SQLite {
		if err := sqliteCrossSchema(missing); err != nil {
			return nil, nil, err
		}
	}
	return missing, present, nil
}

// DropAll drops the tables (and the types only they used), dependents first,
// in one transaction. Missing tables are skipped.
func DropAll(ctx context.Context, db DB, tables ...Schema) error {
	return InTx(ctx, db, func(tx Tx) error {
		for _, s := range DropSQL(db.Dialect(), tables...) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("retort: drop: %s: %w", firstLine(s), err)
			}
		}
		return nil
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// sqliteCrossSchema refuses a foreign key from a table of one SQLite
// database (schema) to a table of another: SQLite's REFERENCES names a
// table of the referring table's database only. A table named without a
// schema is in main.
func sqliteCrossSchema(tables []Schema) error {
	for _, t := range tables {
		info := t.Info()
		from, _ := SplitTable(info.Name)
		for _, fk := range info.ForeignKeys {
			to, _ := SplitTable(fk.RefTable)
			if cmp.Or(from, "main") != cmp.Or(to, "main") {
				return fmt.Errorf("retort: create %s: foreign key %s references %s, in another database: SQLite's foreign keys stay within one database (schema)",
					info.Name, fk.ConstraintName(), fk.RefTable)
			}
		}
	}
	return nil
}

// existingTables lists the database's tables by the names tables are
// declared with: "schema.table" for every table, and the bare name of a
// table the search path finds (PostgreSQL) or of SQLite's main database.
func existingTables(ctx context.Context, db DB) (map[string]bool, error) {
	q := "SELECT schema, name, schema = 'main' FROM pragma_table_list WHERE type = 'table'"
	if db.Dialect() == Postgres {
		// pg_table_is_visible is NULL for a table dropped since the
		// statement's snapshot (another session's DROP): not visible.
		q = `SELECT n.nspname::text, c.relname::text, coalesce(pg_table_is_visible(c.oid), false) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')`
	}
	rows, err := db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("retort: list tables: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var schema, name string
		var bare bool
		if err := rows.Scan(&schema, &name, &bare); err != nil {
			return nil, fmt.Errorf("retort: list tables: %w", err)
		}
		out[schema+"."+name] = true
		if bare {
			out[name] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retort: list tables: %w", err)
	}
	return out, nil
}
