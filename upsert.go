package retort

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// conflict is an INSERT's ON CONFLICT clause.
type conflict[T any] struct {
	cols      []ColumnOf[T]
	doNothing bool
	sets      []Assignment[T]
}

// ConflictClause is an INSERT's ON CONFLICT clause being built: finish it
// with DoNothing or DoUpdateSet.
type ConflictClause[T any] struct {
	q    *InsertQuery[T]
	cols []ColumnOf[T]
}

// OnConflict starts an ON CONFLICT clause (an upsert) on both databases. cols
// are the columns of the primary key or of a unique constraint whose
// violation is handled; DoNothing may leave them out to cover every
// constraint.
//
//	retort.Insert(Users, u).OnConflict(UserEmail).DoUpdateSet(UserName.ToExpr(retort.Excluded(UserName)))
func (q *InsertQuery[T]) OnConflict(cols ...ColumnOf[T]) *ConflictClause[T] {
	return &ConflictClause[T]{q: q, cols: cols}
}

// DoNothing skips the rows that conflict. A skipped object's generated key
// stays zero (on both databases), so the caller can tell which were
// inserted.
func (c *ConflictClause[T]) DoNothing() *InsertQuery[T] {
	q := *c.q
	q.conflict = &conflict[T]{cols: c.cols, doNothing: true}
	return &q
}

// DoUpdateSet updates the existing row of each conflicting object with the
// assignments, which may use the values the object tried to insert through
// [Excluded]. It needs the conflict columns. An object whose generated key
// was zero receives the key of the row it inserted or updated. Objects of
// one upsert must not repeat a value of the conflict columns (a row is
// updated once): Exec refuses them, before sending anything, with a
// [ColumnError] wrapping [ErrDuplicateConflict].
func (c *ConflictClause[T]) DoUpdateSet(a ...Assignment[T]) *InsertQuery[T] {
	q := *c.q
	q.conflict = &conflict[T]{cols: c.cols, sets: a}
	return &q
}

// Excluded is the value the INSERT tried to write into c, in the DO UPDATE
// of an ON CONFLICT clause: excluded."c".
func Excluded[T, V any](c *Column[T, V]) Expr[V] {
	return newExpr(c.typ, func(w *Writer) {
		w.WriteString("excluded.")
		w.WriteIdent(c.name)
	})
}

func (q *InsertQuery[T]) stmtName() string { return fmt.Sprintf("insert %q", q.t.name) }

// returning writes the INSERT of Returning: every object's row in one
// VALUES list, a generated key left zero as DEFAULT (NULL on SQLite, whose
// INTEGER PRIMARY KEY then takes the next key), and the ON CONFLICT clause.
func (q *InsertQuery[T]) returning(w *Writer, list func(w *Writer)) {
	t := q.t
	if len(q.objs) == 0 {
		w.SetError(fmt.Errorf("retort: %s: no objects", q.stmtName()))
		return
	}
	if n := len(q.objs) * len(t.writes); n > w.d.MaxParams() {
		w.SetError(fmt.Errorf("retort: %s returning: %d values, more than the %d parameters a statement takes on %s: run it with All, One or Iter, which split it, or insert fewer objects at a time",
			q.stmtName(), n, w.d.MaxParams(), w.d))
		return
	}
	rows, err := q.encode()
	if err != nil {
		w.SetError(err)
		return
	}
	if q.conflict != nil {
		if err := q.repeatedConflict(); err != nil {
			w.SetError(err)
			return
		}
	}
	w.pushScope(q.stmtName(), false)
	defer w.popScope()
	w.declare(localName(t.name))
	w.WriteString("INSERT INTO ")
	w.WriteTable(t.name)
	w.WriteString(" (")
	writeNames(w, t.writes)
	w.WriteString(") VALUES ")
	for i, r := range rows {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString("(")
		for j, v := range r {
			if j > 0 {
				w.WriteString(", ")
			}
			switch {
			case v == nil && t.writes[j] == t.auto && w.d == Postgres:
				w.WriteString("DEFAULT")
			case v == nil && t.writes[j] == t.auto:
				w.WriteString("NULL")
			default:
				w.WriteArg(v)
			}
		}
		w.WriteString(")")
	}
	if q.conflict != nil {
		q.writeConflict(w)
	}
	writeReturning(w, list)
}

// split divides an INSERT ... RETURNING of more values than a statement
// takes on d into statements that take them, after checking every value
// (and the ON CONFLICT clause); nil when one statement does.
func (q *InsertQuery[T]) split(d Dialect) ([]Returner, error) {
	per := d.MaxParams() / max(1, len(q.t.writes))
	if len(q.objs) <= per {
		return nil, nil
	}
	if _, err := q.encode(); err != nil {
		return nil, err
	}
	if q.conflict != nil {
		if err := q.repeatedConflict(); err != nil {
			return nil, err
		}
	}
	var parts []Returner
	for i := 0; i < len(q.objs); i += per {
		part := *q
		part.objs = q.objs[i:min(len(q.objs), i+per)]
		parts = append(parts, &part)
	}
	return parts, nil
}

// writeNames writes the columns' names, unqualified, separated by commas.
func writeNames[T any](w *Writer, cols []ColumnOf[T]) {
	for i, c := range cols {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteIdent(c.Name())
	}
}

// writeConflict writes the ON CONFLICT clause.
func (q *InsertQuery[T]) writeConflict(w *Writer) {
	c := q.conflict
	w.pushScope(fmt.Sprintf("insert %q", q.t.name), true)
	defer w.popScope()
	w.declare(localName(q.t.name))
	w.WriteString(" ON CONFLICT")
	if len(c.cols) > 0 {
		w.WriteString(" (")
		writeNames(w, c.cols)
		w.WriteString(")")
	}
	if c.doNothing {
		w.WriteString(" DO NOTHING")
		return
	}
	if len(c.cols) == 0 {
		w.SetError(stmtError("insert", q.t.name, errors.New("ON CONFLICT DO UPDATE needs the conflict columns")))
	}
	if len(c.sets) == 0 {
		w.SetError(stmtError("insert", q.t.name, errors.New("ON CONFLICT DO UPDATE sets no columns")))
	}
	w.WriteString(" DO UPDATE SET ")
	for i, a := range c.sets {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteIdent(a.column)
		w.WriteString(" = ")
		a.write(w)
	}
}

// conflictStatement returns the INSERT ... ON CONFLICT statement for d and
// the clause's own bind arguments, which follow the rows' values.
//
// SQLite runs it once per row; with a generated key and DO UPDATE it returns
// the key of the row inserted or updated, and with DO NOTHING the key comes
// from last_insert_rowid() only when the row was inserted (one row changed).
//
// PostgreSQL inserts the rows from arrays as without a conflict clause; with
// a generated key the statement returns (ordinal, key) only for rows written:
// an inserted row is matched to its ordinal by the key drawn for it, an
// updated row (DO UPDATE) by the values of the conflict columns, which
// identify one input row since PostgreSQL refuses to update a row twice in
// one statement.
//
// With drawn (PostgreSQL, every row's key to be generated), the INSERT says
// OVERRIDING SYSTEM VALUE, as insertCTE explains.
func (q *InsertQuery[T]) conflictStatement(d Dialect, drawn bool) (string, []any, error) {
	t := q.t
	s := t.sql(d)
	w := NewWriter(d)
	fixed := len(t.writes)
	if d == Postgres && t.auto != nil {
		fixed += 2
	}
	w.args = make([]any, fixed) // the rows' parameters come first
	if drawn && d == Postgres {
		w.WriteString(s.insertHeadGen)
	} else {
		w.WriteString(s.insertHead)
	}
	q.writeConflict(w)
	if t.auto != nil {
		key := t.auto.Name()
		if d == SQLite {
			if !q.conflict.doNothing {
				w.WriteString(" RETURNING ")
				w.WriteIdent(key)
			}
		} else {
			w.WriteString(" RETURNING ")
			w.WriteIdent(key)
			var match []string
			for _, c := range q.conflict.cols {
				if c.Name() != key {
					match = append(match, c.Name())
				}
			}
			for _, m := range match {
				w.WriteString(", ")
				w.WriteIdent(m)
			}
			w.WriteString(`) SELECT "v"."retort_ord", "i".`)
			w.WriteIdent(key)
			w.WriteString(` FROM "i" JOIN "v" ON "v".`)
			w.WriteIdent(key)
			w.WriteString(` = "i".`)
			w.WriteIdent(key)
			if !q.conflict.doNothing {
				w.WriteString(` UNION ALL SELECT "v"."retort_ord", "i".`)
				w.WriteIdent(key)
				w.WriteString(` FROM "i" JOIN "v" ON `)
				cols := q.conflict.cols
				for i, c := range cols {
					if i > 0 {
						w.WriteString(" AND ")
					}
					w.WriteString(`"v".`)
					w.WriteIdent(c.Name())
					w.WriteString(` = "i".`)
					w.WriteIdent(c.Name())
				}
				w.WriteString(` WHERE NOT EXISTS (SELECT 1 FROM "v" AS "d" WHERE "d".`)
				w.WriteIdent(key)
				w.WriteString(` = "i".`)
				w.WriteIdent(key)
				w.WriteString(")")
			}
		}
	}
	if err := w.Err(); err != nil {
		return "", nil, err
	}
	return w.String(), w.args[fixed:], nil
}

// conflictSQL is InsertQuery.SQL with an ON CONFLICT clause.
func (q *InsertQuery[T]) conflictSQL(d Dialect, rows [][]any) (string, []any, error) {
	stmt, extra, err := q.conflictStatement(d, false)
	if err != nil {
		return "", nil, err
	}
	var args []any
	switch {
	case len(rows) == 0:
	case d == SQLite:
		args = rows[0]
	default:
		var err error
		if args, err = q.pgArgs(q.objs[:min(len(rows), pgInsertChunk)], false); err != nil {
			return "", nil, err
		}
	}
	return stmt, append(args[:len(args):len(args)], extra...), nil
}

// execConflict runs the INSERT ... ON CONFLICT for every row (rows as
// encode returns them), one statement after another.
func (q *InsertQuery[T]) execConflict(ctx context.Context, db DB, rows [][]any) error {
	items, err := q.conflictItems(db.Dialect(), rows)
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := RunItem(ctx, db, it); err != nil {
			return stmtError("insert", q.t.name, err)
		}
	}
	return nil
}

// conflictItems is Items for an INSERT ... ON CONFLICT (rows as encode
// returns them): on SQLite one statement a row, which returns its key
// (DO UPDATE) or whose key is the last one inserted when it inserted a row
// (DO NOTHING); on PostgreSQL one statement a chunk of rows, returning
// (ordinal, key) pairs for the rows it wrote. A key the program gave is
// kept in its object.
func (q *InsertQuery[T]) conflictItems(d Dialect, rows [][]any) ([]BatchItem, error) {
	t := q.t
	if err := q.repeatedConflict(); err != nil {
		return nil, err
	}
	stmt, extra, err := q.conflictStatement(d, t.auto != nil && q.allGenerated(q.objs))
	if err != nil {
		return nil, err
	}
	var items []BatchItem
	if d == SQLite {
		autoIdx := -1
		if t.auto != nil {
			autoIdx = indexOf(t.writes, t.auto)
		}
		items = make([]BatchItem, len(rows))
		for i, r := range rows {
			obj := q.objs[i]
			generated := autoIdx >= 0 && r[autoIdx] == nil
			items[i] = BatchItem{SQL: stmt, Args: append(r[:len(r):len(r)], extra...), Op: "insert", Table: t.name}
			switch {
			case autoIdx >= 0 && !q.conflict.doNothing:
				items[i].Rows = func(r Rows) error { return q.returnedKey(r, obj, generated) }
			case generated:
				items[i].Result = func(res Result) error {
					if res.RowsAffected != 1 {
						return nil // not inserted: the key stays zero
					}
					if err := t.auto.SetInt64(obj, res.LastInsertID); err != nil {
						return stmtError("insert", t.name, err)
					}
					return nil
				}
			}
		}
		return items, nil
	}
	for start := 0; start < len(rows); start += pgInsertChunk {
		objs := q.objs[start:min(len(rows), start+pgInsertChunk)]
		args, err := q.pgArgs(objs, false)
		if err != nil {
			return nil, err
		}
		it := BatchItem{SQL: stmt, Args: append(args, extra...), Op: "insert", Table: t.name}
		if t.auto != nil {
			it.Rows = func(r Rows) error { return q.assignKeys(r, objs, true) }
		}
		items = append(items, it)
	}
	return items, nil
}

// returnedKey reads the key a SQLite upsert returns (none when DO UPDATE's
// WHERE skipped the row) and stores it in obj when set.
func (q *InsertQuery[T]) returnedKey(r Rows, obj *T, set bool) error {
	t := q.t
	for r.Next() {
		var id int64
		if err := r.Scan(&id); err != nil {
			return stmtError("insert", t.name, err)
		}
		if set {
			if err := t.auto.SetInt64(obj, id); err != nil {
				return stmtError("insert", t.name, err)
			}
		}
	}
	if err := r.Err(); err != nil {
		return stmtError("insert", t.name, err)
	}
	return nil
}

// repeatedConflict refuses a DO UPDATE whose objects repeat a value of the
// conflict columns, which PostgreSQL cannot run (a row updated twice in one
// statement) and SQLite would run a row at a time: the same result on both,
// before anything is sent. NULL never conflicts, nor does a generated key
// still to be drawn. Values of types not compared here are not checked
// (the database then decides).
func (q *InsertQuery[T]) repeatedConflict() error {
	c := q.conflict
	if c == nil || c.doNothing || len(c.cols) == 0 || len(c.cols) > 4 || len(q.objs) < 2 {
		return nil
	}
	seen := make(map[[4]any]bool, len(q.objs))
	var vals [4]any
next:
	for _, obj := range q.objs {
		var k [4]any
		for i, col := range c.cols {
			if q.t.auto != nil && col.Name() == q.t.auto.Name() && col.IsZero(obj) {
				continue next
			}
			v, err := col.Bind(obj)
			if err != nil {
				return nil // the write reports it
			}
			vals[i] = v
			switch x := v.(type) {
			case nil:
				continue next
			case int64, int32, int16, int8, int, uint64, uint32, uint16, uint8, uint, string, bool, float64, float32, Decimal, UUID:
				k[i] = x
			case []byte:
				k[i] = string(x)
			case time.Time: // to the microsecond, as both databases keep it
				k[i] = [2]int64{x.Unix(), int64(x.Nanosecond() / 1000)}
			default:
				return nil
			}
		}
		if seen[k] {
			names := make([]string, len(c.cols))
			for i, col := range c.cols {
				names[i] = col.Name()
			}
			var v any = vals[0]
			if len(c.cols) > 1 {
				v = fmt.Sprint(vals[:len(c.cols)])
			}
			return &ColumnError{Table: q.t.name, Column: strings.Join(names, ", "), Value: v, Err: ErrDuplicateConflict}
		}
		seen[k] = true
	}
	return nil
}
