package session

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/retort-orm/retort"
)

// ErrStale is matched (errors.Is) by a StaleError: an UPDATE or DELETE of the
// flush matched fewer rows than expected, because another transaction changed
// or deleted the row (with a version column: changed its version).
var ErrStale = errors.New("session: stale data")

// StaleError reports the statement whose rows did not match.
type StaleError struct {
	Op string // "update" or "delete"
	// Key is the row's key; for a statement of several rows (a DELETE
	// of many keys), only Key.Table is set.
	Key      Key
	Matched  int64
	Expected int64
}

// Error names the statement, the key (or the table) and the rows matched.
func (e *StaleError) Error() string {
	if e.Expected > 1 {
		return fmt.Sprintf("session: %s of %d rows of %s matched %d: %v", e.Op, e.Expected, e.Key.Table, e.Matched, ErrStale)
	}
	return fmt.Sprintf("session: %s %s matched %d rows, expected %d: %v", e.Op, e.Key, e.Matched, e.Expected, ErrStale)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

type versionKey struct{}

// Versioned makes col the version column of t, for optimistic concurrency:
// inserts set it to 1 when zero, every UPDATE increments it and matches the
// old value in its WHERE clause, and DELETE matches it too. An UPDATE or
// DELETE that matches no row fails the flush with ErrStale, and nothing of
// that flush is written. Call it at declaration time.
func Versioned[T any](t *retort.Table[T], col *retort.Column[T, int64]) {
	t.SetExtension(versionKey{}, retort.ColumnOf[T](col))
}

func versionOf[T any](t *retort.Table[T]) retort.ColumnOf[T] {
	v, ok := t.Extension(versionKey{})
	if !ok {
		return nil
	}
	return v.(retort.ColumnOf[T])
}

// Relationship makes the session follow links between objects. Package rel
// implements it; Relate registers one on a table. Every method receives an
// object of the table the relationship is registered on.
type Relationship interface {
	// Cascade calls add for each related object to save with obj
	// (save-update cascade), including association-row objects, with the
	// related object's mapper (see MapperOf).
	Cascade(obj any, add func(m Mapper, related any))
	// Parents calls visit for each object whose row obj's row references:
	// those are written first, then Sync fills obj's foreign keys.
	Parents(obj any, visit func(any))
	// Sync copies the keys of obj's parents into its foreign-key fields.
	Sync(obj any)
	// Removed calls del for objects to delete because they were removed
	// from obj's collections (delete-orphan, association rows).
	Removed(obj any, del func(any))
	// CascadeDelete calls del for objects to delete along with obj.
	CascadeDelete(obj any, del func(any))
	// Attach tells the relationship that obj now belongs to s (loaded or
	// added), so that lazy loads can find the session.
	Attach(obj any, s *Session)
	// Flushed is called after a successful flush wrote obj (pending
	// collection changes become the loaded state).
	Flushed(obj any)
}

// Refresher is implemented by relationships that follow an object's
// columns when [Refresh] reloads them (package rel: a reference follows its
// reloaded foreign key, its unflushed change discarded).
type Refresher interface {
	Refreshed(obj any)
}

// Reloader is implemented by relationships whose loaded collections
// [Refresh] reads again (package rel): Reload reads obj's collection from
// the database if it was loaded, through s, keeping its unflushed
// additions and removals.
type Reloader interface {
	Reload(ctx context.Context, s *Session, obj any) error
}

// Forgetter is implemented by relationships whose collections let go of
// the objects a flush deleted: after a flush that deleted rows, the session
// calls Forget for each object in it with such a relationship, gone telling
// the deleted objects. A collection then no longer holds a deleted object,
// and removing it later writes nothing (the database's ON DELETE CASCADE
// removed its association rows with it). Forget returns a function that
// puts back what it let go of (nil if nothing), which the session calls
// if the transaction or savepoint of the deletes is rolled back.
type Forgetter interface {
	Forget(obj any, gone func(any) bool) (undo func())
}

// DeleteLoader is implemented by relationships that act on what the
// database holds when their owner is deleted, not only on what is loaded:
// a delete cascade, or children whose foreign key becomes NULL, over a
// collection not loaded, as SQLAlchemy's unit of work loads it (unless
// passive_deletes). Before a flush writes its deletes, it asks each deleted
// object's relationships; it loads with one LoadForDelete per relationship
// for all the objects that need it, then calls CascadeDelete again for
// every deleted object, and looks at the objects that deletes in turn.
type DeleteLoader interface {
	// NeedsLoadForDelete reports whether obj's related objects must be
	// loaded before obj's delete is written.
	NeedsLoadForDelete(obj any) bool
	// LoadForDelete loads the related objects of objs (deleted objects
	// for which NeedsLoadForDelete said so) through s.
	LoadForDelete(ctx context.Context, s *Session, objs []any) error
}

type relKey struct{}

// Relate registers r on t.
func Relate[T any](t *retort.Table[T], r Relationship) {
	var rs []Relationship
	if v, ok := t.Extension(relKey{}); ok {
		rs = v.([]Relationship)
	}
	t.SetExtension(relKey{}, append(rs[:len(rs):len(rs)], r))
}

// relsOf returns the relationships of a mapper's tables, cached for the
// session (they are registered at declaration time).
func (s *Session) relsOf(m Mapper) []Relationship { return s.infoOf(m).rels }

// infoOf returns m with its relationships, made once per session.
func (s *Session) infoOf(m Mapper) *mapperInfo {
	if s.lastInfo != nil && s.lastInfo.m == m {
		return s.lastInfo
	}
	mi, ok := s.infos[m]
	if !ok {
		mi = &mapperInfo{m: m, rels: relationships(m)}
		if rb, ok := m.(ReadBacker); ok && rb.ReadsBack() {
			mi.readBack = rb
		}
		if sm, ok := m.(Stamper); ok {
			mi.stampsInsert, mi.stampsUpdate = sm.Stamps()
		}
		// The batch comparison skips relationships' Sync: only for a
		// mapper without them.
		if b, ok := m.(changeBatcher); ok && b.batchMapper() == m && len(mi.rels) == 0 {
			mi.batch = b
		}
		// A session of one mapper (a unit of work of one table) needs no
		// map: lastInfo holds it.
		if s.lastInfo != nil && s.infos == nil {
			s.infos = map[Mapper]*mapperInfo{s.lastInfo.m: s.lastInfo}
		}
		if s.infos != nil {
			s.infos[m] = mi
		}
	}
	s.lastInfo = mi
	return mi
}

// relationships returns the relationships of a mapper's tables.
func relationships(m Mapper) []Relationship {
	var out []Relationship
	for _, t := range m.Tables() {
		if x, ok := t.(interface {
			Extension(key any) (any, bool)
		}); ok {
			if v, ok := x.Extension(relKey{}); ok {
				out = append(out, v.([]Relationship)...)
			}
		}
	}
	return out
}

// Hook kinds for per-table hooks.
type hookKind int

const (
	beforeInsert hookKind = iota
	afterInsert
	beforeUpdate
	afterUpdate
	beforeDelete
	afterDelete
	hookKinds
)

type hooksKey struct{}

type tableHooks[T any] [hookKinds][]func(context.Context, *T) error

func addHook[T any](t *retort.Table[T], k hookKind, fn func(context.Context, *T) error) {
	h := &tableHooks[T]{}
	if v, ok := t.Extension(hooksKey{}); ok {
		old := v.(*tableHooks[T])
		*h = *old
	}
	h[k] = append(h[k][:len(h[k]):len(h[k])], fn)
	t.SetExtension(hooksKey{}, h)
	hookGen.Add(1)
}

// runHooks runs the hooks of kind k registered on any table of m for obj.
// hookGen counts hook registrations (in any table): a session looks a
// mapper's hooks up once and again only after a registration.
var hookGen atomic.Int64

// lookupHooks returns the hooks registered on m's tables.
func lookupHooks(m Mapper) []hookRunner {
	var out []hookRunner
	for _, t := range m.Tables() {
		x, ok := t.(interface {
			Extension(key any) (any, bool)
		})
		if !ok {
			continue
		}
		v, ok := x.Extension(hooksKey{})
		if !ok {
			continue
		}
		if r, ok := v.(hookRunner); ok {
			out = append(out, r)
		}
	}
	return out
}

// hooksOf returns m's hooks, cached in the session: a flush runs them
// before and after every row it writes, and looking them up in the tables'
// extensions each time cost more than the rest of settling an inserted row.
func (s *Session) hooksOf(m Mapper) []hookRunner {
	mi := s.infoOf(m)
	if g := hookGen.Load(); !mi.hooked || mi.hookGen != g {
		mi.hooks, mi.hookGen, mi.hooked = lookupHooks(m), g, true
	}
	return mi.hooks
}

func runHooks(ctx context.Context, hooks []hookRunner, k hookKind, obj any) error {
	for _, h := range hooks {
		if err := h.run(ctx, k, obj); err != nil {
			return err
		}
	}
	return nil
}

func (h *tableHooks[T]) run(ctx context.Context, k hookKind, obj any) error {
	o, ok := obj.(*T)
	if !ok {
		return nil
	}
	for _, fn := range h[k] {
		if err := fn(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// BeforeInsert registers fn to run on each object of t before the flush
// that inserts it; an error fails the flush.
func BeforeInsert[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, beforeInsert, fn)
}

// AfterInsert registers fn to run after the flush inserted obj (its
// generated key is set).
func AfterInsert[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, afterInsert, fn)
}

// BeforeUpdate registers fn to run before a changed object is updated. It
// may change the object further (a modified-at stamp, say).
func BeforeUpdate[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, beforeUpdate, fn)
}

// AfterUpdate registers fn to run after the flush updated obj.
func AfterUpdate[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, afterUpdate, fn)
}

// BeforeDelete registers fn to run before obj is deleted.
func BeforeDelete[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, beforeDelete, fn)
}

// AfterDelete registers fn to run after the flush deleted obj.
func AfterDelete[T any](t *retort.Table[T], fn func(ctx context.Context, obj *T) error) {
	addHook(t, afterDelete, fn)
}
