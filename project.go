package retort

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// Row2 is a row of two projected values, the result type of [Select2].
type Row2[A, B any] struct {
	A A
	B B
}

// Row3 is a row of three projected values, the result type of [Select3].
type Row3[A, B, C any] struct {
	A A
	B B
	C C
}

// Row4 is a row of four projected values, the result type of [Select4].
type Row4[A, B, C, D any] struct {
	A A
	B B
	C C
	D D
}

// Row5 is a row of five projected values, the result type of [Select5].
type Row5[A, B, C, D, E any] struct {
	A A
	B B
	C C
	D D
	E E
}

// Projection is a SELECT of expressions (columns, functions, aggregates,
// subqueries) whose rows are read into values of R: V for [Select1], [Row2]
// for [Select2] and so on, or a struct of the caller's for [SelectInto]. The
// compiler checks every value's type: a Row2[string, int64] can only come
// from a string expression and an int64 expression.
//
// Its FROM clause is the table of the first projected column unless From
// says otherwise. Its methods return a new query, so a query can be kept and
// refined.
type Projection[R any] struct {
	exprs     []Expression
	types     []any // each expression's Type[V]
	newReader func() *reader[R]
	core      selectCore
}

// reader reads result rows into values of R.
type reader[R any] struct {
	next func() []any // the scan destinations for the next row
	get  func() R     // the row just scanned
}

// rowReader reads every row into one R whose fields bind gives as
// destinations, and returns a copy of it per row.
func rowReader[R any](bind func(r *R) []any) func() *reader[R] {
	return func() *reader[R] {
		r := new(R)
		dests := bind(r)
		return &reader[R]{
			next: func() []any { var zero R; *r = zero; return dests },
			get:  func() R { return *r },
		}
	}
}

// dest returns where a driver scans a value of typ into p: p itself for the
// built-in types, which both drivers scan directly, or a Scanner that
// decodes through typ.
func dest[V any](typ Type[V], p *V) any {
	switch t := any(typ).(type) {
	case native:
		return p
	case interface{ scanDirect() bool }:
		if t.scanDirect() {
			return p
		}
	}
	return &valueScanner[V]{typ: typ, p: p}
}

// valueScanner decodes a driver value through a Type. It implements
// database/sql.Scanner, which both drivers accept as a scan destination.
type valueScanner[V any] struct {
	typ Type[V]
	p   *V
}

// Scan implements database/sql.Scanner.
func (s *valueScanner[V]) Scan(src any) error {
	if src == nil {
		if _, ok := any(s.typ).(acceptsNull); !ok {
			return ErrNullValue
		}
	}
	v, err := s.typ.Decode(src)
	if err != nil {
		return err
	}
	*s.p = v
	return nil
}

// ScanDecimal implements [DecimalScanner].
func (s *valueScanner[V]) ScanDecimal(d Decimal) error {
	if nt, ok := any(s.typ).(numericType); ok {
		v, err := nt.fromDecimal(d)
		if err != nil {
			return err
		}
		*s.p = any(v).(V)
		return nil
	}
	return s.Scan(d.String())
}

// acceptsNull marks the Type of [Nullable] expressions, which decode NULL.
type acceptsNull interface{ acceptsNull() }

func newProjection[R any](exprs []Expression, types []any, bind func(r *R) []any) *Projection[R] {
	q := &Projection[R]{exprs: exprs, types: types, newReader: rowReader(bind), core: selectCore{limit: -1}}
	q.core.from = sourceOf(exprs...)
	return q
}

// Select1 selects one expression; each row is its value:
//
//	names, err := retort.Select1(UserName).Where(UserAge.Gt(30)).All(ctx, db) // []string
//
// A Select1 is also what [In], [Scalar] and [Derived1] take as a subquery.
func Select1[A any](a Expr[A]) *Projection[A] {
	ta := a.ValueType()
	return newProjection([]Expression{a}, []any{ta}, func(r *A) []any {
		return []any{dest(ta, r)}
	})
}

// Select2 selects two expressions into rows of [Row2]:
//
//	rows, err := retort.Select2(UserName, retort.Count()).From(Users).
//		Join(Orders, OrderUserID.EqCol(UserID)).GroupBy(UserName).All(ctx, db) // []Row2[string, int64]
func Select2[A, B any](a Expr[A], b Expr[B]) *Projection[Row2[A, B]] {
	ta, tb := a.ValueType(), b.ValueType()
	return newProjection([]Expression{a, b}, []any{ta, tb}, func(r *Row2[A, B]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B)}
	})
}

// Select3 selects three expressions into rows of [Row3].
func Select3[A, B, C any](a Expr[A], b Expr[B], c Expr[C]) *Projection[Row3[A, B, C]] {
	ta, tb, tc := a.ValueType(), b.ValueType(), c.ValueType()
	return newProjection([]Expression{a, b, c}, []any{ta, tb, tc}, func(r *Row3[A, B, C]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B), dest(tc, &r.C)}
	})
}

// Select4 selects four expressions into rows of [Row4].
func Select4[A, B, C, D any](a Expr[A], b Expr[B], c Expr[C], d Expr[D]) *Projection[Row4[A, B, C, D]] {
	ta, tb, tc, td := a.ValueType(), b.ValueType(), c.ValueType(), d.ValueType()
	return newProjection([]Expression{a, b, c, d}, []any{ta, tb, tc, td}, func(r *Row4[A, B, C, D]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B), dest(tc, &r.C), dest(td, &r.D)}
	})
}

// Select5 selects five expressions into rows of [Row5].
func Select5[A, B, C, D, E any](a Expr[A], b Expr[B], c Expr[C], d Expr[D], e Expr[E]) *Projection[Row5[A, B, C, D, E]] {
	ta, tb, tc, td, te := a.ValueType(), b.ValueType(), c.ValueType(), d.ValueType(), e.ValueType()
	return newProjection([]Expression{a, b, c, d, e}, []any{ta, tb, tc, td, te}, func(r *Row5[A, B, C, D, E]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B), dest(tc, &r.C), dest(td, &r.D), dest(te, &r.E)}
	})
}

// Field maps one projected expression to a field of R, for [SelectInto].
// Make one with [Into].
type Field[R any] struct {
	expr Expression
	typ  any
	dest func(r *R) any
}

// Into maps the expression e to the field of R that field points to; it only
// compiles when the field has e's type:
//
//	retort.Into(retort.Count(), func(s *Stat) *int64 { return &s.Orders })
func Into[R, V any](e Expr[V], field func(*R) *V) Field[R] {
	t := e.ValueType()
	return Field[R]{expr: e, typ: t, dest: func(r *R) any { return dest(t, field(r)) }}
}

// SelectInto selects one expression per field and reads each row into a
// new R, with no reflection: the fields say where each value goes.
//
//	type Stat struct {
//		Name   string
//		Orders int64
//	}
//	stats, err := retort.SelectInto(
//		retort.Into(UserName, func(s *Stat) *string { return &s.Name }),
//		retort.Into(retort.Count(), func(s *Stat) *int64 { return &s.Orders }),
//	).From(Users).Join(Orders, OrderUserID.EqCol(UserID)).GroupBy(UserName).All(ctx, db)
func SelectInto[R any](fields ...Field[R]) *Projection[R] {
	exprs := make([]Expression, len(fields))
	types := make([]any, len(fields))
	for i, f := range fields {
		exprs[i], types[i] = f.expr, f.typ
	}
	return newProjection(exprs, types, func(r *R) []any {
		d := make([]any, len(fields))
		for i, f := range fields {
			d[i] = f.dest(r)
		}
		return d
	})
}

func (q *Projection[R]) clone() *Projection[R] {
	c := *q
	c.core = q.core.clone()
	return &c
}

// From sets the source the rows come from: a table, an alias or a derived
// table.
func (q *Projection[R]) From(src Source) *Projection[R] {
	c := q.clone()
	c.core.from = src
	return c
}

// Join adds an inner join of src on the condition on.
func (q *Projection[R]) Join(src Source, on Expr[bool]) *Projection[R] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{src: src, on: on})
	return c
}

// LeftJoin adds a left outer join of src on the condition on. Columns of src
// are NULL in rows without a match: project them with [Nullable].
func (q *Projection[R]) LeftJoin(src Source, on Expr[bool]) *Projection[R] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{left: true, src: src, on: on})
	return c
}

// JoinFK adds an inner join of src along the one foreign key between it and
// a source already in the query; see [SelectQuery.JoinFK].
func (q *Projection[R]) JoinFK(src Source) *Projection[R] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{src: src})
	return c
}

// LeftJoinFK is JoinFK as a left outer join.
func (q *Projection[R]) LeftJoinFK(src Source) *Projection[R] {
	c := q.clone()
	c.core.joins = append(c.core.joins, join{left: true, src: src})
	return c
}

// Where adds conditions, joined with AND.
func (q *Projection[R]) Where(conds ...Expr[bool]) *Projection[R] {
	c := q.clone()
	c.core.where = append(c.core.where, conds...)
	return c
}

// GroupBy adds GROUP BY terms.
func (q *Projection[R]) GroupBy(terms ...Expression) *Projection[R] {
	c := q.clone()
	c.core.groupBy = append(c.core.groupBy, terms...)
	return c
}

// Having adds conditions on groups, joined with AND.
func (q *Projection[R]) Having(conds ...Expr[bool]) *Projection[R] {
	c := q.clone()
	c.core.having = append(c.core.having, conds...)
	return c
}

// OrderBy adds ORDER BY terms.
func (q *Projection[R]) OrderBy(terms ...Ordering) *Projection[R] {
	c := q.clone()
	c.core.order = append(c.core.order, terms...)
	return c
}

// Limit sets LIMIT n.
func (q *Projection[R]) Limit(n int64) *Projection[R] {
	c := q.clone()
	c.core.limit = n
	return c
}

// Offset sets OFFSET n.
func (q *Projection[R]) Offset(n int64) *Projection[R] {
	c := q.clone()
	c.core.offset = n
	return c
}

// Distinct makes the query SELECT DISTINCT.
func (q *Projection[R]) Distinct() *Projection[R] {
	c := q.clone()
	c.core.distinct = true
	return c
}

// SQL compiles the query for d.
func (q *Projection[R]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	q.core.write(w, false, q.writeList)
	return w.String(), w.Args(), w.Err()
}

func (q *Projection[R]) writeList(w *Writer) {
	for i, e := range q.exprs {
		if i > 0 {
			w.WriteString(", ")
		}
		e.WriteSQL(w)
	}
}

// writeSubquery writes the query nested in another statement, which it may
// refer to (a correlated subquery).
func (q *Projection[R]) writeSubquery(w *Writer) {
	q.core.write(w, false, q.writeList)
}

// All runs the query and returns every row.
func (q *Projection[R]) All(ctx context.Context, db DB) ([]R, error) {
	return collect(q.Iter(ctx, db))
}

// One runs the query and returns its only row: an error matching [ErrNoRows]
// when there is none, [ErrTooManyRows] when there are several.
func (q *Projection[R]) One(ctx context.Context, db DB) (R, error) {
	return one(q.Iter(ctx, db), q.core.stmtName())
}

// First runs the query with LIMIT 1 and returns the row, or an error
// matching [ErrNoRows].
func (q *Projection[R]) First(ctx context.Context, db DB) (R, error) {
	for r, err := range q.Limit(1).Iter(ctx, db) {
		return r, err
	}
	var zero R
	return zero, fmt.Errorf("retort: %s first: %w", q.core.stmtName(), ErrNoRows)
}

// Iter runs the query and yields rows one at a time. Stopping the loop early
// closes the result. An error is yielded once, as the last pair.
func (q *Projection[R]) Iter(ctx context.Context, db DB) iter.Seq2[R, error] {
	return queryRows(ctx, db, q.core.stmtName(), q.SQL, q.newReader, q.exprs)
}

// queryRows runs the statement build makes and yields its rows as values of
// R. exprs, when given, name the result columns in scan errors.
func queryRows[R any](ctx context.Context, db DB, what string, build func(Dialect) (string, []any, error), newReader func() *reader[R], exprs []Expression) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var zero R
		sqlText, args, err := build(db.Dialect())
		if err != nil {
			yield(zero, err)
			return
		}
		rows, err := db.Query(ctx, sqlText, args...)
		if err != nil {
			yield(zero, fmt.Errorf("retort: %s: %w", what, err))
			return
		}
		defer rows.Close()
		rd := newReader()
		for rows.Next() {
			if err := rows.Scan(rd.next()...); err != nil {
				yield(zero, resultScanError(db.Dialect(), what, exprs, err))
				return
			}
			if !yield(rd.get(), nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("retort: %s: %w", what, err))
		}
	}
}

// resultScanError names the result column a scan error is about, by its
// SQL, and says how to receive NULL.
func resultScanError(d Dialect, what string, exprs []Expression, err error) error {
	var se *ScanError
	if !errors.As(err, &se) || se.Index < 0 || se.Index >= len(exprs) {
		return fmt.Errorf("retort: %s: scan: %w", what, err)
	}
	w := NewWriter(d)
	exprs[se.Index].WriteSQL(w)
	hint := ""
	if errors.Is(se.Err, ErrNullValue) {
		hint = " (receive NULL with retort.Nullable, or replace it with retort.Coalesce)"
	}
	return fmt.Errorf("retort: %s: result column %d (%s): %w%s", what, se.Index+1, w.String(), se.Err, hint)
}

// collect gathers a sequence into a slice, stopping at the first error.
func collect[R any](seq iter.Seq2[R, error]) ([]R, error) {
	var out []R
	for r, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// one returns the only value of seq.
func one[R any](seq iter.Seq2[R, error], what string) (R, error) {
	var found R
	n := 0
	for r, err := range seq {
		if err != nil {
			var zero R
			return zero, err
		}
		if n == 1 {
			var zero R
			return zero, fmt.Errorf("retort: %s one: %w", what, ErrTooManyRows)
		}
		found, n = r, 1
	}
	if n == 0 {
		return found, fmt.Errorf("retort: %s one: %w", what, ErrNoRows)
	}
	return found, nil
}
