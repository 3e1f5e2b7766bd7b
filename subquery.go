package retort

import (
	"fmt"
	"strconv"
)

// Subquery is a query nested in another statement: a [SelectQuery], a
// [Projection] or a [SetQuery]. A nested query may refer to the tables of
// the statement around it (a correlated subquery).
type Subquery interface {
	writeSubquery(w *Writer)
}

func writeNested(w *Writer, q Subquery) {
	w.WriteByte('(')
	q.writeSubquery(w)
	w.WriteByte(')')
}

// Exists is EXISTS (q): true when q returns a row.
//
//	retort.Select(Users).Where(retort.Exists(retort.Select(Orders).Where(OrderUserID.EqCol(UserID))))
func Exists(q Subquery) Expr[bool] {
	return pred(func(w *Writer) { w.WriteString("EXISTS "); writeNested(w, q) })
}

// NotExists is NOT EXISTS (q).
func NotExists(q Subquery) Expr[bool] {
	return pred(func(w *Writer) { w.WriteString("NOT EXISTS "); writeNested(w, q) })
}

// oneColumn records an error unless q selects exactly one expression.
func oneColumn[V any](w *Writer, what string, q *Projection[V]) {
	if n := len(q.exprs); n != 1 {
		w.SetError(fmt.Errorf("retort: %s: the subquery must select one column, it selects %d", what, n))
	}
}

// In is e IN (q), where q selects one column of e's type:
//
//	retort.In(UserID, retort.Select1(OrderUserID).Where(OrderTotal.Gt(big)))
func In[V any](e Expr[V], q *Projection[V]) Expr[bool] {
	return pred(func(w *Writer) {
		oneColumn(w, "in", q)
		writeOperand(w, e)
		w.WriteString(" IN ")
		writeNested(w, q)
	})
}

// NotIn is e NOT IN (q). As in SQL, a NULL among q's values makes it
// unknown (no row matches): filter NULLs out of q, or use [NotExists].
func NotIn[V any](e Expr[V], q *Projection[V]) Expr[bool] {
	return pred(func(w *Writer) {
		oneColumn(w, "not in", q)
		writeOperand(w, e)
		w.WriteString(" NOT IN ")
		writeNested(w, q)
	})
}

// Scalar is the value of q, a query of one column that returns at most one
// row, as an expression: in a projection, a predicate or an assignment. It is
// NULL when q returns no row.
//
//	orders := retort.Scalar(retort.Select1(retort.Count()).From(Orders).Where(OrderUserID.EqCol(UserID)))
//	retort.Select2(UserName, orders)
func Scalar[V any](q *Projection[V]) Expr[V] {
	typ, ok := q.types[0].(Type[V])
	return newExpr(typ, func(w *Writer) {
		oneColumn(w, "scalar", q)
		if !ok {
			w.SetError(fmt.Errorf("retort: scalar: the subquery's rows are not single values"))
		}
		writeNested(w, q)
	})
}

// DerivedTable is a projection used as a FROM source under an alias:
// FROM (SELECT ...) AS "alias". Make one with [Derived1] ... [Derived4],
// which also return its columns.
type DerivedTable struct {
	alias string
	write func(w *Writer)
}

func (d *DerivedTable) sourceRef() string        { return d.alias }
func (d *DerivedTable) sourceName() string       { return "" }
func (d *DerivedTable) sourceFKs() []*ForeignKey { return nil }
func (d *DerivedTable) writeSource(w *Writer) {
	w.WriteByte('(')
	d.write(w)
	w.WriteString(") AS ")
	w.WriteIdent(d.alias)
	w.text()
}

// Alias is the name the derived table has in SQL.
func (d *DerivedTable) Alias() string { return d.alias }

// derived makes the derived table of q: its columns are named c1, c2, ...
func derived[R any](q *Projection[R], alias string) *DerivedTable {
	return &DerivedTable{alias: alias, write: func(w *Writer) {
		q.core.write(w, true, func(w *Writer) {
			for i, e := range q.exprs {
				if i > 0 {
					w.WriteString(", ")
				}
				e.WriteSQL(w)
				w.WriteString(" AS ")
				w.WriteIdent(derivedName(i))
				w.text()
			}
		})
	}}
}

func derivedName(i int) string { return "c" + strconv.Itoa(i+1) }

// derivedCol is column i of a derived table.
func derivedCol[V any](d *DerivedTable, typ any, i int) Expr[V] {
	t, ok := typ.(Type[V])
	return expr[V]{typ: t, src: d, write: func(w *Writer) {
		if !ok {
			w.SetError(fmt.Errorf("retort: derived table %q: its rows are not single values", d.alias))
		}
		w.WriteIdent(d.alias)
		w.WriteByte('.')
		w.WriteIdent(derivedName(i))
	}}
}

// Derived1 makes q a derived table named alias (FROM (SELECT ...) AS alias)
// and returns it with its column, typed as q's. Use the table with From or
// Join and the column anywhere a column of that table fits.
func Derived1[A any](q *Projection[A], alias string) (*DerivedTable, Expr[A]) {
	d := derived(q, alias)
	return d, derivedCol[A](d, q.types[0], 0)
}

// Derived2 is [Derived1] for a query of two columns:
//
//	totals, uid, n := retort.Derived2(retort.Select2(OrderUserID, retort.Count()).GroupBy(OrderUserID), "t")
//	retort.Select2(UserName, n).From(Users).Join(totals, UserID.EqCol(uid))
func Derived2[A, B any](q *Projection[Row2[A, B]], alias string) (*DerivedTable, Expr[A], Expr[B]) {
	d := derived(q, alias)
	return d, derivedCol[A](d, q.types[0], 0), derivedCol[B](d, q.types[1], 1)
}

// Derived3 is [Derived1] for a query of three columns.
func Derived3[A, B, C any](q *Projection[Row3[A, B, C]], alias string) (*DerivedTable, Expr[A], Expr[B], Expr[C]) {
	d := derived(q, alias)
	return d, derivedCol[A](d, q.types[0], 0), derivedCol[B](d, q.types[1], 1), derivedCol[C](d, q.types[2], 2)
}

// Derived4 is [Derived1] for a query of four columns.
func Derived4[A, B, C, D any](q *Projection[Row4[A, B, C, D]], alias string) (*DerivedTable, Expr[A], Expr[B], Expr[C], Expr[D]) {
	d := derived(q, alias)
	return d, derivedCol[A](d, q.types[0], 0), derivedCol[B](d, q.types[1], 1), derivedCol[C](d, q.types[2], 2), derivedCol[D](d, q.types[3], 3)
}
