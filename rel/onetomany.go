package rel

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// OneToMany declares a one-to-many relationship: fk, a column of T's table,
// refers to pk, the primary key of O's table, and field is O's collection.
// It only compiles when both columns hold the same key type K; fk may be
// NULL-able. fk becomes a foreign key to pk if it is not declared as one.
//
//	var BossEmployees = rel.OneToMany(GruntBossID, BossID, func(b *Boss) *rel.Many[Grunt] { return &b.Employees })
//
// Objects added to a collection are saved with their owner and get its key
// at the next flush. Objects removed from it get a NULL foreign key (when
// the column is NULL-able; otherwise they are left as they are) unless the
// relationship cascades DeleteOrphan, which deletes them.
func OneToMany[O, T any, K comparable](fk *retort.Column[T, K], pk *retort.Column[O, K], field func(*O) *Many[T], opts ...Option) *ToMany[O, T] {
	return &ToMany[O, T]{r: newO2M(fk, pk, field, opts)}
}

// o2m is a one-to-many relationship.
type o2m[O, T any, K comparable] struct {
	base
	fk     *retort.Column[T, K]
	pk     *retort.Column[O, K]
	field  func(*O) *Many[T]
	owner  *retort.Table[O]
	target *retort.Table[T]
	back   *m2o[T, O, K]

	// pending maps objects added to a collection to their owner, from the
	// Add (or the flush's cascade) until the owner's key is copied into them,
	// when no linked many-to-one holds the owner.
	pending  sync.Map // *T -> *O
	npending atomic.Int64
}

func newO2M[O, T any, K comparable](fk *retort.Column[T, K], pk *retort.Column[O, K], field func(*O) *Many[T], opts []Option) *o2m[O, T, K] {
	singleKey(pk)
	ensureFK(fk, pk)
	r := &o2m[O, T, K]{fk: fk, pk: pk, field: field, owner: pk.Table(), target: fk.Table()}
	tpk := r.target.PrimaryKey()
	if len(tpk) != 1 {
		panic(fmt.Sprintf("rel: %s: the target table %q needs a single-column primary key (composite keys are not supported yet)", r.target.Name(), r.target.Name()))
	}
	r.base = newBase(r.owner.Name(), r.target.Name(), tpk[0].Name(), opts)
	r.ownerKey = ownerKeyOf(r.owner)
	session.Relate(r.owner, r)
	session.Relate(r.target, (*o2mChild[O, T, K])(r))
	register(r.owner, r)
	return r
}

func (r *o2m[O, T, K]) owns(obj any) bool { _, ok := obj.(*O); return ok }

func (r *o2m[O, T, K]) linkBack(other relImpl) {
	b, ok := other.(*m2o[T, O, K])
	if !ok || b.fk != r.fk || b.pk != r.pk {
		panicLink(r, other)
	}
	r.back = b
}

func (r *o2m[O, T, K]) backrefOne(field func(*T) *One[O], opts []Option) *ToOne[T, O] {
	b := newM2O(r.fk, r.pk, field, opts)
	r.back, b.back = b, r
	return &ToOne[T, O]{r: b}
}

func (r *o2m[O, T, K]) backrefMany(func(*T) *Many[O], []Option) *ToMany[T, O] {
	panic(fmt.Sprintf("rel: %s is a one-to-many: its reverse is a many-to-one (use BackrefOne)", r.name))
}

func (r *o2m[O, T, K]) schema() retort.Schema { return nil }

// bind returns o's collection state, making it known as o's.
func (r *o2m[O, T, K]) bind(o *O) *manyState[T] {
	st := r.field(o).state()
	if st.owner == nil {
		st.owner, st.rel = o, r
		if r.back == nil {
			for _, c := range st.changes {
				if c.add {
					r.setPending(c.item, o)
				}
			}
		} else {
			for _, x := range st.items {
				one := r.back.bind(x)
				if one.sess == nil {
					one.sess = st.sess
				}
				if !one.loaded || one.obj == nil {
					one.obj, one.loaded, one.dirty = o, true, true
				}
			}
		}
	}
	return st
}

func (r *o2m[O, T, K]) added(st *manyState[T], x *T) {
	st.note(x, true)
	o := st.owner.(*O)
	if r.back == nil {
		r.setPending(x, o) // so that a removal from its old owner is no orphan
		return
	}
	one := r.back.bind(x)
	if one.sess == nil {
		one.sess = st.sess
	}
	old := one.obj
	if !one.loaded && one.sess != nil {
		if k, ok := r.fk.Get(x); ok {
			old = lookup[O](one.sess, k)
		}
	}
	one.obj, one.loaded, one.dirty = o, true, true
	if old != nil && old != o {
		ms := r.bind(old)
		if ms.drop(x) || !ms.loaded {
			ms.note(x, false)
		}
	}
}

func (r *o2m[O, T, K]) removed(st *manyState[T], x *T) {
	st.note(x, false)
	if r.back == nil {
		if r.pending.CompareAndDelete(x, st.owner) {
			r.npending.Add(-1)
		}
		return
	}
	one := r.back.bind(x)
	if !one.loaded || one.obj == st.owner {
		one.obj, one.loaded, one.dirty = nil, true, true
	}
}

func (r *o2m[O, T, K]) addFor(owner *O, items []*T) {
	r.bind(owner)
	r.field(owner).Add(items...)
}

func (r *o2m[O, T, K]) removeFor(owner *O, items []*T) {
	r.bind(owner)
	r.field(owner).Remove(items...)
}

// fkIs reports whether x's foreign key holds o's key.
func (r *o2m[O, T, K]) fkIs(x *T, o *O) bool {
	k, ok := r.fk.Get(x)
	if !ok {
		return false
	}
	ko, _ := r.pk.Get(o)
	return k == ko
}

// needSync arranges for x's foreign key to get o's key in this flush.
func (r *o2m[O, T, K]) needSync(o *O, x *T) {
	if r.back != nil {
		one := r.back.bind(x)
		if one.loaded && one.obj != nil && one.obj != o {
			return // the reference names another owner, and wins
		}
		one.obj, one.loaded, one.dirty = o, true, true
		return
	}
	r.setPending(x, o)
}

// setPending records o as x's owner until x gets o's key.
func (r *o2m[O, T, K]) setPending(x *T, o *O) {
	if _, had := r.pending.Swap(x, o); !had {
		r.npending.Add(1)
	}
}

// Cascade implements session.Relationship: the collection's objects are
// saved with o, and those added get o's key.
func (r *o2m[O, T, K]) Cascade(obj any, add func(session.Mapper, any)) {
	o := obj.(*O)
	st := r.bind(o)
	s := st.sess
	tm := mapperOf[T]()
	ownerNew := !hasKey(r.owner, o) || (s != nil && s.StatusOf(o) == session.Pending)
	for _, x := range st.items {
		if s != nil && s.StatusOf(x) == session.Detached {
			continue
		}
		add(tm, x)
		if ownerNew {
			r.needSync(o, x)
		}
	}
	keep := st.changes[:0]
	for _, c := range st.changes {
		if !c.add && r.deleteOrphan && r.pendingOrphan(s, st, o, c.item) {
			s.Expunge(c.item) // never inserted: nothing to delete
			continue
		}
		if c.add {
			if ownerNew || !st.contains(c.item) {
				continue // every object is synced, or it was removed again
			}
			if s != nil && s.StatusOf(c.item) == session.Persistent && r.fkIs(c.item, o) {
				continue // written
			}
			r.needSync(o, c.item)
		}
		keep = append(keep, c)
	}
	clear(st.changes[len(keep):])
	st.changes = keep
}

// pendingOrphan reports whether x, removed from o's collection, is a
// pending object of s that no other owner took: with DeleteOrphan it leaves
// the session instead of being inserted (SQLAlchemy expunges it).
func (r *o2m[O, T, K]) pendingOrphan(s *session.Session, st *manyState[T], o *O, x *T) bool {
	if s == nil || s.StatusOf(x) != session.Pending || st.contains(x) {
		return false
	}
	if r.back != nil {
		if one := r.back.field(x).own(); one != nil && one.loaded && one.obj != nil {
			return false // another owner
		}
	}
	if r.npending.Load() > 0 {
		if _, ok := r.pending.Load(x); ok {
			return false // added to another owner's collection
		}
	}
	if k, ok := r.fk.Get(x); ok {
		var zero K
		if ko, _ := r.pk.Get(o); k != zero && (!hasKey(r.owner, o) || k != ko) {
			return false // its foreign key names another owner
		}
	}
	return true
}

// Parents implements session.Relationship (nothing: see o2mChild).
func (r *o2m[O, T, K]) Parents(any, func(any)) {}

// Sync implements session.Relationship (nothing: see o2mChild).
func (r *o2m[O, T, K]) Sync(any) {}

// BlocksRowSwitch reports whether a new object is kept from taking over
// the row of obj, deleted in the same flush (its row switch). It may take
// it over only when obj's children are loaded, so that its delete has
// deleted them or set their foreign keys to NULL (or there are none):
// children not loaded would stay with the row and pass to the new object,
// where a DELETE would meet them. (A flush loads them for the delete
// first when the delete acts on them: NeedsLoadForDelete.)
func (r *o2m[O, T, K]) BlocksRowSwitch(obj any) bool {
	st := r.field(obj.(*O)).own()
	if st == nil || !st.loaded || st.partial {
		return true
	}
	return !r.cascadeDelete && !r.fk.Nullable() && len(st.items) > 0
}

// Removed implements session.Relationship: objects removed from o's
// collection and given no other owner lose their foreign key, or are
// deleted with DeleteOrphan.
func (r *o2m[O, T, K]) Removed(obj any, del func(any)) {
	o := obj.(*O)
	st := r.bind(o)
	s := st.sess
	keep := st.changes[:0]
	for _, c := range st.changes {
		if c.add || r.processRemoved(s, st, o, c.item, del) {
			keep = append(keep, c)
		}
	}
	clear(st.changes[len(keep):])
	st.changes = keep
}

// processRemoved handles x, removed from o's collection, and reports
// whether to keep the record for the next flush.
func (r *o2m[O, T, K]) processRemoved(s *session.Session, st *manyState[T], o *O, x *T, del func(any)) bool {
	if s == nil || st.contains(x) || !r.fkIs(x, o) {
		return false // back in the collection, or its key already moved
	}
	if r.back != nil {
		if one := r.back.field(x).own(); one != nil && one.loaded && one.obj != nil {
			return false // another owner
		}
	}
	if r.npending.Load() > 0 {
		if _, ok := r.pending.Load(x); ok {
			return false
		}
	}
	status := s.StatusOf(x)
	if r.deleteOrphan {
		switch status {
		case session.Persistent:
			del(x)
			return true // until the deletion is committed
		case session.Deleted:
			return true
		}
		return false
	}
	if status != session.Persistent || !r.fk.Nullable() {
		return false
	}
	r.fk.SetNull(x)
	return true
}

// CascadeDelete implements session.Relationship.
func (r *o2m[O, T, K]) CascadeDelete(obj any, del func(any)) {
	o := obj.(*O)
	st := r.field(o).own()
	if st == nil {
		return
	}
	if r.cascadeDelete {
		for _, x := range st.items {
			del(x)
		}
		return
	}
	if !r.fk.Nullable() {
		return
	}
	for _, x := range st.items {
		if r.fkIs(x, o) {
			r.fk.SetNull(x)
			if r.back != nil {
				one := r.back.bind(x)
				one.obj, one.loaded, one.dirty = nil, true, true
			}
		}
	}
}

// Attach implements session.Relationship.
func (r *o2m[O, T, K]) Attach(obj any, s *session.Session) {
	st := r.bind(obj.(*O))
	st.sess = s
	if !st.loaded && s.StatusOf(obj) == session.Pending {
		st.loaded = true // a new object's collection is what the program put in it
	}
}

// Flushed implements session.Relationship.
func (r *o2m[O, T, K]) Flushed(any) {}

// Forget implements session.Forgetter: the owner's collection lets go of
// children a flush deleted.
func (r *o2m[O, T, K]) Forget(obj any, gone func(any) bool) func() {
	if st := r.field(obj.(*O)).own(); st != nil {
		return st.undoDrop(st.dropGone(gone))
	}
	return nil
}

func (r *o2m[O, T, K]) mark(owners []any, how Strategy) {
	for _, x := range owners {
		if o, ok := x.(*O); ok {
			st := r.bind(o)
			st.mode, st.modeSet = how, true
		}
	}
}

func (r *o2m[O, T, K]) load(ctx context.Context, st *manyState[T]) error {
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

// loading is a collection being loaded: the objects it held before.
type loading[T any] struct {
	st  *manyState[T]
	pre []*T
}

// beginLoad starts loading st: its in-memory objects are kept aside, to be
// appended after the loaded ones.
// ownersToLoad sorts the owners of a collection load: those whose
// collection is loaded (or cannot have rows yet, having no key) give their
// items to targets; the others are to be loaded, by key, each key once.
// pre holds what beginLoad saved of each collection to be loaded.
//
// With populate (session.PopulateExisting) loaded collections are loaded
// again, keeping their unflushed changes; partial says the load has
// conditions (ToMany.Where).
func ownersToLoad[O, T any, K comparable](s *session.Session, owners []any, owner *retort.Table[O], pk *retort.Column[O, K], bind func(*O) *manyState[T], partial, populate bool) (byKey map[K]*manyState[T], keys []K, targets []any, pre []loading[T]) {
	byKey = make(map[K]*manyState[T], len(owners))
	for _, x := range owners {
		o := x.(*O)
		st := bind(o)
		if st.sess == nil {
			st.sess = s
		}
		if !hasKey(owner, o) {
			st.loaded = true // no row can refer to an object not inserted yet
		} else if st.loaded && populate {
			if k, _ := pk.Get(o); byKey[k] == nil {
				st.expire() // once: a second owner of the key finds it loading
			}
		}
		if st.loaded {
			for _, t := range st.items {
				targets = append(targets, t)
			}
			continue
		}
		k, _ := pk.Get(o)
		if _, dup := byKey[k]; dup {
			continue
		}
		byKey[k] = st
		keys = append(keys, k)
		pre = beginLoad(st, pre)
		st.partial = partial
	}
	return byKey, keys, targets, pre
}

func beginLoad[T any](st *manyState[T], list []loading[T]) []loading[T] {
	if len(st.items) > 0 {
		list = append(list, loading[T]{st: st, pre: st.items})
	}
	st.items, st.index, st.loaded, st.n = nil, nil, true, 0
	return list
}

// endLoad appends the objects kept aside.
func endLoad[T any](list []loading[T]) {
	for _, l := range list {
		for _, x := range l.pre {
			if !l.st.contains(x) {
				l.st.push(x)
			}
		}
	}
}

// pair is a loaded object and the collection it belongs to.
type pair[T any] struct {
	st  *manyState[T]
	obj *T
}

// fill appends the pairs' objects to their collections, with one backing
// array for all of them.
func fill[T any](pairs []pair[T]) {
	total := 0
	for _, p := range pairs {
		if p.st.items == nil {
			p.st.n++
			total++
		}
	}
	buf := make([]*T, total)
	for _, p := range pairs {
		st := p.st
		if st.removedPending(p.obj) {
			continue
		}
		if st.items == nil && st.n > 0 {
			st.items = buf[:0:st.n]
			buf = buf[st.n:]
			st.n = 0
		}
		st.push(p.obj)
	}
	for _, p := range pairs {
		p.st.n = 0
	}
}

// loadIn implements relImpl.
func (r *o2m[O, T, K]) loadIn(ctx context.Context, s *session.Session, owners []any, joins []*step, where filter, populate bool) ([]any, error) {
	byKey, keys, targets, pre := ownersToLoad(s, owners, r.owner, r.pk, r.bind, len(where) > 0, populate)
	if len(keys) == 0 {
		return targets, nil
	}
	pairs := make([]pair[T], 0, len(keys)*4)
	joined := len(joins) > 0
	onRow := func(scanned, obj *T) {
		k, _ := r.fk.Get(scanned)
		st := byKey[k]
		if st == nil {
			return
		}
		if joined && len(pairs) > 0 && pairs[len(pairs)-1].obj == obj {
			return // the same row again, for another joined row
		}
		pairs = append(pairs, pair[T]{st: st, obj: obj})
		if r.back != nil {
			one := r.back.bind(obj)
			if one.sess == nil {
				one.sess = s
			}
			if !one.loaded {
				one.obj, one.loaded = st.owner.(*O), true
			}
		}
	}
	in := func(ks []K) retort.Expr[bool] { return r.fk.In(ks...) }
	var err error
	if wl, ok := whereLoader[T](); ok {
		err = loadWhere(ctx, s, wl, keys, func(ks []K) retort.Expr[bool] { return where.and(in(ks)) }, populate, onRow)
	} else {
		q := newStmt(s, populate)
		ref := q.ref(r.target.Name())
		if err := q.addJoins(-1, ref, joins); err != nil {
			abortLoad(byKey, pre)
			return nil, err
		}
		iq := &inQuery[T, K]{q: q, table: r.target, ref: ref, from: fromItem(r.target.Name(), ref), in: in, where: where, order: r.orderTerms(ref)}
		err = iq.run(ctx, keys, func(scanned, obj *T) error { onRow(scanned, obj); return nil })
	}
	if err != nil {
		abortLoad(byKey, pre)
		return nil, err
	}
	fill(pairs)
	endLoad(pre)
	for _, p := range pairs {
		targets = append(targets, p.obj)
	}
	return targets, nil
}

func (r *o2m[O, T, K]) joiner() joiner { return (*o2mJoin[O, T, K])(r) }

func (r *o2m[O, T, K]) joinable() bool { return joinable[T]() }

func (r *o2m[O, T, K]) hierarchy() bool { _, ok := whereLoader[T](); return ok }

// o2mJoin is a one-to-many as a joined node.
type o2mJoin[O, T any, K comparable] o2m[O, T, K]

func (j *o2mJoin[O, T, K]) info() *base { return &j.base }

func (j *o2mJoin[O, T, K]) join(q *stmt, ownerRef string, where filter) string {
	ref := q.ref(j.target.Name())
	q.joins.WriteString(" LEFT OUTER JOIN " + fromItem(j.target.Name(), ref) + " ON " +
		qcol(ref, j.fk.Name()) + " = " + qcol(ownerRef, j.pk.Name()))
	q.joins.cond(where, "join "+j.name, j.target.Name(), ref)
	return ref
}

func (j *o2mJoin[O, T, K]) part(q *stmt, ref string) (part, error) {
	return targetPart(q, j.target, ref)
}

func (j *o2mJoin[O, T, K]) nodeOrder(ref string) []string { return j.orderTerms(ref) }

func (j *o2mJoin[O, T, K]) begin(s *session.Session, owner any, partial, populate bool) bool {
	return beginMany((*o2m[O, T, K])(j).bind(owner.(*O)), s, partial, populate)
}

func (j *o2mJoin[O, T, K]) add(owner, target any) {
	o, t := owner.(*O), target.(*T)
	st := j.field(o).own()
	if st.removedPending(t) || st.contains(t) {
		return
	}
	st.push(t)
	if j.back != nil {
		if one := j.back.bind(t); !one.loaded {
			one.obj, one.loaded = o, true
		}
	}
}

func (j *o2mJoin[O, T, K]) end(owner any) { endMany(j.field(owner.(*O)).own()) }

func (j *o2mJoin[O, T, K]) abort(owner any) { abortMany(j.field(owner.(*O)).own()) }

// beginMany starts a joined load of st; its in-memory objects wait in pre.
// A partial load (a join with conditions) leaves st partial; with populate
// (session.PopulateExisting) a loaded st is loaded again.
func beginMany[T any](st *manyState[T], s *session.Session, partial, populate bool) bool {
	if st.sess == nil {
		st.sess = s
	}
	if st.loaded && populate {
		st.expire()
	}
	if st.loaded {
		return false
	}
	st.pre = st.items
	st.items, st.index, st.loaded, st.partial = nil, nil, true, partial
	return true
}

// abortMany undoes beginMany: st is not loaded, and holds what it held.
func abortMany[T any](st *manyState[T]) {
	st.items, st.index, st.loaded, st.partial, st.pre = st.pre, nil, false, false, nil
}

// abortLoad undoes ownersToLoad's beginning of the loads of byKey's
// collections after their query failed: they are not loaded, and hold
// what they held (a collection given to PopulateExisting, its unflushed
// additions).
func abortLoad[T any, K comparable](byKey map[K]*manyState[T], pre []loading[T]) {
	for _, st := range byKey {
		st.items, st.index, st.loaded, st.partial = nil, nil, false, false
	}
	for _, l := range pre {
		l.st.items = l.pre
	}
}

func endMany[T any](st *manyState[T]) {
	for _, x := range st.pre {
		if !st.contains(x) {
			st.push(x)
		}
	}
	st.pre = nil
}

// o2mChild is the one-to-many seen from its target's table: it orders an
// added object after its new owner and copies the owner's key into it.
type o2mChild[O, T any, K comparable] o2m[O, T, K]

// Cascade implements session.Relationship.
func (c *o2mChild[O, T, K]) Cascade(any, func(session.Mapper, any)) {}

// Parents implements session.Relationship.
func (c *o2mChild[O, T, K]) Parents(obj any, visit func(any)) {
	if c.npending.Load() == 0 {
		return
	}
	if v, ok := c.pending.Load(obj); ok {
		visit(v)
	}
}

// Sync implements session.Relationship.
func (c *o2mChild[O, T, K]) Sync(obj any) {
	if c.npending.Load() == 0 {
		return
	}
	v, ok := c.pending.Load(obj)
	if !ok {
		return
	}
	o := v.(*O)
	if !hasKey(c.owner, o) {
		return
	}
	k, _ := c.pk.Get(o)
	c.fk.Set(obj.(*T), k)
	if c.pending.CompareAndDelete(obj, v) {
		c.npending.Add(-1)
	}
}

// Removed implements session.Relationship.
func (c *o2mChild[O, T, K]) Removed(any, func(any)) {}

// CascadeDelete implements session.Relationship.
func (c *o2mChild[O, T, K]) CascadeDelete(any, func(any)) {}

// Attach implements session.Relationship.
func (c *o2mChild[O, T, K]) Attach(any, *session.Session) {}

// Flushed implements session.Relationship.
func (c *o2mChild[O, T, K]) Flushed(any) {}

func panicLink(r, other relImpl) {
	panic(fmt.Sprintf("rel: BackPopulates: %s and %s are not the two sides of one relationship (same foreign key, or same association table)",
		r.info().name, other.info().name))
}
