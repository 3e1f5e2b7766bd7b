package retort

import (
	"context"
	"fmt"
	"iter"
	"slices"
)

// SetQuery combines projections of the same row type with UNION, UNION ALL,
// INTERSECT and EXCEPT, applied left to right: a.Union(b).Intersect(c) is
// (a UNION b) INTERSECT c on both databases. The compiler only accepts parts
// whose rows have the same type. Order and limit the whole with its own
// OrderBy and Limit; the parts cannot have ORDER BY, LIMIT or locking.
type SetQuery[R any] struct {
	parts  []*Projection[R]
	ops    []string // ops[i] joins parts[i] and parts[i+1]
	order  []Ordering
	limit  int64
	offset int64
}

func (q *Projection[R]) setOp(op string, other *Projection[R]) *SetQuery[R] {
	return &SetQuery[R]{parts: []*Projection[R]{q, other}, ops: []string{op}, limit: -1}
}

// Union is q UNION other: the rows of both, without duplicates.
func (q *Projection[R]) Union(other *Projection[R]) *SetQuery[R] { return q.setOp("UNION", other) }

// UnionAll is q UNION ALL other: the rows of both, duplicates kept.
func (q *Projection[R]) UnionAll(other *Projection[R]) *SetQuery[R] {
	return q.setOp("UNION ALL", other)
}

// Intersect is q INTERSECT other: the rows in both.
func (q *Projection[R]) Intersect(other *Projection[R]) *SetQuery[R] {
	return q.setOp("INTERSECT", other)
}

// Except is q EXCEPT other: the rows of q that are not in other.
func (q *Projection[R]) Except(other *Projection[R]) *SetQuery[R] {
	return q.setOp("EXCEPT", other)
}

func (s *SetQuery[R]) clone() *SetQuery[R] {
	c := *s
	c.parts = slices.Clip(s.parts)
	c.ops = slices.Clip(s.ops)
	c.order = slices.Clip(s.order)
	return &c
}

func (s *SetQuery[R]) add(op string, other *Projection[R]) *SetQuery[R] {
	c := s.clone()
	c.parts = append(c.parts, other)
	c.ops = append(c.ops, op)
	return c
}

// Union adds UNION other.
func (s *SetQuery[R]) Union(other *Projection[R]) *SetQuery[R] { return s.add("UNION", other) }

// UnionAll adds UNION ALL other.
func (s *SetQuery[R]) UnionAll(other *Projection[R]) *SetQuery[R] { return s.add("UNION ALL", other) }

// Intersect adds INTERSECT other.
func (s *SetQuery[R]) Intersect(other *Projection[R]) *SetQuery[R] { return s.add("INTERSECT", other) }

// Except adds EXCEPT other.
func (s *SetQuery[R]) Except(other *Projection[R]) *SetQuery[R] { return s.add("EXCEPT", other) }

// OrderBy orders the combined rows. Terms refer to the result's columns:
// columns are written without their table (the name of a projected column),
// and [Position] orders by a projected expression's position.
func (s *SetQuery[R]) OrderBy(terms ...Ordering) *SetQuery[R] {
	c := s.clone()
	c.order = append(c.order, terms...)
	return c
}

// Limit sets LIMIT n on the combined rows.
func (s *SetQuery[R]) Limit(n int64) *SetQuery[R] {
	c := s.clone()
	c.limit = n
	return c
}

// Offset sets OFFSET n on the combined rows.
func (s *SetQuery[R]) Offset(n int64) *SetQuery[R] {
	c := s.clone()
	c.offset = n
	return c
}

// Position is the n-th (from 1) column of a query's result, for ordering a
// [SetQuery]: Asc(Position(2)).
func Position(n int) Expression {
	return pred(func(w *Writer) {
		if n < 1 {
			w.SetError(fmt.Errorf("retort: position %d: positions start at 1", n))
		}
		w.WriteString(fmt.Sprint(n))
	})
}

// SQL compiles the query for d.
func (s *SetQuery[R]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	s.write(w)
	return w.String(), w.Args(), w.Err()
}

func (s *SetQuery[R]) writeSubquery(w *Writer) { s.write(w) }

func (s *SetQuery[R]) write(w *Writer) {
	// SQLite applies the operators left to right; PostgreSQL binds INTERSECT
	// tighter than UNION and EXCEPT, so there the left side is parenthesised
	// where that would change the meaning.
	var wrap []bool
	opens := 0
	lower := false // the left side has UNION or EXCEPT outside parentheses
	for _, op := range s.ops {
		wr := w.d == Postgres && op == "INTERSECT" && lower
		wrap = append(wrap, wr)
		if wr {
			opens++
			lower = false
		}
		if op != "INTERSECT" {
			lower = true
		}
	}
	for range opens {
		w.WriteByte('(')
	}
	for i, p := range s.parts {
		if i > 0 {
			if wrap[i-1] {
				w.WriteByte(')')
			}
			w.WriteString(" " + s.ops[i-1] + " ")
		}
		if len(p.core.order) > 0 || p.core.limit >= 0 || p.core.offset > 0 || p.core.lock.strength != "" {
			w.SetError(fmt.Errorf("retort: %s: part %d of a %s has ORDER BY, LIMIT, OFFSET or a lock; order and limit the whole SetQuery instead", p.core.stmtName(), i+1, s.ops[0]))
		}
		if n, m := len(p.exprs), len(s.parts[0].exprs); n != m {
			w.SetError(fmt.Errorf("retort: %s: part %d selects %d columns, part 1 selects %d", p.core.stmtName(), i+1, n, m))
		}
		p.core.write(w, false, p.writeList)
	}
	bare := w.bare
	w.bare = true
	writeOrder(w, s.order)
	w.bare = bare
	w.WriteLimit(s.limit, s.offset)
}

// All runs the query and returns every row.
func (s *SetQuery[R]) All(ctx context.Context, db DB) ([]R, error) {
	return collect(s.Iter(ctx, db))
}

// One runs the query and returns its only row, or an error matching
// [ErrNoRows] or [ErrTooManyRows].
func (s *SetQuery[R]) One(ctx context.Context, db DB) (R, error) {
	return one(s.Iter(ctx, db), s.parts[0].core.stmtName())
}

// First runs the query with LIMIT 1 and returns the row, or an error
// matching [ErrNoRows].
func (s *SetQuery[R]) First(ctx context.Context, db DB) (R, error) {
	for r, err := range s.Limit(1).Iter(ctx, db) {
		return r, err
	}
	var zero R
	return zero, fmt.Errorf("retort: %s first: %w", s.parts[0].core.stmtName(), ErrNoRows)
}

// Iter runs the query and yields rows one at a time; see [Projection.Iter].
func (s *SetQuery[R]) Iter(ctx context.Context, db DB) iter.Seq2[R, error] {
	return queryRows(ctx, db, s.parts[0].core.stmtName(), s.SQL, s.parts[0].newReader, s.parts[0].exprs)
}
