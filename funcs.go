package retort

import (
	"fmt"
	"time"
)

// Integer is the constraint satisfied by Go's integer types and types
// defined on them.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Float is the constraint satisfied by Go's floating-point types and types
// defined on them.
type Float interface{ ~float32 | ~float64 }

// Number is the constraint satisfied by integers and floats: what [Avg]
// takes.
type Number interface{ Integer | Float }

// Arithmetic is what [Add], [Sub], [Mul] and [Div] take: numbers and
// [Decimal].
type Arithmetic interface{ Number | Decimal }

// Ordered is what [Min] and [Max] take: values both databases order. Strings
// are ordered by the database's collation.
type Ordered interface {
	Number | ~string | Decimal | time.Time
}

// expr is an expression of V written by a function.
type expr[V any] struct {
	typ   Type[V]
	write func(w *Writer)
	src   Source // the table of the first column among its operands, or nil
	// group: the text has operators of its own (a predicate, raw SQL), so
	// it goes in parentheses as the operand of another (writeOperand).
	group bool
}

func (e expr[V]) grouped() bool { return e.group }

// writeOperand writes e as the operand of an operator: in parentheses
// when its own operators could bind otherwise, so that Eq(ripe, Or(a, b))
// is "ripe" = (a OR b), not "ripe" = a OR b.
func writeOperand(w *Writer, e Expression) {
	if g, ok := e.(interface{ grouped() bool }); ok && g.grouped() {
		writeParen(w, e)
		return
	}
	e.WriteSQL(w)
}

// isGrouped reports whether writeOperand puts e in parentheses.
func isGrouped(e Expression) bool {
	g, ok := e.(interface{ grouped() bool })
	return ok && g.grouped()
}

// columnSource is the table of the expression's first column, which a
// projection without From reads from.
func (e expr[V]) columnSource() Source { return e.src }

// sourceOf returns the table of the first column among es, or nil.
func sourceOf(es ...Expression) Source {
	for _, e := range es {
		if c, ok := e.(interface{ columnSource() Source }); ok {
			if s := c.columnSource(); s != nil {
				return s
			}
		}
	}
	return nil
}

// WriteSQL writes the expression.
func (e expr[V]) WriteSQL(w *Writer) { e.write(w) }

// ValueType is the Type of the expression's values.
func (e expr[V]) ValueType() Type[V] { return e.typ }

func newExpr[V any](typ Type[V], write func(w *Writer)) Expr[V] {
	return expr[V]{typ: typ, write: write}
}

// builtinType is DefaultType for expressions: an expression of a type with no
// built-in Type records an error when it is written.
func builtinType[V any]() (Type[V], error) {
	t, ok := DefaultType[V]()
	if !ok {
		var zero V
		return nil, fmt.Errorf("retort: no built-in type for %T; give its Type (ValAs, SQLAs)", zero)
	}
	return t, nil
}

// Val is the value v as an expression, sent as a bind parameter (with its
// SQL type spelled out on PostgreSQL, so that it also works where the server
// cannot infer one: a select list, CASE, COALESCE; on SQLite a Decimal is
// made a number, as its columns store it). V must be a built-in column
// type; use [ValAs] for others.
//
// Compared with an expression of another type of V (Eq, Ne, Lt, Le, Gt, Ge,
// Coalesce), v takes that expression's type, as SQLAlchemy's bind
// parameters take the type of the column they meet: Gt(DayColumn, Val(t))
// sends t as a date (on SQLite, text as its Date columns store it), so both
// databases compare dates.
func Val[V any](v V) Expr[V] {
	t, err := builtinType[V]()
	if err != nil {
		return newExpr[V](nil, func(w *Writer) { w.SetError(err); w.WriteString("NULL") })
	}
	return literal[V]{Expr: ValAs(v, t), v: v}
}

// literal is a Val: its value travels in the type of the expression it is
// compared with (see adopt).
type literal[V any] struct {
	Expr[V]
	v V
}

// adopt gives a Val on one side the type of the expression on the other.
func adopt[V any](a, b Expr[V]) (Expr[V], Expr[V]) {
	la, aLit := a.(literal[V])
	lb, bLit := b.(literal[V])
	switch {
	case bLit && !aLit && a.ValueType() != nil:
		b = ValAs(lb.v, a.ValueType())
	case aLit && !bLit && b.ValueType() != nil:
		a = ValAs(la.v, b.ValueType())
	}
	return a, b
}

// ValAs is [Val] for a value stored through typ (an enum, a user type).
func ValAs[V any](v V, typ Type[V]) Expr[V] {
	return newExpr(typ, func(w *Writer) {
		a := any(v)
		if _, ok := typ.(native); !ok {
			var err error
			if a, err = typ.Encode(v); err != nil {
				w.SetError(fmt.Errorf("retort: value %v: %w", v, err))
			}
		}
		if w.d == Postgres {
			// PostgreSQL's text holds no NUL byte and nothing but UTF-8:
			// refused here with the value, as a column's are, rather than
			// by the server (SQLite compares such strings).
			if str, ok := a.(string); ok {
				if err := textError(str); err != nil {
					w.SetError(fmt.Errorf("retort: value %q: %w", str, err))
				}
			}
			w.WriteString("CAST(")
			w.WriteArg(a)
			w.WriteString(" AS ")
			w.WriteString(typ.SQLType(Postgres, 0))
			w.WriteString(")")
			return
		}
		if _, ok := any(typ).(numericType); ok {
			// A Decimal travels as text, which SQLite compares as greater
			// than every number wherever no column's affinity converts it
			// (balance * 2 > '10' is false): made a number, as a NUMERIC
			// column stores it.
			w.WriteString("CAST(")
			w.WriteArg(a)
			w.WriteString(" AS NUMERIC)")
			return
		}
		w.WriteArg(a)
	})
}

// SQL is an expression of V written as trusted SQL, the escape hatch for
// what Retort does not spell: ? in sql stands for the next of args, which
// are bind parameters. The result is decoded as V, which must be a built-in
// column type ([SQLAs] takes a Type):
//
//	retort.SQL[int64](`extract(year from "users"."joined")`)
//
// Columns named inside sql are not checked against the FROM clause.
func SQL[V any](sql string, args ...any) Expr[V] {
	t, err := builtinType[V]()
	if err != nil {
		return newExpr[V](nil, func(w *Writer) { w.SetError(err); w.WriteString("NULL") })
	}
	return SQLAs(t, sql, args...)
}

// SQLAs is [SQL] with the Type its values are decoded with.
func SQLAs[V any](typ Type[V], sql string, args ...any) Expr[V] {
	return expr[V]{typ: typ, write: func(w *Writer) { writeRaw(w, sql, args) }, group: true}
}

// writeRaw writes sql, replacing each ? with the next argument as a bind
// parameter. A Decimal argument is sent as text, as Decimal columns send it.
func writeRaw(w *Writer, sql string, args []any) {
	w.text()
	n := 0
	for i := 0; i < len(sql); i++ {
		if sql[i] != '?' {
			w.sb.WriteByte(sql[i])
			continue
		}
		if n >= len(args) {
			w.SetError(fmt.Errorf("retort: raw SQL %q has more placeholders than arguments", sql))
			return
		}
		a := args[n]
		if d, ok := a.(Decimal); ok {
			a = d.String()
		}
		w.WriteArg(a)
		n++
	}
	if n != len(args) {
		w.SetError(fmt.Errorf("retort: raw SQL %q has %d placeholders for %d arguments", sql, n, len(args)))
	}
}

// binary writes (a op b).
func binary[V any](typ Type[V], a Expression, op string, b Expression) Expr[V] {
	return expr[V]{typ: typ, src: sourceOf(a, b), write: func(w *Writer) {
		w.WriteByte('(')
		writeOperand(w, a)
		w.WriteString(op)
		writeOperand(w, b)
		w.WriteByte(')')
	}}
}

// Add is a + b. Both sides have the same numeric type; integer overflow is a
// database error.
func Add[N Arithmetic](a, b Expr[N]) Expr[N] { return binary(a.ValueType(), a, " + ", b) }

// Sub is a - b.
func Sub[N Arithmetic](a, b Expr[N]) Expr[N] { return binary(a.ValueType(), a, " - ", b) }

// Mul is a * b.
func Mul[N Arithmetic](a, b Expr[N]) Expr[N] { return binary(a.ValueType(), a, " * ", b) }

// Div is a / b. Integers divide as integers on both databases (7 / 2 is 3).
// Division by zero is an error on PostgreSQL and NULL on SQLite. A quotient
// of Decimals is read as [AvgDecimal] reads a mean.
func Div[N Arithmetic](a, b Expr[N]) Expr[N] {
	return binary(computedType(a.ValueType()), a, " / ", b)
}

// Mod is a % b, the remainder of integer division.
func Mod[N Integer](a, b Expr[N]) Expr[N] { return binary(a.ValueType(), a, " % ", b) }

// Concat is a || b, the concatenation of two strings.
func Concat[S ~string](a, b Expr[S]) Expr[S] { return binary(a.ValueType(), a, " || ", b) }

// call writes name(args...).
func call[V any](typ Type[V], name string, args ...Expression) Expr[V] {
	return expr[V]{typ: typ, src: sourceOf(args...), write: func(w *Writer) {
		w.WriteString(name)
		w.WriteByte('(')
		for i, a := range args {
			if i > 0 {
				w.WriteString(", ")
			}
			a.WriteSQL(w)
		}
		w.WriteByte(')')
	}}
}

// Lower is lower(e). SQLite lowers only ASCII letters; PostgreSQL follows
// the database's locale.
func Lower[S ~string](e Expr[S]) Expr[S] { return call(e.ValueType(), "lower", e) }

// Upper is upper(e); see [Lower] for the letters each database changes.
func Upper[S ~string](e Expr[S]) Expr[S] { return call(e.ValueType(), "upper", e) }

// Length is the number of characters of e.
func Length[S ~string](e Expr[S]) Expr[int64] { return call(int64Type, "length", e) }

// Abs is the absolute value of e.
func Abs[N Number](e Expr[N]) Expr[N] { return call(e.ValueType(), "abs", e) }

// Coalesce is the first of e, more... that is not NULL.
func Coalesce[V any](e Expr[V], more ...Expr[V]) Expr[V] {
	args := make([]Expression, 0, 1+len(more))
	args = append(args, e)
	for _, m := range more {
		_, m = adopt(e, m)
		args = append(args, m)
	}
	return call(e.ValueType(), "coalesce", args...)
}

var int64Type, _ = DefaultType[int64]()
var float64Type, _ = DefaultType[float64]()

// WhenClause is one WHEN ... THEN ... of a [Case]; make one with [When].
type WhenClause[V any] struct {
	cond Expr[bool]
	then Expr[V]
}

// When is the clause WHEN cond THEN then of a [Case].
func When[V any](cond Expr[bool], then Expr[V]) WhenClause[V] {
	return WhenClause[V]{cond: cond, then: then}
}

// CaseExpr is CASE WHEN ... THEN ... ELSE ... END, an expression of V: every
// branch has the type V.
type CaseExpr[V any] struct {
	whens []WhenClause[V]
	els   Expr[V]
}

// Case is CASE WHEN ... END over one or more clauses. Without [CaseExpr.Else]
// it is NULL when no condition holds.
//
//	retort.Case(retort.When(UserAge.Lt(18), retort.Val("minor"))).Else(retort.Val("adult"))
func Case[V any](first WhenClause[V], more ...WhenClause[V]) *CaseExpr[V] {
	return &CaseExpr[V]{whens: append([]WhenClause[V]{first}, more...)}
}

// Else sets the value when no condition holds.
func (c *CaseExpr[V]) Else(e Expr[V]) *CaseExpr[V] {
	n := *c
	n.els = e
	return &n
}

// WriteSQL writes the CASE expression.
func (c *CaseExpr[V]) WriteSQL(w *Writer) {
	w.WriteString("CASE")
	for _, wc := range c.whens {
		w.WriteString(" WHEN ")
		wc.cond.WriteSQL(w)
		w.WriteString(" THEN ")
		wc.then.WriteSQL(w)
	}
	if c.els != nil {
		w.WriteString(" ELSE ")
		c.els.WriteSQL(w)
	}
	w.WriteString(" END")
}

// columnSource is the table of the first column in the expression.
func (c *CaseExpr[V]) columnSource() Source {
	for _, wc := range c.whens {
		if s := sourceOf(wc.cond, wc.then); s != nil {
			return s
		}
	}
	return sourceOf(c.els)
}

// ValueType is the Type of the first branch.
func (c *CaseExpr[V]) ValueType() Type[V] { return c.whens[0].then.ValueType() }

func compareExprs(a Expression, op string, b Expression) Expr[bool] {
	return predOf(sourceOf(a, b), func(w *Writer) { writeOperand(w, a); w.WriteString(op); writeOperand(w, b) })
}

// Eq is a = b, for any two expressions of the same type (columns compare
// with values through their own methods: UserName.Eq("bob")).
func Eq[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " = ", b) }

// Ne is a <> b.
func Ne[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " <> ", b) }

// Lt is a < b.
func Lt[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " < ", b) }

// Le is a <= b.
func Le[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " <= ", b) }

// Gt is a > b.
func Gt[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " > ", b) }

// Ge is a >= b.
func Ge[V any](a, b Expr[V]) Expr[bool] { a, b = adopt(a, b); return compareExprs(a, " >= ", b) }

// IsNull is e IS NULL.
func IsNull(e Expression) Expr[bool] {
	return predOf(sourceOf(e), func(w *Writer) { writeOperand(w, e); w.WriteString(" IS NULL") })
}

// IsNotNull is e IS NOT NULL.
func IsNotNull(e Expression) Expr[bool] {
	return predOf(sourceOf(e), func(w *Writer) { writeOperand(w, e); w.WriteString(" IS NOT NULL") })
}

// Nullable is e read as *V, nil for NULL: project a NULL-able column, a left
// joined column or an aggregate over no rows with it. Without it a NULL read
// into a V is an error matching [ErrNullValue].
func Nullable[V any](e Expr[V]) Expr[*V] {
	inner := e.ValueType()
	return expr[*V]{typ: nullType[V]{inner: inner}, write: e.WriteSQL, src: sourceOf(e), group: isGrouped(e)}
}

// nullType is the Type of a Nullable expression: *V, nil for NULL.
type nullType[V any] struct{ inner Type[V] }

func (nullType[V]) acceptsNull() {}

// scanDirect reports whether drivers scan **V themselves (built-in V).
func (t nullType[V]) scanDirect() bool {
	_, ok := t.inner.(native)
	return ok
}

func (t nullType[V]) SQLType(d Dialect, size int) string { return t.inner.SQLType(d, size) }

func (t nullType[V]) Encode(v *V) (any, error) {
	if v == nil {
		return nil, nil
	}
	return t.inner.Encode(*v)
}

func (t nullType[V]) Decode(src any) (*V, error) {
	if src == nil {
		return nil, nil
	}
	v, err := t.inner.Decode(src)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (t nullType[V]) Equal(a, b *V) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return t.inner.Equal(*a, *b)
}
