package retort

import "fmt"

// writeLock writes FOR UPDATE and its options. SQLite has no row locks (a
// writing transaction locks the whole database), so a locking query is an
// error there, reported when the statement is built.
func (c *selectCore) writeLock(w *Writer) {
	l := c.lock
	if l.strength == "" {
		return
	}
	clause := "FOR " + l.strength
	if l.wait != "" {
		clause += " " + l.wait
	}
	if w.d == SQLite {
		w.SetError(fmt.Errorf("retort: %s: %s is not supported by SQLite (a transaction begun with Begin already holds the database's write lock)", c.stmtName(), clause))
		return
	}
	if c.distinct || len(c.groupBy) > 0 || len(c.having) > 0 {
		w.SetError(fmt.Errorf("retort: %s: %s cannot be used with DISTINCT, GROUP BY or HAVING", c.stmtName(), clause))
		return
	}
	w.WriteString(" ")
	w.WriteString(clause)
}

func (c *selectCore) withLock(strength, wait string) selectCore {
	n := c.clone()
	if strength != "" {
		n.lock.strength = strength
	} else if n.lock.strength == "" {
		n.lock.strength = "UPDATE"
	}
	if wait != "" {
		n.lock.wait = wait
	}
	return n
}

// ForUpdate adds FOR UPDATE (PostgreSQL): the rows read are locked until the
// transaction ends. On SQLite building the statement fails.
func (q *SelectQuery[T]) ForUpdate() *SelectQuery[T] {
	return &SelectQuery[T]{t: q.t, core: q.core.withLock("UPDATE", "")}
}

// ForShare adds FOR SHARE (PostgreSQL): the rows read are locked against
// updates and deletes until the transaction ends.
func (q *SelectQuery[T]) ForShare() *SelectQuery[T] {
	return &SelectQuery[T]{t: q.t, core: q.core.withLock("SHARE", "")}
}

// SkipLocked adds SKIP LOCKED to the lock (FOR UPDATE unless ForShare was
// given): rows another transaction has locked are left out instead of waited
// for, as a job queue wants.
func (q *SelectQuery[T]) SkipLocked() *SelectQuery[T] {
	return &SelectQuery[T]{t: q.t, core: q.core.withLock("", "SKIP LOCKED")}
}

// NoWait adds NOWAIT to the lock (FOR UPDATE unless ForShare was given): the
// query fails at once instead of waiting for a row another transaction has
// locked.
func (q *SelectQuery[T]) NoWait() *SelectQuery[T] {
	return &SelectQuery[T]{t: q.t, core: q.core.withLock("", "NOWAIT")}
}

// ForUpdate adds FOR UPDATE (PostgreSQL); see [SelectQuery.ForUpdate].
func (q *Projection[R]) ForUpdate() *Projection[R] {
	c := q.clone()
	c.core = q.core.withLock("UPDATE", "")
	return c
}

// ForShare adds FOR SHARE (PostgreSQL); see [SelectQuery.ForShare].
func (q *Projection[R]) ForShare() *Projection[R] {
	c := q.clone()
	c.core = q.core.withLock("SHARE", "")
	return c
}

// SkipLocked adds SKIP LOCKED; see [SelectQuery.SkipLocked].
func (q *Projection[R]) SkipLocked() *Projection[R] {
	c := q.clone()
	c.core = q.core.withLock("", "SKIP LOCKED")
	return c
}

// NoWait adds NOWAIT; see [SelectQuery.NoWait].
func (q *Projection[R]) NoWait() *Projection[R] {
	c := q.clone()
	c.core = q.core.withLock("", "NOWAIT")
	return c
}
