package retort

import (
	"fmt"
	"slices"
	"strings"
)

// Source is what a query reads rows from: a [Table], an alias made with
// [Alias], or a derived table made from a projection (see [Derived1]). Pass
// one to From and to the Join methods. Sources are implemented only by this
// package.
type Source interface {
	// sourceRef is how SQL refers to the source: its alias, or its name.
	sourceRef() string
	// sourceName is the table's name, or "" for a derived table.
	sourceName() string
	// sourceFKs are the table's foreign keys.
	sourceFKs() []*ForeignKey
	// writeSource writes the FROM item: "t", "t" AS "a", or (SELECT ...) AS "d".
	writeSource(w *Writer)
}

func (t *Table[T]) sourceRef() string        { return t.ref() }
func (t *Table[T]) sourceName() string       { return t.name }
func (t *Table[T]) sourceFKs() []*ForeignKey { return t.origin().fks }
func (t *Table[T]) writeSource(w *Writer)    { w.WriteString(t.sql(w.d).from) }
func (c *Column[T, V]) columnSource() Source { return c.table }

// join is one JOIN of a FROM clause.
type join struct {
	left bool       // LEFT OUTER JOIN rather than JOIN
	src  Source     // the joined source
	on   Expr[bool] // the condition; nil: along the foreign key
}

// lockClause is FOR UPDATE and its options.
type lockClause struct {
	strength string // "UPDATE", "SHARE" or "" for none
	wait     string // "", "NOWAIT" or "SKIP LOCKED"
}

// selectCore is what every SELECT has, whatever it returns: the FROM clause
// with its joins, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, DISTINCT
// and locking.
type selectCore struct {
	from     Source
	joins    []join
	where    []Expr[bool]
	groupBy  []Expression
	having   []Expr[bool]
	order    []Ordering
	limit    int64 // -1: no limit
	offset   int64
	distinct bool
	lock     lockClause
}

// clone copies c so that appending to the copy's slices never writes into
// c's.
func (c *selectCore) clone() selectCore {
	n := *c
	n.joins = slices.Clip(c.joins)
	n.where = slices.Clip(c.where)
	n.groupBy = slices.Clip(c.groupBy)
	n.having = slices.Clip(c.having)
	n.order = slices.Clip(c.order)
	return n
}

// stmtName names the statement in errors: select "users".
func (c *selectCore) stmtName() string {
	if c.from == nil {
		return "select"
	}
	if n := c.from.sourceName(); n != "" {
		return fmt.Sprintf("select %q", n)
	}
	return fmt.Sprintf("select from %q", c.from.sourceRef())
}

// write writes the whole SELECT; list writes the select list. An isolated
// statement does not see the tables of the statement it is nested in (a
// derived table, a part of a UNION); a correlated subquery does.
func (c *selectCore) write(w *Writer, isolated bool, list func(w *Writer)) {
	c.writeParts(w, isolated, true, list)
}

func (c *selectCore) writeParts(w *Writer, isolated, tail bool, list func(w *Writer)) {
	w.pushScope(c.stmtName(), isolated)
	defer w.popScope()
	if c.from != nil {
		w.declare(c.from.sourceRef())
	}
	for _, j := range c.joins {
		w.declare(j.src.sourceRef())
	}
	w.WriteString("SELECT ")
	if c.distinct {
		w.WriteString("DISTINCT ")
	}
	list(w)
	c.writeFrom(w)
	writeWhere(w, c.where)
	c.writeGroup(w)
	if tail {
		c.writeOrder(w)
		w.WriteLimit(c.limit, c.offset)
		c.writeLock(w)
	}
}

// writeFrom writes FROM and the joins. A join's condition sees only the
// sources to its left and the joined one, as SQL requires.
func (c *selectCore) writeFrom(w *Writer) {
	if c.from == nil {
		if len(c.joins) > 0 {
			w.SetError(fmt.Errorf("retort: %s: Join needs a From", c.stmtName()))
		}
		return
	}
	w.WriteString(" FROM ")
	c.from.writeSource(w)
	for i, j := range c.joins {
		if j.left {
			w.WriteString(" LEFT JOIN ")
		} else {
			w.WriteString(" JOIN ")
		}
		j.src.writeSource(w)
		w.WriteString(" ON ")
		on := j.on
		if on == nil {
			left := make([]Source, 0, i+1)
			left = append(left, c.from)
			for _, p := range c.joins[:i] {
				left = append(left, p.src)
			}
			var err error
			if on, err = fkCondition(left, j.src); err != nil {
				w.SetError(fmt.Errorf("retort: %s: %w", c.stmtName(), err))
				w.WriteString("1 = 0")
				continue
			}
		}
		w.scope.visible = i + 2
		on.WriteSQL(w)
		w.scope.visible = -1
	}
}

func (c *selectCore) writeGroup(w *Writer) {
	if len(c.groupBy) > 0 {
		w.WriteString(" GROUP BY ")
		for i, e := range c.groupBy {
			if i > 0 {
				w.WriteString(", ")
			}
			e.WriteSQL(w)
		}
	}
	if len(c.having) > 0 {
		w.WriteString(" HAVING ")
		if len(c.having) == 1 {
			c.having[0].WriteSQL(w)
		} else {
			And(c.having...).WriteSQL(w)
		}
	}
}

func (c *selectCore) writeOrder(w *Writer) {
	writeOrder(w, c.order)
}

func writeOrder(w *Writer, order []Ordering) {
	if len(order) == 0 {
		return
	}
	w.WriteString(" ORDER BY ")
	for i, o := range order {
		if i > 0 {
			w.WriteString(", ")
		}
		o.WriteSQL(w)
	}
}

// WriteLimit writes the LIMIT and OFFSET clauses of a query, both values
// bind parameters: no LIMIT when limit is negative, no OFFSET when offset
// is not positive.
//
// On SQLite the parameters are written +? (unary plus, the same value).
// SQLite reads a bare LIMIT ? parameter's value when it plans the
// statement, and then marks the statement to be prepared again whenever
// that parameter is bound: a cached statement with LIMIT ? was compiled
// anew on every run (7.8 us against 1.5 for a one-row query by an indexed
// column, in zombiezen alone; BENCHMARKS.md).
func (w *Writer) WriteLimit(limit, offset int64) {
	if limit >= 0 {
		w.WriteString(" LIMIT ")
		w.writeCount(limit)
	} else if offset > 0 && w.d == SQLite {
		w.WriteString(" LIMIT -1")
	}
	if offset > 0 {
		w.WriteString(" OFFSET ")
		w.writeCount(offset)
	}
}

// writeCount writes a LIMIT or OFFSET count as a bind parameter (see
// WriteLimit).
func (w *Writer) writeCount(n int64) {
	if w.d == SQLite {
		w.WriteByte('+')
	}
	w.WriteArg(n)
}

// fkCondition finds the one foreign key between right and the sources in
// left and returns the join condition along it. A self-referencing foreign
// key (employee.manager_id -> employee.id) is followed from the left source
// to right: right is the referenced row (the manager).
func fkCondition(left []Source, right Source) (Expr[bool], error) {
	type candidate struct {
		fk     *ForeignKey
		child  Source // the source holding fk's columns
		parent Source // the referenced source
	}
	var found []candidate
	rname := right.sourceName()
	seen := map[[2]any]bool{}
	for _, l := range left {
		lname := l.sourceName()
		if lname == "" || rname == "" {
			continue
		}
		// Foreign keys from the left source to right come first, so that a
		// self-referencing key is followed towards the referenced row.
		for _, fk := range l.sourceFKs() {
			if fk.RefTable == rname && !seen[[2]any{fk, l}] {
				seen[[2]any{fk, l}] = true
				found = append(found, candidate{fk, l, right})
			}
		}
		for _, fk := range right.sourceFKs() {
			if fk.RefTable == lname && !seen[[2]any{fk, l}] {
				seen[[2]any{fk, l}] = true
				found = append(found, candidate{fk, right, l})
			}
		}
	}
	switch len(found) {
	case 0:
		var names []string
		for _, l := range left {
			names = append(names, fmt.Sprintf("%q", l.sourceRef()))
		}
		return nil, fmt.Errorf("join %q along a foreign key: there is none between it and %s; give the condition with Join", right.sourceRef(), strings.Join(names, ", "))
	case 1:
	default:
		var names []string
		for _, c := range found {
			names = append(names, fmt.Sprintf("%s (%s.%s -> %s.%s)", c.fk.ConstraintName(), c.child.sourceRef(), strings.Join(c.fk.Columns, ","), c.parent.sourceRef(), strings.Join(c.fk.RefColumns, ",")))
		}
		return nil, fmt.Errorf("join %q along a foreign key: %d could be meant, %s; give the condition with Join", right.sourceRef(), len(found), strings.Join(names, ", "))
	}
	c := found[0]
	return pred(func(w *Writer) {
		for i := range c.fk.Columns {
			if i > 0 {
				w.WriteString(" AND ")
			}
			w.WriteIdent(c.child.sourceRef())
			w.WriteByte('.')
			w.WriteIdent(c.fk.Columns[i])
			w.WriteString(" = ")
			w.WriteIdent(c.parent.sourceRef())
			w.WriteByte('.')
			w.WriteIdent(c.fk.RefColumns[i])
		}
	}), nil
}

// Join adds an inner join of src on the condition on, for example
// Select(Users).Join(Orders, OrderUserID.EqCol(UserID)). The query still
// returns objects of T; add Distinct when the join can repeat them.
func (q *SelectQuery[T]) Join(src Source, on Expr[bool]) *SelectQuery[T] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{src: src, on: on})
	return c
}

// LeftJoin adds a left outer join of src on the condition on.
func (q *SelectQuery[T]) LeftJoin(src Source, on Expr[bool]) *SelectQuery[T] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{left: true, src: src, on: on})
	return c
}

// JoinFK adds an inner join of src along the one foreign key declared (with
// References) between src and a table already in the query, in either
// direction. Building the statement fails when there is no such key or more
// than one. A self-referencing key is followed from the query's table to src:
// Select(Employees).JoinFK(Alias(Employees, "m")) joins each employee's
// manager.
func (q *SelectQuery[T]) JoinFK(src Source) *SelectQuery[T] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{src: src})
	return c
}

// LeftJoinFK is JoinFK as a left outer join.
func (q *SelectQuery[T]) LeftJoinFK(src Source) *SelectQuery[T] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{left: true, src: src})
	return c
}

// Distinct makes the query SELECT DISTINCT, to drop the repeats a join can
// produce.
func (q *SelectQuery[T]) Distinct() *SelectQuery[T] {
	c := q.clone()
	c.core.distinct = true
	return c
}
