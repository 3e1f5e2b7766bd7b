package rel

import (
	"context"
	"iter"
	"slices"

	"github.com/retort-orm/retort/session"
)

// One is a reference to one related object: the field type of the owning
// side of a many-to-one relationship ([ManyToOne]). Its zero value is a
// reference that is not loaded yet; [One.Set] gives it a value.
//
// The state of a One lives behind a pointer that knows which field it
// belongs to: a copy of the struct that holds it (the session's snapshots
// are such copies) is harmless, and a copy used through its own field gets
// its own copy of the state then. A reference built with OneOf and copied
// before either copy is used is shared until one of them is.
type One[T any] struct{ st *oneState[T] }

type oneState[T any] struct {
	field   *One[T] // the field the state belongs to; nil until one claims it
	obj     *T
	loaded  bool // obj is the related object (nil: there is none)
	dirty   bool // the program set obj since the last flush
	mode    Strategy
	modeSet bool // mode overrides the relationship's default
	owner   any
	rel     oneRel[T]
	sess    *session.Session
}

// oneRel is what a One needs from its relationship.
type oneRel[T any] interface {
	info() *base
	get(st *oneState[T]) (*T, error)
	load(ctx context.Context, st *oneState[T]) (*T, error)
	set(st *oneState[T], obj *T)
}

// OneOf returns a reference to obj, for struct literals:
//
//	g := &Grunt{Name: "dilbert", Employer: rel.OneOf(boss)}
func OneOf[T any](obj *T) One[T] {
	return One[T]{st: &oneState[T]{obj: obj, loaded: true, dirty: true}}
}

// own returns the field's state (nil when it has none), claiming it for
// this field. A field copied from another one (a copy of the struct that
// holds it) gets a copy of the state, so copies never disturb each other.
func (o *One[T]) own() *oneState[T] {
	st := o.st
	if st == nil || st.field == o {
		return st
	}
	if st.field != nil {
		st = st.fork()
		o.st = st
	}
	st.field = o
	return st
}

func (o *One[T]) state() *oneState[T] {
	if st := o.own(); st != nil {
		return st
	}
	o.st = &oneState[T]{field: o}
	return o.st
}

// Get returns the related object (nil when there is none) without SQL. An
// object that is not loaded is still found when the session already holds
// the row its foreign key names (an identity-map hit), or when the key is
// NULL. Otherwise Get returns an error matching [ErrNotLoaded]: use
// [One.Load], or load the relationship eagerly ([SelectIn], [Joined]).
func (o *One[T]) Get() (*T, error) {
	st := o.own()
	if st == nil {
		return nil, &NotLoadedError{Reason: "the reference was never set or loaded"}
	}
	if st.rel != nil {
		return st.rel.get(st)
	}
	if st.loaded {
		return st.obj, nil
	}
	return nil, &NotLoadedError{Reason: "the object is in no session"}
}

// Load returns the related object, reading it from the database when it is
// not loaded yet, through the session that loaded (or added) the owner. A
// target already in the session's identity map costs no SQL. A relationship
// that raises ([RaiseLoad], [Raise]) returns an error matching
// [ErrNotLoaded] instead of loading.
func (o *One[T]) Load(ctx context.Context) (*T, error) {
	st := o.own()
	if st != nil && st.rel != nil {
		return st.rel.load(ctx, st)
	}
	return o.Get()
}

// Set makes obj (nil for none) the related object. The foreign key is
// written at the next flush, once obj has a key. When the relationship is
// linked to a collection on the other side ([ToOne.BackPopulates]) and the
// owner is known to it (it was added to or loaded by a session, or set
// through [ToOne.Set]), the owner also moves from its previous target's
// collection to obj's, at once.
func (o *One[T]) Set(obj *T) {
	st := o.state()
	if st.rel != nil {
		st.rel.set(st, obj)
		return
	}
	st.obj, st.loaded, st.dirty = obj, true, true
}

// Loaded reports whether the reference holds its object (or its absence)
// without a load.
func (o *One[T]) Loaded() bool { st := o.own(); return st != nil && st.loaded }

// Many is a collection of related objects: the field type of one-to-many
// and many-to-many relationships. It keeps its objects in order (the order
// they were loaded in, then added) and holds each object once, so it serves
// as both SQLAlchemy's list and set collections; [Set] is the same type under
// the set name. Its zero value is an empty collection that is not loaded;
// [ManyOf] builds one in a struct literal.
//
// Add and Remove are recorded (for foreign keys, association rows and
// delete-orphan) and written at the next flush. Copies of the struct that
// holds a Many behave as with [One].
type Many[T any] struct{ st *manyState[T] }

// Set is [Many] under a name for declarations that read as sets, like the
// seeds' collection_class=set: a Many already holds each object at most
// once.
type Set[T any] = Many[T]

// indexAt is the size from which a collection keeps an index of its objects.
const indexAt = 16

type manyState[T any] struct {
	field   *Many[T]
	items   []*T
	index   map[*T]struct{}
	loaded  bool // items hold what the database has (plus recorded changes)
	partial bool // loaded with conditions (ToMany.Where): items hold a part of it
	mode    Strategy
	modeSet bool
	changes []change[T]
	owner   any
	rel     manyRel[T]
	sess    *session.Session
	n       int  // scratch count while loading
	pre     []*T // objects held before a joined load began
	iters   int  // All loops under way: drop copies items instead of shifting them
	drops   int  // objects dropped so far, so that an All loop sees a Remove
}

// change is an Add or Remove not yet written.
type change[T any] struct {
	item *T
	add  bool
	row  any // many-to-many: the association row that writes the change
}

// manyRel is what a Many needs from its relationship.
type manyRel[T any] interface {
	info() *base
	load(ctx context.Context, st *manyState[T]) error
	added(st *manyState[T], item *T)
	removed(st *manyState[T], item *T)
}

// ManyOf returns a collection holding items, for struct literals:
//
//	c := &Child{Tags: rel.ManyOf(t1, t2)}
func ManyOf[T any](items ...*T) Many[T] {
	var m Many[T]
	st := m.state()
	st.loaded = true
	m.Add(items...)
	return m
}

// SetOf is [ManyOf] under the set name.
func SetOf[T any](items ...*T) Set[T] { return ManyOf(items...) }

// own returns the field's state (nil when it has none), claiming it for
// this field; a copied field gets a copy of the state (see One.own).
func (m *Many[T]) own() *manyState[T] {
	st := m.st
	if st == nil || st.field == m {
		return st
	}
	if st.field != nil {
		st = st.fork()
		m.st = st
	}
	st.field = m
	return st
}

func (m *Many[T]) state() *manyState[T] {
	if st := m.own(); st != nil {
		return st
	}
	m.st = &manyState[T]{field: m}
	return m.st
}

// Add adds items that are not in the collection yet, at its end. A nil item
// is ignored. With a linked relationship on the other side
// ([ToMany.BackPopulates]) the other side follows at once (see [One.Set]).
// On a many-to-many collection that is not loaded, adding an object that is
// linked already inserts its association row again, which the database
// refuses at the flush: load the collection first when in doubt.
func (m *Many[T]) Add(items ...*T) {
	st := m.state()
	for _, x := range items {
		if x == nil || st.contains(x) {
			continue
		}
		st.push(x)
		if st.rel != nil {
			st.rel.added(st, x)
		} else {
			st.recordAdd(x)
		}
	}
}

// Remove removes items from the collection. On a collection that is not
// loaded the removal is recorded all the same, and written at the next
// flush; on a many-to-many, removing an object that is not linked then
// fails the flush with an error matching session.ErrStale (an association
// row was to be deleted and none was), as SQLAlchemy does.
func (m *Many[T]) Remove(items ...*T) {
	st := m.state()
	for _, x := range items {
		if x == nil {
			continue
		}
		had := st.drop(x)
		if !had && st.loaded {
			continue
		}
		if st.rel != nil {
			st.rel.removed(st, x)
		} else {
			st.recordRemove(x)
		}
	}
}

// Replace makes items the collection's contents: objects not among them are
// removed, the others added. Load a collection before replacing its
// contents, or the rows it has not loaded stay.
func (m *Many[T]) Replace(items ...*T) {
	st := m.state()
	keep := make(map[*T]struct{}, len(items))
	for _, x := range items {
		keep[x] = struct{}{}
	}
	var gone []*T
	for _, x := range st.items {
		if _, ok := keep[x]; !ok {
			gone = append(gone, x)
		}
	}
	m.Remove(gone...)
	m.Add(items...)
}

// Contains reports whether obj is in the collection (in memory).
func (m *Many[T]) Contains(obj *T) bool { st := m.own(); return st != nil && st.contains(obj) }

// Len is the number of objects in the collection in memory: on a collection
// that is not loaded, the objects added since.
func (m *Many[T]) Len() int {
	st := m.own()
	if st == nil {
		return 0
	}
	return len(st.items)
}

// All yields the objects of the collection in order. On a collection that is
// not loaded it yields only the objects added since; use [Many.Get] or
// [Many.Load] to tell. The loop's body may Add and Remove: as with a map, a
// removed object not reached yet is not yielded, and one added may or may
// not be.
func (m *Many[T]) All() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		st := m.own()
		if st == nil {
			return
		}
		st.iters++
		defer func() { st.iters-- }()
		drops := st.drops
		for _, x := range st.items {
			if st.drops != drops && !st.contains(x) {
				continue // removed by the loop's body, as a map's range skips deleted keys
			}
			if !yield(x) {
				return
			}
		}
	}
}

// Get returns a copy of the collection's objects, or an error matching
// [ErrNotLoaded] when it is not loaded.
func (m *Many[T]) Get() ([]*T, error) {
	st := m.own()
	if st != nil && st.loaded {
		return slices.Clone(st.items), nil
	}
	return nil, m.notLoaded()
}

func (m *Many[T]) notLoaded() error {
	st := m.own()
	switch {
	case st == nil || st.rel == nil:
		return &NotLoadedError{Reason: "the object is in no session"}
	case effectiveMany(st) == RaiseLoad:
		return st.rel.info().notLoaded(st.owner, reasonRaise)
	case st.sess == nil:
		return st.rel.info().notLoaded(st.owner, reasonNoSession)
	}
	return st.rel.info().notLoaded(st.owner, reasonLoad)
}

// Load reads the collection from the database if it is not loaded, through
// the session that loaded (or added) its owner, keeping the changes made
// since. A relationship whose default strategy is [SelectInLoad] or
// [JoinedLoad] loads it for every object of the owner's type in the session
// at once. A relationship that raises returns an error matching
// [ErrNotLoaded] instead.
func (m *Many[T]) Load(ctx context.Context) error {
	st := m.own()
	if st != nil && st.loaded {
		return nil
	}
	if st == nil || st.rel == nil {
		return m.notLoaded()
	}
	return st.rel.load(ctx, st)
}

// Loaded reports whether the collection holds what the database has.
func (m *Many[T]) Loaded() bool { st := m.own(); return st != nil && st.loaded }

func effectiveMany[T any](st *manyState[T]) Strategy {
	if st.modeSet {
		return st.mode
	}
	if st.rel != nil {
		return st.rel.info().strategy
	}
	return LazyLoad
}

func effectiveOne[T any](st *oneState[T]) Strategy {
	if st.modeSet {
		return st.mode
	}
	if st.rel != nil {
		return st.rel.info().strategy
	}
	return LazyLoad
}

func (st *manyState[T]) contains(x *T) bool {
	if st.index == nil && len(st.items) > indexAt {
		st.index = make(map[*T]struct{}, len(st.items))
		for _, y := range st.items {
			st.index[y] = struct{}{}
		}
	}
	if st.index != nil {
		_, ok := st.index[x]
		return ok
	}
	return slices.Contains(st.items, x)
}

func (st *manyState[T]) push(x *T) {
	st.items = append(st.items, x)
	if st.index != nil {
		st.index[x] = struct{}{}
	}
}

// drop removes x and reports whether it was there.
func (st *manyState[T]) drop(x *T) bool {
	i := slices.Index(st.items, x)
	if i < 0 {
		return false
	}
	if st.iters > 0 {
		// An All loop ranges over the array: leave it as it is.
		st.items = slices.Concat(st.items[:i], st.items[i+1:])
	} else {
		st.items = slices.Delete(st.items, i, i+1)
	}
	st.drops++
	if st.index != nil {
		delete(st.index, x)
	}
	return true
}

// dropGone drops the objects for which gone is true (a flush deleted them;
// see session.Forgetter) without recording a removal, and returns them.
func (st *manyState[T]) dropGone(gone func(any) bool) []*T {
	var dropped []*T
	for _, x := range st.items {
		if gone(x) {
			dropped = append(dropped, x)
		}
	}
	for _, x := range dropped {
		st.drop(x)
	}
	return dropped
}

// undoDrop returns the function putting dropped back (after the objects
// held then), nil when there are none: a rolled-back delete.
func (st *manyState[T]) undoDrop(dropped []*T) func() {
	if len(dropped) == 0 {
		return nil
	}
	return func() {
		for _, x := range dropped {
			if !st.contains(x) {
				st.push(x)
			}
		}
	}
}

// recordAdd records that x was added, cancelling a recorded removal.
func (st *manyState[T]) recordAdd(x *T) {
	if !st.cancel(x, false) {
		st.changes = append(st.changes, change[T]{item: x, add: true})
	}
}

// recordRemove records that x was removed, cancelling a recorded addition.
func (st *manyState[T]) recordRemove(x *T) {
	if !st.cancel(x, true) {
		st.changes = append(st.changes, change[T]{item: x})
	}
}

// cancel drops a recorded change of x of the given kind (add or remove) and
// reports whether there was one.
func (st *manyState[T]) cancel(x *T, add bool) bool {
	for i, c := range st.changes {
		if c.item == x && c.add == add {
			st.changes = slices.Delete(st.changes, i, i+1)
			return true
		}
	}
	return false
}

// note records a change of x without cancelling the opposite one (for
// relationships that read the collection's state at the flush); an equal
// record is not repeated.
func (st *manyState[T]) note(x *T, add bool) {
	for _, c := range st.changes {
		if c.item == x && c.add == add {
			return
		}
	}
	st.changes = append(st.changes, change[T]{item: x, add: add})
}

func (st *manyState[T]) removedPending(x *T) bool {
	for _, c := range st.changes {
		if c.item == x && !c.add {
			return true
		}
	}
	return false
}

// expire makes st, a loaded collection, one to load again
// (session.PopulateExisting): it keeps the objects of its unflushed
// additions, whose records stay, as a collection not loaded holds what was
// added to it; the load appends them after the rows read, and leaves out
// rows whose removal is recorded.
func (st *manyState[T]) expire() {
	var kept []*T
	for _, x := range st.items {
		for _, c := range st.changes {
			if c.item == x && c.add {
				kept = append(kept, x)
				break
			}
		}
	}
	st.items, st.index, st.loaded, st.partial = kept, nil, false, false
}

// fork copies the state for another owner (a copied struct).
func (st *manyState[T]) fork() *manyState[T] {
	return &manyState[T]{items: slices.Clone(st.items), loaded: st.loaded, mode: st.mode, modeSet: st.modeSet,
		changes: slices.Clone(st.changes), sess: st.sess}
}

func (st *oneState[T]) fork() *oneState[T] {
	return &oneState[T]{obj: st.obj, loaded: st.loaded, dirty: st.dirty, mode: st.mode, modeSet: st.modeSet, sess: st.sess}
}
