package retort

// Aggregates. Each is an expression usable in a projection and in Having;
// GroupBy says what they aggregate over. Apart from the counts, an aggregate
// over no rows is NULL: project it with [Nullable], or [Coalesce] it.

// Count is count(*), the number of rows.
func Count() Expr[int64] {
	return newExpr(int64Type, func(w *Writer) { w.WriteString("count(*)") })
}

// CountOf is count(e), the number of rows where e is not NULL.
func CountOf(e Expression) Expr[int64] { return call(int64Type, "count", e) }

// CountDistinct is count(DISTINCT e), the number of different non-NULL
// values of e.
func CountDistinct(e Expression) Expr[int64] {
	return expr[int64]{typ: int64Type, src: sourceOf(e), write: func(w *Writer) {
		w.WriteString("count(DISTINCT ")
		e.WriteSQL(w)
		w.WriteByte(')')
	}}
}

// castPG writes e, cast to sqlType on PostgreSQL, where an aggregate's result
// type depends on its argument's (sum(bigint) is numeric): the cast makes
// the value arrive as the Go type on both databases.
func castPG[V any](typ Type[V], e Expression, sqlType string) Expr[V] {
	return expr[V]{typ: typ, src: sourceOf(e), write: func(w *Writer) {
		if w.d != Postgres {
			e.WriteSQL(w)
			return
		}
		w.WriteString("CAST(")
		e.WriteSQL(w)
		w.WriteString(" AS ")
		w.WriteString(sqlType)
		w.WriteByte(')')
	}}
}

// Sum is the sum of an integer expression, as int64 whatever the column's
// width. A sum beyond int64 is an error on both databases.
func Sum[N Integer](e Expr[N]) Expr[int64] {
	return castPG(int64Type, call(int64Type, "sum", e), "bigint")
}

// SumFloat is the sum of a floating-point expression, as float64.
func SumFloat[F Float](e Expr[F]) Expr[float64] {
	return castPG(float64Type, call(float64Type, "sum", e), "double precision")
}

// SumDecimal is the sum of a Decimal expression, decoded through e's Type
// (so a Numeric(12, 2) column sums to a Decimal of scale 2). PostgreSQL sums
// numeric exactly; SQLite sums the REAL values it stores.
func SumDecimal(e Expr[Decimal]) Expr[Decimal] { return call(e.ValueType(), "sum", e) }

// Avg is the mean of a numeric expression, as float64.
func Avg[N Number](e Expr[N]) Expr[float64] {
	return castPG(float64Type, call(float64Type, "avg", e), "double precision")
}

// AvgDecimal is the mean of a Decimal expression, decoded through e's Type:
// rounded half away from zero to its scale, or, unconstrained, to as many
// digits as a Decimal holds (PostgreSQL gives up to 20 after the point).
func AvgDecimal(e Expr[Decimal]) Expr[Decimal] {
	return call(computedType(e.ValueType()), "avg", e)
}

// Min is the least value of e.
func Min[V Ordered](e Expr[V]) Expr[V] { return call(e.ValueType(), "min", e) }

// Max is the greatest value of e.
func Max[V Ordered](e Expr[V]) Expr[V] { return call(e.ValueType(), "max", e) }
