package retort

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Items returns the statements that insert q's objects on d, each with a
// callback that writes generated keys back into the objects: one statement
// per chunk of rows (PostgreSQL: one row is a plain INSERT ... VALUES; SQLite:
// multi-row VALUES of up to 500 rows, one statement a row when given and
// generated keys are mixed or fewer than 50 keys are generated). Values are
// checked and encoded first, so a bad value is an error before any SQL is
// sent. An upsert (OnConflict) is one statement a chunk of rows on
// PostgreSQL and one a row on SQLite, as Exec sends it. The session sends
// these items in its flush; Exec is the plain way to run an insert.
func (q *InsertQuery[T]) Items(d Dialect) ([]BatchItem, error) {
	if len(q.objs) == 0 {
		return nil, nil
	}
	t := q.t
	s := t.sql(d)
	if q.conflict != nil {
		rows, err := q.encode()
		if err != nil {
			return nil, err
		}
		return q.conflictItems(d, rows)
	}
	if !s.insertIsRow && !q.single(s, len(q.objs)) {
		return q.pgItems()
	}
	rows, err := q.encode()
	if err != nil {
		return nil, err
	}
	if !s.insertIsRow { // PostgreSQL, one row
		sqlText, args, returns := q.oneRow(s, rows[0])
		it := BatchItem{SQL: sqlText, Args: args, Op: "insert", Table: t.name}
		if returns {
			obj := q.objs[0]
			it.Rows = func(r Rows) error { return q.assignKey(r, obj) }
		}
		return []BatchItem{it}, nil
	}
	var items []BatchItem
	if s.insertIsRow {
		if items, ok := q.sqliteMultiRow(s, rows); ok {
			return items, nil
		}
		autoIdx := indexOf(t.writes, t.auto) // -1 without a generated key
		for i, r := range rows {
			it := BatchItem{SQL: s.insert, Args: r, Op: "insert", Table: t.name}
			if autoIdx >= 0 && r[autoIdx] == nil {
				obj := q.objs[i]
				it.Result = func(res Result) error {
					if err := t.auto.SetInt64(obj, res.LastInsertID); err != nil {
						return stmtError("insert", t.name, err)
					}
					return nil
				}
			}
			items = append(items, it)
		}
		return items, nil
	}
	return items, nil
}

// sqliteRowsPerInsert bounds the rows of one multi-row INSERT on SQLite
// (whose limit on bind parameters, 32,766, bounds it further for wide
// tables).
const sqliteRowsPerInsert = 500

// sqliteReturningMinRows is the fewest rows with generated keys that go in
// multi-row INSERTs on SQLite; fewer go one statement a row, each key read
// with last_insert_rowid(). RETURNING makes SQLite buffer the rows it
// returns, which costs more than the statements it saves below about 50
// rows. A session's unit of work inserting n such rows into an in-memory
// database (session's BenchmarkSmallInsert, 3 runs) took per row, multi-row
// against one statement a row: 8.2-8.9 against 5.9-6.9 us (n=2), 3.2-3.4
// against 2.4-2.6 us (n=10), 2.1-2.2 against 1.7-1.8 us (n=30), and 1.5-1.8
// against 1.5-1.6 us at n=49, where the two are level.
const sqliteReturningMinRows = 50

// sqliteMultiRow is Items for SQLite and several rows whose keys are all
// given (or none generated), or all generated and at least
// sqliteReturningMinRows: one INSERT ... VALUES (...), (...) per chunk of
// rows, RETURNING the generated keys. SQLite assigns a statement's
// generated rowids in increasing order of its VALUES rows, so the keys,
// sorted, are the rows' keys in order (RETURNING itself promises no
// order). It reports false for one row, fewer generated keys, or a mix of
// given and generated keys, which go one statement a row.
func (q *InsertQuery[T]) sqliteMultiRow(s *tableSQL, rows [][]any) ([]BatchItem, bool) {
	if len(rows) < 2 {
		return nil, false
	}
	autoIdx := indexOf(q.t.writes, q.t.auto) // -1 without a generated key
	generated := autoIdx >= 0 && rows[0][autoIdx] == nil
	if generated && len(rows) < sqliteReturningMinRows {
		return nil, false
	}
	if autoIdx >= 0 {
		for _, r := range rows {
			if (r[autoIdx] == nil) != generated {
				return nil, false
			}
		}
	}
	t := q.t
	ncol := len(t.writes)
	per := min(sqliteRowsPerInsert, sqliteMaxParams/ncol)
	if per < 2 {
		return nil, false
	}
	var items []BatchItem
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		args := make([]any, 0, len(chunk)*ncol)
		for _, r := range chunk {
			args = append(args, r...)
		}
		it := BatchItem{SQL: sqliteValues(t, s, len(chunk), generated), Args: args, Op: "insert", Table: t.name}
		if generated {
			objs := q.objs[start : start+len(chunk)]
			it.Rows = func(r Rows) error { return q.assignSortedKeys(r, objs) }
		}
		items = append(items, it)
	}
	return items, true
}

// sqliteMaxParams is SQLite's default limit on a statement's parameters.
const sqliteMaxParams = 32766

// sqliteValues returns t's multi-row INSERT of n rows (RETURNING the
// generated key when generated), made once per row count.
func sqliteValues[T any](t *Table[T], s *tableSQL, n int, generated bool) string {
	type shape struct {
		n         int
		generated bool
	}
	if v, ok := s.multi.Load(shape{n, generated}); ok {
		return v.(string)
	}
	tuple := "(" + strings.Repeat("?, ", len(t.writes)-1) + "?)"
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(s.insert, tuple))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	if generated {
		b.WriteString(" RETURNING ")
		appendIdent(&b, t.auto.Name())
	}
	v, _ := s.multi.LoadOrStore(shape{n, generated}, b.String())
	return v.(string)
}

// assignSortedKeys reads the generated keys of a multi-row SQLite INSERT
// and gives them, in increasing order, to objs in order.
func (q *InsertQuery[T]) assignSortedKeys(r Rows, objs []*T) error {
	t := q.t
	ids := make([]int64, 0, len(objs))
	var id int64
	for r.Next() {
		if err := r.Scan(&id); err != nil {
			return stmtError("insert", t.name, err)
		}
		ids = append(ids, id)
	}
	if err := r.Err(); err != nil {
		return stmtError("insert", t.name, err)
	}
	if len(ids) != len(objs) {
		return stmtError("insert", t.name, fmt.Errorf("%d keys returned for %d rows", len(ids), len(objs)))
	}
	slices.Sort(ids)
	for i, obj := range objs {
		if i > 0 && ids[i] == ids[i-1] {
			return stmtError("insert", t.name, fmt.Errorf("key %d returned twice", ids[i]))
		}
		if err := t.auto.SetInt64(obj, ids[i]); err != nil {
			return stmtError("insert", t.name, err)
		}
	}
	return nil
}

// pgItems is Items for PostgreSQL and several rows: one statement per chunk.
// From pgCopyMinRows rows, the rows go by COPY (see pgCopyItems).
func (q *InsertQuery[T]) pgItems() ([]BatchItem, error) {
	if err := q.prepare(); err != nil {
		return nil, err
	}
	s := q.t.sql(Postgres)
	if len(q.objs) >= pgCopyMinRows && q.conflict == nil {
		items, ok, err := q.pgCopyItems(s)
		if err != nil || ok {
			return items, err
		}
	}
	return q.pgUnnestItems(s)
}

// assignKey reads the generated key PostgreSQL's one-row insert returns.
func (q *InsertQuery[T]) assignKey(r Rows, obj *T) error {
	t := q.t
	n := 0
	var id int64
	for r.Next() {
		if err := r.Scan(&id); err != nil {
			return stmtError("insert", t.name, err)
		}
		n++
	}
	if err := r.Err(); err != nil {
		return stmtError("insert", t.name, err)
	}
	if n != 1 {
		return stmtError("insert", t.name, fmt.Errorf("%d keys returned for one row", n))
	}
	if err := t.auto.SetInt64(obj, id); err != nil {
		return stmtError("insert", t.name, err)
	}
	return nil
}

// assignGenKeys reads the keys PostgreSQL's insertGen returns, one per row
// of objs, and writes them into objs in ascending order (see insertGenSQL).
func (q *InsertQuery[T]) assignGenKeys(r Rows, objs []*T) error {
	var buf [128]int64
	keys := buf[:0]
	if len(objs) > len(buf) {
		keys = make([]int64, 0, len(objs))
	}
	_, err := q.sortedKeys(r, objs, keys, "returned")
	return err
}

// sortedKeys reads one key a row of r (keys drawn from the sequence of q's
// generated key, or returned by an insert that drew them), one per object of
// objs, into keys, and writes them into objs in ascending order: the
// sequence ascends, and the keys were drawn in the objects' order.
func (q *InsertQuery[T]) sortedKeys(r Rows, objs []*T, keys []int64, how string) ([]int64, error) {
	t := q.t
	peek, _ := r.(KeyPeeker)
	var id int64
	for r.Next() {
		ok := peek != nil
		if ok {
			id, ok = peek.PeekInt64(0)
		}
		if !ok {
			if err := r.Scan(&id); err != nil {
				return nil, stmtError("insert", t.name, err)
			}
		}
		keys = append(keys, id)
	}
	if err := r.Err(); err != nil {
		return nil, stmtError("insert", t.name, err)
	}
	if len(keys) != len(objs) {
		return nil, stmtError("insert", t.name, fmt.Errorf("%d keys %s for %d rows", len(keys), how, len(objs)))
	}
	if !slices.IsSorted(keys) {
		slices.Sort(keys)
	}
	for i, obj := range objs {
		if err := t.auto.SetInt64(obj, keys[i]); err != nil {
			return nil, stmtError("insert", t.name, err)
		}
	}
	return keys, nil
}

// assignKeys reads the (ordinal, key) rows of PostgreSQL's insert of objs
// and writes each key into its object; with onlyZero, only into objects
// whose key is zero (an upsert keeps the keys the program gave).
func (q *InsertQuery[T]) assignKeys(r Rows, objs []*T, onlyZero bool) error {
	t := q.t
	var ord, id int64
	peek, _ := r.(KeyPeeker)
	for r.Next() {
		// Both integers read straight from the row when the driver can (a
		// scan costs about 150 ns a row on PostgreSQL).
		ok := peek != nil
		if ok {
			ord, ok = peek.PeekInt64(0)
		}
		if ok {
			id, ok = peek.PeekInt64(1)
		}
		if !ok {
			if err := r.Scan(&ord, &id); err != nil {
				return stmtError("insert", t.name, err)
			}
		}
		if ord < 1 || ord > int64(len(objs)) {
			return stmtError("insert", t.name, fmt.Errorf("key for row %d of %d", ord, len(objs)))
		}
		if onlyZero && !t.auto.IsZero(objs[ord-1]) {
			continue
		}
		if err := t.auto.SetInt64(objs[ord-1], id); err != nil {
			return stmtError("insert", t.name, err)
		}
	}
	if err := r.Err(); err != nil {
		return stmtError("insert", t.name, err)
	}
	return nil
}

// ScanRow reads the current row of rows, which must hold t's columns in
// declaration order (as a Select of t returns them), into obj. Errors name
// the table and column.
func (t *Table[T]) ScanRow(rows Rows, obj *T) error {
	cols := t.origin().cols
	var buf [16]any
	dests := buf[:0]
	for _, c := range cols {
		dests = append(dests, c.Dest(obj))
	}
	if err := rows.Scan(dests...); err != nil {
		return columnScanError(t.name, t.sql(SQLite).columns, err)
	}
	return nil
}

// RowScanner returns a function that reads the current row of rows (t's
// columns in declaration order) into an object, reusing its destination
// slice from row to row. Use one per result set, from one goroutine.
func (t *Table[T]) RowScanner() func(rows Rows, obj *T) error {
	cols := t.origin().cols
	dests := make([]any, len(cols))
	return func(rows Rows, obj *T) error {
		for i, c := range cols {
			dests[i] = c.rebind(dests[i], obj)
		}
		if err := rows.Scan(dests...); err != nil {
			return columnScanError(t.name, t.sql(SQLite).columns, err)
		}
		return nil
	}
}

// KeyInt returns the column's value in obj as an int64 when the column holds
// a Go integer (without boxing it), for identity keys.
func (c *Column[T, V]) KeyInt(obj *T) (int64, bool) {
	var p any
	if c.getNull != nil {
		pp := *c.getNull(obj)
		if pp == nil {
			return 0, false
		}
		p = pp
	} else {
		p = c.get(obj)
	}
	switch n := p.(type) {
	case *int64:
		return *n, true
	case *int:
		return int64(*n), true
	case *int32:
		return int64(*n), true
	case *int16:
		return int64(*n), true
	case *int8:
		return int64(*n), true
	case *uint32:
		return int64(*n), true
	case *uint16:
		return int64(*n), true
	case *uint8:
		return int64(*n), true
	case *uint64:
		return int64(*n), *n <= math.MaxInt64
	case *uint:
		return int64(*n), uint64(*n) <= math.MaxInt64
	}
	return 0, false
}

// EqValue implements [ColumnOf].
func (c *Column[T, V]) EqValue(v any) (Expr[bool], error) {
	x, err := c.convert(v)
	if err != nil {
		return nil, err
	}
	return c.Eq(x), nil
}

// InValues implements [ColumnOf].
func (c *Column[T, V]) InValues(vs []any) (Expr[bool], error) {
	xs := make([]V, len(vs))
	for i, v := range vs {
		x, err := c.convert(v)
		if err != nil {
			return nil, err
		}
		xs[i] = x
	}
	return c.In(xs...), nil
}

// Int64Of returns v as an int64 when it holds a Go integer that fits.
func Int64Of(v any) (int64, bool) { return asInt64(v) }

// SetValue implements [ColumnOf].
func (c *Column[T, V]) SetValue(obj *T, v any) error {
	if v == nil {
		if c.getNull == nil {
			return &ColumnError{Table: c.table.name, Column: c.name, Err: ErrNullValue}
		}
		c.SetNull(obj)
		return nil
	}
	x, err := c.convert(v)
	if err != nil {
		return err
	}
	c.Set(obj, x)
	return nil
}

// convert turns v into V: as it is when it holds V, converted when both are
// integers and the value fits.
func (c *Column[T, V]) convert(v any) (V, error) {
	if x, ok := v.(V); ok {
		return x, nil
	}
	var zero V
	if n, ok := asInt64(v); ok && isInteger[V]() {
		p := new(V)
		if err := setInt(any(p), n); err == nil {
			if back, ok := asInt64(any(*p)); ok && back == n {
				return *p, nil
			}
		}
		return zero, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: ErrOutOfRange}
	}
	return zero, &ColumnError{Table: c.table.name, Column: c.name, Value: v,
		Err: fmt.Errorf("a %T where the column holds %T", v, zero)}
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), uint64(n) <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}
