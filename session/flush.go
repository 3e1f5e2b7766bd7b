package session

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/retort-orm/retort"
)

// Flush writes every pending change to the database, in the session's
// transaction (opened if needed), without committing. Inserts are ordered so
// that referenced rows come first; each table's rows go in as few statements
// as the database allows, and on PostgreSQL a whole flush travels in one
// round trip unless a child needs a key the database has not generated yet.
//
// If the flush fails, the transaction is rolled back (to the savepoint, in a
// nested transaction) and every object returns to its state at the start of
// that transaction, with the program's in-memory changes kept: fix the cause
// and flush again.
func (s *Session) Flush(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return s.flush(ctx, nil, false)
}

// work is what one flush must write.
type work struct {
	byMapper []*mapperWork // in order of each mapper's first object
	last     *mapperWork
	order    []*mapperWork // parents before children
	pool     []*mapperWork // every mapper's work of earlier flushes, for reuse
	changed  []*state      // collect's scratch list of changed objects
	// parentsKeyed is cleared by collect's visit of a pending parent.
	parentsKeyed bool
	// cyclic: the tables' foreign keys form a cycle (see orderMappers).
	cyclic bool
}

// mapperWork is what one flush must write for one mapper.
type mapperWork struct {
	m                         Mapper
	inserts, updates, deletes []*state
}

// of returns m's work, made on first use (a flush has few mappers: a linear
// search after the last one used is cheaper than a map).
func (w *work) of(st *state) *mapperWork {
	if w.last != nil && w.last.m == st.mi.m {
		return w.last
	}
	for _, mw := range w.byMapper {
		if mw.m == st.mi.m {
			w.last = mw
			return mw
		}
	}
	var mw *mapperWork
	for _, x := range w.pool {
		if x.m == st.mi.m {
			mw = x
			clear(mw.inserts)
			clear(mw.updates)
			clear(mw.deletes)
			mw.inserts, mw.updates, mw.deletes = mw.inserts[:0], mw.updates[:0], mw.deletes[:0]
			break
		}
	}
	if mw == nil {
		mw = &mapperWork{m: st.mi.m}
		w.pool = append(w.pool, mw)
	}
	w.byMapper = append(w.byMapper, mw)
	w.last = mw
	return mw
}

func (w *work) empty() bool {
	for _, mw := range w.byMapper {
		if len(mw.inserts)+len(mw.updates)+len(mw.deletes) > 0 {
			return false
		}
	}
	return true
}

// cascade adds the objects that the session's objects' relationships reach,
// and marks orphans for deletion.
func (s *Session) cascade() []*state {
	// Only objects with relationships can reach others: walk those alone
	// (a session of plain tables skips the walk and its sort entirely).
	if !s.related {
		return nil // no object with relationships: nothing to walk
	}
	var added []*state
	var queue []*state
	for _, st := range s.states() {
		if st.in && (st.status == Pending || st.status == Persistent) && len(st.mi.rels) > 0 {
			queue = append(queue, st)
		}
	}
	if len(queue) == 0 {
		return nil
	}
	// One closure of each kind per flush, not per object.
	add := func(m Mapper, child any) {
		if _, in := s.stateOf(child); in {
			return
		}
		st := s.add(m, child)
		added = append(added, st)
		queue = append(queue, st)
	}
	removed := func(orphan any) {
		if o, in := s.stateOf(orphan); in && o.status == Persistent {
			_ = s.delete(orphan)
		}
	}
	for i := 0; i < len(queue); i++ {
		st := queue[i]
		if !st.in {
			continue // it left the session (an orphan expunged by a relationship)
		}
		rels := st.mi.rels
		for _, r := range rels {
			r.Cascade(st.obj, add)
		}
		if st.status == Persistent {
			for _, r := range rels {
				r.Removed(st.obj, removed)
			}
		}
	}
	return added
}

// collect gathers the flush's work.
func (s *Session) collect() *work {
	// The session's work from the last flush is reused: a flush of a few
	// objects allocates nothing here.
	w := &s.work
	w.byMapper, w.order, w.last = w.byMapper[:0], w.order[:0], nil
	// visit is made for the first object with relationships only: a
	// session of plain tables allocates nothing for it per flush.
	var visit func(p any)
	sts := s.states()
	for i := 0; i < len(sts); i++ {
		st := sts[i]
		if !st.in {
			continue
		}
		if b := st.mi.batch; b != nil && st.status == Persistent {
			// A run of persistent objects of one mapper (without
			// relationships) is compared in one call, in order.
			changed, n := b.appendChanged(w.changed[:0], sts[i:], st.mi)
			for _, c := range changed {
				mw := w.of(c)
				mw.updates = push(mw.updates, c)
			}
			clear(changed)
			w.changed = changed[:0]
			i += n - 1
			continue
		}
		switch st.status {
		case Pending:
			mw := w.of(st)
			mw.inserts = push(mw.inserts, st)
		case Persistent:
			if len(st.mi.rels) > 0 {
				if visit == nil {
					visit = func(p any) {
						if ps, in := s.stateOf(p); in && ps.status == Pending {
							w.parentsKeyed = false
						}
					}
				}
				if !s.syncable(st, visit, &w.parentsKeyed) {
					// A parent is new: Sync once it has its key, in the flush.
					mw := w.of(st)
					mw.updates = push(mw.updates, st)
					break
				}
				for _, r := range st.mi.rels {
					r.Sync(st.obj)
				}
			}
			if st.mi.m.Changed(st.obj, st.snap) {
				mw := w.of(st)
				mw.updates = push(mw.updates, st)
			}
		case Deleted:
			if !st.flushed {
				mw := w.of(st)
				mw.deletes = push(mw.deletes, st)
			}
		}
	}
	w.order, w.cyclic = s.orderMappers(w.byMapper)
	return w
}

// beforeFlush runs the BeforeFlush hooks. The session is released while
// they run, so that they can add, delete and query (s.inBefore keeps them
// from flushing or ending the transaction), and taken again after.
func (s *Session) beforeFlush(ctx context.Context) error {
	return s.lent(func() error {
		for _, fn := range s.before {
			if err := fn(ctx, s); err != nil {
				return fmt.Errorf("session: before flush: %w", err)
			}
		}
		return nil
	})
}

// lent runs fn with the session released (in the middle of a flush or a
// Refresh), so that fn can query through it (s.inBefore keeps it from
// flushing or ending the transaction), and takes it again after.
func (s *Session) lent(fn func() error) (err error) {
	was := s.inBefore // lent inside a BeforeFlush hook (a Refresh there)
	s.inBefore = true
	s.leave()
	defer func() {
		if e := s.enter(); e != nil && err == nil {
			err = e
		}
		s.inBefore = was
	}()
	return fn()
}

// hasRelDeletes reports whether w deletes objects with relationships.
func (w *work) hasRelDeletes() bool {
	for _, mw := range w.byMapper {
		if len(mw.deletes) > 0 && len(mw.deletes[0].mi.rels) > 0 {
			return true
		}
	}
	return false
}

// loadForDeletes applies, at the flush, the relationships of the objects
// it deletes to what the database holds: collections a delete cascade or a
// foreign key set to NULL must act on, and not loaded (or loaded in part),
// are loaded first, one query per relationship for all those objects
// (DeleteLoader); then each relationship's CascadeDelete runs again for
// them. The objects that deletes in turn are looked at the same way, until
// none is left: a tree is read one level per query. It reports whether it
// ran any CascadeDelete (which may delete objects or set foreign keys), so
// that the flush collects its work again.
func (s *Session) loadForDeletes(ctx context.Context) (bool, error) {
	type group struct {
		mi   *mapperInfo
		rel  int
		dl   DeleteLoader
		objs []any
	}
	type pending struct {
		st  *state
		rel int
	}
	seen := map[*state]bool{}
	del := func(child any) {
		if _, in := s.stateOf(child); in {
			_ = s.delete(child)
		}
	}
	ran := false
	for {
		var groups []*group
		var todo []pending
		for _, st := range s.states() {
			if !st.in || st.status != Deleted || st.flushed || len(st.mi.rels) == 0 || seen[st] {
				continue
			}
			seen[st] = true
			for i, r := range st.mi.rels {
				dl, ok := r.(DeleteLoader)
				if !ok {
					continue
				}
				todo = append(todo, pending{st, i})
				if !dl.NeedsLoadForDelete(st.obj) {
					continue
				}
				var g *group
				for _, x := range groups {
					if x.mi == st.mi && x.rel == i {
						g = x
						break
					}
				}
				if g == nil {
					g = &group{mi: st.mi, rel: i, dl: dl}
					groups = append(groups, g)
				}
				g.objs = append(g.objs, st.obj)
			}
		}
		if len(todo) == 0 {
			return ran, nil
		}
		ran = true
		if len(groups) > 0 {
			err := s.lent(func() error {
				for _, g := range groups {
					if err := g.dl.LoadForDelete(ctx, s, g.objs); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return ran, err
			}
		}
		for _, p := range todo {
			p.st.mi.rels[p.rel].CascadeDelete(p.st.obj, del)
		}
	}
}

// dropCascaded returns the objects a flush's cascade brought in to where
// they were, when the flush stops before its first statement.
func (s *Session) dropCascaded(cascaded []*state) {
	for _, st := range cascaded {
		st.status = Transient
		s.left(st.obj, Transient)
	}
}

// afterFailure finishes restoring the session after a failed flush: objects
// this flush's cascade brought in leave again, and pending objects take their
// parents' keys again (cleared if the parents' rows were rolled back), so
// no foreign key names a row that no longer exists.
func (s *Session) afterFailure(cascaded []*state) {
	for _, st := range cascaded {
		if st.status == Pending {
			st.status = Transient
			s.left(st.obj, Transient)
		}
	}
	for _, st := range s.states() {
		if !st.in || st.status != Pending {
			continue
		}
		for _, r := range st.mi.rels {
			r.Sync(st.obj)
		}
	}
}

// syncable reports whether all of st's parents already have keys, so that
// its foreign keys can be filled before the flush decides what to write.
// visit (made once per flush) clears *ok for a pending parent.
func (s *Session) syncable(st *state, visit func(any), ok *bool) bool {
	*ok = true
	for _, r := range st.mi.rels {
		r.Parents(st.obj, visit)
	}
	return *ok
}

// orderMappers sorts mappers so that a mapper whose tables reference another
// mapper's tables comes after it; ties (and cycles) keep first-use order.
//
// When the tables' foreign keys form a cycle (users.fav_id -> post,
// post.author_id -> users), the order comes from the rows instead: a
// mapper whose new or changed objects reference new objects of another
// goes after it. cyclic reports that case, in which the flush checks each
// reference to a new object before it copies the key (see parentsReady).
func (s *Session) orderMappers(ms []*mapperWork) (order []*mapperWork, cyclic bool) {
	// ms is in order of first use already: objects are walked in seq order.
	if len(ms) == 1 {
		return ms, false
	}
	owner := map[string]*mapperWork{}
	for _, mw := range ms {
		for _, t := range mw.m.Tables() {
			owner[t.Info().Name] = mw
		}
	}
	deps := map[*mapperWork][]*mapperWork{}
	for _, mw := range ms {
		for _, t := range mw.m.Tables() {
			for _, fk := range t.Info().ForeignKeys {
				if p, ok := owner[fk.RefTable]; ok && p != mw {
					deps[mw] = append(deps[mw], p)
				}
			}
		}
	}
	out, cyclic := topoOrder(ms, deps)
	if !cyclic {
		return out, false
	}
	byMapper := make(map[Mapper]*mapperWork, len(ms))
	for _, mw := range ms {
		byMapper[mw.m] = mw
	}
	rows := map[*mapperWork][]*mapperWork{}
	for _, mw := range ms {
		for _, list := range [2][]*state{mw.inserts, mw.updates} {
			for _, st := range list {
				for _, r := range st.mi.rels {
					r.Parents(st.obj, func(p any) {
						if ps, ok := s.stateOf(p); ok && ps.status == Pending && ps.mi.m != mw.m {
							if pw := byMapper[ps.mi.m]; pw != nil && !slices.Contains(rows[mw], pw) {
								rows[mw] = append(rows[mw], pw)
							}
						}
					})
				}
			}
		}
	}
	out, _ = topoOrder(ms, rows)
	return out, true
}

// topoOrder puts each of ms after those it depends on, keeping ms's order
// otherwise; in a cycle, ms's order decides, and cyclic says so.
func topoOrder(ms []*mapperWork, deps map[*mapperWork][]*mapperWork) (out []*mapperWork, cyclic bool) {
	done := map[*mapperWork]bool{}
	visiting := map[*mapperWork]bool{}
	var visit func(m *mapperWork)
	visit = func(m *mapperWork) {
		if visiting[m] {
			cyclic = true
			return
		}
		if done[m] {
			return
		}
		visiting[m] = true
		for _, p := range deps[m] {
			visit(p)
		}
		visiting[m] = false
		done[m] = true
		out = append(out, m)
	}
	for _, m := range ms {
		visit(m)
	}
	return out, cyclic
}

// batchSnapshotter is implemented by a mapper that snapshots many objects
// at once in one allocation (the session's Table).
type batchSnapshotter interface {
	// snapshotStates sets the snapshots of the objects of sts.
	snapshotStates(sts []*state)
}

// deleteOrderer is implemented by a mapper whose rows may reference each
// other (the session's Table): it orders rows to be deleted so that each
// comes after the rows that reference it.
type deleteOrderer interface {
	orderDeletes(sts []*state)
}

// updatedHook is implemented by a mapper that changes an object once its
// UPDATE is known to have succeeded (a version column); the change is made
// only after the whole flush succeeded, so a failed flush leaves it undone.
type updatedHook interface {
	Updated(obj, snap any) error
}

// run is one flush being executed.
type run struct {
	s      *Session
	ctx    context.Context
	db     retort.DB
	d      retort.Dialect
	items  []retort.BatchItem
	unsent []*state // states whose generated keys come with unsent items (their unsent is set)
	done   []func() error
	// checked is set when an item's result is checked by the client (rows
	// matched by an UPDATE or DELETE): the server cannot see that check, so
	// COMMIT must not travel in the same batch.
	checked bool
	stale   []staleCheck // the statements the server checks, by marker index
	// plain holds those UPDATEs as they were before the wrapping, for a
	// transaction whose only statement is one of them (see serverChecked).
	plain   []retort.BatchItem
	settled bool // settle ran
	// afterCommit: COMMIT went with the flush's statements and succeeded,
	// so settling runs to the end whatever fails (the rows are written).
	afterCommit bool
	// stamped holds objects as they were before this flush's Insert or
	// Update set their default columns (Stamper), to be put back should
	// the flush fail.
	stamped []stamp
	// readBack lists the objects this flush inserted or updated whose
	// mappers have read-only columns, read back once it succeeded.
	readBack []*state
	// deleted lists the objects this flush deleted, when objects with
	// relationships are in the session: their collections let go of them.
	deleted []any
	// serverCheck: UPDATEs and DELETEs are wrapped so that the server
	// checks their row counts (see serverChecked).
	serverCheck bool
	// switched holds the deleted objects whose rows new objects took over
	// (switchRows): no DELETE is written for them.
	switched map[*state]bool
}

// ReturningInserter is implemented by mappers that insert objects and read
// back their read-only columns (see [ReadBacker]) in one statement
// (INSERT ... RETURNING). On PostgreSQL the flush uses it for up to
// returningMaxRows new objects of such a mapper, which saves the query
// after the flush and, when the flush commits, lets COMMIT go with the
// INSERT: one round trip instead of three. On SQLite, where the query
// after costs no round trip, the plain inserts and that query are as fast
// or faster (one object 13 us against 16 with RETURNING, 10 objects 43
// against 70, 100 and 500 even).
type ReturningInserter interface {
	// InsertReturning returns the statements, or ok false for objects it
	// does not take (the flush then inserts them with Insert and reads
	// them back after).
	InsertReturning(d retort.Dialect, objs []any) (items []retort.BatchItem, ok bool, err error)
}

// returningMaxRows is the most new objects of one mapper a flush inserts
// with RETURNING (ReturningInserter); more go by the mapper's Insert
// (arrays, or COPY) and are read back after the flush. Commits of n new
// objects with a Generated and a ReadOnly column, medians of 5 runs on
// PostgreSQL, RETURNING against Insert and the query after: n=1 162 against
// 401 us, 10 219/480, 50 400/663, 100 688/889, 500 2.3-2.9 against 3.5-3.9
// ms at best (the query after chose a sequential scan of the growing test
// table in some runs: 12 to 119 ms).
const returningMaxRows = 500

// ReadBacker is implemented by mappers whose objects have columns the
// database maintains (retort.ReadOnly, retort.Generated): the session
// reads them back after a flush that wrote the rows (one query per
// mapper), so that objects and snapshots hold the database's values.
type ReadBacker interface {
	ReadsBack() bool
	// CopyReadOnly copies the read-only columns of src, a row just read,
	// into dst.
	CopyReadOnly(dst, src any)
}

// readBackAll reads back the read-only columns of the objects the flush
// wrote, one query per mapper through db, into the objects and their
// snapshots.
func (r *run) readBackAll(ctx context.Context, db retort.DB) error {
	for len(r.readBack) > 0 {
		mi := r.readBack[0].mi
		var group []*state
		rest := r.readBack[:0]
		for _, st := range r.readBack {
			if st.mi == mi {
				group = append(group, st)
			} else {
				rest = append(rest, st)
			}
		}
		r.readBack = rest
		byKey := make(map[Key]*state, len(group))
		keys := make([]Key, 0, len(group))
		for _, st := range group {
			if st.hasKey && st.in {
				if _, dup := byKey[st.key]; !dup {
					keys = append(keys, st.key)
				}
				byKey[st.key] = st
			}
		}
		rows, err := mi.m.Load(ctx, db, keys)
		if err != nil {
			return fmt.Errorf("read back %s: %w", mi.m.IdentityTable(), err)
		}
		for _, row := range rows {
			k, ok := mi.m.Key(row)
			if st := byKey[k]; ok && st != nil {
				mi.readBack.CopyReadOnly(st.obj, row)
				if st.snap != nil {
					mi.readBack.CopyReadOnly(st.snap, row)
				}
			}
		}
	}
	return nil
}

// stamp is an object before a write set its defaults.
type stamp struct {
	st  *state
	pre any
}

// unstamp puts back the objects whose defaults a failed flush set, last
// first (an object both inserted and updated gets its first copy).
func (r *run) unstamp() {
	for i := len(r.stamped) - 1; i >= 0; i-- {
		p := r.stamped[i]
		p.st.mi.m.Restore(p.st.obj, p.pre)
	}
	clear(r.stamped)
	r.stamped = r.stamped[:0]
}

// newRun returns the session's run, reset for a flush in ctx: its lists
// keep their room from one flush to the next (a flush is never nested in
// another: the session is busy while it runs).
func (s *Session) newRun(ctx context.Context) *run {
	r := &s.run
	*r = run{s: s, ctx: ctx, db: s.tx, d: s.db.Dialect(),
		items: reuse(r.items), unsent: reuse(r.unsent), done: reuse(r.done), stale: reuse(r.stale), plain: reuse(r.plain),
		stamped: reuse(r.stamped), readBack: reuse(r.readBack)}
	return r
}

// reuse empties a list for the next flush: kept when small, dropped when a
// big flush grew it (clearing it at every later flush would cost more).
func reuse[E any](l []E) []E {
	if cap(l) > 1024 {
		return nil
	}
	clear(l[:cap(l)])
	return l[:0]
}

// settle runs what waits for the flush's statements to succeed, once.
func (r *run) settle() error {
	if r.settled {
		return nil
	}
	r.settled = true
	var first error
	for _, fn := range r.done {
		if err := fn(); err != nil {
			if !r.afterCommit {
				return err
			}
			if first == nil {
				first = err
			}
		}
	}
	if len(r.deleted) > 0 {
		r.s.forgetDeleted(r.deleted)
	}
	return first
}

// forgetDeleted lets the collections of the session's objects go of the
// objects in gone, which a flush deleted (see Forgetter).
func (s *Session) forgetDeleted(gone []any) {
	set := make(map[any]bool, len(gone))
	for _, o := range gone {
		set[o] = true
	}
	isGone := func(x any) bool { return set[x] }
	for _, st := range s.states() {
		if !st.in || set[st.obj] || len(st.mi.rels) == 0 {
			continue
		}
		for _, rel := range st.mi.rels {
			if f, ok := rel.(Forgetter); ok {
				if undo := f.Forget(st.obj, isGone); undo != nil && s.tx != nil {
					s.undos = append(s.undos, undoEntry{at: s.journal.len(), fn: undo})
				}
			}
		}
	}
}

// staleMarker starts the text a server-checked UPDATE or DELETE fails with
// when it matches other than its rows.
const staleMarker = "retort_stale "

// updateReturner is implemented by a mapper whose UPDATEs on d return the
// read-only columns (RETURNING) and check their own row counts (package
// session's Table mapper on PostgreSQL).
type updateReturner interface {
	updatesReturn(d retort.Dialect) bool
}

// updateChecker is implemented by a mapper whose UPDATE statements are
// plain single-table UPDATEs of one row, which the flush can wrap so that
// the server checks the row count (package session's Table mapper).
type updateChecker interface {
	checkableUpdates() bool
}

// deleteChecker is implemented by a mapper whose DELETE statements are
// plain single-table DELETEs the flush can wrap so that the server checks
// the row count (package session's Table mapper): deleteItems is Delete
// with each statement's check.
type deleteChecker interface {
	deleteItems(d retort.Dialect, snaps []any) ([]retort.BatchItem, []staleCheck, error)
	plainTabler
}

// staleCheck is what a statement must match: n rows (for an UPDATE, or a
// DELETE of one row, the row with key; for a DELETE of many, rows of
// key.Table).
type staleCheck struct {
	op  string // "update" or "delete"
	key Key
	n   int64
}

// serverCheckLimit is the most UPDATEs and DELETEs a committing flush wraps
// (serverChecked) so that COMMIT goes in their round trip: the wrapping
// costs the server more per statement than a round trip saves beyond it.
const serverCheckLimit = 8

// serverChecked wraps it, an UPDATE or DELETE on PostgreSQL that must match
// c.n rows, so that the server fails it (and the transaction) when it does
// not: the statement then needs no check by the client, and COMMIT can
// travel in the same round trip. The error's text carries a marker that
// staleError turns back into a StaleError. Should the statement be the only
// one of its transaction, which the driver runs alone, the flush sends it
// as it was, and its own Result checks the row count (PostgreSQL's CTE and
// count cost about 20 us a statement on the server here).
func (r *run) serverChecked(it retort.BatchItem, c staleCheck) retort.BatchItem {
	r.plain = append(r.plain, it)
	marker := staleMarker + strconv.Itoa(len(r.stale)) + " "
	r.stale = append(r.stale, c)
	args := slices.Clip(it.Args)
	want := "1"
	if c.n != 1 {
		args = append(args, c.n)
		want = "$" + strconv.Itoa(len(args))
	}
	args = append(args, marker)
	it.SQL = `WITH "retort_u" AS (` + it.SQL + ` RETURNING 1) SELECT CASE WHEN count(*) = ` + want + ` THEN 1 ELSE ($` +
		strconv.Itoa(len(args)) + `::text || count(*))::int END FROM "retort_u"`
	it.Args = args
	if c.op == "delete" {
		it.Result = nil // the server checked the count; the SELECT returns one row
	}
	return it
}

// staleError returns the StaleError a server-checked statement's failure
// stands for, or err itself.
func (r *run) staleError(err error) error {
	if err == nil || len(r.stale) == 0 {
		return err
	}
	msg := err.Error()
	i := strings.Index(msg, staleMarker)
	if i < 0 {
		return err
	}
	f := strings.Fields(msg[i+len(staleMarker):])
	if len(f) < 2 {
		return err
	}
	idx, err1 := strconv.Atoi(f[0])
	matched, err2 := strconv.ParseInt(strings.TrimRight(f[1], `"`), 10, 64)
	if err1 != nil || err2 != nil || idx < 0 || idx >= len(r.stale) {
		return err
	}
	c := r.stale[idx]
	return &StaleError{Op: c.op, Key: c.key, Matched: matched, Expected: c.n}
}

// send runs the queued statements: one round trip on PostgreSQL.
func (r *run) send() error {
	err := retort.RunItems(r.ctx, r.db, r.items)
	r.items = r.items[:0]
	for _, st := range r.unsent {
		st.unsent = false
	}
	r.unsent = r.unsent[:0]
	return r.staleError(err)
}

// parentsReady reports an error when, in a flush over tables whose foreign
// keys form a cycle, a row references a new object not written yet: Sync
// would copy its key as zero. The rows reference each other in a cycle.
func (r *run) parentsReady(m Mapper, st *state, rels []Relationship) error {
	if !r.s.work.cyclic || len(rels) == 0 {
		return nil
	}
	var late *state
	for _, rel := range rels {
		rel.Parents(st.obj, func(p any) {
			if ps, ok := r.s.stateOf(p); ok && late == nil && ps.status == Pending && !ps.hasKey && !ps.generated {
				late = ps
			}
		})
	}
	if late == nil {
		return nil
	}
	return fmt.Errorf("a row of %s and a new row of %s reference each other in a cycle, and the keys are generated: set one of the references after a first flush", m.IdentityTable(), late.mi.m.IdentityTable())
}

// syncParents copies the keys of st's parents into its foreign keys, once
// the parents have them: the queued statements are sent first if one of
// them generates a key st needs.
func (r *run) syncParents(m Mapper, st *state, rels []Relationship) error {
	if err := r.waitForParents(st.obj, rels); err != nil {
		return err
	}
	if err := r.parentsReady(m, st, rels); err != nil {
		return err
	}
	for _, rel := range rels {
		rel.Sync(st.obj)
	}
	return nil
}

// waitForParents sends the queued statements if obj needs a key that one of
// them will generate.
func (r *run) waitForParents(obj any, rels []Relationship) error {
	if len(r.unsent) == 0 {
		return nil
	}
	need := false
	for _, rel := range rels {
		rel.Parents(obj, func(p any) {
			if ps, ok := r.s.stateOf(p); ok && ps.unsent {
				need = true
			}
		})
	}
	if need {
		return r.send()
	}
	return nil
}

// flush writes pending changes; tail, if set, is a query sent after them, in
// the same round trip where the database allows it.
//
// With commit set, the transaction is committed after the flush; where the
// driver allows (retort.BatchCommitter), the last statements and COMMIT go
// in one round trip.
func (s *Session) flush(ctx context.Context, tail *retort.BatchItem, commit bool) (err error) {
	if err := s.notInBefore("flush"); err != nil {
		return err
	}
	cascaded := s.cascade()
	w := s.collect()
	if len(s.before) > 0 && !w.empty() {
		// The hooks run once the flush is known to write something; what
		// they add, change or delete is collected again with the rest.
		if err := s.beforeFlush(ctx); err != nil {
			s.dropCascaded(cascaded)
			return err
		}
		cascaded = append(cascaded, s.cascade()...)
		w = s.collect()
	}
	if w.empty() {
		if tail != nil {
			return retort.RunItem(ctx, s.DB(), *tail)
		}
		return nil
	}
	if err := s.readingRows("flush"); err != nil {
		s.dropCascaded(cascaded)
		return err
	}
	opened := s.tx == nil
	if err := s.begin(ctx); err != nil {
		s.dropCascaded(cascaded)
		return err
	}
	if opened {
		// Objects the cascade just added were not in the session before
		// this flush: if it fails they leave it again.
		for _, st := range cascaded {
			status := st.status
			st.status = Transient
			s.record(st)
			st.status = status
		}
	}
	r := s.newRun(ctx)
	fail := func() {
		if len(s.txs) > 0 {
			_ = s.rollbackSavepointAfter(ctx, true)
		} else {
			_ = s.rollbackAfter(ctx, true)
		}
		r.unstamp()
		s.afterFailure(cascaded)
	}
	defer func() {
		if r.afterCommit {
			// The rows are committed: nothing to roll back or put back.
			// What failed after COMMIT (a hook) is reported, and the
			// session holds the objects as committed, so that a retry
			// does not write them twice.
			p := recover()
			s.committed()
			if p != nil {
				panic(p)
			}
			if err != nil {
				err = fmt.Errorf("session: flush: committed, then: %w", err)
			}
			return
		}
		if p := recover(); p != nil {
			// A panic (in a hook, say) fails the flush as an error does,
			// so that the transaction's connection goes back to the pool
			// (a server that recovers panics would lose one per panic)
			// and the objects are as before; then it goes on.
			fail()
			panic(p)
		}
		if err != nil {
			fail()
			err = fmt.Errorf("session: flush: %w", err)
		}
	}()
	if w.hasRelDeletes() {
		ran, err := s.loadForDeletes(ctx)
		if err != nil {
			return err
		}
		if ran {
			w = s.collect()
		}
	}
	if commit && r.d == retort.Postgres {
		n := 0 // UPDATEs and DELETEs, about (new objects that switch rows aside)
		for _, mw := range w.order {
			n += len(mw.updates) + len(mw.deletes)
		}
		r.serverCheck = n <= serverCheckLimit
	}
	for _, mw := range w.order {
		if err := r.inserts(mw.m, mw.inserts); err != nil {
			return err
		}
		if err := r.updates(mw.m, mw.updates); err != nil {
			return err
		}
	}
	for _, mw := range slices.Backward(w.order) {
		if err := r.deletes(mw.m, mw.deletes); err != nil {
			return err
		}
	}
	settle := r.settle
	if tail != nil {
		// The query reads its rows after the flush's statements succeeded:
		// settle the flushed objects first, so that its rows map onto them.
		t := *tail
		if rows := t.Rows; rows != nil {
			t.Rows = func(rs retort.Rows) error {
				if err := settle(); err != nil {
					return err
				}
				return rows(rs)
			}
		} else {
			res := t.Result
			t.Result = func(x retort.Result) error {
				if err := settle(); err != nil {
					return err
				}
				if res != nil {
					return res(x)
				}
				return nil
			}
		}
		r.items = append(r.items, t)
	}
	bc, canCommit := s.tx.(retort.BatchCommitter)
	// SQLite runs items one at a time and checks each before COMMIT; a
	// PostgreSQL pipeline cannot, so there an item the client checks keeps
	// COMMIT for a round trip of its own, unless it is the transaction's
	// only statement, which the driver runs alone, without BEGIN and COMMIT
	// (a lone DELETE: one round trip, not two).
	alone := false
	if ar, ok := s.tx.(retort.AloneRunner); ok && len(r.items) == 1 && ar.RunsAlone(r.items[0]) {
		alone = true
		if len(r.plain) == 1 {
			// The one statement is a wrapped UPDATE (any sent before
			// would have sent BEGIN): alone, it needs no wrapping.
			r.items[0] = r.plain[0]
		}
	}
	// Read-only columns are read back inside the transaction, after the
	// flush's statements: COMMIT then goes on its own.
	if commit && canCommit && len(s.txs) == 0 && (!r.checked || r.d == retort.SQLite || alone) && len(r.readBack) == 0 {
		err := bc.CommitBatch(ctx, r.items)
		r.items = r.items[:0]
		if err != nil {
			return r.staleError(err)
		}
		s.tx = nil
		r.afterCommit = true
		if err := settle(); err != nil {
			return err
		}
		s.committed()
		for _, fn := range s.after {
			if err := fn(ctx, s); err != nil {
				return fmt.Errorf("session: after flush: %w", err)
			}
		}
		return nil
	}
	if err := r.send(); err != nil {
		return err
	}
	if err := settle(); err != nil {
		return err
	}
	if err := r.readBackAll(ctx, s.tx); err != nil {
		return err
	}
	for _, fn := range s.after {
		if err := fn(ctx, s); err != nil {
			return fmt.Errorf("session: after flush: %w", err)
		}
	}
	return nil
}

func (r *run) inserts(m Mapper, sts []*state) error {
	if len(sts) == 0 {
		return nil
	}
	s := r.s
	rels := r.s.relsOf(m)
	var switches [][2]*state // a new object, the deleted one whose row it takes
	for _, st := range sts {
		if !st.hasKey {
			continue
		}
		other, ok := s.ident.get(st.key)
		if !ok || other == st {
			continue
		}
		if other.status != Deleted || other.flushed {
			return fmt.Errorf("new object %s has the key of an object already in the session", st.key)
		}
		if slices.ContainsFunc(st.mi.rels, func(r Relationship) bool { return blocksSwitch(r, other.obj) }) {
			return fmt.Errorf("new object %s has the key of an object deleted in this flush whose related rows (many-to-many rows, children not loaded that its delete leaves alone) would outlive a switch of its row: flush the delete first", st.key)
		}
		if !switchable(m) || other.mi != st.mi {
			return fmt.Errorf("new object %s has the key of an object deleted in this flush, whose row %s cannot take it over: flush the delete first", st.key, m.IdentityTable())
		}
		switches = append(switches, [2]*state{st, other})
	}
	if switches != nil {
		sts = slices.DeleteFunc(slices.Clone(sts), func(st *state) bool {
			return slices.ContainsFunc(switches, func(p [2]*state) bool { return p[0] == st })
		})
	}
	if len(sts) > 0 {
		if err := r.insertLevels(m, sts, rels); err != nil {
			return err
		}
	}
	return r.switchRows(m, switches, rels)
}

// RowSwitcher is implemented by a Mapper whose new objects can take over
// the row of an object with their key deleted in the same flush, as
// SQLAlchemy's "row switch" does: the session writes the new object with
// Mapper.Update against the deleted object's snapshot, an UPDATE of the
// columns that differ, instead of a DELETE and an INSERT. The session's
// Table and the inherit package's hierarchies implement it.
type RowSwitcher interface {
	// SwitchRow readies obj, a new object, to be written over the row
	// whose snapshot is snap, as Insert would ready it (Default values, a
	// discriminator), or returns why it cannot (another class of a
	// hierarchy).
	SwitchRow(obj, snap any) error
}

// switchBlocker is implemented by a relationship whose rows in other
// tables go with an object's row when it is deleted, and would stay with a
// switch, which keeps the row (package rel: a many-to-many's association
// rows, which the database deletes; a one-to-many's children, unless they
// were loaded and its delete dealt with them): BlocksRowSwitch(old) reports
// whether old, deleted, cannot have its row taken over.
type switchBlocker interface {
	BlocksRowSwitch(old any) bool
}

func blocksSwitch(r Relationship, old any) bool {
	b, ok := r.(switchBlocker)
	return ok && b.BlocksRowSwitch(old)
}

// plainTabler is implemented by the session's Table: plainTable is the
// *Table[T] itself, so that a type embedding it (and maybe overriding
// Delete, Insert or Update, as rel's association tables do) is told apart.
type plainTabler interface {
	plainTable() Mapper
}

// switchable reports whether m's new objects can take over deleted rows.
func switchable(m Mapper) bool {
	if _, ok := m.(RowSwitcher); !ok {
		return false
	}
	pt, ok := m.(plainTabler)
	return !ok || pt.plainTable() == m
}

// switchRows writes each new object of pairs over the row of the object
// deleted in this flush whose key it has, as SQLAlchemy's "row switch"
// does: one UPDATE of the columns whose values differ, instead of a DELETE
// and an INSERT, so that rows referencing the key stay as they are (a
// DELETE would fail on them, or cascade to them). The new object is
// inserted as far as the program sees: its Default columns are set and its
// BeforeInsert and AfterInsert hooks run; the deleted object's delete hooks
// do not, as no row is deleted. Under a version column, the row must still
// have the deleted object's version, and gets the next one.
func (r *run) switchRows(m Mapper, pairs [][2]*state, rels []Relationship) error {
	s := r.s
	for _, p := range pairs {
		st, old := p[0], p[1]
		if err := r.syncParents(m, st, rels); err != nil {
			return err
		}
		if err := runHooks(r.ctx, s.hooksOf(m), beforeInsert, st.obj); err != nil {
			return err
		}
		if st.mi.stampsInsert || st.mi.stampsUpdate {
			r.stamped = append(r.stamped, stamp{st, m.Snapshot(st.obj)})
		}
		if err := m.(RowSwitcher).SwitchRow(st.obj, old.snap); err != nil {
			return err
		}
		s.record(old)
		sent, err := r.queueUpdate(m, st, old.snap)
		if err != nil {
			return err
		}
		if r.switched == nil {
			r.switched = map[*state]bool{}
		}
		r.switched[old] = true
		r.done = append(r.done, func() error {
			if u, ok := m.(updatedHook); ok && sent {
				if err := u.Updated(st.obj, old.snap); err != nil {
					return err
				}
			}
			old.flushed = true
			if s.related {
				r.deleted = append(r.deleted, old.obj)
			}
			st.status = Persistent
			st.snap = m.Snapshot(st.obj)
			s.ident.set(st.key, st)
			for _, rel := range rels {
				rel.Flushed(st.obj)
			}
			return runHooks(r.ctx, s.hooksOf(m), afterInsert, st.obj)
		})
	}
	return nil
}

// queueUpdate queues the UPDATE of st's object against snap (its snapshot,
// or in a row switch the deleted object's), checked by the server where
// the flush allows, and reports whether any statement was queued: none
// when only columns the database maintains differ, and then no version
// moves either.
func (r *run) queueUpdate(m Mapper, st *state, snap any) (sent bool, err error) {
	items, err := m.Update(r.d, st.obj, snap)
	if err != nil {
		return false, err
	}
	// The UPDATE returns the read-only columns itself where the mapper
	// says so; else, or when no UPDATE is sent (only read-only fields
	// changed: the database's values replace them), they are read back
	// after the flush.
	returns := false
	if u, ok := m.(updateReturner); ok {
		returns = u.updatesReturn(r.d)
	}
	if st.mi.readBack != nil && (!returns || len(items) == 0) {
		r.readBack = append(r.readBack, st)
	}
	r.s.record(st)
	if len(items) == 0 {
		return false, nil
	}
	if c, ok := m.(updateChecker); ok && !returns && c.checkableUpdates() && r.serverCheck && len(items) == 1 {
		items[0] = r.serverChecked(items[0], staleCheck{"update", st.key, 1})
	} else {
		r.checked = true
	}
	r.items = append(r.items, items...)
	return true, nil
}

// insertLevels writes new objects of m, level by level.
func (r *run) insertLevels(m Mapper, sts []*state, rels []Relationship) error {
	s := r.s
	levels, err := r.levels(m, sts, rels)
	if err != nil {
		return err
	}
	for _, level := range levels {
		objs := make([]any, len(level))
		for i, st := range level {
			if err := r.syncParents(m, st, rels); err != nil {
				return err
			}
			if err := runHooks(r.ctx, r.s.hooksOf(m), beforeInsert, st.obj); err != nil {
				return err
			}
			objs[i] = st.obj
		}
		if level[0].mi.stampsInsert {
			for _, st := range level {
				r.stamped = append(r.stamped, stamp{st, m.Snapshot(st.obj)})
			}
		}
		var items []retort.BatchItem
		returned := false
		if ri, ok := m.(ReturningInserter); ok && r.d == retort.Postgres && len(level) <= returningMaxRows && level[0].mi.readBack != nil {
			// The read-only columns come back with the INSERT, not by a
			// query after the flush.
			items, returned, err = ri.InsertReturning(r.d, objs)
			if err != nil {
				return err
			}
		}
		if !returned {
			if level[0].mi.readBack != nil {
				r.readBack = append(r.readBack, level...)
			}
			if items, err = m.Insert(r.d, objs); err != nil {
				return err
			}
		}
		r.unsent = slices.Grow(r.unsent, len(level))
		for _, st := range level {
			s.record(st)
			if !st.hasKey {
				st.generated = true
				st.unsent = true
				r.unsent = append(r.unsent, st)
			}
		}
		if r.d == retort.Postgres && len(items) > 1 && len(m.Tables()) == 1 && len(rels) == 0 && len(s.hooksOf(m)) == 0 {
			// Several statements of one table's rows in one pipeline
			// (more than 5,000 rows, the size of a chunk): each
			// statement's rows are settled as their keys arrive, while
			// the server runs the next ones. No hook or relationship runs
			// in the middle of the pipeline. Should a later statement or
			// COMMIT fail, the journal undoes these rows with the rest.
			lv := &settling{r: r, m: m, level: level}
			s.ident.reserve(m.IdentityTable(), len(level))
			for i := range items {
				items[i] = lv.after(items[i])
			}
			r.items = append(r.items, items...)
			r.done = append(r.done, lv.rest)
			continue
		}
		r.items = append(r.items, items...)
		r.done = append(r.done, func() error {
			_, err := r.inserted(m, level, rels, false)
			return err
		})
	}
	return nil
}

// settling is a level of inserted rows settled statement by statement.
type settling struct {
	r     *run
	m     Mapper
	level []*state
	n     int // level[:n] is settled
}

// after returns it, settling the rows whose keys have arrived once its
// rows (the generated keys) have been read. A statement that returns no
// rows leaves its rows to rest.
func (lv *settling) after(it retort.BatchItem) retort.BatchItem {
	if rows := it.Rows; rows != nil {
		it.Rows = func(rs retort.Rows) error {
			if err := rows(rs); err != nil {
				return err
			}
			return lv.keyed()
		}
	}
	return it
}

// keyed settles the rows from n on up to the first without its key.
func (lv *settling) keyed() error {
	k, err := lv.r.inserted(lv.m, lv.level[lv.n:], nil, true)
	lv.n += k
	return err
}

// rest settles the rows left once every statement has succeeded.
func (lv *settling) rest() error {
	if lv.n == len(lv.level) {
		return nil
	}
	_, err := lv.r.inserted(lv.m, lv.level[lv.n:], nil, false)
	lv.n = len(lv.level)
	return err
}

// levels splits new rows into levels so that a row's parents among them come
// in an earlier level (a tree written root first). Each row's depth is found
// once, by a memoized walk up its parents: linear in the number of rows, so a
// chain of 10,000 self-referencing rows is ordered at once.
func (r *run) levels(m Mapper, sts []*state, rels []Relationship) ([][]*state, error) {
	if len(rels) == 0 {
		return [][]*state{sts}, nil
	}
	inSet := make(map[any]*state, len(sts))
	for _, st := range sts {
		inSet[st.obj] = st
	}
	const visiting = -1
	depth := make(map[*state]int, len(sts))
	var cycle, self bool
	var walk func(st *state) int
	walk = func(st *state) int {
		if d, ok := depth[st]; ok {
			if d == visiting {
				cycle = true
				return 0
			}
			return d
		}
		depth[st] = visiting
		d := 0
		for _, rel := range rels {
			rel.Parents(st.obj, func(p any) {
				if ps := inSet[p]; ps == st && !st.hasKey {
					self = true
				} else if ps != nil && ps != st {
					d = max(d, walk(ps)+1)
				}
			})
		}
		depth[st] = d
		return d
	}
	var levels [][]*state
	for _, st := range sts { // sts is in add order: each level keeps it
		d := walk(st)
		if cycle {
			return nil, fmt.Errorf("rows of %s reference each other in a cycle", m.IdentityTable())
		}
		if self {
			// Its key is the database's, so the reference would be written
			// as zero (or NULL): set it after a first flush.
			return nil, fmt.Errorf("a new row of %s references itself, and its key is generated: set the reference after the row is flushed", m.IdentityTable())
		}
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = push(levels[d], st)
	}
	return levels, nil
}

// inserted settles inserted objects once their statements succeeded and
// returns how many it settled: all of level, or with partial, those before
// the first whose key has not arrived yet (whose statement is still to be
// read; the caller has reserved the identity map's room).
func (r *run) inserted(m Mapper, level []*state, rels []Relationship, partial bool) (int, error) {
	s := r.s
	for i, st := range level {
		k, ok := m.Key(st.obj)
		if !ok {
			if partial {
				level = level[:i]
				break
			}
			return 0, fmt.Errorf("no key for a new row of %s", m.IdentityTable())
		}
		st.key, st.hasKey = k, true
	}
	b, batched := m.(batchSnapshotter)
	if batched {
		b.snapshotStates(level)
	}
	if !partial {
		s.ident.reserve(m.IdentityTable(), len(level))
	}
	for _, st := range level {
		st.status = Persistent
		if !batched {
			st.snap = m.Snapshot(st.obj)
		}
		s.ident.set(st.key, st)
		for _, rel := range rels {
			rel.Flushed(st.obj)
		}
	}
	// The hooks run once every object is settled, so that a hook's error
	// leaves none half-settled (after a COMMIT, none to be written again).
	var first error
	if hooks := r.s.hooksOf(m); len(hooks) > 0 {
		for _, st := range level {
			if err := runHooks(r.ctx, hooks, afterInsert, st.obj); err != nil {
				if !r.afterCommit {
					return len(level), err
				}
				if first == nil {
					first = err
				}
			}
		}
	}
	return len(level), first
}

func (r *run) updates(m Mapper, sts []*state) error {
	rels := r.s.relsOf(m)
	for _, st := range sts {
		if err := r.syncParents(m, st, rels); err != nil {
			return err
		}
		if !m.Changed(st.obj, st.snap) {
			if len(rels) > 0 {
				for _, rel := range rels {
					rel.Flushed(st.obj)
				}
			}
			continue
		}
		if err := runHooks(r.ctx, r.s.hooksOf(m), beforeUpdate, st.obj); err != nil {
			return err
		}
		if st.mi.stampsUpdate {
			r.stamped = append(r.stamped, stamp{st, m.Snapshot(st.obj)})
		}
		sent, err := r.queueUpdate(m, st, st.snap)
		if err != nil {
			return err
		}
		r.done = append(r.done, func() error {
			if u, ok := m.(updatedHook); ok && sent {
				if err := u.Updated(st.obj, st.snap); err != nil {
					return err
				}
			}
			st.snap = m.Snapshot(st.obj)
			for _, rel := range rels {
				rel.Flushed(st.obj)
			}
			return runHooks(r.ctx, r.s.hooksOf(m), afterUpdate, st.obj)
		})
	}
	return nil
}

func (r *run) deletes(m Mapper, sts []*state) error {
	if len(sts) == 0 {
		return nil
	}
	s := r.s
	if len(r.switched) > 0 {
		// Rows a new object took over (switchRows) are not deleted.
		sts = slices.DeleteFunc(slices.Clone(sts), func(st *state) bool { return r.switched[st] })
		if len(sts) == 0 {
			return nil
		}
	}
	if o, ok := m.(deleteOrderer); ok {
		o.orderDeletes(sts)
	}
	objs := make([]any, len(sts))
	snaps := make([]any, len(sts))
	for i, st := range sts {
		if err := runHooks(r.ctx, r.s.hooksOf(m), beforeDelete, st.obj); err != nil {
			return err
		}
		objs[i], snaps[i] = st.obj, st.snap
	}
	if dc, ok := m.(deleteChecker); ok && r.serverCheck && dc.plainTable() == m {
		items, checks, err := dc.deleteItems(r.d, snaps)
		if err != nil {
			return err
		}
		clientChecked(items, checks) // kept in r.plain, for a statement run alone
		for i := range items {
			items[i] = r.serverChecked(items[i], checks[i])
		}
		r.items = append(r.items, items...)
	} else {
		items, err := m.Delete(r.d, objs, snaps)
		if err != nil {
			return err
		}
		r.items = append(r.items, items...)
		r.checked = true
	}
	for _, st := range sts {
		s.record(st)
	}
	r.done = append(r.done, func() error {
		if s.related {
			for _, st := range sts {
				r.deleted = append(r.deleted, st.obj)
			}
		}
		for _, st := range sts {
			st.flushed = true
			s.ident.drop(st.key, st)
			if err := runHooks(r.ctx, r.s.hooksOf(m), afterDelete, st.obj); err != nil {
				return err
			}
		}
		return nil
	})
	return nil
}
