package session

import (
	"context"
	"sync/atomic"

	"github.com/retort-orm/retort"
)

// This file is the seam package inherit plugs into: one mapper persists the
// objects of a whole class hierarchy (Employee, *Boss, *Grunt: several Go
// types), while relationships and hooks are registered per table and expect
// that table's Go type. ClassTable adapts them.

// ClassTable presents t, one table of a class hierarchy, in the Tables of a
// Mapper whose objects have several Go types (package inherit). The
// relationships ([Relate]) and hooks ([BeforeInsert] and the others)
// registered on t are called only for the objects that view accepts, and
// receive what view returns: the object seen as t's Go type (for a subclass
// object, a pointer to the struct it embeds). Info is t's.
//
// t must be a *retort.Table; view must be safe for concurrent use.
func ClassTable(t retort.Schema, view func(obj any) (any, bool)) retort.Schema {
	ext, _ := t.(interface {
		Extension(key any) (any, bool)
	})
	return &classTable{Schema: t, ext: ext, view: view}
}

type classTable struct {
	retort.Schema
	ext   interface{ Extension(key any) (any, bool) }
	view  func(obj any) (any, bool)
	rels  atomic.Pointer[relCache]
	hooks atomic.Pointer[hookCache]
}

// relCache remembers the adapted form of the table's relationship list;
// Relate always stores a new slice, so the first element's address and the
// length identify the list.
type relCache struct {
	first   *Relationship
	n       int
	adapted any // []Relationship, boxed once: boxing a slice allocates
}

type hookCache struct {
	orig    any
	adapted any
}

// hookRunner runs one table's hooks of a kind.
type hookRunner interface {
	run(ctx context.Context, k hookKind, obj any) error
}

// Extension returns t's extension value, adapted when it is the session's
// relationships or hooks.
func (c *classTable) Extension(key any) (any, bool) {
	if c.ext == nil {
		return nil, false
	}
	v, ok := c.ext.Extension(key)
	if !ok {
		return v, ok
	}
	switch key.(type) {
	case relKey:
		rs, _ := v.([]Relationship)
		if len(rs) == 0 {
			return rs, true
		}
		if rc := c.rels.Load(); rc != nil && rc.first == &rs[0] && rc.n == len(rs) {
			return rc.adapted, true
		}
		adapted := make([]Relationship, len(rs))
		for i, r := range rs {
			adapted[i] = classRel{r: r, view: c.view}
		}
		rc := &relCache{first: &rs[0], n: len(rs), adapted: adapted}
		c.rels.Store(rc)
		return rc.adapted, true
	case hooksKey:
		h, isRunner := v.(hookRunner)
		if !isRunner {
			return v, true
		}
		if hc := c.hooks.Load(); hc != nil && hc.orig == v {
			return hc.adapted, true
		}
		hc := &hookCache{orig: v, adapted: classHooks{h: h, view: c.view}}
		c.hooks.Store(hc)
		return hc.adapted, true
	}
	return v, ok
}

// classRel calls a relationship of one table of a hierarchy with the objects
// of that table's class.
type classRel struct {
	r    Relationship
	view func(any) (any, bool)
}

func (c classRel) Cascade(obj any, add func(m Mapper, related any)) {
	if o, ok := c.view(obj); ok {
		c.r.Cascade(o, add)
	}
}

func (c classRel) Parents(obj any, visit func(any)) {
	if o, ok := c.view(obj); ok {
		c.r.Parents(o, visit)
	}
}

func (c classRel) Sync(obj any) {
	if o, ok := c.view(obj); ok {
		c.r.Sync(o)
	}
}

func (c classRel) Removed(obj any, del func(any)) {
	if o, ok := c.view(obj); ok {
		c.r.Removed(o, del)
	}
}

func (c classRel) CascadeDelete(obj any, del func(any)) {
	if o, ok := c.view(obj); ok {
		c.r.CascadeDelete(o, del)
	}
}

func (c classRel) Attach(obj any, s *Session) {
	if o, ok := c.view(obj); ok {
		c.r.Attach(o, s)
	}
}

func (c classRel) Flushed(obj any) {
	if o, ok := c.view(obj); ok {
		c.r.Flushed(o)
	}
}

// Refreshed implements Refresher when the relationship does.
func (c classRel) Refreshed(obj any) {
	if rf, ok := c.r.(Refresher); ok {
		if o, ok := c.view(obj); ok {
			rf.Refreshed(o)
		}
	}
}

// Reload implements Reloader when the relationship does.
func (c classRel) Reload(ctx context.Context, s *Session, obj any) error {
	if rl, ok := c.r.(Reloader); ok {
		if o, ok := c.view(obj); ok {
			return rl.Reload(ctx, s, o)
		}
	}
	return nil
}

// NeedsLoadForDelete implements DeleteLoader when the relationship does.
func (c classRel) NeedsLoadForDelete(obj any) bool {
	dl, ok := c.r.(DeleteLoader)
	if !ok {
		return false
	}
	o, ok := c.view(obj)
	return ok && dl.NeedsLoadForDelete(o)
}

// LoadForDelete implements DeleteLoader when the relationship does.
func (c classRel) LoadForDelete(ctx context.Context, s *Session, objs []any) error {
	dl, ok := c.r.(DeleteLoader)
	if !ok {
		return nil
	}
	views := make([]any, 0, len(objs))
	for _, obj := range objs {
		if o, ok := c.view(obj); ok {
			views = append(views, o)
		}
	}
	return dl.LoadForDelete(ctx, s, views)
}

// Forget implements Forgetter when the relationship does.
func (c classRel) Forget(obj any, gone func(any) bool) func() {
	f, ok := c.r.(Forgetter)
	if !ok {
		return nil
	}
	if o, ok := c.view(obj); ok {
		return f.Forget(o, gone)
	}
	return nil
}

// classHooks runs the hooks of one table of a hierarchy for the objects of
// that table's class.
type classHooks struct {
	h    hookRunner
	view func(any) (any, bool)
}

func (c classHooks) run(ctx context.Context, k hookKind, obj any) error {
	if o, ok := c.view(obj); ok {
		return c.h.run(ctx, k, o)
	}
	return nil
}

// VersionColumn returns the column [Versioned] made t's version column, or
// nil. Mappers of their own (package inherit) use it.
func VersionColumn[T any](t *retort.Table[T]) retort.ColumnOf[T] { return versionOf(t) }

// KeyValues returns the values of the n key columns that k holds: the
// inverse of a Mapper's KeyOf, for mappers that load by key (package
// inherit). Keys of more than MaxKeyColumns columns are not supported.
func KeyValues(k Key, n int) []any {
	vals := k.Values()
	return vals[:min(n, len(vals)):min(n, len(vals))]
}

// WhereLoader is implemented by a Mapper whose objects span several tables
// (package inherit's, for a class hierarchy). A package that loads objects
// its own way (package rel, for a relationship's targets) should load
// through it when the mapper has it, so that every table's columns are read
// and each object is of its most specific class; reading the target's table
// alone would register objects with the other tables' fields empty.
type WhereLoader interface {
	// LoadWhere returns the objects of the class whose Go type is typ's
	// (a nil pointer such as (*Boss)(nil)), and of its subclasses, that
	// match where, which may use the columns of that class's tables. The
	// objects are not registered in any session.
	LoadWhere(ctx context.Context, db retort.DB, typ any, where retort.Expr[bool]) ([]any, error)
}
