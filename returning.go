package retort

import (
	"context"
	"iter"
)

// Returner is a statement that can return the rows it changed: an
// [InsertQuery], an [UpdateQuery] or a [DeleteQuery]. Pass one to
// [Returning1] ... [Returning4].
type Returner interface {
	returning(w *Writer, list func(w *Writer))
	stmtName() string
}

func writeReturning(w *Writer, list func(w *Writer)) {
	if list == nil {
		return
	}
	w.WriteString(" RETURNING ")
	list(w)
}

// ReturningQuery is an UPDATE or DELETE ... RETURNING whose rows are read
// into values of R: the changed objects, or typed rows of expressions. It
// runs on PostgreSQL and on SQLite (3.35 and later).
type ReturningQuery[R any] struct {
	stmt      Returner
	exprs     []Expression
	newReader func() *reader[R]
}

// Returning makes the INSERT return the inserted rows as objects, as the
// database stored them: the keys it generated, its defaults and its
// read-only columns ([ReadOnly], [Generated]) with them, in no particular
// order. Its statement is one INSERT ... VALUES of every object (a
// generated key left zero takes its DEFAULT), with the ON CONFLICT clause
// if any (DO NOTHING returns no row for an object not inserted, DO UPDATE
// the row as updated), RETURNING every column. A statement takes at most
// the dialect's [Dialect.MaxParams] values: All, One and Iter send more
// objects as several statements, in one transaction (a savepoint if db is
// one), and return their rows once all succeeded; SQL and Item, which
// make one statement, refuse them. Go defaults are applied to the objects
// and every value is checked first, as Exec does; unlike Exec, the objects
// given get nothing back.
//
//	stored, err := retort.Insert(Users, u).Returning().One(ctx, db)
func (q *InsertQuery[T]) Returning() *ReturningQuery[*T] { return returningObjects(q, q.t) }

// Returning makes the UPDATE return the updated objects, as they are after
// the update.
func (q *UpdateQuery[T]) Returning() *ReturningQuery[*T] { return returningObjects(q, q.t) }

// Returning makes the DELETE return the deleted objects.
func (q *DeleteQuery[T]) Returning() *ReturningQuery[*T] { return returningObjects(q, q.t) }

func returningObjects[T any](stmt Returner, t *Table[T]) *ReturningQuery[*T] {
	cols := t.origin().cols
	exprs := make([]Expression, len(cols))
	for i, c := range cols {
		exprs[i] = c
	}
	return &ReturningQuery[*T]{stmt: stmt, exprs: exprs, newReader: func() *reader[*T] {
		dests := make([]any, len(cols))
		var obj *T
		return &reader[*T]{
			next: func() []any {
				obj = new(T)
				for i, c := range cols {
					dests[i] = c.rebind(dests[i], obj)
				}
				return dests
			},
			get: func() *T { return obj },
		}
	}}
}

func returningRows[R any](stmt Returner, exprs []Expression, bind func(r *R) []any) *ReturningQuery[R] {
	return &ReturningQuery[R]{stmt: stmt, exprs: exprs, newReader: rowReader(bind)}
}

// Returning1 makes an UPDATE or DELETE return one expression per changed
// row:
//
//	ids, err := retort.Returning1(retort.Delete(Orders).Where(OrderTotal.Lt(small)), OrderID).All(ctx, db) // []int64
func Returning1[A any](stmt Returner, a Expr[A]) *ReturningQuery[A] {
	ta := a.ValueType()
	return returningRows(stmt, []Expression{a}, func(r *A) []any { return []any{dest(ta, r)} })
}

// Returning2 makes an UPDATE or DELETE return two expressions per changed
// row, as [Row2].
func Returning2[A, B any](stmt Returner, a Expr[A], b Expr[B]) *ReturningQuery[Row2[A, B]] {
	ta, tb := a.ValueType(), b.ValueType()
	return returningRows(stmt, []Expression{a, b}, func(r *Row2[A, B]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B)}
	})
}

// Returning3 makes an UPDATE or DELETE return three expressions per changed
// row, as [Row3].
func Returning3[A, B, C any](stmt Returner, a Expr[A], b Expr[B], c Expr[C]) *ReturningQuery[Row3[A, B, C]] {
	ta, tb, tc := a.ValueType(), b.ValueType(), c.ValueType()
	return returningRows(stmt, []Expression{a, b, c}, func(r *Row3[A, B, C]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B), dest(tc, &r.C)}
	})
}

// Returning4 makes an UPDATE or DELETE return four expressions per changed
// row, as [Row4].
func Returning4[A, B, C, D any](stmt Returner, a Expr[A], b Expr[B], c Expr[C], d Expr[D]) *ReturningQuery[Row4[A, B, C, D]] {
	ta, tb, tc, td := a.ValueType(), b.ValueType(), c.ValueType(), d.ValueType()
	return returningRows(stmt, []Expression{a, b, c, d}, func(r *Row4[A, B, C, D]) []any {
		return []any{dest(ta, &r.A), dest(tb, &r.B), dest(tc, &r.C), dest(td, &r.D)}
	})
}

// SQL compiles the statement for d.
func (q *ReturningQuery[R]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	q.stmt.returning(w, func(w *Writer) {
		for i, e := range q.exprs {
			if i > 0 {
				w.WriteString(", ")
			}
			e.WriteSQL(w)
		}
	})
	return w.String(), w.Args(), w.Err()
}

// Item returns the statement for d as a [BatchItem] whose rows go to each,
// in the order they come, for running with others in one batch
// ([RunItems]; the session sends its own so).
func (q *ReturningQuery[R]) Item(d Dialect, each func(R) error) (BatchItem, error) {
	sqlText, args, err := q.SQL(d)
	if err != nil {
		return BatchItem{}, err
	}
	what := q.stmt.stmtName()
	return BatchItem{SQL: sqlText, Args: args, Rows: func(rows Rows) error {
		rd := q.newReader()
		for rows.Next() {
			if err := rows.Scan(rd.next()...); err != nil {
				return resultScanError(d, what, q.exprs, err)
			}
			if err := each(rd.get()); err != nil {
				return err
			}
		}
		return rows.Err()
	}}, nil
}

// All runs the statement and returns every changed row.
func (q *ReturningQuery[R]) All(ctx context.Context, db DB) ([]R, error) {
	return collect(q.Iter(ctx, db))
}

// One runs the statement and returns the one row it changed, or an error
// matching [ErrNoRows] or [ErrTooManyRows]. The change is made whatever the
// number of rows: run it in a transaction to undo it.
func (q *ReturningQuery[R]) One(ctx context.Context, db DB) (R, error) {
	return one(q.Iter(ctx, db), q.stmt.stmtName())
}

// Iter runs the statement and yields the changed rows one at a time.
// Stopping the loop early still completes the statement (all of them, for
// an INSERT split into several).
func (q *ReturningQuery[R]) Iter(ctx context.Context, db DB) iter.Seq2[R, error] {
	if s, ok := q.stmt.(splitter); ok {
		parts, err := s.split(db.Dialect())
		if err != nil {
			return func(yield func(R, error) bool) {
				var zero R
				yield(zero, err)
			}
		}
		if parts != nil {
			return q.iterParts(ctx, db, parts)
		}
	}
	return queryRows(ctx, db, q.stmt.stmtName(), q.SQL, q.newReader, q.exprs)
}

// splitter is a statement that may take more values than one statement
// takes (an INSERT of many objects): split returns the statements to run
// instead, or nil.
type splitter interface {
	split(d Dialect) ([]Returner, error)
}

// iterParts runs the statements parts in one transaction and yields their
// rows once all succeeded.
func (q *ReturningQuery[R]) iterParts(ctx context.Context, db DB, parts []Returner) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var out []R
		err := InTx(ctx, db, func(tx Tx) error {
			for _, p := range parts {
				part := &ReturningQuery[R]{stmt: p, exprs: q.exprs, newReader: q.newReader}
				for r, err := range queryRows(ctx, tx, p.stmtName(), part.SQL, q.newReader, q.exprs) {
					if err != nil {
						return err
					}
					out = append(out, r)
				}
			}
			return nil
		})
		if err != nil {
			var zero R
			yield(zero, err)
			return
		}
		for _, r := range out {
			if !yield(r, nil) {
				return
			}
		}
	}
}
