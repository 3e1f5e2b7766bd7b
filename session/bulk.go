package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/retort-orm/retort"
)

// ExecUpdate runs q, an UPDATE of rows of T's table, in the session's
// transaction (begun if none is open, after an autoflush when the session
// autoflushes), and brings the session's objects of the rows it changed up
// to date, as SQLAlchemy's ORM-enabled UPDATE does with
// synchronize_session="fetch": the statement returns the rows it changed
// (RETURNING), and the columns it set take their new values both in the
// objects and in what the session last saw of them, so the next flush does
// not write them back and still writes the objects' other unflushed
// changes; a reference (package rel) whose foreign key it set follows the
// new key, moving its object between the collections linked to it, as
// after Refresh. Rows the session has not loaded are not loaded. It
// returns how many rows changed.
//
// No hooks run and no version is checked or bumped: the statement acts on
// rows, not objects. A statement setting a primary-key column is refused
// (the objects could not be told apart afterwards). Rolling the
// transaction back puts the old values back in the objects (a column the
// program changed since keeps the program's value).
func ExecUpdate[T any](ctx context.Context, s *Session, q *retort.UpdateQuery[T]) (int64, error) {
	if q == nil {
		return 0, errNilQuery
	}
	m, err := bulkMapper[T](q.Table(), "update")
	if err != nil {
		return 0, err
	}
	var set []retort.ColumnOf[T]
	for _, name := range q.SetColumns() {
		i := slices.IndexFunc(m.t.Columns(), func(c retort.ColumnOf[T]) bool { return c.Name() == name })
		if i < 0 {
			continue // an unknown column: the statement fails to compile below
		}
		c := m.t.Columns()[i]
		if slices.Contains(m.pk, c) {
			return 0, fmt.Errorf("session: update %q: sets %q, part of the primary key: the session could no longer tell which of its objects a row is (use retort.Update through Session.DB, then Expunge or Refresh the objects)", m.t.Name(), name)
		}
		set = append(set, c)
	}
	// A reference whose foreign key the statement sets follows it.
	moves := slices.ContainsFunc(m.t.ForeignKeys(), func(fk *retort.ForeignKey) bool {
		return slices.ContainsFunc(set, func(c retort.ColumnOf[T]) bool { return slices.Contains(fk.Columns, c.Name()) })
	})
	follow := func(st *state) {
		if !moves {
			return
		}
		for _, r := range st.mi.rels {
			if rf, ok := r.(Refresher); ok {
				rf.Refreshed(st.obj)
			}
		}
	}
	return runBulk(ctx, s, "update", q.Returning(), func(rows []*T) {
		for _, r := range rows {
			st, obj := bulkState(s, m, r)
			if st == nil {
				continue
			}
			old := new(T)
			for _, c := range set {
				c.Copy(old, obj)
			}
			s.record(st)
			snap := m.Snapshot(st.snap).(*T)
			for _, c := range set {
				c.Copy(obj, r)
				c.Copy(snap, r)
			}
			st.snap = snap
			follow(st)
			s.undos = append(s.undos, undoEntry{at: s.journal.len(), fn: func() {
				for _, c := range set {
					if c.Equal(obj, r) {
						c.Copy(obj, old)
					}
				}
				follow(st)
			}})
		}
	})
}

// ExecDelete runs q, a DELETE of rows of T's table, in the session's
// transaction (begun if none is open, after an autoflush when the session
// autoflushes), and marks the session's objects of the rows it deleted as
// deleted, as SQLAlchemy's ORM-enabled DELETE does with
// synchronize_session="fetch": they leave the identity map, the loaded
// collections holding them let go of them, and they are detached at
// commit (or persistent again after a rollback). It returns how many rows
// were deleted.
//
// No hooks run, and relationships' delete cascades do not: the rows
// referencing the deleted ones are the database's to handle (a foreign
// key's ON DELETE), as in SQLAlchemy.
func ExecDelete[T any](ctx context.Context, s *Session, q *retort.DeleteQuery[T]) (int64, error) {
	if q == nil {
		return 0, errNilQuery
	}
	m, err := bulkMapper[T](q.Table(), "delete from")
	if err != nil {
		return 0, err
	}
	return runBulk(ctx, s, "delete from", q.Returning(), func(rows []*T) {
		var gone []any
		for _, r := range rows {
			st, _ := bulkState(s, m, r)
			if st == nil || st.status == Deleted && st.flushed {
				continue
			}
			s.record(st)
			st.status, st.flushed = Deleted, true
			s.ident.drop(st.key, st)
			gone = append(gone, st.obj)
		}
		if s.related && len(gone) > 0 {
			s.forgetDeleted(gone)
		}
	})
}

// bulkMapper returns the mapper of T for ExecUpdate and ExecDelete: a plain
// table's, t.
func bulkMapper[T any](t *retort.Table[T], op string) (*Table[T], error) {
	m, err := MapperOf[T]()
	if err != nil {
		return nil, err
	}
	tm, ok := m.(*Table[T])
	if !ok || tm.t != t {
		return nil, fmt.Errorf("session: %s %q: %T is not mapped by that table alone (a class hierarchy, or another table of the type): run the statement through Session.DB and Refresh the objects", op, t.Name(), (*T)(nil))
	}
	return tm, nil
}

// runBulk runs q, an UPDATE or DELETE returning its rows, in the session's
// transaction, after an autoflush (op names the statement in errors), then
// sync with the rows it returned, and returns how many there were.
func runBulk[T any](ctx context.Context, s *Session, op string, q *retort.ReturningQuery[*T], sync func(rows []*T)) (int64, error) {
	if ctx == nil {
		return 0, retort.ErrNilContext
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	if err := s.notInBefore(op); err != nil {
		return 0, err
	}
	if err := s.readingRows(op); err != nil {
		return 0, err
	}
	var rows []*T
	item, err := q.Item(s.Dialect(), func(r *T) error { rows = append(rows, r); return nil })
	if err != nil {
		return 0, err
	}
	if s.autoflush && s.tx != nil {
		// The flush's statements and this one in one round trip (on
		// PostgreSQL), in the open transaction.
		if err := s.flush(ctx, &item, false); err != nil {
			return 0, err
		}
	} else {
		if s.autoflush {
			if err := s.flush(ctx, nil, false); err != nil {
				return 0, err
			}
		}
		if err := s.begin(ctx); err != nil {
			return 0, err
		}
		if err := retort.RunItem(ctx, s.tx, item); err != nil {
			return 0, err
		}
	}
	sync(rows)
	return int64(len(rows)), nil
}

// bulkState returns the session's state and object of the row r, if it
// holds an object of it (persistent, or deleted and not flushed yet).
func bulkState[T any](s *Session, m *Table[T], r *T) (*state, *T) {
	k, ok := m.KeyOfObject(r)
	if !ok {
		return nil, nil
	}
	st, in := s.ident.get(k)
	if !in || st.status != Persistent && st.status != Deleted {
		return nil, nil
	}
	obj, ok := st.obj.(*T)
	if !ok {
		return nil, nil // another Go type of a hierarchy on this table
	}
	return st, obj
}
