package rel

import (
	"context"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// ManyToOne declares a many-to-one relationship: fk, a column of O's table,
// refers to pk, the primary key of T's table, and field is O's reference.
// It only compiles when both columns hold the same key type K; fk may be
// NULL-able (declared with retort.NullCol). fk becomes a foreign key to pk
// if it is not declared as one. Declare relationships as package-level
// variables, after the tables:
//
//	var GruntEmployer = rel.ManyToOne(GruntBossID, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer })
//
// Composite keys are not supported yet.
func ManyToOne[O, T any, K comparable](fk *retort.Column[O, K], pk *retort.Column[T, K], field func(*O) *One[T], opts ...Option) *ToOne[O, T] {
	return &ToOne[O, T]{r: newM2O(fk, pk, field, opts)}
}

// m2o is a many-to-one relationship.
type m2o[O, T any, K comparable] struct {
	base
	fk     *retort.Column[O, K]
	pk     *retort.Column[T, K]
	field  func(*O) *One[T]
	owner  *retort.Table[O]
	target *retort.Table[T]
	back   *o2m[T, O, K]
}

func newM2O[O, T any, K comparable](fk *retort.Column[O, K], pk *retort.Column[T, K], field func(*O) *One[T], opts []Option) *m2o[O, T, K] {
	singleKey(pk)
	ensureFK(fk, pk)
	r := &m2o[O, T, K]{fk: fk, pk: pk, field: field, owner: fk.Table(), target: pk.Table()}
	r.base = newBase(r.owner.Name(), r.target.Name(), pk.Name(), opts)
	r.ownerKey = ownerKeyOf(r.owner)
	session.Relate(r.owner, r)
	register(r.owner, r)
	return r
}

func (r *m2o[O, T, K]) owns(obj any) bool { _, ok := obj.(*O); return ok }

func (r *m2o[O, T, K]) linkBack(other relImpl) {
	b, ok := other.(*o2m[T, O, K])
	if !ok || b.fk != r.fk || b.pk != r.pk {
		panicLink(r, other)
	}
	r.back = b
}

func (r *m2o[O, T, K]) backref(field func(*T) *Many[O], opts []Option) *ToMany[T, O] {
	b := newO2M(r.fk, r.pk, field, opts)
	r.back, b.back = b, r
	return &ToMany[T, O]{r: b}
}

// bind returns o's reference state, making it known as o's.
func (r *m2o[O, T, K]) bind(o *O) *oneState[T] {
	st := r.field(o).state()
	if st.owner == nil {
		st.owner, st.rel = o, r
		if r.back != nil && st.loaded && st.obj != nil {
			ms := r.back.bind(st.obj)
			if ms.sess == nil {
				ms.sess = st.sess
			}
			if !ms.contains(o) {
				ms.push(o)
			}
		}
	}
	return st
}

// fresh reports whether a loaded reference still agrees with the foreign
// key (which the program may have changed directly).
func (r *m2o[O, T, K]) fresh(st *oneState[T]) bool {
	if st.dirty {
		return true
	}
	k, ok := r.fk.Get(st.owner.(*O))
	if st.obj == nil {
		return !ok
	}
	tk, _ := r.pk.Get(st.obj)
	return ok && tk == k
}

func (r *m2o[O, T, K]) get(st *oneState[T]) (*T, error) {
	if st.loaded && r.fresh(st) {
		return st.obj, nil
	}
	st.loaded = false
	o := st.owner.(*O)
	k, ok := r.fk.Get(o)
	if !ok {
		st.obj, st.loaded = nil, true
		return nil, nil
	}
	if st.sess == nil {
		return nil, r.notLoaded(o, reasonNoSession)
	}
	if t := lookup[T](st.sess, k); t != nil {
		st.obj, st.loaded = t, true
		return t, nil
	}
	if effectiveOne(st) == RaiseLoad {
		return nil, r.notLoaded(o, reasonRaise)
	}
	return nil, r.notLoaded(o, reasonLoad)
}

func (r *m2o[O, T, K]) load(ctx context.Context, st *oneState[T]) (*T, error) {
	if t, err := r.get(st); err == nil {
		return t, nil
	} else if st.sess == nil || effectiveOne(st) == RaiseLoad {
		return nil, err
	}
	owners := []any{st.owner}
	if m := effectiveOne(st); m == SelectInLoad || m == JoinedLoad {
		owners = peers(st.sess, st.owner, func(o *O) bool {
			s := r.field(o).own()
			return s == nil || !s.loaded
		})
	}
	if _, err := r.loadIn(ctx, st.sess, owners, nil, nil, false); err != nil {
		return nil, err
	}
	if !st.loaded {
		st.obj, st.loaded = nil, true
	}
	return st.obj, nil
}

func (r *m2o[O, T, K]) set(st *oneState[T], obj *T) {
	old := st.obj
	o := st.owner.(*O)
	if !st.loaded && r.back != nil && st.sess != nil {
		if k, ok := r.fk.Get(o); ok {
			old = lookup[T](st.sess, k)
		}
	}
	st.obj, st.loaded, st.dirty = obj, true, true
	if r.back == nil || old == obj {
		return
	}
	if old != nil {
		ms := r.back.bind(old)
		if ms.drop(o) || !ms.loaded {
			ms.note(o, false)
		}
	}
	if obj != nil {
		ms := r.back.bind(obj)
		if ms.sess == nil {
			ms.sess = st.sess
		}
		if !ms.contains(o) {
			ms.push(o)
		}
	}
}

func (r *m2o[O, T, K]) setFor(owner *O, obj *T) {
	r.bind(owner)
	r.field(owner).Set(obj)
}

// Cascade implements session.Relationship.
func (r *m2o[O, T, K]) Cascade(obj any, add func(session.Mapper, any)) {
	st := r.bind(obj.(*O))
	if st.obj == nil {
		return
	}
	t := sessionObject(st.sess, st.obj)
	if st.sess == nil || st.sess.StatusOf(t) != session.Detached {
		add(mapperOf[T](), t)
	}
}

// Parents implements session.Relationship.
func (r *m2o[O, T, K]) Parents(obj any, visit func(any)) {
	if st := r.field(obj.(*O)).own(); st != nil && st.obj != nil {
		visit(sessionObject(st.sess, st.obj))
	}
}

// Sync implements session.Relationship: it writes the target's key into
// the foreign key when the program set the reference, or when the target is
// being inserted.
func (r *m2o[O, T, K]) Sync(obj any) {
	o := obj.(*O)
	st := r.field(o).own()
	if st == nil || !st.loaded {
		return
	}
	if st.obj == nil {
		if st.dirty {
			r.fk.SetNull(o)
		}
		return
	}
	if !st.dirty && (st.sess == nil || st.sess.StatusOf(st.obj) != session.Pending) {
		return
	}
	if hasKey(r.target, st.obj) {
		k, _ := r.pk.Get(st.obj)
		r.fk.Set(o, k)
	}
}

// Removed implements session.Relationship.
func (r *m2o[O, T, K]) Removed(any, func(any)) {}

// Refreshed implements session.Refresher: after session.Refresh reloaded
// the owner's columns, the reference follows the foreign key, discarding an
// unflushed change, and the owner moves between linked collections as
// setting the reference would move it; a target the session does not hold
// is left to load.
func (r *m2o[O, T, K]) Refreshed(obj any) {
	o := obj.(*O)
	st := r.field(o).own()
	if st == nil || !st.loaded {
		return
	}
	k, ok := r.fk.Get(o)
	var target *T
	if ok && st.sess != nil {
		target = lookup[T](st.sess, k)
	}
	r.set(st, target)
	st.dirty = false
	if ok && target == nil {
		st.obj, st.loaded = nil, false
	}
}

// CascadeDelete implements session.Relationship.
func (r *m2o[O, T, K]) CascadeDelete(obj any, del func(any)) {
	if !r.cascadeDelete {
		return
	}
	if st := r.field(obj.(*O)).own(); st != nil && st.obj != nil {
		del(st.obj)
	}
}

// Attach implements session.Relationship.
func (r *m2o[O, T, K]) Attach(obj any, s *session.Session) { r.bind(obj.(*O)).sess = s }

// Flushed implements session.Relationship.
func (r *m2o[O, T, K]) Flushed(obj any) {
	if st := r.field(obj.(*O)).own(); st != nil {
		st.dirty = false
	}
}

func (r *m2o[O, T, K]) mark(owners []any, how Strategy) {
	for _, x := range owners {
		if o, ok := x.(*O); ok {
			st := r.bind(o)
			st.mode, st.modeSet = how, true
		}
	}
}

// loadIn implements relImpl: targets already in the identity map cost no
// SQL.
// A many-to-one has no conditions (only ToMany.Where makes them).
func (r *m2o[O, T, K]) loadIn(ctx context.Context, s *session.Session, owners []any, joins []*step, _ filter, populate bool) ([]any, error) {
	need := map[K][]*oneState[T]{}
	var keys []K
	var targets []any
	seen := map[*T]bool{}
	collect := func(t *T) {
		if t != nil && !seen[t] {
			seen[t] = true
			targets = append(targets, t)
		}
	}
	for _, x := range owners {
		o := x.(*O)
		st := r.bind(o)
		if st.sess == nil {
			st.sess = s
		}
		if st.loaded && r.fresh(st) && !populate {
			collect(st.obj)
			continue
		}
		k, ok := r.fk.Get(o)
		if !ok {
			st.obj, st.loaded = nil, true
			continue
		}
		if _, dup := need[k]; !dup {
			keys = append(keys, k)
		}
		need[k] = append(need[k], st)
	}
	// Targets the session holds need no SQL, unless they are to be read
	// again (session.PopulateExisting).
	missing := keys[:0]
	for _, k := range keys {
		if t := lookup[T](s, k); t != nil && !populate {
			for _, st := range need[k] {
				st.obj, st.loaded = t, true
			}
			collect(t)
			continue
		}
		missing = append(missing, k)
	}
	keys = missing
	if len(keys) == 0 {
		return targets, nil
	}
	found := map[K]bool{}
	onRow := func(scanned, obj *T) {
		k, _ := r.pk.Get(scanned)
		if found[k] {
			return // a repeated row of a join
		}
		found[k] = true
		for _, st := range need[k] {
			st.obj, st.loaded = obj, true
		}
		collect(obj)
	}
	in := func(ks []K) retort.Expr[bool] { return r.pk.In(ks...) }
	var err error
	if wl, ok := whereLoader[T](); ok {
		err = loadWhere(ctx, s, wl, keys, in, populate, onRow)
	} else {
		q := newStmt(s, populate)
		ref := q.ref(r.target.Name())
		if err := q.addJoins(-1, ref, joins); err != nil {
			return nil, err
		}
		iq := &inQuery[T, K]{q: q, table: r.target, ref: ref, from: fromItem(r.target.Name(), ref), in: in,
			order: []string{qcol(ref, r.pk.Name())}}
		err = iq.run(ctx, keys, func(scanned, obj *T) error { onRow(scanned, obj); return nil })
	}
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !found[k] {
			for _, st := range need[k] {
				st.obj, st.loaded = nil, true // the row is gone
			}
		}
	}
	return targets, nil
}

func (r *m2o[O, T, K]) joiner() joiner { return (*m2oJoin[O, T, K])(r) }

func (r *m2o[O, T, K]) joinable() bool { return joinable[T]() }

func (r *m2o[O, T, K]) hierarchy() bool { _, ok := whereLoader[T](); return ok }

// m2oJoin is a many-to-one as a joined node.
type m2oJoin[O, T any, K comparable] m2o[O, T, K]

func (j *m2oJoin[O, T, K]) info() *base { return &j.base }

func (j *m2oJoin[O, T, K]) join(q *stmt, ownerRef string, _ filter) string {
	ref := q.ref(j.target.Name())
	q.joins.WriteString(" LEFT OUTER JOIN " + fromItem(j.target.Name(), ref) + " ON " +
		qcol(ref, j.pk.Name()) + " = " + qcol(ownerRef, j.fk.Name()))
	return ref
}

func (j *m2oJoin[O, T, K]) part(q *stmt, ref string) (part, error) {
	return targetPart(q, j.target, ref)
}

func (j *m2oJoin[O, T, K]) begin(s *session.Session, owner any, _, populate bool) bool {
	r := (*m2o[O, T, K])(j)
	st := r.bind(owner.(*O))
	if st.sess == nil {
		st.sess = s
	}
	if st.loaded && r.fresh(st) && !populate {
		return false
	}
	st.loaded = false
	return true
}

func (j *m2oJoin[O, T, K]) add(owner, target any) {
	st := j.field(owner.(*O)).own()
	st.obj, st.loaded = target.(*T), true
}

func (j *m2oJoin[O, T, K]) end(owner any) {
	if st := j.field(owner.(*O)).own(); !st.loaded {
		st.obj, st.loaded = nil, true
	}
}

func (j *m2oJoin[O, T, K]) nodeOrder(string) []string { return nil }

func (j *m2oJoin[O, T, K]) abort(owner any) {
	if st := j.field(owner.(*O)).own(); st != nil {
		st.obj, st.loaded = nil, false
	}
}
