package inherit

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/rowcmp"
	"github.com/retort-orm/retort/session"
)

// ErrUnknownType is wrapped (in a [retort.ColumnError] naming the table, the
// discriminator column and the value) when a row's discriminator value
// belongs to no class of the hierarchy, or to a class that is not the one
// queried.
var ErrUnknownType = errors.New("no class of the hierarchy has this discriminator value")

// Class is one class of a hierarchy mapped with joined-table inheritance: the
// Go type T, the table holding the columns T declares, and the discriminator
// value D its rows carry in the base table. Declare the classes once, as
// package-level variables, after their tables and columns:
//
//	var (
//		Staff  = inherit.Abstract(Employees, EmployeeType)
//		Boss   = inherit.Sub(Staff, Bosses, func(b *Boss) *Employee { return &b.Employee }, "boss")
//		Grunts = inherit.Sub(Staff, GruntTable, func(g *Grunt) *Employee { return &g.Employee }, "grunt")
//	)
//
// D is the discriminator column's Go type: a string, an integer, or an
// enumeration's named type (package enum); any comparable type works.
type Class[T any, D comparable] struct {
	n *node
	t *retort.Table[T]
}

// New declares the root of a hierarchy: the base table t, whose primary key
// every subclass table shares, the discriminator column disc (a column of t)
// and the value that marks rows of T itself. The session persists objects of
// T, and of every subclass declared with [Sub], through the hierarchy's
// mapper.
func New[T any, D comparable](t *retort.Table[T], disc *retort.Column[T, D], value D) *Class[T, D] {
	return newRoot(t, disc, value, false)
}

// Abstract declares the root of a hierarchy that has no rows of its own: every
// row is a subclass. Inserting an object of T itself is an error.
func Abstract[T any, D comparable](t *retort.Table[T], disc *retort.Column[T, D]) *Class[T, D] {
	var zero D
	return newRoot(t, disc, zero, true)
}

func newRoot[T any, D comparable](t *retort.Table[T], disc *retort.Column[T, D], value D, abstract bool) *Class[T, D] {
	if t == nil || disc == nil {
		panic("inherit: New: nil table or discriminator column")
	}
	if disc.Table() != t {
		panic(fmt.Sprintf("inherit: discriminator %s.%s is not a column of table %q", disc.TableName(), disc.Name(), t.Name()))
	}
	h := &hierarchy{disc: disc.Name()}
	// classOf reads a row's discriminator without boxing it (a map index
	// with an interface key does not allocate).
	h.classOf = func(p *plan, base any) (*node, bool) {
		v, ok := disc.Get(base.(*T))
		if !ok {
			return nil, false
		}
		n := p.byValue[v]
		return n, n != nil
	}
	h.m = &mapper{h: h}
	n := newNode(h, t)
	n.abstract = abstract
	if !abstract {
		n.value = value
	}
	h.add(n)
	session.RegisterMapper[T](h.m)
	return &Class[T, D]{n: n, t: t}
}

// Sub declares T, a subclass of parent's type P: T embeds P, embed returns a
// pointer to the embedded P, and t is T's own table, whose primary key is also
// a foreign key to the base table's (declare it with References). Its
// accessors may reach the embedded fields: the key column is usually
//
//	retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey()).References(EmployeeID)
//
// value marks T's rows in the base table. A subclass can have subclasses of
// its own (Employee → Manager → Executive).
func Sub[T, P any, D comparable](parent *Class[P, D], t *retort.Table[T], embed func(*T) *P, value D) *Class[T, D] {
	if parent == nil || t == nil || embed == nil {
		panic("inherit: Sub: nil parent, table or embed function")
	}
	h := parent.n.h
	n := newNode(h, t)
	n.parent = parent.n
	n.depth = parent.n.depth + 1
	if n.depth >= maxDepth {
		panic(fmt.Sprintf("inherit: class %s: hierarchies are at most %d levels deep", n.typeName, maxDepth))
	}
	n.value = value
	n.up = func(obj any) any { return embed(obj.(*T)) }
	h.add(n)
	session.RegisterMapper[T](h.m)
	return &Class[T, D]{n: n, t: t}
}

// Table is the table of the columns T declares (for the root, the base
// table).
func (c *Class[T, D]) Table() *retort.Table[T] { return c.t }

// Value is the discriminator value of T's rows; false for an abstract root.
func (c *Class[T, D]) Value() (D, bool) {
	if c.n.abstract {
		var zero D
		return zero, false
	}
	return c.n.value.(D), true
}

// Tables lists every table of the hierarchy, base first, for
// retort.CreateAll.
func (c *Class[T, D]) Tables() []retort.Schema {
	p := c.n.h.plan()
	out := make([]retort.Schema, len(p.order))
	for i, n := range p.order {
		out[i] = n.ops.schema()
	}
	return out
}

// Mapper is the session mapper shared by every class of the hierarchy.
func (c *Class[T, D]) Mapper() session.Mapper { return c.n.h.m }

// String names the class: its Go type and table.
func (c *Class[T, D]) String() string { return c.n.String() }

// maxDepth bounds a hierarchy's depth, so that the views of an object's
// levels fit an array on the stack.
const maxDepth = 8

// hierarchy is the untyped state shared by the classes of one hierarchy.
type hierarchy struct {
	mu    sync.Mutex
	nodes []*node // declaration order: the root first, parents before children
	disc  string  // the discriminator column's name
	// classOf returns the class a base row's discriminator names.
	classOf func(p *plan, base any) (*node, bool)
	m       *mapper
	cur     atomic.Pointer[plan]
}

func (h *hierarchy) add(n *node) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range h.nodes {
		if o.ops.name() == n.ops.name() {
			panic(fmt.Sprintf("inherit: table %q is already a class of this hierarchy", n.ops.name()))
		}
		if !o.abstract && !n.abstract && o.value == n.value {
			panic(fmt.Sprintf("inherit: classes %s and %s have the same discriminator value %v", o, n, n.value))
		}
	}
	n.h = h
	n.index = len(h.nodes)
	h.nodes = append(h.nodes, n)
	h.cur.Store(nil) // rebuilt at next use
}

// plan returns the hierarchy's resolved mapping, built at first use (when
// every column is declared, whatever the order of package-level variables).
func (h *hierarchy) plan() *plan {
	if p := h.cur.Load(); p != nil {
		return p
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.cur.Load(); p != nil {
		return p
	}
	p := buildPlan(h)
	h.cur.Store(p)
	return p
}

// node is the untyped view of one class: what the mapper and queries need,
// as functions closed over the class's Go type.
type node struct {
	h        *hierarchy
	index    int // in hierarchy.nodes
	parent   *node
	depth    int
	value    any // the discriminator value; nil when abstract
	abstract bool
	typeName string
	ops      tableOps

	is     func(obj any) bool // obj is a *T
	up     func(obj any) any  // *T to the *P it embeds; nil for the root
	newObj func() any         // new(T)
	assign func(dst, src any) // *dst = *src, both *T
	reset  func(obj any)      // *obj = T{}
	clone  func(obj any) any  // a new *T holding a copy of *obj
	// same reports *a == *b (both *T); false if == panics (an interface
	// field holding an incomparable value). nil when T is not comparable.
	same func(a, b any) bool
}

func newNode[T any](h *hierarchy, t *retort.Table[T]) *node {
	var same func(a, b any) bool
	if rowcmp.Comparable[T]() {
		same = func(a, b any) (eq bool) {
			defer func() {
				if recover() != nil {
					eq = false
				}
			}()
			return any(*a.(*T)) == any(*b.(*T))
		}
	}
	return &node{
		same:     same,
		h:        h,
		typeName: fmt.Sprintf("%T", (*T)(nil)),
		ops:      &tableOf[T]{t: t},
		is:       func(obj any) bool { _, ok := obj.(*T); return ok },
		newObj:   func() any { return new(T) },
		assign:   func(dst, src any) { *dst.(*T) = *src.(*T) },
		reset:    func(obj any) { var zero T; *obj.(*T) = zero },
		clone:    func(obj any) any { c := new(T); *c = *obj.(*T); return c },
	}
}

func (n *node) String() string { return fmt.Sprintf("%s (table %q)", n.typeName, n.ops.name()) }

// under reports whether n is a or one of a's subclasses.
func (n *node) under(a *node) bool {
	for c := n; c != nil; c = c.parent {
		if c == a {
			return true
		}
	}
	return false
}

// views is an object's view at every level of its class, indexed by depth:
// views[0] is the base part (*Employee), views[n.depth] the object itself.
type views [maxDepth]any

// levels returns obj's views; n is obj's class.
func (n *node) levels(obj any) views {
	var v views
	x := obj
	for c := n; c != nil; c = c.parent {
		v[c.depth] = x
		if c.up != nil {
			x = c.up(x)
		}
	}
	return v
}

// view returns obj (of class n) seen as its ancestor a.
func (n *node) view(obj any, a *node) any {
	x := obj
	for c := n; c != a; c = c.parent {
		x = c.up(x)
	}
	return x
}
