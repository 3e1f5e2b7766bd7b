package rel

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// ManyToMany declares a many-to-many relationship between O and T through
// the association table named table, whose rows hold the key of an O (left,
// O's primary key) and the key of a T (right, T's primary key). It declares
// that table too: two columns, each a foreign key (ON DELETE CASCADE),
// together the primary key. Give [ToMany.Table] to retort.CreateAll.
//
//	var ChildTags = rel.ManyToMany(ChildID, TagID, "child_tag", func(c *Child) *rel.Set[Tag] { return &c.Tags })
//
// Adding an object to the collection inserts an association row at the next
// flush (all of a flush's rows in one statement per table and chunk);
// removing one deletes its row. Declare the reverse side with
// [ToMany.Backref]. Composite keys are not supported yet.
func ManyToMany[O, T any, KO, KT comparable](left *retort.Column[O, KO], right *retort.Column[T, KT], table string, field func(*O) *Many[T], opts ...Option) *ToMany[O, T] {
	singleKey(left)
	singleKey(right)
	b := newBase(left.TableName(), right.TableName(), right.Name(), opts)
	cols := b.assocCols
	if cols[0] == "" {
		cols = [2]string{localName(left.TableName()) + "_" + left.Name(), localName(right.TableName()) + "_" + right.Name()}
	}
	if cols[0] == cols[1] {
		panic(fmt.Sprintf("rel: many-to-many %q: both association columns are named %q: name them with rel.AssocColumns", table, cols[0]))
	}
	a := newAssoc(table, left, right, cols)
	r := &m2m[O, T, KO, KT]{base: b, opk: left, tpk: right, field: field, owner: left.Table(), target: right.Table(),
		assoc: table, ownerCol: cols[0], targetCol: cols[1], sch: a.table, lm: a.mapper}
	r.newRow = a.row
	r.keyRow = func(ko KO, kt KT) any { return &link[KO, KT]{A: ko, B: kt} }
	r.ownerIn = func(ks []KO) retort.Expr[bool] { return a.colA.In(ks...) }
	r.targetIn = func(ks []KT) retort.Expr[bool] { return a.colB.In(ks...) }
	r.scanOwner = func() (any, func() KO) {
		l := new(link[KO, KT])
		return a.colA.Dest(l), func() KO { return l.A }
	}
	r.scanTarget = func() (any, func() KT) {
		l := new(link[KO, KT])
		return a.colB.Dest(l), func() KT { return l.B }
	}
	r.ownerKey = ownerKeyOf(r.owner)
	session.Relate(r.owner, r)
	register(r.owner, r)
	return &ToMany[O, T]{r: r}
}

// link is a row of an association table: the two keys, and the two objects
// while the row waits for their keys.
type link[A, B comparable] struct {
	A    A
	B    B
	a, b any
	done func() // called once the row is written
}

// assoc is an association table, declared with the orientation of the
// relationship that declared it: A keys objects of OA, B of TB.
type assoc[OA, TB any, A, B comparable] struct {
	table  *retort.Table[link[A, B]]
	colA   *retort.Column[link[A, B], A]
	colB   *retort.Column[link[A, B], B]
	pkA    *retort.Column[OA, A]
	pkB    *retort.Column[TB, B]
	mapper *linkMapper[A, B]
}

func keyOptions(info retort.ColumnInfo) []retort.ColumnOption {
	opts := []retort.ColumnOption{retort.PrimaryKey()}
	if info.Size > 0 {
		opts = append(opts, retort.Size(info.Size))
	}
	return opts
}

func newAssoc[OA, TB any, A, B comparable](name string, left *retort.Column[OA, A], right *retort.Column[TB, B], cols [2]string) *assoc[OA, TB, A, B] {
	t := retort.NewTable[link[A, B]](name)
	a := &assoc[OA, TB, A, B]{table: t, pkA: left, pkB: right}
	a.colA = retort.ColType(t, cols[0], func(l *link[A, B]) *A { return &l.A }, left.Type(), keyOptions(left.Info())...).
		References(left, retort.OnDelete("CASCADE"))
	a.colB = retort.ColType(t, cols[1], func(l *link[A, B]) *B { return &l.B }, right.Type(), keyOptions(right.Info())...).
		References(right, retort.OnDelete("CASCADE"))
	a.mapper = &linkMapper[A, B]{Table: session.TableMapper(t), a: a.colA, b: a.colB}
	session.Relate(t, (*linkRel[OA, TB, A, B])(a))
	return a
}

// row returns a row linking o and t; their keys are filled now if known,
// otherwise at the flush.
func (a *assoc[OA, TB, A, B]) row(o *OA, t *TB, done func()) any {
	l := &link[A, B]{a: o, b: t, done: done}
	if hasKey(a.pkA.Table(), o) {
		l.A, _ = a.pkA.Get(o)
	}
	if hasKey(a.pkB.Table(), t) {
		l.B, _ = a.pkB.Get(t)
	}
	return l
}

// linkRel orders association rows after the rows they link and copies their
// keys.
type linkRel[OA, TB any, A, B comparable] assoc[OA, TB, A, B]

// Cascade implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Cascade(any, func(session.Mapper, any)) {}

// Parents implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Parents(obj any, visit func(any)) {
	l := obj.(*link[A, B])
	if l.a != nil {
		visit(l.a)
	}
	if l.b != nil {
		visit(l.b)
	}
}

// Sync implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Sync(obj any) {
	l := obj.(*link[A, B])
	if o, ok := l.a.(*OA); ok && hasKey(r.pkA.Table(), o) {
		l.A, _ = r.pkA.Get(o)
	}
	if t, ok := l.b.(*TB); ok && hasKey(r.pkB.Table(), t) {
		l.B, _ = r.pkB.Get(t)
	}
}

// Removed implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Removed(any, func(any)) {}

// CascadeDelete implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) CascadeDelete(any, func(any)) {}

// Attach implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Attach(any, *session.Session) {}

// Flushed implements session.Relationship.
func (r *linkRel[OA, TB, A, B]) Flushed(obj any) {
	l := obj.(*link[A, B])
	if l.done != nil {
		l.done()
		l.done = nil
	}
}

// linkMapper is the session mapper of association rows: the plain table
// mapper, with deletes of many rows in one statement.
type linkMapper[A, B comparable] struct {
	*session.Table[link[A, B]]
	a *retort.Column[link[A, B], A]
	b *retort.Column[link[A, B], B]
}

// linkDeleteChunk bounds the rows of one DELETE on SQLite.
const linkDeleteChunk = 400

// Delete implements session.Mapper: DELETE ... WHERE (a, b) IN (...), the
// pairs as two arrays on PostgreSQL, a VALUES list on SQLite.
func (m *linkMapper[A, B]) Delete(d retort.Dialect, objs, snaps []any) ([]retort.BatchItem, error) {
	table := m.RetortTable().Name()
	chunk := len(snaps)
	if d == retort.SQLite {
		chunk = linkDeleteChunk
	}
	var items []retort.BatchItem
	for start := 0; start < len(snaps); start += chunk {
		part := snaps[start:min(len(snaps), start+chunk)]
		as := make([]any, len(part))
		bs := make([]any, len(part))
		for i, s := range part {
			l := s.(*link[A, B])
			var err error
			if as[i], err = m.a.Bind(l); err != nil {
				return nil, err
			}
			if bs[i], err = m.b.Bind(l); err != nil {
				return nil, err
			}
		}
		w := retort.NewWriter(d)
		w.WriteString("DELETE FROM ")
		w.WriteTable(table)
		w.WriteString(" WHERE (")
		w.WriteIdent(m.a.Name())
		w.WriteString(", ")
		w.WriteIdent(m.b.Name())
		w.WriteString(") IN (")
		if d == retort.Postgres {
			w.WriteString("SELECT * FROM unnest(")
			w.WriteArg(as)
			w.WriteString("::" + m.a.Info().ArrayCast() + ", ")
			w.WriteArg(bs)
			w.WriteString("::" + m.b.Info().ArrayCast() + ")")
		} else {
			w.WriteString("VALUES ")
			for i := range part {
				if i > 0 {
					w.WriteString(", ")
				}
				w.WriteString("(")
				w.WriteArg(as[i])
				w.WriteString(", ")
				w.WriteArg(bs[i])
				w.WriteString(")")
			}
		}
		w.WriteString(")")
		n := int64(len(part))
		items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "delete from", Table: table, Result: func(r retort.Result) error {
			if r.RowsAffected != n {
				return &session.StaleError{Op: "delete", Key: session.Key{Table: table}, Matched: r.RowsAffected, Expected: n}
			}
			return nil
		}})
	}
	return items, nil
}

// m2m is a many-to-many relationship, seen from O.
type m2m[O, T any, KO, KT comparable] struct {
	base
	opk                 *retort.Column[O, KO]
	tpk                 *retort.Column[T, KT]
	field               func(*O) *Many[T]
	owner               *retort.Table[O]
	target              *retort.Table[T]
	assoc               string
	ownerCol, targetCol string
	sch                 retort.Schema
	lm                  session.Mapper
	newRow              func(o *O, t *T, done func()) any
	keyRow              func(ko KO, kt KT) any
	ownerIn             func(keys []KO) retort.Expr[bool]
	targetIn            func(keys []KT) retort.Expr[bool]
	scanOwner           func() (any, func() KO)
	scanTarget          func() (any, func() KT)
	back                *m2m[T, O, KT, KO]
}

func (r *m2m[O, T, KO, KT]) owns(obj any) bool { _, ok := obj.(*O); return ok }

func (r *m2m[O, T, KO, KT]) schema() retort.Schema { return r.sch }

func (r *m2m[O, T, KO, KT]) linkBack(other relImpl) {
	b, ok := other.(*m2m[T, O, KT, KO])
	if !ok || b.assoc != r.assoc || b.ownerCol != r.targetCol || b.targetCol != r.ownerCol {
		panicLink(r, other)
	}
	r.back = b
}

func (r *m2m[O, T, KO, KT]) backrefOne(func(*T) *One[O], []Option) *ToOne[T, O] {
	panic(fmt.Sprintf("rel: %s is a many-to-many: its reverse is a many-to-many (use Backref)", r.name))
}

func (r *m2m[O, T, KO, KT]) backrefMany(field func(*T) *Many[O], opts []Option) *ToMany[T, O] {
	b := &m2m[T, O, KT, KO]{base: newBase(r.target.Name(), r.owner.Name(), r.opk.Name(), opts),
		opk: r.tpk, tpk: r.opk, field: field, owner: r.target, target: r.owner,
		assoc: r.assoc, ownerCol: r.targetCol, targetCol: r.ownerCol, sch: r.sch, lm: r.lm,
		ownerIn: r.targetIn, targetIn: r.ownerIn, scanOwner: r.scanTarget, scanTarget: r.scanOwner}
	b.newRow = func(t *T, o *O, done func()) any { return r.newRow(o, t, done) }
	b.keyRow = func(kt KT, ko KO) any { return r.keyRow(ko, kt) }
	b.ownerKey = ownerKeyOf(b.owner)
	session.Relate(b.owner, b)
	register(b.owner, b)
	r.back, b.back = b, r
	return &ToMany[T, O]{r: b}
}

// bind returns o's collection state, making it known as o's.
func (r *m2m[O, T, KO, KT]) bind(o *O) *manyState[T] {
	st := r.field(o).state()
	if st.owner == nil {
		st.owner, st.rel = o, r
		if r.back != nil {
			for _, x := range st.items {
				xs := r.back.bind(x)
				if xs.sess == nil {
					xs.sess = st.sess
				}
				if !xs.contains(o) {
					xs.push(o)
				}
			}
		}
	}
	return st
}

func (r *m2m[O, T, KO, KT]) added(st *manyState[T], x *T) {
	o := st.owner.(*O)
	var xs *manyState[O]
	if r.back != nil {
		xs = r.back.bind(x)
		if xs.sess == nil {
			xs.sess = st.sess
		}
	}
	if !cancelRemoval(st, x) && (xs == nil || !cancelRemoval(xs, o)) {
		st.changes = append(st.changes, change[T]{item: x, add: true})
	}
	if xs != nil && !xs.contains(o) {
		xs.push(o)
	}
}

// cancelRemoval cancels the recorded removal of x from st and reports
// whether it did. A removal whose association row has been deleted (its
// DELETE sent, the record waiting only for the commit) is not undone by
// cancelling: its record is dropped, false is reported, and the caller
// records an addition, which inserts the row again.
func cancelRemoval[T any](st *manyState[T], x *T) bool {
	for i, c := range st.changes {
		if c.item == x && !c.add {
			st.changes = slices.Delete(st.changes, i, i+1)
			return c.row == nil || st.sess == nil || st.sess.StatusOf(c.row) == session.Persistent
		}
	}
	return false
}

func (r *m2m[O, T, KO, KT]) removed(st *manyState[T], x *T) {
	o := st.owner.(*O)
	var xs *manyState[O]
	if r.back != nil {
		xs = r.back.bind(x)
	}
	if !st.cancel(x, true) && (xs == nil || !xs.cancel(o, true)) {
		st.changes = append(st.changes, change[T]{item: x})
	}
	if xs != nil {
		xs.drop(o)
	}
}

func (r *m2m[O, T, KO, KT]) addFor(owner *O, items []*T) {
	r.bind(owner)
	r.field(owner).Add(items...)
}

func (r *m2m[O, T, KO, KT]) removeFor(owner *O, items []*T) {
	r.bind(owner)
	r.field(owner).Remove(items...)
}

// Cascade implements session.Relationship: the collection's objects are
// saved with o, and an association row is added for each object added.
func (r *m2m[O, T, KO, KT]) Cascade(obj any, add func(session.Mapper, any)) {
	o := obj.(*O)
	st := r.bind(o)
	s := st.sess
	tm := mapperOf[T]()
	for _, x := range st.items {
		if s != nil && s.StatusOf(x) == session.Detached {
			continue
		}
		add(tm, x)
	}
	keep := st.changes[:0]
	for _, c := range st.changes {
		if c.add {
			if c.row != nil && s != nil {
				switch s.StatusOf(c.row) {
				case session.Pending:
					keep = append(keep, c)
					continue
				case session.Persistent:
					continue // written
				}
				c.row = nil // the flush that was to write it failed
			}
			if s != nil && s.StatusOf(c.item) == session.Detached {
				continue
			}
			x := c.item
			c.row = r.newRow(o, x, func() { st.cancel(x, true) })
			add(r.lm, c.row)
		}
		keep = append(keep, c)
	}
	clear(st.changes[len(keep):])
	st.changes = keep
}

// Parents implements session.Relationship (association rows have theirs).
func (r *m2m[O, T, KO, KT]) Parents(any, func(any)) {}

// Sync implements session.Relationship.
func (r *m2m[O, T, KO, KT]) Sync(any) {}

// BlocksRowSwitch tells the session that a new object cannot take over the
// row of an object deleted in the same flush (its row switch): the
// association rows the database would delete with the row would stay.
func (r *m2m[O, T, KO, KT]) BlocksRowSwitch(any) bool { return true }

// Removed implements session.Relationship: the association rows of objects
// removed from o's collection are deleted.
func (r *m2m[O, T, KO, KT]) Removed(obj any, del func(any)) {
	o := obj.(*O)
	st := r.bind(o)
	s := st.sess
	keep := st.changes[:0]
	for _, c := range st.changes {
		if !c.add && !r.removeRow(s, o, &c, del) {
			continue
		}
		keep = append(keep, c)
	}
	clear(st.changes[len(keep):])
	st.changes = keep
}

// removeRow deletes the association row of a removal and reports whether to
// keep the record (until the deletion is committed).
func (r *m2m[O, T, KO, KT]) removeRow(s *session.Session, o *O, c *change[T], del func(any)) bool {
	if s == nil {
		return false
	}
	if c.row == nil {
		x := c.item
		if !hasKey(r.owner, o) || !hasKey(r.target, x) || s.StatusOf(x) == session.Pending {
			return false // never linked in the database
		}
		ko, _ := r.opk.Get(o)
		kx, _ := r.tpk.Get(x)
		c.row = s.Register(r.lm, r.keyRow(ko, kx), false)
	}
	switch s.StatusOf(c.row) {
	case session.Persistent:
		del(c.row)
		return true
	case session.Deleted:
		return true
	}
	return false
}

// CascadeDelete implements session.Relationship. The owner's association
// rows go with it (their foreign keys cascade).
func (r *m2m[O, T, KO, KT]) CascadeDelete(obj any, del func(any)) {
	if !r.cascadeDelete {
		return
	}
	if st := r.field(obj.(*O)).own(); st != nil {
		for _, x := range st.items {
			del(x)
		}
	}
}

// Forget implements session.Forgetter: the owner's collection lets go of
// targets a flush deleted, whose association rows the database deleted
// with them (ON DELETE CASCADE); those rows leave the session too.
// A rollback of the deletes puts the targets back, and the session's
// journal the association rows.
func (r *m2m[O, T, KO, KT]) Forget(obj any, gone func(any) bool) func() {
	o := obj.(*O)
	st := r.field(o).own()
	if st == nil {
		return nil
	}
	dropped := st.dropGone(gone)
	for _, x := range dropped {
		if st.sess == nil || !hasKey(r.owner, o) || !hasKey(r.target, x) {
			continue
		}
		ko, _ := r.opk.Get(o)
		kx, _ := r.tpk.Get(x)
		if k, ok := r.lm.Key(r.keyRow(ko, kx)); ok {
			if row, in := st.sess.Lookup(k); in {
				st.sess.Expunge(row)
			}
		}
	}
	return st.undoDrop(dropped)
}

// Attach implements session.Relationship.
func (r *m2m[O, T, KO, KT]) Attach(obj any, s *session.Session) {
	st := r.bind(obj.(*O))
	st.sess = s
	if !st.loaded && s.StatusOf(obj) == session.Pending {
		st.loaded = true
	}
}

// Flushed implements session.Relationship.
func (r *m2m[O, T, KO, KT]) Flushed(any) {}

func (r *m2m[O, T, KO, KT]) mark(owners []any, how Strategy) {
	for _, x := range owners {
		if o, ok := x.(*O); ok {
			st := r.bind(o)
			st.mode, st.modeSet = how, true
		}
	}
}

func (r *m2m[O, T, KO, KT]) load(ctx context.Context, st *manyState[T]) error {
	if st.loaded {
		return nil
	}
	mode := effectiveMany(st)
	if mode == RaiseLoad {
		return r.notLoaded(st.owner, reasonRaise)
	}
	if st.sess == nil {
		return r.notLoaded(st.owner, reasonNoSession)
	}
	owners := []any{st.owner}
	if mode == SelectInLoad || mode == JoinedLoad {
		owners = peers(st.sess, st.owner, func(o *O) bool {
			s := r.field(o).own()
			return s == nil || !s.loaded
		})
	}
	_, err := r.loadIn(ctx, st.sess, owners, nil, nil, false)
	return err
}

// loadIn implements relImpl.
func (r *m2m[O, T, KO, KT]) loadIn(ctx context.Context, s *session.Session, owners []any, joins []*step, where filter, populate bool) ([]any, error) {
	byKey, keys, targets, pre := ownersToLoad(s, owners, r.owner, r.opk, r.bind, len(where) > 0, populate)
	if len(keys) == 0 {
		return targets, nil
	}
	if wl, ok := whereLoader[T](); ok {
		pairs, err := r.loadLinksWhere(ctx, s, wl, keys, byKey, where, populate)
		if err != nil {
			abortLoad(byKey, pre)
			return nil, err
		}
		fill(pairs)
		endLoad(pre)
		seen := map[*T]bool{}
		for _, p := range pairs {
			if !seen[p.obj] {
				seen[p.obj] = true
				targets = append(targets, p.obj)
			}
		}
		return targets, nil
	}
	q := newStmt(s, populate)
	aref := q.ref(r.assoc)
	ref := q.ref(r.target.Name())
	if err := q.addJoins(-1, ref, joins); err != nil {
		abortLoad(byKey, pre)
		return nil, err
	}
	dest, ownerKey := r.scanOwner()
	order := r.orderTerms(ref)
	if len(joins) > 0 {
		order = append(order, qcol(aref, r.ownerCol))
	}
	iq := &inQuery[T, KO]{q: q, table: r.target, ref: ref, lead: qcol(aref, r.ownerCol), leadDest: dest,
		from: fromItem(r.assoc, aref) + " JOIN " + fromItem(r.target.Name(), ref) + " ON " +
			qcol(ref, r.tpk.Name()) + " = " + qcol(aref, r.targetCol),
		in: r.ownerIn, where: where, order: order}
	pairs := make([]pair[T], 0, len(keys)*4)
	seen := map[*T]bool{}
	joined := len(joins) > 0
	err := iq.run(ctx, keys, func(_, obj *T) error {
		st := byKey[ownerKey()]
		if st == nil {
			return nil
		}
		if joined && len(pairs) > 0 && pairs[len(pairs)-1].obj == obj && pairs[len(pairs)-1].st == st {
			return nil
		}
		pairs = append(pairs, pair[T]{st: st, obj: obj})
		if !seen[obj] {
			seen[obj] = true
			targets = append(targets, obj)
		}
		return nil
	})
	if err != nil {
		abortLoad(byKey, pre)
		return nil, err
	}
	fill(pairs)
	endLoad(pre)
	return targets, nil
}

func (r *m2m[O, T, KO, KT]) joiner() joiner { return (*m2mJoin[O, T, KO, KT])(r) }

func (r *m2m[O, T, KO, KT]) joinable() bool { return joinable[T]() }

func (r *m2m[O, T, KO, KT]) hierarchy() bool { _, ok := whereLoader[T](); return ok }

// loadLinksWhere loads the links of the owners keyed by keys from the
// association table, then their targets through wl: two queries per chunk.
func (r *m2m[O, T, KO, KT]) loadLinksWhere(ctx context.Context, s *session.Session, wl session.WhereLoader, keys []KO,
	byKey map[KO]*manyState[T], where filter, populate bool) ([]pair[T], error) {
	type link struct {
		o KO
		t KT
	}
	var links []link
	od, ok := r.scanOwner()
	td, tk := r.scanTarget()
	for start := 0; start < len(keys); start += chunkSize {
		part := keys[start:min(len(keys), start+chunkSize)]
		w := retort.NewWriter(s.Dialect())
		aref := localName(r.assoc)
		w.WriteString("SELECT " + qcol(aref, r.ownerCol) + ", " + qcol(aref, r.targetCol) + " FROM " + retort.QuoteTable(r.assoc) + " WHERE ")
		w.Write(r.ownerIn(part))
		if err := w.Err(); err != nil {
			return nil, err
		}
		err := s.Query(ctx, retort.BatchItem{SQL: w.String(), Args: w.Args(), Rows: func(rows retort.Rows) error {
			for rows.Next() {
				if err := rows.Scan(od, td); err != nil {
					return fmt.Errorf("rel: read %q: %w", r.assoc, err)
				}
				links = append(links, link{ok(), tk()})
			}
			return rows.Err()
		}})
		if err != nil {
			return nil, fmt.Errorf("rel: load %s: %w", r.assoc, err)
		}
	}
	var tkeys []KT
	objs := map[KT]*T{}
	for _, l := range links {
		if _, dup := objs[l.t]; !dup {
			objs[l.t] = nil
			tkeys = append(tkeys, l.t)
		}
	}
	in := func(ks []KT) retort.Expr[bool] { return where.and(r.tpk.In(ks...)) }
	err := loadWhere(ctx, s, wl, tkeys, in, populate, func(loaded, obj *T) {
		k, _ := r.tpk.Get(loaded)
		objs[k] = obj
	})
	if err != nil {
		return nil, err
	}
	pairs := make([]pair[T], 0, len(links))
	for _, l := range links {
		if st, t := byKey[l.o], objs[l.t]; st != nil && t != nil {
			pairs = append(pairs, pair[T]{st: st, obj: t})
		}
	}
	return pairs, nil
}

// m2mJoin is a many-to-many as a joined node.
type m2mJoin[O, T any, KO, KT comparable] m2m[O, T, KO, KT]

func (j *m2mJoin[O, T, KO, KT]) info() *base { return &j.base }

func (j *m2mJoin[O, T, KO, KT]) join(q *stmt, ownerRef string, where filter) string {
	aref := q.ref(j.assoc)
	ref := q.ref(j.target.Name())
	var b strings.Builder
	b.WriteString(" LEFT OUTER JOIN " + fromItem(j.assoc, aref) + " ON " + qcol(aref, j.ownerCol) + " = " + qcol(ownerRef, j.opk.Name()))
	b.WriteString(" LEFT OUTER JOIN " + fromItem(j.target.Name(), ref) + " ON " + qcol(ref, j.tpk.Name()) + " = " + qcol(aref, j.targetCol))
	q.joins.WriteString(b.String())
	q.joins.cond(where, "join "+j.name, j.target.Name(), ref)
	return ref
}

func (j *m2mJoin[O, T, KO, KT]) part(q *stmt, ref string) (part, error) {
	return targetPart(q, j.target, ref)
}

func (j *m2mJoin[O, T, KO, KT]) nodeOrder(ref string) []string { return j.orderTerms(ref) }

func (j *m2mJoin[O, T, KO, KT]) begin(s *session.Session, owner any, partial, populate bool) bool {
	return beginMany((*m2m[O, T, KO, KT])(j).bind(owner.(*O)), s, partial, populate)
}

func (j *m2mJoin[O, T, KO, KT]) add(owner, target any) {
	t := target.(*T)
	st := j.field(owner.(*O)).own()
	if !st.removedPending(t) && !st.contains(t) {
		st.push(t)
	}
}

func (j *m2mJoin[O, T, KO, KT]) end(owner any) { endMany(j.field(owner.(*O)).own()) }

func (j *m2mJoin[O, T, KO, KT]) abort(owner any) { abortMany(j.field(owner.(*O)).own()) }
